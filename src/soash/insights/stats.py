"""Honest statistics for "what works": effect sizes with uncertainty, shrinkage, and multiple
testing correction.

Every post is compared with its own account: ``y = log(rate / account median rate)``, so
accounts of different sizes mix fairly. For a group of posts (e.g. reels):

* ``success_rate`` is the share of its posts that beat their account's median. Under "no
  effect" that share is 1/2, so a two-sided sign (binomial) test gives the p-value, with no
  assumption about how engagement is distributed.
* ``lift`` is ``exp(mean y)`` shrunk toward 1 (partial pooling, empirical Bayes): a group's
  mean is trusted in proportion to how much data it has against how much groups really differ,
  so a small group cannot top the ranking by luck. Its 95% interval is the posterior interval.
* ``significant`` holds when the Benjamini-Hochberg adjusted p-value (over every group tested
  together) is below 0.05 *and* the shrunk interval excludes 1.
* Groups with fewer than ``min_n`` posts are reported as "not enough data", never as winners.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from scipy import stats as sps

Z95 = 1.959963984540054
MIN_N = 8
ALPHA = 0.05


@dataclass(frozen=True)
class GroupEstimate:
    name: str
    n: int
    wins: int
    success_rate: float
    lift: float | None  # None when there is not enough data
    ci_low: float | None
    ci_high: float | None
    p_value: float | None
    q_value: float | None
    significant: bool

    @property
    def enough_data(self) -> bool:
        return self.lift is not None


def sign_test(wins: int, n: int) -> float:
    """Two-sided p-value that ``wins`` of ``n`` coin flips came up heads with p = 1/2."""
    if n == 0:
        return 1.0
    return float(sps.binomtest(wins, n, 0.5).pvalue)


def benjamini_hochberg(p_values: Sequence[float]) -> list[float]:
    """Adjusted p-values (q-values) controlling the false discovery rate."""
    m = len(p_values)
    order = sorted(range(m), key=lambda i: p_values[i])
    adjusted = [1.0] * m
    running = 1.0
    for rank in range(m, 0, -1):
        i = order[rank - 1]
        running = min(running, p_values[i] * m / rank)
        adjusted[i] = min(1.0, running)
    return adjusted


def _variance(values: Sequence[float]) -> float:
    if len(values) < 2:
        return 0.0
    mean = sum(values) / len(values)
    return sum((v - mean) ** 2 for v in values) / (len(values) - 1)


def estimate_groups(
    groups: Mapping[str, Sequence[float]], *, min_n: int = MIN_N
) -> list[GroupEstimate]:
    """Estimate every group of one dimension (e.g. content types) from its posts' log-ratios
    ``y``; the groups share one shrinkage prior. q-values come from :func:`apply_fdr`."""
    eligible = {k: list(v) for k, v in groups.items() if len(v) >= min_n}
    everything = [y for ys in eligible.values() for y in ys]
    sigma2 = _variance(everything) or 1e-6  # spread of single posts around their medians
    means = [sum(ys) / len(ys) for ys in eligible.values()]
    # Method of moments: how much group means differ beyond what sampling noise explains.
    noise = sum(sigma2 / len(ys) for ys in eligible.values()) / max(1, len(eligible))
    tau2 = max(_variance(means) - noise, 1e-4) if len(means) > 1 else 1e-4
    out = []
    for name, ys in groups.items():
        n = len(ys)
        wins = sum(1 for y in ys if y > 0)
        rate = wins / n if n else 0.0
        if name not in eligible:
            out.append(GroupEstimate(name, n, wins, rate, None, None, None, None, None, False))
            continue
        se2 = sigma2 / n
        shrink = tau2 / (tau2 + se2)  # 0 = all prior (no effect), 1 = all data
        mean = shrink * (sum(ys) / n)
        sd = math.sqrt(shrink * se2)
        out.append(
            GroupEstimate(
                name,
                n,
                wins,
                rate,
                lift=math.exp(mean),
                ci_low=math.exp(mean - Z95 * sd),
                ci_high=math.exp(mean + Z95 * sd),
                p_value=sign_test(wins, n),
                q_value=None,
                significant=False,
            )
        )
    return out


def apply_fdr(estimates: Sequence[GroupEstimate], *, alpha: float = ALPHA) -> list[GroupEstimate]:
    """Benjamini-Hochberg over every tested group at once; mark the ones that hold up."""
    tested = [e for e in estimates if e.p_value is not None]
    q_values = benjamini_hochberg([e.p_value for e in tested if e.p_value is not None])
    q_by_id = {id(e): q for e, q in zip(tested, q_values, strict=True)}
    out = []
    for e in estimates:
        q = q_by_id.get(id(e))
        if q is None or e.ci_low is None or e.ci_high is None:
            out.append(e)
            continue
        significant = q < alpha and (e.ci_low > 1 or e.ci_high < 1)
        out.append(replace(e, q_value=q, significant=significant))
    return out


def median(values: Sequence[float]) -> float:
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def log_ratios_by_account(
    rates: Sequence[tuple[object, float]],
) -> list[float]:
    """``log(rate / median of its account)`` for (account, rate) pairs, in the same order.
    Rates must be positive."""
    by_account: dict[object, list[float]] = {}
    for account, rate in rates:
        by_account.setdefault(account, []).append(rate)
    medians = {a: median(v) for a, v in by_account.items()}
    return [math.log(rate / medians[account]) for account, rate in rates]


@dataclass(frozen=True)
class Change:
    before: float
    after: float
    ratio: float
    p_value: float
    real: bool


def compare_periods(
    before: Sequence[float], after: Sequence[float], *, min_change: float = 0.1, min_n: int = 5
) -> Change | None:
    """Did a quantity really change between two periods? Mann-Whitney U on the samples
    (no normality assumed); "real" needs p < 0.05 and a change of at least ``min_change``."""
    if len(before) < min_n or len(after) < min_n:
        return None
    b, a = median(before), median(after)
    ratio = a / b if b else math.inf
    p = float(sps.mannwhitneyu(after, before, alternative="two-sided").pvalue)
    return Change(b, a, ratio, p, p < ALPHA and abs(ratio - 1) >= min_change)

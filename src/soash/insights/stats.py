"""Small statistics shared by the insight modules: each post against its own account's median,
and whether a quantity really changed between two periods. The effect model (what works) is
:mod:`soash.insights.effects`."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

ALPHA = 0.05


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
    from scipy import stats as sps

    b, a = median(before), median(after)
    ratio = a / b if b else math.inf
    p = float(sps.mannwhitneyu(after, before, alternative="two-sided").pvalue)
    return Change(b, a, ratio, p, p < ALPHA and abs(ratio - 1) >= min_change)

"""The effect model: what content types, posting windows, weekdays and hashtags do to a post's
engagement, all estimated at once, with one rule for "significant".

**The model.** Each post's outcome is ``y = log(rate / its account's median rate)`` at the same
age (7 days). One ordinary least squares regression fits ``y`` on

* an intercept per account (account fixed effects; an account belongs to one platform, so these
  also absorb every platform difference),
* content type and weekday (one indicator per level, the most common level as reference),
* the posting window(s) chosen by the data (see below), and
* one indicator per hashtag used often enough to say anything.

So "reels do better" is measured *holding the hour, the day and the hashtags fixed*: a reel
posted at a good hour with a good hashtag no longer lends its hour's and hashtag's success to
reels. Every reported effect is a comparison with the rest of its dimension: a content type or
weekday against the other levels (weighted by how many posts they have), a hashtag or window
against the posts without it. ``lift = exp(effect)``; ``raw_lift`` is the same comparison
without adjustment, shown beside it.

**Why OLS on the log ratio with HC3 errors (statsmodels).** Engagement is skewed and
multiplicative, so effects are additive on the log scale and a lift is ``exp(beta)``. The
residual spread differs between accounts, formats and hours, so the standard errors must not
assume one variance: heteroskedasticity-consistent "HC3" errors (MacKinnon & White 1985; the
small-sample choice of Long & Ervin 2000) keep their coverage at 60 posts, where HC0/HC1 are too
narrow. t-distributions with the residual degrees of freedom are used for p-values and intervals.
statsmodels is a well-kept, tested implementation of exactly this, including the
Benjamini-Hochberg step; scikit-learn has no inference. No shrinkage: a prior that pulls effects
toward 1 loses coverage exactly for the real, large effects one wants to see (simulation in
``tests/insights/test_simulation.py``).

**Posting windows fitted to the account.** Every circular window of 2, 3 or 4 hours (in the
profile's timezone, any start hour) with enough posts inside and outside is a candidate. The one
whose indicator has the largest |t| in the model is chosen (a scan statistic), its p-value is
multiplied by the number of distinct candidates scanned (Bonferroni: valid whatever the
correlation between overlapping windows), and a second, non-overlapping window is scanned the
same way with the first one in the model. A 07:00-10:00 effect is therefore found as 07:00-10:00,
not split across fixed 06-09 and 09-12 buckets.

**One rule, one interval.** q is the Benjamini-Hochberg adjusted p-value over every group tested
for the user; *significant means q < 0.05*, nothing else. The interval shown is the false
coverage-rate adjusted interval of Benjamini & Yekutieli (2005): with R significant groups out of
m tested, each at level ``1 - R*alpha/m`` (``1 - alpha/m`` when R = 0), and for a window also
divided by the windows scanned. BH selects exactly the groups with ``p <= R*alpha/m``, so an
interval excludes 1 exactly when its group is significant: the verdict can never contradict the
interval. Being at least 95% intervals, they also cover the true effect at least 95% of the time;
the 95% interval is kept beside it (``ci95_low``/``ci95_high``; for a chosen window it is
widened for the scan too, since the plain one covers a chosen window's effect only about 2 times
in 3 — the winner's curse, measured by simulation).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

ALPHA = 0.05
MIN_N = 8  # posts a group needs, inside and outside, to be tested
MIN_ACCOUNT_POSTS = 3  # an account with fewer posts says nothing once it has its own intercept
WINDOW_LENGTHS = (2, 3, 4)
MAX_WINDOWS = 2
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


class Dimension(StrEnum):
    content_type = "content_type"
    window = "window"
    weekday = "weekday"
    hashtag = "hashtag"


@dataclass(frozen=True)
class Observation:
    account: Hashable
    y: float  # log(rate / the account's median rate)
    content_type: str
    weekday: int  # 0 = Monday, in the profile's timezone
    hour: int  # 0-23, in the profile's timezone
    hashtags: frozenset[str]


@dataclass(frozen=True)
class Window:
    start: int
    length: int

    def contains(self, hour: int) -> bool:
        return (hour - self.start) % 24 < self.length

    def overlaps(self, other: Window) -> bool:
        return any(self.contains(h) for h in range(24) if other.contains(h))

    @property
    def name(self) -> str:
        return f"{self.start:02d}:00-{(self.start + self.length) % 24:02d}:00"

    @classmethod
    def parse(cls, name: str) -> Window | None:
        """``"07:00-10:00"`` back to a window; None for anything else (e.g. a weekday)."""
        if len(name) != 11 or name[2:6] != ":00-" or name[8:] != ":00":
            return None
        start, end = name[:2], name[6:8]
        if not (start.isdigit() and end.isdigit()):
            return None
        return cls(int(start), (int(end) - int(start)) % 24 or 24)


@dataclass(frozen=True)
class Effect:
    dimension: Dimension
    name: str
    n: int
    success_rate: float  # share of the group's posts above their account's median (ties: half)
    raw_lift: float | None = None
    lift: float | None = None  # None: too little data to test
    ci_low: float | None = None  # the interval that matches the verdict (see the module doc)
    ci_high: float | None = None
    ci_level: float | None = None
    ci95_low: float | None = None
    ci95_high: float | None = None
    p_value: float | None = None  # windows: already multiplied by the windows scanned
    q_value: float | None = None
    significant: bool = False
    log_effect: float | None = None
    se: float | None = None

    @property
    def enough_data(self) -> bool:
        return self.lift is not None


@dataclass(frozen=True)
class _Group:
    dimension: Dimension
    name: str
    mask: Any  # numpy bool array: the group's posts
    contrast: Any | None = None  # numpy vector over the coefficients; None: untested
    tests: float = 1.0  # hypotheses its p-value stands for (windows scanned)


def _success(ys: Any) -> float:
    n = len(ys)
    if not n:
        return 0.0
    return float(((ys > 0).sum() + 0.5 * (ys == 0).sum()) / n)


def _categorical(
    dimension: Dimension, labels: Sequence[str], min_n: int
) -> tuple[list[Any], list[str], list[tuple[str, Any, int | None]]]:
    """Indicator columns for a categorical dimension (reference = most common level; levels
    with too few posts share the reference) and, per level, (name, mask, column offset)."""
    import numpy as np

    arr = np.array(labels)
    counts = Counter(labels)
    n = len(labels)
    eligible = sorted(
        (k for k, c in counts.items() if c >= min_n and n - c >= min_n),
        key=lambda k: (-counts[k], k),
    )
    columns: list[Any] = []
    names: list[str] = []
    levels: list[tuple[str, Any, int | None]] = []
    for name in sorted(counts, key=lambda k: (-counts[k], k)):
        mask = arr == name
        offset = None
        if name in eligible[1:]:
            offset = len(columns)
            columns.append(mask.astype(float))
            names.append(f"{dimension}:{name}")
        levels.append((name, mask, offset))
    return columns, names, levels


def _full_rank(columns: list[Any], fixed: int) -> list[int]:
    """Indices of the columns to keep: the first ``fixed`` always, then each later one only if
    it adds information (e.g. a hashtag used on exactly one account's posts does not).
    Gram-Schmidt in the given order, one pass, when a QR shows a column is redundant."""
    import numpy as np

    r = np.linalg.qr(np.column_stack(columns), mode="r")
    if np.abs(np.diag(r)).min() > 1e-8 * np.abs(np.diag(r)).max():
        return list(range(len(columns)))
    basis: list[Any] = []
    keep = []
    for i, column in enumerate(columns):
        rest = column.astype(float)
        for b in basis:
            rest = rest - (b @ rest) * b
        norm = float(np.linalg.norm(rest))
        if i < fixed or norm > 1e-8 * max(1.0, float(np.linalg.norm(column))):
            keep.append(i)
            if norm > 0:
                basis.append(rest / norm)
    return keep


def _scan(x: Any, y: Any, candidates: Any) -> tuple[Any, float]:
    """HC3 t-statistic of each candidate column added alone to the model ``x`` (by the
    Frisch-Waugh-Lovell theorem, without refitting), and the effective number of independent
    tests among them. The statistics only choose the window; the chosen one is then fitted and
    tested by statsmodels with every other term."""
    import numpy as np

    q, _ = np.linalg.qr(x)
    e = y - q @ (q.T @ y)
    r = candidates - q @ (q.T @ candidates)
    rr = (r * r).sum(axis=0)
    beta = (r * e[:, None]).sum(axis=0) / rr
    u = e[:, None] - r * beta
    h = np.clip((q * q).sum(axis=1)[:, None] + r * r / rr, 0, 0.999)
    var = ((r * r) * (u * u) / (1 - h) ** 2).sum(axis=0) / rr**2
    return beta / np.sqrt(np.maximum(var, 1e-300)), _effective_tests(r / np.sqrt(rr))


def _effective_tests(unit_columns: Any) -> float:
    """Li & Ji (2005): the number of independent tests that overlapping windows amount to,
    from the eigenvalues of their statistics' correlation matrix (under no effect, the
    statistics correlate as the windows' residualised indicators do). Overlapping windows are
    far from independent, so this is much smaller than the count of windows, and Bonferroni
    over it keeps the false discoveries at their level (checked on simulated null accounts)."""
    import numpy as np

    eigen = np.abs(np.linalg.eigvalsh(unit_columns.T @ unit_columns))
    return float(max(1.0, ((eigen >= 1) + (eigen - np.floor(eigen))).sum()))


def _windows(x: Any, y: Any, hours: Any, min_n: int) -> list[tuple[Window, Any, float]]:
    """Up to MAX_WINDOWS windows chosen by the data: (window, mask, effective tests)."""
    import numpy as np

    n = len(y)
    chosen: list[tuple[Window, Any, float]] = []
    for _ in range(MAX_WINDOWS):
        seen: set[bytes] = set()
        candidates: list[tuple[Window, Any]] = []
        for length in WINDOW_LENGTHS:
            for start in range(24):
                window = Window(start, length)
                if any(window.overlaps(w) for w, _, _ in chosen):
                    continue
                mask = (hours - start) % 24 < length
                inside = int(mask.sum())
                if inside < min_n or n - inside < min_n or mask.tobytes() in seen:
                    continue
                seen.add(mask.tobytes())
                candidates.append((window, mask))
        if not candidates:
            break
        t, tests = _scan(x, y, np.column_stack([m.astype(float) for _, m in candidates]))
        best = int(np.nanargmax(np.abs(t)))
        window, mask = candidates[best]
        chosen.append((window, mask, tests))
        x = np.column_stack([x, mask.astype(float)])
    return chosen


def _rest_contrast(
    levels: list[tuple[str, Any, int | None]], index: int, column: dict[int, int], k: int
) -> Any:
    """The level's coefficient minus the post-weighted mean of the other levels' (the
    reference and the small levels share coefficient 0). ``column`` maps a level's offset to
    its column in the model; None when the level's own column had to be dropped."""
    import numpy as np

    contrast = np.zeros(k)
    _, _mask, offset = levels[index]
    if offset is not None and offset not in column:
        return None
    rest = sum(int(m.sum()) for j, (_, m, _) in enumerate(levels) if j != index)
    if offset is not None:
        contrast[column[offset]] = 1.0
    for j, (_, other, other_offset) in enumerate(levels):
        if j != index and other_offset is not None and other_offset in column:
            contrast[column[other_offset]] -= float(other.sum()) / rest
    return contrast


def warm_up() -> None:
    """Import the statistics libraries now (seconds on a busy machine) rather than inside the
    first insight run: for a worker's start, and for tests that time a page."""
    import scipy.stats  # noqa: F401
    import statsmodels.api
    import statsmodels.stats.multitest  # noqa: F401
    import threadpoolctl  # noqa: F401


@dataclass(frozen=True)
class Design:
    """The model's matrix for a set of posts, and the groups to report with their contrasts."""

    x: Any
    y: Any
    groups: list[_Group]
    windows: list[Window]


def fit_effects(
    observations: Sequence[Observation], *, alpha: float = ALPHA, min_n: int = MIN_N
) -> list[Effect]:
    """Every group's effect, from one model; see the module documentation.

    The matrices are small (posts x a hundred columns at most), where multi-threaded BLAS only
    adds contention: on a busy 2-core machine one QR took 4 s with threads and 0.3 s without
    (measured), so the fit runs on one BLAS thread."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):
        built = design(observations, min_n=min_n)
        if built is None:
            return _untested(observations)
        return _infer(built.x, built.y, built.groups, alpha)


def design(
    observations: Sequence[Observation],
    *,
    min_n: int = MIN_N,
    windows: Sequence[Window] | None = None,
) -> Design | None:
    """Build the model; the windows are chosen from the data unless given. None when there
    are too few posts to fit anything."""
    import numpy as np

    per_account = Counter(o.account for o in observations)
    obs = [o for o in observations if per_account[o.account] >= MIN_ACCOUNT_POSTS]
    if len(obs) < 2 * min_n:
        return None
    y = np.array([o.y for o in obs])
    n = len(obs)
    accounts = sorted({o.account for o in obs}, key=str)
    index = {a: i for i, a in enumerate(accounts)}
    account_of = np.array([index[o.account] for o in obs])
    columns: list[Any] = [(account_of == i).astype(float) for i in range(len(accounts))]
    fixed = len(columns)  # the account intercepts always stay; any other column may be dropped

    groups: list[_Group] = []
    pending: list[tuple[Dimension, list[tuple[str, Any, int | None]], int]] = []
    for dimension, labels in (
        (Dimension.content_type, [o.content_type for o in obs]),
        (Dimension.weekday, [str(o.weekday) for o in obs]),
    ):
        cat_columns, _, levels = _categorical(dimension, labels, min_n)
        pending.append((dimension, levels, len(columns)))
        columns.extend(cat_columns)
    tag_counts = Counter(t for o in obs for t in o.hashtags)
    tag_masks = {tag: np.zeros(n, dtype=bool) for tag in tag_counts}
    for i, o in enumerate(obs):
        for tag in o.hashtags:
            tag_masks[tag][i] = True
    tag_columns: dict[str, int] = {}
    for tag in sorted(tag_counts, key=lambda t: (-tag_counts[t], t)):
        if min_n <= tag_counts[tag] <= n - min_n:
            tag_columns[tag] = len(columns)
            columns.append(tag_masks[tag].astype(float))
    keep = _full_rank(columns, fixed)
    position = {old: new for new, old in enumerate(keep)}
    x = np.column_stack([columns[i] for i in keep])
    hours = np.array([o.hour for o in obs])
    if windows is None:
        chosen = _windows(x, y, hours, min_n)
    else:
        chosen = [(w, (hours - w.start) % 24 < w.length, 1.0) for w in windows]
    if chosen:
        x = np.column_stack([x, *[m.astype(float) for _, m, _ in chosen]])
    k = x.shape[1]
    if n - k < 2:
        return None

    for dimension, levels, base in pending:
        for i, (name, mask, _) in enumerate(levels):
            testable = min_n <= int(mask.sum()) <= n - min_n and len(levels) > 1
            column = {
                offset: position[base + offset]
                for _, _, offset in levels
                if offset is not None and base + offset in position
            }
            contrast = _rest_contrast(levels, i, column, k) if testable else None
            label = name if dimension is not Dimension.weekday else WEEKDAYS[int(name)]
            groups.append(_Group(dimension, label, mask, contrast))
    for j, (window, mask, scanned) in enumerate(chosen):
        contrast = np.zeros(k)
        contrast[len(keep) + j] = 1.0
        groups.append(_Group(Dimension.window, window.name, mask, contrast, tests=scanned))
    for tag, _count in sorted(tag_counts.items(), key=lambda kv: (-kv[1], kv[0])):
        mask = tag_masks[tag]
        contrast = None
        if tag in tag_columns and tag_columns[tag] in position:
            contrast = np.zeros(k)
            contrast[position[tag_columns[tag]]] = 1.0
        groups.append(_Group(Dimension.hashtag, f"#{tag}", mask, contrast))
    return Design(x, y, groups, [w for w, _, _ in chosen])


def _infer(x: Any, y: Any, groups: list[_Group], alpha: float) -> list[Effect]:
    import numpy as np
    import statsmodels.api as sm
    from scipy import stats
    from statsmodels.stats.multitest import multipletests

    q_, _ = np.linalg.qr(x)
    leverage = (q_ * q_).sum(axis=1)
    # HC3 divides by (1 - leverage); a post alone in its cell (leverage 1) makes it undefined,
    # and then HC1 is the usable robust choice.
    cov_type = "HC3" if leverage.max() < 0.99 else "HC1"
    fit = sm.OLS(y, x).fit(cov_type=cov_type, use_t=True)
    params, cov, df = np.asarray(fit.params), np.asarray(fit.cov_params()), float(fit.df_resid)

    effects: list[Effect] = []
    tested: list[tuple[int, _Group]] = []
    for g in groups:
        ys = y[g.mask]
        effects.append(Effect(g.dimension, g.name, int(g.mask.sum()), _success(ys)))
        if g.contrast is not None:
            tested.append((len(effects) - 1, g))
    if not tested:
        return effects
    contrasts = np.array([g.contrast for _, g in tested])
    tests = np.array([g.tests for _, g in tested])
    estimates = contrasts @ params
    ses = np.sqrt(np.maximum(((contrasts @ cov) * contrasts).sum(axis=1), 1e-300))
    p_values = np.minimum(1.0, 2 * stats.t.sf(np.abs(estimates) / ses, df) * tests)
    _reject, q_values, _, _ = multipletests(p_values, alpha=alpha, method="fdr_bh")
    selected = int((q_values < alpha).sum())
    level_alpha = max(selected, 1) * alpha / len(tested)
    crit = stats.t.ppf(1 - level_alpha / tests / 2, df)
    # A chosen window's 95% interval allows for the choice too (the winner's curse).
    t95 = stats.t.ppf(1 - alpha / tests / 2, df)
    for j, (i, g) in enumerate(tested):
        estimate, se = float(estimates[j]), float(ses[j])
        outside = y[~g.mask]
        effects[i] = replace(
            effects[i],
            raw_lift=math.exp(float(y[g.mask].mean() - outside.mean())),
            lift=math.exp(estimate),
            p_value=float(p_values[j]),
            q_value=float(q_values[j]),
            significant=bool(q_values[j] < alpha),
            ci_low=math.exp(estimate - float(crit[j]) * se),
            ci_high=math.exp(estimate + float(crit[j]) * se),
            ci_level=1 - level_alpha / float(tests[j]),
            ci95_low=math.exp(estimate - float(t95[j]) * se),
            ci95_high=math.exp(estimate + float(t95[j]) * se),
            log_effect=estimate,
            se=se,
        )
    return effects


def _untested(observations: Sequence[Observation]) -> list[Effect]:
    """Too few posts for the model: group sizes only, nothing claimed."""
    import numpy as np

    y = np.array([o.y for o in observations])
    out = []
    for dimension, labels in (
        (Dimension.content_type, [o.content_type for o in observations]),
        (Dimension.weekday, [WEEKDAYS[o.weekday] for o in observations]),
    ):
        for name, count in Counter(labels).most_common():
            mask = np.array([label == name for label in labels])
            out.append(Effect(dimension, name, count, _success(y[mask])))
    tags = Counter(t for o in observations for t in o.hashtags)
    for tag, count in tags.most_common():
        mask = np.array([tag in o.hashtags for o in observations])
        out.append(Effect(Dimension.hashtag, f"#{tag}", count, _success(y[mask])))
    return out

"""Simulated accounts with known effects, and the measures of how well the effect model finds
them: recall (the planted group is the top significant group of its dimension), false
discoveries on null accounts, and interval coverage of the model's true (noise-free) effects.

Used by ``tests/insights/test_simulation.py`` (a few seeds, asserting the targets) and by
``bench/effects.py`` (more seeds, writing the figures)."""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from soash.insights.effects import (
    WEEKDAYS,
    Dimension,
    Effect,
    Observation,
    Window,
    design,
    fit_effects,
)

TYPES = ("image", "carousel", "reel", "video")
TAGS = ("coffee", "morning", "latte", "beans", "cafe", "barista", "oatmilk", "pastry")
PLANTED_TAG_SHARE = 0.25
FACTORS = {
    Dimension.content_type: 1.8,
    Dimension.window: 1.5,
    Dimension.weekday: 1.5,
    Dimension.hashtag: 1.4,
}
NOISE = 0.4  # sd of log engagement around the account's typical post


@dataclass(frozen=True)
class Planted:
    dimension: Dimension
    name: str
    factor: float


@dataclass
class Account:
    observations: list[Observation]
    truth: list[float]  # each post's planted log effect, without noise
    planted: list[Planted] = field(default_factory=list)


def simulate(
    seed: int,
    posts: int,
    *,
    dimensions: Sequence[Dimension] = tuple(Dimension),
    noise: float = NOISE,
) -> Account:
    """One account of ``posts`` posts with one planted effect per dimension in ``dimensions``
    (all at once: they co-occur on the same posts). The window starts off the 3-hour grid."""
    rng = random.Random(seed)
    planted: list[Planted] = []
    kind = rng.choice(TYPES)
    window = Window(rng.choice([h for h in range(7, 20) if h % 3]), rng.choice((2, 3, 4)))
    day = rng.randrange(7)
    tag = rng.choice(TAGS)
    for dimension in dimensions:
        name = {
            Dimension.content_type: kind,
            Dimension.window: window.name,
            Dimension.weekday: WEEKDAYS[day],
            Dimension.hashtag: f"#{tag}",
        }[dimension]
        planted.append(Planted(dimension, name, FACTORS[dimension]))
    shares = {t: rng.uniform(0.05, 0.3) for t in TAGS}
    shares[tag] = PLANTED_TAG_SHARE
    observations, truth = [], []
    base = math.log(rng.uniform(0.01, 0.08))
    for _ in range(posts):
        o = Observation(
            account="a",
            y=0.0,
            content_type=rng.choice(TYPES),
            weekday=rng.randrange(7),
            hour=rng.randrange(6, 24),
            hashtags=frozenset(t for t in TAGS if rng.random() < shares[t]),
        )
        effect = 0.0
        for p in planted:
            if _member(o, p):
                effect += math.log(p.factor)
        truth.append(effect)
        observations.append(o)
    logs = [base + t + rng.gauss(0, noise) for t in truth]
    middle = float(np.median(logs))
    observations = [
        Observation(o.account, v - middle, o.content_type, o.weekday, o.hour, o.hashtags)
        for o, v in zip(observations, logs, strict=True)
    ]
    return Account(observations, truth, planted)


def _member(o: Observation, p: Planted) -> bool:
    if p.dimension is Dimension.content_type:
        return o.content_type == p.name
    if p.dimension is Dimension.weekday:
        return WEEKDAYS[o.weekday] == p.name
    if p.dimension is Dimension.hashtag:
        return p.name[1:] in o.hashtags
    window = Window.parse(p.name)
    return window is not None and window.contains(o.hour)


def top_significant(effects: Sequence[Effect], dimension: Dimension, up: bool) -> Effect | None:
    """The biggest significant effect in the planted direction of a dimension."""
    found = [
        e
        for e in effects
        if e.dimension is dimension and e.significant and e.lift is not None and (e.lift > 1) == up
    ]
    return max(found, key=lambda e: abs(math.log(e.lift or 1.0)), default=None)


def window_match(found: str, planted: str) -> bool:
    """A found window counts as the planted one when their hours overlap by at least 2/3 of
    the hours either covers (e.g. 07-10 for 07-10, 07-09 or 06-10; not 06-09)."""
    a, b = Window.parse(found), Window.parse(planted)
    if a is None or b is None:
        return False
    hours_a = {h for h in range(24) if a.contains(h)}
    hours_b = {h for h in range(24) if b.contains(h)}
    return len(hours_a & hours_b) / len(hours_a | hours_b) >= 2 / 3


def recalled(effects: Sequence[Effect], planted: Planted) -> tuple[bool, bool]:
    """(found as the top significant group of its dimension, found exactly)."""
    top = top_significant(effects, planted.dimension, planted.factor > 1)
    if top is None:
        return False, False
    if planted.dimension is Dimension.window:
        return window_match(top.name, planted.name), top.name == planted.name
    return top.name == planted.name, top.name == planted.name


def coverage(account: Account, effects: Sequence[Effect]) -> tuple[int, int, int]:
    """(groups tested, plain 95% intervals holding the true effect, shown intervals holding it).
    The true effect of a group is what the same model, with the same windows, gives on the
    noise-free outcomes: the exact quantity its estimate aims at."""
    windows = [w for e in effects if (w := Window.parse(e.name)) is not None]
    built = design(
        [
            Observation(o.account, t, o.content_type, o.weekday, o.hour, o.hashtags)
            for o, t in zip(account.observations, account.truth, strict=True)
        ],
        windows=windows,
    )
    assert built is not None
    params = np.linalg.lstsq(built.x, built.y, rcond=None)[0]
    truth = {
        (g.dimension, g.name): float(g.contrast @ params)
        for g in built.groups
        if g.contrast is not None
    }
    tested = plain = shown = 0
    for e in effects:
        if e.lift is None or (e.dimension, e.name) not in truth:
            continue
        true = math.exp(truth[(e.dimension, e.name)])
        assert e.ci95_low is not None and e.ci95_high is not None
        assert e.ci_low is not None and e.ci_high is not None
        tested += 1
        plain += e.ci95_low <= true <= e.ci95_high
        shown += e.ci_low <= true <= e.ci_high
    return tested, plain, shown


def measure(seeds: Sequence[int], posts: int, **kwargs: Any) -> dict[str, Any]:
    """Recall per dimension, coverage and interval consistency over simulated accounts."""
    found: dict[str, list[int]] = {d.value: [0, 0, 0] for d in Dimension}  # hit, exact, total
    tested = plain = shown = 0
    for seed in seeds:
        account = simulate(seed, posts, **kwargs)
        effects = fit_effects(account.observations)
        for p in account.planted:
            hit, exact = recalled(effects, p)
            row = found[p.dimension.value]
            row[0] += hit
            row[1] += exact
            row[2] += 1
        t, a, b = coverage(account, effects)
        tested, plain, shown = tested + t, plain + a, shown + b
    return {
        "posts": posts,
        "accounts": len(seeds),
        "recall": {d: round(h / t, 3) for d, (h, _, t) in found.items() if t},
        "exact": {d: round(x / t, 3) for d, (_, x, t) in found.items() if t},
        "coverage_95": round(plain / tested, 4) if tested else None,
        "coverage_shown": round(shown / tested, 4) if tested else None,
        "intervals": tested,
    }


def null_discoveries(seeds: Sequence[int], posts: int) -> dict[str, Any]:
    """Significant groups found on accounts with no effect at all."""
    per_account = []
    for seed in seeds:
        effects = fit_effects(simulate(seed, posts, dimensions=()).observations)
        per_account.append(sum(e.significant for e in effects))
    return {
        "posts": posts,
        "accounts": len(seeds),
        "significant_groups": sum(per_account),
        "accounts_with_any": sum(1 for c in per_account if c),
    }

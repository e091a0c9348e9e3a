"""The patterns of stored-style figures: planted effects are the significant top groups, read
in the profile's timezone, with the verdict and the interval always agreeing."""

from __future__ import annotations

import pytest

from soash.insights.effects import Dimension
from soash.insights.models import PatternType
from soash.insights.patterns import Pattern, compute_all_patterns, compute_patterns
from soash.social.models import Platform
from tests.insights.planted import planted_figures


def _top(patterns: list[Pattern], dimension: Dimension) -> Pattern:
    return next(p for p in patterns if p.estimate.dimension is dimension)


def _significant(patterns: list[Pattern], kind: PatternType) -> list[str]:
    return [p.name for p in patterns if p.pattern_type is kind and p.estimate.significant]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_planted_effects_are_the_significant_top_patterns(seed: int) -> None:
    patterns = compute_patterns(planted_figures(seed=seed), "Asia/Tokyo")
    assert _top(patterns, Dimension.content_type).name == "reel"
    assert _top(patterns, Dimension.window).name == "18:00-21:00"
    assert _top(patterns, Dimension.hashtag).name == "#latte"
    for dimension in (Dimension.content_type, Dimension.window, Dimension.hashtag):
        top = _top(patterns, dimension).estimate
        assert top.significant
        assert top.lift is not None and top.lift > 1.2
        assert top.ci_low is not None and top.ci_low > 1
    reel = _top(patterns, Dimension.content_type).estimate
    assert reel.ci_low is not None and reel.ci_high is not None
    assert reel.ci_low < 1.8 < reel.ci_high  # the interval holds the planted effect
    assert reel.raw_lift is not None and reel.success_rate > 0.6


def test_the_posting_window_is_read_in_the_profiles_timezone() -> None:
    figures = planted_figures(seed=4)
    wrong = compute_patterns(figures, "UTC")
    assert "18:00-21:00" not in _significant(wrong, PatternType.posting_time)
    right = compute_patterns(figures, "Asia/Tokyo")
    assert "18:00-21:00" in _significant(right, PatternType.posting_time)


@pytest.mark.parametrize("seed", range(10, 14))
def test_no_effect_finds_almost_no_significant_pattern(seed: int) -> None:
    patterns = compute_patterns(planted_figures(seed=seed, effects=False), "Asia/Tokyo")
    significant = [p.name for p in patterns if p.estimate.significant]
    assert len(significant) <= 1, significant


@pytest.mark.parametrize("seed", [1, 11])
def test_the_verdict_and_the_shown_interval_never_disagree(seed: int) -> None:
    patterns = compute_patterns(planted_figures(seed=seed, effects=seed < 10), "Asia/Tokyo")
    tested = [p.estimate for p in patterns if p.estimate.lift is not None]
    assert tested
    for e in tested:
        assert e.ci_low is not None and e.ci_high is not None and e.q_value is not None
        assert e.significant == (e.q_value < 0.05) == (e.ci_low > 1 or e.ci_high < 1)
        assert e.ci_level is not None and e.ci_level >= 0.95
        assert e.ci95_low is not None and e.ci95_high is not None
        assert e.ci_low <= e.ci95_low and e.ci95_high <= e.ci_high


def test_small_groups_are_reported_as_too_small_never_as_winners() -> None:
    figures = planted_figures(seed=5, accounts=1, posts_per_account=12)
    patterns = compute_patterns(figures, "Asia/Tokyo")
    assert patterns
    assert all(p.estimate.lift is None and not p.estimate.significant for p in patterns)


def test_success_rate_counts_the_post_at_the_median_as_half() -> None:
    patterns = compute_patterns(planted_figures(seed=6, effects=False), "Asia/Tokyo")
    for p in patterns:
        assert 0 <= p.estimate.success_rate <= 1
    # Each account has an odd number of posts: its median post is neither a win nor a loss.
    figures = planted_figures(seed=6, effects=False, accounts=1, posts_per_account=41)
    everything = compute_patterns(figures, "Asia/Tokyo")
    days = [p.estimate for p in everything if p.estimate.dimension is Dimension.weekday]
    wins = sum(e.success_rate * e.n for e in days)
    assert wins == pytest.approx(20.5)


def test_a_platform_with_enough_posts_gets_its_own_patterns() -> None:
    figures = planted_figures(seed=8)
    mixed = [
        f if i % 5 else type(f)(**{**f.__dict__, "platform": Platform.tiktok})
        for i, f in enumerate(figures)
    ]
    scopes = {p.scope for p in compute_all_patterns(mixed, "Asia/Tokyo")}
    assert scopes == {"all", "tiktok", "instagram"}
    few = mixed[:-300] + [f for f in mixed[-300:] if f.platform is Platform.instagram]
    assert {p.scope for p in compute_all_patterns(few, "Asia/Tokyo")} == {"all", "instagram"}

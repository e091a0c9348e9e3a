"""Planted effects are found as significant top patterns; no effect finds (almost) nothing."""

from __future__ import annotations

import pytest

from soash.insights.models import PatternType
from soash.insights.patterns import compute_patterns
from tests.insights.planted import planted_figures


def _significant(patterns: list, kind: PatternType) -> list[str]:  # type: ignore[type-arg]
    return [p.name for p in patterns if p.pattern_type is kind and p.estimate.significant]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_planted_effects_are_the_significant_top_patterns(seed: int) -> None:
    patterns = compute_patterns(planted_figures(seed=seed), "Asia/Tokyo")
    by_type = {kind: next(p for p in patterns if p.pattern_type is kind) for kind in PatternType}
    assert by_type[PatternType.content_type].name == "reel"
    assert by_type[PatternType.posting_time].name == "18:00-21:00"
    assert by_type[PatternType.hashtag].name == "#latte"
    for top in by_type.values():
        assert top.estimate.significant
        assert top.estimate.lift is not None and top.estimate.lift > 1.2
        assert top.estimate.ci_low is not None and top.estimate.ci_low > 1
    reel = by_type[PatternType.content_type].estimate
    assert reel.ci_low is not None and reel.ci_high is not None
    assert reel.ci_low < 1.8 * 1.25  # the interval is honest about the true effect
    assert reel.success_rate > 0.6


def test_the_posting_window_is_read_in_the_profiles_timezone() -> None:
    figures = planted_figures(seed=4)
    wrong = compute_patterns(figures, "UTC")
    assert "18:00-21:00" not in _significant(wrong, PatternType.posting_time)
    right = compute_patterns(figures, "Asia/Tokyo")
    assert "18:00-21:00" in _significant(right, PatternType.posting_time)


@pytest.mark.parametrize("seed", range(10, 20))
def test_no_effect_finds_almost_no_significant_pattern(seed: int) -> None:
    patterns = compute_patterns(planted_figures(seed=seed, effects=False), "Asia/Tokyo")
    significant = [p.name for p in patterns if p.estimate.significant]
    assert len(significant) <= 1, significant


def test_small_groups_are_reported_as_too_small_never_as_winners() -> None:
    figures = planted_figures(seed=5, accounts=1, posts_per_account=12)
    patterns = compute_patterns(figures, "Asia/Tokyo")
    small = [p for p in patterns if p.estimate.n < 8]
    assert small
    assert all(p.estimate.lift is None and not p.estimate.significant for p in small)
    assert patterns[-1].estimate.lift is None  # ranked last


def test_success_rate_is_the_share_beating_the_own_account_median() -> None:
    patterns = compute_patterns(planted_figures(seed=6, effects=False), "Asia/Tokyo")
    for p in patterns:
        assert 0 <= p.estimate.success_rate <= 1
        assert p.estimate.wins == round(p.estimate.success_rate * p.estimate.n)

"""The effect model on simulated accounts with known effects (seeded, a few seconds): planted
effects are found as the top significant group of their dimension, null accounts give
(almost) no discoveries, and the intervals hold the true effects. ``bench/effects.py`` runs
the same measures on many more accounts and records the figures."""

from __future__ import annotations

import pytest

from tests.insights.simulate import measure, null_discoveries

SEEDS = range(20)


def _overall(result: dict[str, object]) -> float:
    recall = result["recall"]
    assert isinstance(recall, dict)
    return sum(recall.values()) / len(recall)


@pytest.mark.parametrize(("posts", "target"), [(300, 0.95), (120, 0.70)])
def test_planted_effects_are_the_top_significant_group_of_their_dimension(
    posts: int, target: float
) -> None:
    result = measure(SEEDS, posts)
    assert _overall(result) >= target, result
    assert result["coverage_95"] >= 0.93, result
    assert result["coverage_shown"] >= 0.95, result


def test_small_accounts_still_find_the_strong_effect_and_keep_coverage() -> None:
    result = measure(SEEDS, 60)
    assert result["recall"]["content_type"] >= 0.5, result
    assert result["coverage_95"] >= 0.93, result


def test_twenty_null_accounts_give_at_most_one_significant_group() -> None:
    """7 accounts of 60 posts, 7 of 120 and 6 of 300, with no effect at all."""
    groups = [
        null_discoveries(range(1000, 1007), 60),
        null_discoveries(range(1007, 1014), 120),
        null_discoveries(range(1014, 1020), 300),
    ]
    assert sum(g["accounts"] for g in groups) == 20
    assert sum(g["significant_groups"] for g in groups) <= 1

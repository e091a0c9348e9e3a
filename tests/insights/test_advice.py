"""What is worth saying: only significant effects that matter become advice, in plain words;
best slots fall on different days; with no posts, ideas say they are general advice."""

from __future__ import annotations

from datetime import date
from itertools import pairwise

import pytest
from sqlalchemy import select

from soash.config import Settings
from soash.db import session_scope
from soash.insights.advice import actionable, evidence, headline
from soash.insights.effects import Dimension, Effect, Window
from soash.insights.generate import generate_insights
from soash.insights.models import AiInsight, ContentRecommendation, PatternType, RecommendationType
from soash.insights.patterns import Pattern
from soash.insights.slots import best_slots
from soash.users.models import User, UserProfile


def _reels(lift: float, *, significant: bool = True) -> Pattern:
    effect = Effect(
        Dimension.content_type,
        "reel",
        64,
        0.7,
        raw_lift=lift + 0.1,
        lift=lift,
        ci_low=lift - 0.3,
        ci_high=lift + 0.3,
        ci_level=0.995,
        p_value=0.0001,
        q_value=0.001 if significant else 0.2,
        significant=significant,
    )
    return Pattern(PatternType.content_type, effect)


def test_only_significant_effects_that_matter_are_actionable(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert actionable(_reels(1.8))
    assert actionable(_reels(0.85))
    assert not actionable(_reels(1.05))  # significant but too small to matter
    assert not actionable(_reels(1.8, significant=False))
    monkeypatch.setattr(settings.insights, "practical_lift", 0.9)
    assert not actionable(_reels(1.8))


def test_the_wording_is_plain_and_carries_the_interval_and_the_count() -> None:
    reels = _reels(1.8)
    assert headline(reels) == "Reels get about 1.8× the engagement of your other posts"
    said = evidence(reels)
    assert said.startswith("About 1.8× (likely between 1.5× and 2.1×, from 64 Reels; 1.9× before")
    assert "99.5% interval" in said


def test_best_slots_are_on_different_days_spread_over_the_week() -> None:
    morning = Window(7, 3)
    slots = best_slots({}, [(morning, 1.5)], today=date(2026, 11, 30))  # a Monday
    assert len({s.day for s in slots}) == 3
    days = sorted(s.day for s in slots)
    assert all((b - a).days >= 2 for a, b in pairwise(days))  # spread, not three days in a row
    with_days = best_slots(
        {"Thursday": 1.3, "Saturday": 1.2}, [(morning, 1.5)], today=date(2026, 11, 30)
    )
    assert [s.weekday for s in with_days[:2]] == ["Thursday", "Saturday"]
    assert with_days[0].lift == pytest.approx(1.95)
    assert best_slots({"Monday": 0.8}, [], today=date(2026, 11, 30)) == []


def test_with_no_posts_there_are_no_data_claims_only_general_advice() -> None:
    with session_scope() as db:
        user = User(email="new@example.com", password_hash="x", is_verified=True)
        db.add(user)
        db.flush()
        user.profile = UserProfile(user_id=user.id, brand_name="Fresh", timezone="UTC")
        user_id = user.id
    report = generate_insights(user_id)
    assert report["posts"] == 0
    with session_scope() as db:
        assert not db.scalars(select(AiInsight).where(AiInsight.user_id == user_id)).all()
        recs = db.scalars(
            select(ContentRecommendation).where(ContentRecommendation.user_id == user_id)
        ).all()
    assert {r.recommendation_type for r in recs} == {RecommendationType.content_idea}
    for r in recs:
        assert "general advice" in (r.description or "")
        assert "General advice" in (r.content_brief or "")
        assert "what works for you" not in (r.description or "")

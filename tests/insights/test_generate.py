"""The insight job on stored data: patterns, insights and recommendations, re-run safely."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime

import pytest
from sqlalchemy import func, select

from soash.config import Settings
from soash.db import session_scope
from soash.insights.generate import generate_insights
from soash.insights.models import (
    AiInsight,
    ContentRecommendation,
    InsightType,
    PerformancePattern,
    Priority,
    RecommendationType,
)
from soash.system.models import JobStatus, SystemJob
from tests.fakes.llm import FakeLlm
from tests.insights.conftest import store_planted
from tests.insights.simulate import window_match

Planted = tuple[uuid.UUID, datetime]


def _insights(user_id: uuid.UUID) -> list[AiInsight]:
    with session_scope() as db:
        return list(db.scalars(select(AiInsight).where(AiInsight.user_id == user_id)))


def _recommendations(user_id: uuid.UUID) -> list[ContentRecommendation]:
    with session_scope() as db:
        rows = select(ContentRecommendation).where(ContentRecommendation.user_id == user_id)
        return list(db.scalars(rows))


def test_the_job_finds_the_planted_effects_and_says_so_with_evidence(planted: Planted) -> None:
    user_id, now = planted
    report = generate_insights(user_id, now=now)
    assert report["posts"] == 450
    with session_scope() as db:
        stored = db.scalars(select(PerformancePattern).where(PerformancePattern.significant)).all()
        [job] = db.scalars(select(SystemJob)).all()
    assert job.status is JobStatus.completed
    names = {p.pattern_name for p in stored}
    assert {"reel", "#latte"} <= names
    assert any(window_match(name, "18:00-21:00") for name in names)  # within an hour
    performance = {
        i.title: i for i in _insights(user_id) if i.insight_type is InsightType.performance
    }
    reel = next(i for t, i in performance.items() if t.startswith("Reels get"))
    assert reel.title == "Reels get about 1.8× the engagement of your other posts"
    assert reel.description is not None
    assert "likely between" in reel.description and "from 109 Reels" in reel.description
    assert reel.priority is Priority.high


def test_running_the_job_again_updates_instead_of_duplicating(planted: Planted) -> None:
    user_id, now = planted
    generate_insights(user_id, now=now)
    first_insights = {i.key: i.id for i in _insights(user_id)}
    first_recs = {r.key: r.id for r in _recommendations(user_id)}
    generate_insights(user_id, now=now)
    assert {i.key: i.id for i in _insights(user_id)} == first_insights
    assert {r.key: r.id for r in _recommendations(user_id)} == first_recs


def test_recommendations_cover_times_hashtags_and_briefs_for_this_brand(planted: Planted) -> None:
    user_id, now = planted
    generate_insights(user_id, now=now)
    recs = _recommendations(user_id)
    times = [r for r in recs if r.recommendation_type is RecommendationType.posting_time]
    assert len(times) == 3
    assert all("18:00–" in r.title and "Asia/Tokyo" in r.title for r in times)
    assert len({r.title.split()[0] for r in times}) == 3  # three different days
    tags = [r.title for r in recs if r.recommendation_type is RecommendationType.hashtag]
    assert "Use #latte" in tags
    ideas = [r for r in recs if r.recommendation_type is RecommendationType.content_idea]
    assert len(ideas) == 3
    for idea in ideas:
        assert idea.content_brief is not None
        assert "Reel" in idea.content_brief
        assert "Commuters and remote workers" in idea.content_brief
        assert "likely between" in idea.content_brief  # the numbers come from the statistics
        assert "Kissa Koffee roasts" in idea.content_brief  # the brand in its own words


def test_feedback_shapes_the_next_ideas(planted: Planted) -> None:
    user_id, now = planted
    generate_insights(user_id, now=now)
    ideas = [
        r
        for r in _recommendations(user_id)
        if r.recommendation_type is RecommendationType.content_idea
    ]
    disliked = ideas[0]
    assert disliked.key is not None
    with session_scope() as db:
        db.get_one(ContentRecommendation, disliked.id).feedback_score = 1
    generate_insights(user_id, now=now)
    angle = disliked.key.rsplit(":", 1)[1]
    fresh = [
        r
        for r in _recommendations(user_id)
        if r.recommendation_type is RecommendationType.content_idea and r.feedback_score is None
    ]
    assert len(fresh) == 3
    assert all(not (r.key or "").endswith(f":{angle}") for r in fresh)


def test_no_effect_gives_no_performance_claims() -> None:
    user_id, now = store_planted(effects=False, seed=11)
    generate_insights(user_id, now=now)
    claims = [i for i in _insights(user_id) if i.insight_type is InsightType.performance]
    assert len(claims) <= 1
    ideas = [
        r
        for r in _recommendations(user_id)
        if r.recommendation_type is RecommendationType.content_idea
    ]
    assert ideas and all("No format clearly stands out" in (r.content_brief or "") for r in ideas)
    assert all("built on your brand profile" in (r.description or "") for r in ideas)


@pytest.fixture
def llm(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeLlm]:
    fake = FakeLlm()
    fake.start()
    monkeypatch.setattr(settings.llm, "base_url", f"{fake.url}/v1")
    monkeypatch.setattr(settings.llm, "timeout_seconds", 0.5)
    yield fake
    fake.stop()


def test_a_configured_llm_writes_the_briefs_but_not_the_numbers(
    planted: Planted, llm: FakeLlm
) -> None:
    user_id, now = planted
    generate_insights(user_id, now=now)
    assert len(llm.prompts) == 1
    ideas = [
        r
        for r in _recommendations(user_id)
        if r.recommendation_type is RecommendationType.content_idea
    ]
    assert all(r.title.startswith("LLM idea:") for r in ideas)
    assert all("A model-written brief" in (r.content_brief or "") for r in ideas)
    assert all("likely between" in (r.content_brief or "") for r in ideas)
    assert llm.prompts and "Kissa Koffee roasts" in str(llm.prompts[0])


@pytest.mark.parametrize("fault", ["server_error", "hang", "malformed"])
def test_a_failing_llm_falls_back_to_the_template_writer(
    planted: Planted, llm: FakeLlm, fault: str
) -> None:
    llm.fail_next(fault, seconds=2)
    user_id, now = planted
    report = generate_insights(user_id, now=now)
    assert report["recommendations"] > 0
    ideas = [
        r
        for r in _recommendations(user_id)
        if r.recommendation_type is RecommendationType.content_idea
    ]
    assert len(ideas) == 3
    assert all(not r.title.startswith("LLM idea:") for r in ideas)
    with session_scope() as db:
        assert (
            db.scalar(
                select(func.count())
                .select_from(SystemJob)
                .where(SystemJob.status == JobStatus.completed)
            )
            == 1
        )

"""Advice lifecycle: insights can be dismissed (back only when the finding changes) or snoozed;
recommendations can be dismissed and are not suggested again; a poorly rated slot or hashtag
is not suggested again either."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import select

from soash.db import session_scope, utcnow
from soash.insights.generate import generate_insights
from soash.insights.models import AiInsight, ContentRecommendation, InsightType, Priority
from soash.insights.service import upsert_insight
from tests.helpers import Api
from tests.insights.conftest import store_planted


def _insight(user_id: str, finding: str, title: str = "Reels get about 1.8×") -> uuid.UUID:
    with session_scope() as db:
        return upsert_insight(
            db,
            user_id=uuid.UUID(user_id),
            key="performance:content_type:reel",
            insight_type=InsightType.performance,
            title=title,
            description="d",
            priority=Priority.high,
            finding=finding,
        ).id


def _listed(api: Api, headers: dict[str, str]) -> list[str]:
    return [i["id"] for i in api.client.get("/api/v1/insights", headers=headers).json()]


def test_a_dismissed_insight_returns_only_when_its_finding_changes(api: Api) -> None:
    user = api.user()
    insight = _insight(user.id, "up:3")
    path = f"/api/v1/insights/{insight}"
    dismissed = api.client.patch(path, json={"dismissed": True}, headers=user.headers)
    assert dismissed.status_code == 200 and dismissed.json()["dismissed_at"] is not None
    assert _listed(api, user.headers) == []
    _insight(user.id, "up:3", title="Reels get about 1.7×")  # same finding, new wording
    assert _listed(api, user.headers) == []
    _insight(user.id, "up:1", title="Reels get about 1.3×")  # the effect shrank a lot
    assert _listed(api, user.headers) == [str(insight)]


def test_a_snoozed_insight_is_hidden_until_the_snooze_ends(api: Api) -> None:
    user = api.user()
    insight = _insight(user.id, "up:3")
    path = f"/api/v1/insights/{insight}"
    snoozed = api.client.patch(path, json={"snooze_days": 7}, headers=user.headers)
    until = snoozed.json()["snoozed_until"]
    assert until is not None and until > (utcnow() + timedelta(days=6)).isoformat()
    assert _listed(api, user.headers) == []
    with session_scope() as db:
        db.get_one(AiInsight, insight).snoozed_until = utcnow() - timedelta(minutes=1)
    assert _listed(api, user.headers) == [str(insight)]
    for bad in (-1, 91, "week"):
        response = api.client.patch(path, json={"snooze_days": bad}, headers=user.headers)
        assert response.status_code == 422
        assert response.headers["content-type"].startswith("application/problem+json")


def test_dismissed_and_poorly_rated_recommendations_are_not_suggested_again(api: Api) -> None:
    user = api.user()
    user_id = uuid.UUID(user.id)
    _, now = store_planted(user_id=user_id)
    generate_insights(user_id, now=now)
    recs = api.client.get("/api/v1/recommendations", headers=user.headers).json()
    slots = [r for r in recs if r["recommendation_type"] == "posting_time"]
    tag = next(r for r in recs if r["recommendation_type"] == "hashtag")
    assert len(slots) == 3
    patch = "/api/v1/recommendations/{}"
    api.client.patch(patch.format(tag["id"]), json={"is_dismissed": True}, headers=user.headers)
    api.client.patch(patch.format(slots[0]["id"]), json={"feedback_score": 1}, headers=user.headers)
    generate_insights(user_id, now=now)
    again = api.client.get("/api/v1/recommendations", headers=user.headers).json()
    assert tag["id"] not in [r["id"] for r in again]
    with session_scope() as db:
        rows = db.scalars(
            select(ContentRecommendation).where(ContentRecommendation.user_id == user_id)
        ).all()
        keys = {r.key: r for r in rows}
    rated = next(r for r in rows if str(r.id) == slots[0]["id"])
    assert rated.feedback_score == 1  # kept, with the rating, but not suggested afresh
    fresh = [
        r
        for r in again
        if r["recommendation_type"] == "posting_time" and r["feedback_score"] is None
    ]
    assert len(fresh) == 2
    assert keys[rated.key].is_dismissed is False

"""The insights API: inbox order, read state, feedback, on-demand runs within the plan."""

from __future__ import annotations

import uuid

import pytest

from soash.db import session_scope
from soash.insights.generate import generate_insights
from soash.insights.models import ContentRecommendation, InsightType, Priority, RecommendationType
from soash.insights.service import upsert_insight
from tests.helpers import Api
from tests.insights.conftest import store_planted


def _insight(user_id: str, key: str, priority: Priority) -> uuid.UUID:
    with session_scope() as db:
        return upsert_insight(
            db,
            user_id=uuid.UUID(user_id),
            key=key,
            insight_type=InsightType.performance,
            title=f"insight {key}",
            description="d",
            priority=priority,
        ).id


def test_the_inbox_shows_unread_first_then_by_priority(api: Api) -> None:
    user = api.user()
    low = _insight(user.id, "a", Priority.low)
    high = _insight(user.id, "b", Priority.high)
    read = _insight(user.id, "c", Priority.high)
    patched = api.client.patch(
        f"/api/v1/insights/{read}", json={"is_read": True}, headers=user.headers
    )
    assert patched.json()["is_read"] is True
    order = [i["id"] for i in api.client.get("/api/v1/insights", headers=user.headers).json()]
    assert order == [str(high), str(low), str(read)]
    unread = api.client.get("/api/v1/insights?unread_only=true", headers=user.headers).json()
    assert [i["id"] for i in unread] == [str(high), str(low)]


def test_recommendations_take_feedback_from_1_to_5(api: Api) -> None:
    user = api.user()
    with session_scope() as db:
        row = ContentRecommendation(
            user_id=uuid.UUID(user.id),
            recommendation_type=RecommendationType.content_idea,
            title="t",
            key="idea:reel:how-to",
        )
        db.add(row)
        db.flush()
        rec_id = row.id
    path = f"/api/v1/recommendations/{rec_id}"
    ok = api.client.patch(path, json={"is_used": True, "feedback_score": 4}, headers=user.headers)
    assert (ok.json()["is_used"], ok.json()["feedback_score"]) == (True, 4)
    for bad in (0, 6, "five"):
        response = api.client.patch(path, json={"feedback_score": bad}, headers=user.headers)
        assert response.status_code == 422
    listed = api.client.get("/api/v1/recommendations?type=content_idea", headers=user.headers)
    assert [r["id"] for r in listed.json()] == [str(rec_id)]


@pytest.mark.usefixtures("inline_jobs")
def test_generate_runs_the_job_and_the_free_plan_allows_one_run_a_day(api: Api) -> None:
    user = api.user()
    first = api.client.post("/api/v1/insights/generate", headers=user.headers)
    assert first.status_code == 202
    job = api.client.get(f"/api/v1/jobs/{first.json()['id']}", headers=user.headers).json()
    assert job["status"] == "completed"
    assert job["result"]["posts"] == 0
    second = api.client.post("/api/v1/insights/generate", headers=user.headers)
    assert second.status_code == 429
    assert int(second.headers["Retry-After"]) > 3600
    assert "1 insight run(s) a day" in second.json()["detail"]


def test_patterns_come_ranked_with_their_uncertainty(api: Api) -> None:
    user = api.user()
    _, now = store_planted(user_id=uuid.UUID(user.id))
    generate_insights(uuid.UUID(user.id), now=now)
    patterns = api.client.get("/api/v1/patterns", headers=user.headers).json()
    top = patterns[0]
    assert top["significant"] is True
    assert float(top["ci_low"]) > 1
    assert float(top["ci_low"]) <= float(top["lift"]) <= float(top["ci_high"])
    sizes = [p["enough_data"] for p in patterns]
    assert sizes == sorted(sizes, reverse=True)  # groups too small to say anything come last

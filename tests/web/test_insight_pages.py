"""Insights, patterns and recommendations pages over HTTP: the inbox order, the interval
drawing, "not enough data" rows, mark read, mark used and ratings (as htmx fragments too)."""

from __future__ import annotations

import re
import uuid
from decimal import Decimal

from fastapi.testclient import TestClient

from soash.db import session_scope
from soash.insights import service as insights
from soash.insights.models import (
    ContentRecommendation,
    InsightType,
    PatternType,
    PerformancePattern,
    Priority,
    RecommendationType,
)
from soash.users.models import User
from tests.factories import make_user
from tests.web.test_csrf import signed_in


def _patterns(user_id: uuid.UUID) -> None:
    with session_scope() as db:
        db.add_all(
            [
                PerformancePattern(
                    user_id=user_id,
                    pattern_type=PatternType.content_type,
                    pattern_name="reel",
                    success_rate=Decimal("0.81"),
                    sample_size=226,
                    lift=Decimal("1.8"),
                    raw_lift=Decimal("1.95"),
                    ci_low=Decimal("1.4"),
                    ci_high=Decimal("2.2"),
                    ci_level=Decimal("0.9975"),
                    q_value=Decimal("0.001"),
                    significant=True,
                ),
                PerformancePattern(
                    user_id=user_id,
                    pattern_type=PatternType.posting_time,
                    pattern_name="07:00-10:00",
                    sample_size=80,
                    lift=Decimal("1.5"),
                    ci_low=Decimal("1.2"),
                    ci_high=Decimal("1.9"),
                    ci_level=Decimal("0.99"),
                    q_value=Decimal("0.002"),
                    significant=True,
                ),
                PerformancePattern(
                    user_id=user_id,
                    pattern_type=PatternType.posting_time,
                    pattern_name="Thursday",
                    sample_size=40,
                    lift=Decimal("1.2"),
                    ci_low=Decimal("0.9"),
                    ci_high=Decimal("1.6"),
                    ci_level=Decimal("0.99"),
                    q_value=Decimal("0.3"),
                    significant=False,
                ),
                PerformancePattern(
                    user_id=user_id,
                    scope="tiktok",
                    pattern_type=PatternType.content_type,
                    pattern_name="video",
                    sample_size=90,
                    lift=Decimal("1.3"),
                    ci_low=Decimal("1.1"),
                    ci_high=Decimal("1.5"),
                    ci_level=Decimal("0.98"),
                    q_value=Decimal("0.01"),
                    significant=True,
                ),
                PerformancePattern(
                    user_id=user_id,
                    pattern_type=PatternType.hashtag,
                    pattern_name="#rare",
                    success_rate=None,
                    sample_size=2,
                ),
            ]
        )


def test_patterns_draw_the_interval_and_grey_out_small_groups(client: TestClient) -> None:
    _patterns(make_user("ana@example.com"))
    signed_in(client, "ana@example.com")
    page = client.get("/patterns").text
    assert 'aria-label="99.8% interval 1.40× to 2.20×, estimate 1.80×"' in page
    assert "Works better" in page and "1.95×" in page  # the raw lift beside the adjusted one
    assert "No clear effect" in page  # Thursday: its interval spans 1×
    # The weekday x hour grid: Thursday 08:00 = 1.2 x 1.5; Monday 12:00 = 1.
    assert 'title="Thursday 08:00 — 1.80×"' in page
    assert 'title="Monday 12:00 — 1.00×"' in page
    assert "All platforms" in page and "Content types · TikTok" in page
    muted = re.search(r'<tr class="is-muted">.*?</tr>', page, re.S)
    assert muted and "#rare" in muted.group(0) and "Not enough data" in muted.group(0)


def test_inbox_unread_first_and_mark_read(client: TestClient) -> None:
    user_id = make_user("ana@example.com")
    with session_scope() as db:
        for key, priority in (("a", Priority.low), ("b", Priority.high)):
            insights.upsert_insight(
                db,
                user_id=user_id,
                key=key,
                insight_type=InsightType.trend,
                title=f"Insight {key}",
                description="text",
                priority=priority,
            )
    token = signed_in(client, "ana@example.com")
    page = client.get("/insights").text
    assert page.index("Insight b") < page.index("Insight a")  # high priority first
    with session_scope() as db:
        mine = insights.list_insights(db, db.get_one(User, user_id))
        high = next(i for i in mine if i.key == "b")
    fragment = client.post(
        f"/insights/{high.id}/read",
        data={"is_read": "yes"},
        headers={"HX-Request": "true", "X-CSRF-Token": token},
    )
    assert 'class="item is-read"' in fragment.text
    assert 'id="nav-unread"' in fragment.text and 'hx-swap-oob="true"' in fragment.text
    page = client.get("/insights").text
    assert page.index("Insight a") < page.index("Insight b")  # unread first
    assert "1 unread of 2" in page


def test_recommendations_mark_used_and_rate(client: TestClient) -> None:
    user_id = make_user("ana@example.com")
    with session_scope() as db:
        rec = ContentRecommendation(
            user_id=user_id,
            recommendation_type=RecommendationType.content_idea,
            title="A how-to reel",
            content_brief="Hook: the crumb.",
        )
        db.add(rec)
        db.flush()
        rec_id = rec.id
    token = signed_in(client, "ana@example.com")
    page = client.get("/recommendations").text
    assert "Content ideas" in page and "Read the brief" in page and "Hook: the crumb." in page
    rated = client.post(
        f"/recommendations/{rec_id}",
        data={"feedback_score": "5"},
        headers={"HX-Request": "true", "X-CSRF-Token": token},
    )
    assert "You rated it 5/5" in rated.text and rated.text.lstrip().startswith("<li")
    bad = client.post(
        f"/recommendations/{rec_id}",
        data={"feedback_score": "9"},
        headers={"HX-Request": "true", "X-CSRF-Token": token},
    )
    assert bad.status_code == 422 and "less than or equal to 5" in bad.text
    used = client.post(f"/recommendations/{rec_id}", data={"csrf_token": token, "is_used": "yes"})
    assert "Saved." in used.text and "Not used" in used.text
    with session_scope() as db:
        row = db.get_one(ContentRecommendation, rec_id)
        assert (row.feedback_score, row.is_used) == (5, True)
    dismissed = client.post(
        f"/recommendations/{rec_id}",
        data={"is_dismissed": "yes"},
        headers={"HX-Request": "true", "X-CSRF-Token": token},
    )
    assert "will not suggest it again" in dismissed.text
    assert "A how-to reel" not in client.get("/recommendations").text


def test_insights_can_be_snoozed_and_dismissed_from_the_inbox(client: TestClient) -> None:
    user_id = make_user("ana@example.com")
    with session_scope() as db:
        ids = [
            insights.upsert_insight(
                db,
                user_id=user_id,
                key=key,
                insight_type=InsightType.performance,
                title=f"Insight {key}",
                description="text",
                priority=Priority.medium,
                finding="up:2",
            ).id
            for key in ("a", "b")
        ]
    token = signed_in(client, "ana@example.com")
    assert "Snooze" in client.get("/insights").text
    snoozed = client.post(
        f"/insights/{ids[0]}/hide",
        data={"how": "snooze"},
        headers={"HX-Request": "true", "X-CSRF-Token": token},
    )
    assert "Snoozed for 7 days." in snoozed.text and 'hx-swap-oob="true"' in snoozed.text
    dismissed = client.post(
        f"/insights/{ids[1]}/hide", data={"csrf_token": token, "how": "dismiss"}
    )
    assert "comes back only if what it finds changes" in dismissed.text
    page = client.get("/insights").text
    assert "Insight a" not in page and "Insight b" not in page
    bad = client.post(
        f"/insights/{ids[1]}/hide",
        data={"how": "forever"},
        headers={"HX-Request": "true", "X-CSRF-Token": token},
    )
    assert bad.status_code == 422

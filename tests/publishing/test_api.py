"""Scheduling through the API: rules, times in the profile's zone, plan limits, the actions."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from soash.db import session_scope
from soash.publishing.models import ScheduledPost
from soash.system.models import JobStatus, JobType, SystemJob
from tests.helpers import Api, User
from tests.publishing.conftest import later, new_post, x_account


def _count_posts() -> int:
    with session_scope() as db:
        return db.scalar(select(func.count()).select_from(ScheduledPost)) or 0


def test_a_scheduled_post_gets_a_job_that_waits_for_its_time(api: Api, owner: User) -> None:
    account = x_account(owner)
    created = new_post(api, owner, account)
    assert created.status_code == 201, created.text
    post = created.json()
    assert post["status"] == "scheduled" and post["platform"] == "twitter"
    with session_scope() as db:
        job = db.scalars(select(SystemJob).where(SystemJob.job_type == JobType.publish_post)).one()
        assert job.status is JobStatus.pending and job.subject == post["id"]
        assert job.run_after is not None and job.run_after > datetime.now(UTC) + timedelta(hours=1)


def test_each_broken_platform_rule_is_a_422_naming_it(api: Api, owner: User) -> None:
    account = x_account(owner)
    cases: dict[str, dict[str, Any]] = {
        "caption_length": {"caption": "a" * 281},
        "hashtag_count": {"caption": " ".join(f"#t{i}" for i in range(11))},
        "content_type": {"content_type": "story"},
        "media_count": {"content_type": "image", "media_urls": []},
        "media_kind": {"content_type": "image", "media_urls": ["https://cdn.example.com/a.mp4"]},
    }
    for rule, fields in cases.items():
        response = new_post(api, owner, account, **fields)
        assert response.status_code == 422, (rule, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["rule"] == rule
    assert "280" in new_post(api, owner, account, caption="a" * 281).json()["detail"]
    assert _count_posts() == 0


def test_hashtags_count_towards_the_caption_length(api: Api, owner: User) -> None:
    account = x_account(owner)
    response = new_post(api, owner, account, caption="a" * 275, hashtags=["longtag"])
    assert response.status_code == 422 and response.json()["rule"] == "caption_length"


def test_local_times_are_read_in_the_profile_timezone(api: Api, owner: User) -> None:
    api.client.put("/api/v1/profile", json={"timezone": "Europe/Paris"}, headers=owner.headers)
    account = x_account(owner)
    year = datetime.now(UTC).year + 1
    created = new_post(api, owner, account, scheduled_for=f"{year}-07-01T18:30:00")
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["scheduled_for"].startswith(f"{year}-07-01T16:30:00")
    assert body["scheduled_for_local"].startswith(f"{year}-07-01T18:30:00+02:00")
    assert body["timezone"] == "Europe/Paris"


def test_daylight_saving_gaps_and_overlaps_are_refused_with_what_to_send(
    api: Api, owner: User
) -> None:
    api.client.put("/api/v1/profile", json={"timezone": "Europe/Paris"}, headers=owner.headers)
    account = x_account(owner)
    gap = new_post(api, owner, account, scheduled_for="2027-03-28T02:30:00")
    assert gap.status_code == 422 and gap.json()["rule"] == "dst_gap"
    assert "does not exist in Europe/Paris" in gap.json()["detail"]
    overlap = new_post(api, owner, account, scheduled_for="2027-10-31T02:30:00")
    assert overlap.status_code == 422 and overlap.json()["rule"] == "dst_overlap"
    assert "+02:00" in overlap.json()["detail"] and "+01:00" in overlap.json()["detail"]
    chosen = new_post(api, owner, account, scheduled_for="2027-10-31T02:30:00+01:00")
    assert chosen.status_code == 201
    assert chosen.json()["scheduled_for"].startswith("2027-10-31T01:30:00")


def test_a_time_in_the_past_is_refused(api: Api, owner: User) -> None:
    response = new_post(api, owner, x_account(owner), scheduled_for=later(-1))
    assert response.status_code == 422 and response.json()["rule"] == "in_the_past"


def test_the_free_plan_schedules_30_posts_a_month(api: Api, owner: User) -> None:
    account = x_account(owner)
    when = datetime.now(UTC).replace(day=1, hour=12, minute=0, second=0, microsecond=0)
    when = (when + timedelta(days=40)).replace(day=1)  # next month, inside one month
    for i in range(30):
        moment = (when + timedelta(hours=i)).isoformat()
        assert new_post(api, owner, account, scheduled_for=moment).status_code == 201
    over = new_post(api, owner, account, scheduled_for=(when + timedelta(hours=40)).isoformat())
    assert over.status_code == 403
    assert over.json()["limit"] == "scheduled_posts_per_month" and "30" in over.json()["detail"]
    draft = new_post(api, owner, account, scheduled_for=when.isoformat(), status="draft")
    assert draft.status_code == 201  # drafts do not count
    assert _count_posts() == 31


def test_list_filters_and_pages_with_a_cursor(api: Api, owner: User) -> None:
    account = x_account(owner)
    ids = [new_post(api, owner, account, scheduled_for=later(1 + i)).json()["id"] for i in range(5)]
    new_post(api, owner, account, status="draft")
    seen: list[str] = []
    cursor = None
    while True:
        params = {"status": "scheduled", "limit": 2, **({"cursor": cursor} if cursor else {})}
        page = api.client.get("/api/v1/scheduled-posts", params=params, headers=owner.headers)
        assert page.status_code == 200, page.text
        seen += [p["id"] for p in page.json()["items"]]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            break
    assert seen == ids
    bad = api.client.get(
        "/api/v1/scheduled-posts", params={"cursor": "nope"}, headers=owner.headers
    )
    assert bad.status_code == 422
    window = {"start": later(2.5), "end": later(4.5)}
    ranged = api.client.get("/api/v1/scheduled-posts", params=window, headers=owner.headers)
    assert [p["id"] for p in ranged.json()["items"]] == ids[2:4]


def test_cancel_duplicate_retry_and_edit(api: Api, owner: User) -> None:
    account = x_account(owner)
    post = new_post(api, owner, account).json()
    base = f"/api/v1/scheduled-posts/{post['id']}"
    copy = api.client.post(f"{base}/duplicate", headers=owner.headers)
    assert copy.status_code == 201 and copy.json()["status"] == "draft"
    assert api.client.post(f"{base}/retry", headers=owner.headers).status_code == 409
    moved = api.client.patch(base, json={"scheduled_for": later(5)}, headers=owner.headers)
    assert moved.status_code == 200, moved.text
    too_long = api.client.patch(base, json={"caption": "x" * 300}, headers=owner.headers)
    assert too_long.status_code == 422
    assert api.client.get(base, headers=owner.headers).json()["caption"] == post["caption"]
    cancelled = api.client.post(f"{base}/cancel", headers=owner.headers)
    assert cancelled.json()["status"] == "cancelled"
    with session_scope() as db:
        active = db.scalar(
            select(func.count()).where(
                SystemJob.subject == post["id"], SystemJob.status == JobStatus.pending
            )
        )
        assert active == 0
    assert api.client.delete(base, headers=owner.headers).status_code == 204
    assert api.client.get(base, headers=owner.headers).status_code == 404


def test_bad_input_is_a_clear_4xx(api: Api, owner: User) -> None:
    account = x_account(owner)
    assert new_post(api, owner, account, caption="nul\x00").status_code == 422
    assert new_post(api, owner, account, media_urls=["ftp://x/y.jpg"]).status_code == 422
    assert new_post(api, owner, uuid.uuid4()).status_code == 404
    assert new_post(api, owner, account, scheduled_for="tomorrow").status_code == 422
    assert _count_posts() == 0

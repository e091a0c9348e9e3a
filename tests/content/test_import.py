"""CSV import over the API: all or nothing, idempotent, streaming, and only into your accounts."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from soash.app import create_app
from soash.config import Settings
from soash.content import importer, ingest
from soash.content.api import MULTIPART_SLACK
from soash.content.importer import POST_COLUMNS, ImportKind, import_csv, import_platform_user_id
from soash.content.models import ContentType, Post, PostMetric
from soash.db import session_scope
from soash.errors import InvalidInput
from soash.social.models import Platform, PlatformMetric, SocialAccount
from soash.system.models import JobStatus, JobType
from soash.users.models import User as UserRow
from tests.content.conftest import (
    ACCOUNT_METRICS,
    POSTS,
    csv_text,
    day_row,
    days_file,
    jobs,
    own_account,
    post_row,
    posts_file,
    table_counts,
    upload,
)
from tests.helpers import Api, User
from tests.users.conftest import assert_problem

NOTHING = {"accounts": 0, "posts": 0, "post_metrics": 0, "platform_metrics": 0}


@pytest.fixture
def alice(api: Api) -> User:
    return api.user()


def _posts(account_id: uuid.UUID) -> dict[str, Post]:
    with session_scope() as db:
        rows = db.scalars(select(Post).where(Post.social_account_id == account_id))
        return {p.platform_post_id: p for p in rows}


def _metrics(post_id: uuid.UUID) -> dict[date, PostMetric]:
    with session_scope() as db:
        rows = db.scalars(select(PostMetric).where(PostMetric.post_id == post_id))
        return {m.metric_date: m for m in rows}


def _accounts(user_id: str) -> list[SocialAccount]:
    with session_scope() as db:
        stmt = select(SocialAccount).where(SocialAccount.user_id == uuid.UUID(user_id))
        return list(db.scalars(stmt.order_by(SocialAccount.created_at)))


GOOD = posts_file(
    [
        post_row(post_id="p1", day="2025-03-01"),
        post_row(post_id="p1", day="2025-03-02", likes=12),
        post_row(
            post_id="p2",
            content_type="VIDEO",
            caption="Behind the scenes #ignored",
            hashtags="#Summer bake",
            posted_at="2025-03-02T19:00:00Z",
            day="2025-03-02",
        ),
        post_row(platform="tiktok", account="@OtherBrand", post_id="t1", content_type="reel"),
    ]
)


def test_a_posts_file_imports_posts_and_daily_snapshots(api: Api, alice: User) -> None:
    account = own_account(alice.id, followers=1000)

    response = upload(api, alice, POSTS, GOOD, name="history.csv")

    assert response.status_code == 200, response.text
    body = response.json()
    assert {k: v for k, v in body.items() if k != "job_id"} == {
        "rows": 4,
        "posts": 3,
        "snapshots": 4,
        "accounts_created": 1,
    }
    assert table_counts() == {"accounts": 2, "posts": 3, "post_metrics": 4, "platform_metrics": 0}
    posts = _posts(account)
    assert set(posts) == {"p1", "p2"}
    p1, p2 = posts["p1"], posts["p2"]
    assert p1.posted_at == datetime(2025, 3, 1, 7, 30, tzinfo=UTC)  # stored in UTC
    assert p1.content_type is ContentType.image
    assert p1.hashtags == ["sourdough", "bread"]  # parsed from the caption
    assert p2.content_type is ContentType.video
    assert p2.hashtags == ["summer", "bake"]  # the column wins over the caption
    assert p2.is_published
    days = _metrics(p1.id)
    assert set(days) == {date(2025, 3, 1), date(2025, 3, 2)}
    second = days[date(2025, 3, 2)]
    assert (second.likes_count, second.comments_count, second.reach) == (12, 2, 200)
    assert second.engagement_rate == Decimal("0.090000")  # (12 + 2 + 1 + 3) / 200
    [job] = jobs()
    assert (job.job_type, job.status, str(job.id)) == (
        JobType.import_data,
        JobStatus.completed,
        body["job_id"],
    )
    assert job.user_id == uuid.UUID(alice.id)
    assert job.result is not None
    assert job.result["file"] == "history.csv"
    assert job.result["kind"] == "posts"
    assert {k: job.result[k] for k in ("rows", "posts", "snapshots", "accounts_created")} == {
        "rows": 4,
        "posts": 3,
        "snapshots": 4,
        "accounts_created": 1,
    }
    listed = api.client.get(f"/api/v1/jobs/{body['job_id']}", headers=alice.headers)
    assert listed.json()["status"] == "completed"


def test_importing_the_same_file_again_updates_and_never_duplicates(api: Api, alice: User) -> None:
    own_account(alice.id)
    first = upload(api, alice, POSTS, GOOD).json()
    counts = table_counts()

    again = upload(api, alice, POSTS, GOOD).json()
    assert table_counts() == counts
    assert again["accounts_created"] == 0
    assert {k: again[k] for k in ("rows", "posts", "snapshots")} == {
        k: first[k] for k in ("rows", "posts", "snapshots")
    }

    edited = posts_file(
        [post_row(post_id="p1", day="2025-03-02", likes=99, caption="New words #rye")]
    )
    assert upload(api, alice, POSTS, edited).status_code == 200
    assert table_counts() == counts
    [account] = [a for a in _accounts(alice.id) if a.platform is Platform.instagram]
    p1 = _posts(account.id)["p1"]
    assert (p1.caption, p1.hashtags) == ("New words #rye", ["rye"])
    assert _metrics(p1.id)[date(2025, 3, 2)].likes_count == 99
    assert _metrics(p1.id)[date(2025, 3, 1)].likes_count == 10


def test_an_import_leaves_what_only_the_sync_knows_about_a_post(api: Api, alice: User) -> None:
    account = own_account(alice.id)
    with session_scope() as db:
        ingest.upsert_posts(
            db,
            account,
            [
                ingest.PostRow(
                    platform_post_id="p1",
                    posted_at=datetime(2025, 3, 1, 7, 30, tzinfo=UTC),
                    content_type=ContentType.reel,
                    caption="From the platform",
                    media_urls=("https://cdn.example/p1.mp4",),
                    platform_kind="REELS",
                )
            ],
        )

    content = posts_file([post_row(post_id="p1", content_type="video", caption="Edited #new")])
    assert upload(api, alice, POSTS, content).status_code == 200

    post = _posts(account)["p1"]
    assert (post.content_type, post.caption, post.hashtags) == (
        ContentType.video,
        "Edited #new",
        ["new"],
    )
    assert post.media_urls == ["https://cdn.example/p1.mp4"]
    assert post.platform_kind == "REELS"


def test_a_file_with_bad_rows_is_refused_whole_listing_row_and_column(
    api: Api, alice: User
) -> None:
    own_account(alice.id)
    content = posts_file(
        [
            post_row(post_id="ok", account="brand-new"),  # valid, but must not be written
            post_row(post_id="a", likes=-3),
            post_row(post_id="b", comments="1.5", reach="lots"),
            post_row(post_id="c", platform="myspace"),
            post_row(post_id="d", day="02/03/2025", content_type="gif"),
            post_row(post_id="", hashtags='"foo,bar"'),
        ]
    )

    response = upload(api, alice, POSTS, content)

    body = assert_problem(response, 422)
    found = {(e["row"], e["column"]): e["message"] for e in body["errors"]}
    assert set(found) == {
        (3, "likes"),
        (4, "comments"),
        (4, "reach"),
        (5, "platform"),
        (6, "content_type"),
        (6, "metric_date"),
        (7, "platform_post_id"),
        (7, "hashtags"),
    }
    assert "negative" in found[(3, "likes")]
    assert "whole number" in found[(4, "comments")]
    assert "instagram, facebook, tiktok, twitter, linkedin" in found[(5, "platform")]
    assert "YYYY-MM-DD" in found[(6, "metric_date")]
    assert "required" in found[(7, "platform_post_id")]
    assert body["error_count"] == 8
    assert "row 3, column 'likes'" in body["detail"]
    assert "nothing was imported" in body["detail"]
    assert table_counts() == {**NOTHING, "accounts": 1}  # only the account made above
    [job] = jobs()
    assert job.status is JobStatus.failed
    assert job.error_message is not None and "8 problem(s)" in job.error_message


def test_only_the_first_20_problems_are_listed(api: Api, alice: User) -> None:
    content = posts_file([post_row(post_id=f"p{i}", likes="x") for i in range(30)])

    body = assert_problem(upload(api, alice, POSTS, content), 422)

    assert len(body["errors"]) == 20
    assert body["errors"][0] == {
        "row": 2,
        "column": "likes",
        "message": body["errors"][0]["message"],
    }
    assert body["error_count"] == 30


def test_a_wrong_header_names_the_missing_and_unknown_columns(api: Api, alice: User) -> None:
    columns = list(POST_COLUMNS)
    columns[columns.index("likes")] = "like"
    columns[columns.index("impressions")] = "views"
    content = csv_text(columns, [post_row()])

    body = assert_problem(upload(api, alice, POSTS, content), 422)

    assert body["missing"] == ["likes", "impressions"]
    assert body["unknown"] == ["like", "views"]
    assert "'likes'" in body["detail"] and "'views'" in body["detail"]
    assert "platform,account,platform_post_id" in body["detail"]
    assert {(e["row"], e["column"]) for e in body["errors"]} == {
        (1, "likes"),
        (1, "impressions"),
        (1, "like"),
        (1, "views"),
    }
    assert table_counts() == NOTHING


def test_the_account_metrics_header_is_not_a_posts_header(api: Api, alice: User) -> None:
    body = assert_problem(upload(api, alice, POSTS, days_file([day_row()])), 422)
    assert "posts format" in body["detail"]
    assert "follower_count" in body["unknown"]


def test_an_empty_file_is_refused(api: Api, alice: User) -> None:
    body = assert_problem(upload(api, alice, POSTS, b""), 422)
    assert "empty" in body["detail"]


@pytest.mark.parametrize(
    "posted_at", ["2025-03-01T08:30:00", "2025-03-01 08:30", "2025-03-01", "yesterday"]
)
def test_posted_at_must_be_iso_8601_with_an_offset(api: Api, alice: User, posted_at: str) -> None:
    content = posts_file([post_row(posted_at=posted_at)])

    body = assert_problem(upload(api, alice, POSTS, content), 422)

    [error] = body["errors"]
    assert (error["row"], error["column"]) == (2, "posted_at")
    assert "offset" in error["message"] or "ISO 8601" in error["message"]
    assert table_counts() == NOTHING


def test_empty_metric_cells_are_stored_as_null_not_zero(api: Api, alice: User) -> None:
    account = own_account(alice.id, followers=400)
    content = posts_file([post_row(likes="", shares=" ", reach="", impressions="")])

    assert upload(api, alice, POSTS, content).status_code == 200

    [metric] = _metrics(_posts(account)["p1"].id).values()
    assert metric.likes_count is None
    assert metric.shares_count is None
    assert metric.reach is None and metric.impressions is None
    assert (metric.comments_count, metric.saves_count) == (2, 3)
    assert metric.engagement_rate == Decimal("0.012500")  # (2 + 3) / 400 followers, no reach

    # A later file with the cell empty does not erase a figure already stored for that day.
    full = posts_file([post_row(likes=7)])
    assert upload(api, alice, POSTS, full).status_code == 200
    assert upload(api, alice, POSTS, content).status_code == 200
    [metric] = _metrics(_posts(account)["p1"].id).values()
    assert metric.likes_count == 7


def test_a_row_without_a_metric_date_imports_just_the_post(api: Api, alice: User) -> None:
    blank = {k: "" for k in ("likes", "comments", "shares", "saves", "reach", "impressions")}
    content = posts_file([post_row(day="", **blank)])

    body = upload(api, alice, POSTS, content).json()

    assert (body["posts"], body["snapshots"]) == (1, 0)
    assert table_counts()["posts"] == 1 and table_counts()["post_metrics"] == 0
    refused = assert_problem(upload(api, alice, POSTS, posts_file([post_row(day="")])), 422)
    assert refused["errors"][0]["column"] == "metric_date"


def test_an_unknown_account_is_created_inactive_for_the_importing_user(
    api: Api, alice: User
) -> None:
    content = posts_file(
        [
            post_row(account="@NewBrand", post_id="a"),
            post_row(account="newbrand", post_id="b"),  # the same account: case is ignored
            post_row(account="newbrand", platform="x", post_id="c"),  # another platform
        ]
    )

    body = upload(api, alice, POSTS, content).json()

    assert body["accounts_created"] == 2
    by_platform = {a.platform: a for a in _accounts(alice.id)}
    assert set(by_platform) == {Platform.instagram, Platform.twitter}
    account = by_platform[Platform.instagram]
    assert account.username == "NewBrand"
    assert account.platform_user_id == f"import:{uuid.UUID(alice.id).hex}:newbrand"
    assert account.platform_user_id == import_platform_user_id(uuid.UUID(alice.id), "NEWBRAND")
    assert account.is_active is False
    assert account.access_token is None and account.refresh_token is None
    assert set(_posts(account.id)) == {"a", "b"}
    shown = api.client.get(f"/api/v1/social-accounts/{account.id}", headers=alice.headers).json()
    assert (shown["is_active"], shown["connected"]) == (False, False)
    # It cannot be switched on without connecting it for real.
    patch = api.client.patch(
        f"/api/v1/social-accounts/{account.id}", json={"is_active": True}, headers=alice.headers
    )
    assert patch.status_code == 409


def test_a_long_username_still_gets_a_unique_platform_user_id() -> None:
    user_id = uuid.uuid4()
    long_id = import_platform_user_id(user_id, "x" * 200)
    assert len(long_id) <= 128
    assert long_id.startswith(f"import:{user_id.hex}:#")
    assert long_id != import_platform_user_id(user_id, "x" * 201)


def test_another_users_account_with_the_same_username_is_not_touched(api: Api) -> None:
    alice, bob = api.user(), api.user()
    bobs = own_account(bob.id, username="fernandfig")

    body = upload(api, alice, POSTS, posts_file([post_row()])).json()

    assert body["accounts_created"] == 1
    assert _posts(bobs) == {}
    [alices] = _accounts(alice.id)
    assert alices.id != bobs and set(_posts(alices.id)) == {"p1"}
    # Bob importing the same username on an account he does not have yet: a separate account,
    # no clash on (platform, platform_user_id) with Alice's.
    body = upload(api, bob, POSTS, posts_file([post_row(account="elsewhere")])).json()
    assert body["accounts_created"] == 1
    alices_too = upload(api, alice, POSTS, posts_file([post_row(account="elsewhere")])).json()
    assert alices_too["accounts_created"] == 1
    assert len(_accounts(alice.id)) == 2 and len(_accounts(bob.id)) == 2


def test_the_users_connected_account_is_preferred_over_an_imported_one(
    api: Api, alice: User
) -> None:
    upload(api, alice, POSTS, posts_file([post_row(post_id="old")]))
    connected = own_account(alice.id, username="FernAndFig")

    upload(api, alice, POSTS, posts_file([post_row(post_id="new")]))

    assert set(_posts(connected)) == {"new"}


@pytest.fixture
def small_import_client(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> Iterator[TestClient]:
    monkeypatch.setattr(settings, "max_import_bytes", 2_000)
    with TestClient(create_app()) as client:
        yield client


def test_a_file_over_the_limit_is_refused_with_413(small_import_client: TestClient) -> None:
    api = Api(small_import_client)
    alice = api.user()
    rows = [post_row(post_id=f"p{i}") for i in range(200)]
    huge = posts_file(rows) * 20
    assert len(huge) > 2_000 + MULTIPART_SLACK

    # Far over: refused by the body limit before the upload is read.
    body = assert_problem(upload(api, alice, POSTS, huge), 413)
    assert "bytes" in body["detail"]
    # Over the file limit but within the multipart allowance: refused by the importer.
    body = assert_problem(upload(api, alice, POSTS, posts_file(rows[:30])), 413)
    assert "2,000 bytes" in body["detail"]
    assert table_counts() == NOTHING
    # Under the limit: fine.
    assert upload(api, alice, POSTS, posts_file(rows[:3])).status_code == 200


def test_a_file_that_is_not_utf8_is_refused(api: Api, alice: User) -> None:
    content = posts_file([post_row(caption="Crème brûlée #dessert")]).encode("latin-1")

    body = assert_problem(upload(api, alice, POSTS, content), 422)

    assert "UTF-8" in body["detail"]
    assert table_counts() == NOTHING


def test_bom_quotes_multiline_captions_and_blank_lines_are_read_correctly(
    api: Api, alice: User
) -> None:
    account = own_account(alice.id)
    caption = '"Line one, with a comma\nline two ""quoted"" #multi"'
    content = "\ufeff" + posts_file([post_row(caption=caption), [], post_row(post_id="p2")])

    body = upload(api, alice, POSTS, content).json()

    assert (body["rows"], body["posts"]) == (2, 2)
    p1 = _posts(account)["p1"]
    assert p1.caption == 'Line one, with a comma\nline two "quoted" #multi'
    assert p1.hashtags == ["multi"]
    # Rows keep their spreadsheet numbers after a multi-line cell and a blank line.
    bad = "\ufeff" + posts_file([post_row(caption=caption), [], post_row(likes="n/a")])
    [error] = assert_problem(upload(api, alice, POSTS, bad), 422)["errors"]
    assert (error["row"], error["column"]) == (4, "likes")


def test_a_row_with_the_wrong_number_of_fields_is_named(api: Api, alice: User) -> None:
    content = posts_file([post_row(), [*post_row(), "extra"]])

    [error] = assert_problem(upload(api, alice, POSTS, content), 422)["errors"]

    assert (error["row"], error["column"]) == (3, None)
    assert "15 fields" in error["message"] and "14" in error["message"]


def test_the_file_field_is_required(api: Api, alice: User) -> None:
    response = api.client.post(POSTS, headers=alice.headers, data={"other": "x"})
    body = assert_problem(response, 422)
    assert "file" in body["detail"]


def _owner(user: User) -> UserRow:
    with session_scope() as db:
        return db.get_one(UserRow, uuid.UUID(user.id))


def _file(tmp_path: Path, content: str) -> Path:
    path = tmp_path / "import.csv"
    path.write_text(content, encoding="utf-8")
    return path


def test_a_file_written_in_many_batches_counts_each_post_once(
    alice: User, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importer, "BATCH", 3)
    rows = [post_row(post_id=f"p{i % 4}", day=f"2025-03-{1 + i // 4:02d}") for i in range(22)]
    seen: list[tuple[str, int, int]] = []

    with _file(tmp_path, posts_file(rows)).open("rb") as file:
        result = import_csv(
            ImportKind.posts,
            file,
            user=_owner(alice),
            progress=lambda phase, done, total: seen.append((phase, done, total)),
        )

    assert result.counts() == {"rows": 22, "posts": 4, "snapshots": 22, "accounts_created": 1}
    assert table_counts()["post_metrics"] == 22
    phases = [p for p, _, _ in seen]
    assert phases.index("importing") > phases.index("checking")
    assert seen[-1][1] == seen[-1][2] > 0  # ends at the file's size


def test_a_failure_half_way_through_the_writes_leaves_nothing(
    alice: User, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importer, "BATCH", 2)
    calls: list[int] = []
    real = ingest.upsert_post_metrics

    def failing(*args: Any, **kwargs: Any) -> int:
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("disk on fire")
        return real(*args, **kwargs)

    monkeypatch.setattr(importer, "upsert_post_metrics", failing)
    rows = [post_row(post_id=f"p{i}") for i in range(10)]

    with (
        _file(tmp_path, posts_file(rows)).open("rb") as file,
        pytest.raises(RuntimeError, match="disk on fire"),
    ):
        import_csv(ImportKind.posts, file, user=_owner(alice))

    assert table_counts() == NOTHING
    [job] = jobs()
    assert (job.status, job.error_message) == (JobStatus.failed, "disk on fire")


def test_two_imports_of_one_file_at_once_leave_each_row_once(alice: User, tmp_path: Path) -> None:
    path = _file(tmp_path, GOOD)
    owner = _owner(alice)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            with path.open("rb") as file:
                import_csv(ImportKind.posts, file, user=owner)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert table_counts() == {"accounts": 2, "posts": 3, "post_metrics": 4, "platform_metrics": 0}


def test_the_service_refuses_bad_files_with_the_same_errors(alice: User, tmp_path: Path) -> None:
    path = _file(tmp_path, posts_file([post_row(likes=-1)]))
    with path.open("rb") as file:
        with pytest.raises(InvalidInput) as caught:
            import_csv(ImportKind.posts, file, user=_owner(alice))
        assert not file.closed  # the caller's file is left to the caller
    assert caught.value.extra["errors"][0]["column"] == "likes"


# -- account metrics ---------------------------------------------------------------------------


def _days(account_id: uuid.UUID) -> dict[date, PlatformMetric]:
    with session_scope() as db:
        stmt = select(PlatformMetric).where(PlatformMetric.social_account_id == account_id)
        return {m.metric_date: m for m in db.scalars(stmt)}


def test_an_account_metrics_file_imports_one_row_per_account_per_day(api: Api, alice: User) -> None:
    account = own_account(alice.id)
    content = days_file(
        [
            day_row(day="2025-03-01", followers=1000),
            day_row(day="2025-03-02", followers=1010, reach="", impressions=""),
            day_row(platform="linkedin", account="fern-and-fig", day="2025-03-02"),
        ]
    )

    response = upload(api, alice, ACCOUNT_METRICS, content)

    assert response.status_code == 200, response.text
    body = response.json()
    assert {k: v for k, v in body.items() if k != "job_id"} == {
        "rows": 3,
        "days": 3,
        "accounts_created": 1,
    }
    days = _days(account)
    assert days[date(2025, 3, 1)].follower_count == 1000
    assert days[date(2025, 3, 1)].engagement_rate == Decimal("0.050000")  # 250 / 5000 reach
    second = days[date(2025, 3, 2)]
    assert (second.follower_count, second.total_reach, second.total_impressions) == (
        1010,
        None,
        None,
    )
    assert second.engagement_rate == Decimal("0.247525")  # 250 / 1010 followers
    [job] = jobs()
    assert job.result is not None and job.result["days"] == 3

    again = upload(api, alice, ACCOUNT_METRICS, content).json()
    assert again["accounts_created"] == 0
    assert table_counts()["platform_metrics"] == 3


def test_a_bad_account_metrics_file_writes_nothing(api: Api, alice: User) -> None:
    content = days_file(
        [day_row(account="brand-new"), day_row(day="2025-02-30", followers='"1,000"')]
    )

    body = assert_problem(upload(api, alice, ACCOUNT_METRICS, content), 422)

    assert {(e["row"], e["column"]) for e in body["errors"]} == {
        (3, "metric_date"),
        (3, "follower_count"),
    }
    assert table_counts() == NOTHING

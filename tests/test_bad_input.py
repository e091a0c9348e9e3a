"""Input classes that once reached the database and answered 500: NUL characters anywhere,
dates past what the calendar arithmetic holds, integers past 64 bits, and engagement rates past
the old column. Each is now a clear 422 that changes nothing (or, for the rate, stored). The
NUL cases matter on PostgreSQL, which refuses NUL in text (SQLite stores it)."""

from __future__ import annotations

import base64
import json
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from soash.content.models import ContentCategory, PostMetric
from soash.db import session_scope
from soash.system.models import JobStatus, SystemJob
from soash.users.models import SubscriptionTier
from tests.analytics.data import set_tier
from tests.content.conftest import POSTS, post_row, posts_file, table_counts, upload
from tests.factories import make_user
from tests.helpers import Api, User
from tests.web.test_csrf import signed_in

NUL = "\x00"


def _problem(response: object, status: int = 422) -> dict[str, object]:
    assert getattr(response, "status_code", None) == status, getattr(response, "text", "")
    assert response.headers["content-type"] == "application/problem+json"  # type: ignore[attr-defined]
    body: dict[str, object] = response.json()  # type: ignore[attr-defined]
    return body


@pytest.fixture
def alice(api: Api) -> User:
    user = api.user()
    set_tier(user.id, SubscriptionTier.enterprise)
    return user


# -- NUL characters ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("post", "/api/v1/categories", {"name": f"Bre{NUL}ad"}),
        ("put", "/api/v1/profile", {"brand_name": f"Fern{NUL}", "industry": "Food"}),
        ("patch", "/api/v1/me", {"first_name": f"Fern{NUL}"}),
    ],
)
def test_nul_in_a_json_field_is_refused(
    api: Api, alice: User, method: str, path: str, body: dict[str, str]
) -> None:
    before = table_counts()
    response = api.client.request(method, path, json=body, headers=alice.headers)
    problem = _problem(response)
    assert "NUL" in str(problem["detail"])
    assert table_counts() == before


def test_nul_in_a_nested_json_value_is_refused(api: Api) -> None:
    response = api.client.post(
        "/api/v1/auth/register", json={"email": f"a{NUL}@example.com", "password": "x" * 12}
    )
    _problem(response)


@pytest.mark.parametrize(
    "query",
    ["q=bread%00", "cursor=%00", "from=2025-01-01%00"],
)
def test_nul_in_a_query_parameter_is_refused(api: Api, alice: User, query: str) -> None:
    response = api.client.get(f"/api/v1/posts?{query}", headers=alice.headers)
    assert "NUL" in str(_problem(response)["detail"])


def test_nul_in_a_web_form_field_is_refused(client: TestClient) -> None:
    make_user("baker@example.com")
    token = signed_in(client, "baker@example.com")
    response = client.post(
        "/categories", data={"csrf_token": token, "name": f"Bre{NUL}ad", "color_code": ""}
    )
    assert response.status_code == 422
    with session_scope() as db:
        assert list(db.scalars(select(ContentCategory.name))) == []


def test_nul_in_a_csv_header_fails_the_import_cleanly(api: Api, alice: User) -> None:
    text = posts_file([post_row()]).replace("caption", f"cap{NUL}tion", 1)
    problem = _problem(upload(api, alice, POSTS, text))
    assert "NUL" in str(problem["detail"])
    with session_scope() as db:
        job = db.scalars(select(SystemJob)).one()
        assert job.status is JobStatus.failed
        assert NUL not in (job.error_message or "")


def test_nul_in_a_csv_cell_is_a_row_error(api: Api, alice: User) -> None:
    before = table_counts()
    text = posts_file([post_row(), post_row(post_id="p2", caption=f"Crumb{NUL}")])
    problem = _problem(upload(api, alice, POSTS, text))
    errors = problem["errors"]
    assert isinstance(errors, list)
    assert errors == [{"row": 3, "column": None, "message": errors[0]["message"]}]
    assert "NUL" in errors[0]["message"]
    assert table_counts()["posts"] == before["posts"]


# -- dates and integers -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/analytics/overview",
        "/api/v1/analytics/timeseries?metric=reach",
        "/api/v1/analytics/breakdown?by=content_type",
        "/api/v1/posts",
    ],
)
@pytest.mark.parametrize("bound", ["to=9999-12-31", "from=0001-01-01", "to=2201-01-01"])
def test_dates_outside_the_calendar_range_are_refused(
    api: Api, alice: User, path: str, bound: str
) -> None:
    joiner = "&" if "?" in path else "?"
    problem = _problem(api.client.get(f"{path}{joiner}{bound}", headers=alice.headers))
    assert problem["errors"]


def test_the_calendar_range_edges_are_accepted(api: Api, alice: User) -> None:
    for query in ("from=1900-01-01&to=1900-01-31", "from=2200-12-01&to=2200-12-31"):
        response = api.client.get(f"/api/v1/analytics/overview?{query}", headers=alice.headers)
        assert response.status_code == 200, response.text


@pytest.mark.parametrize("offset", ["9223372036854775808", "1000000001", "-1"])
def test_an_offset_past_its_bound_is_refused(api: Api, alice: User, offset: str) -> None:
    response = api.client.get(f"/api/v1/referrals?offset={offset}", headers=alice.headers)
    assert _problem(response)["errors"]


@pytest.mark.parametrize(
    "posted_at", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:00:00-05:00", "1899-12-31T12:00Z"]
)
def test_a_posted_at_outside_the_calendar_range_is_a_row_error(
    api: Api, alice: User, posted_at: str
) -> None:
    problem = _problem(upload(api, alice, POSTS, posts_file([post_row(posted_at=posted_at)])))
    errors = problem["errors"]
    assert isinstance(errors, list)
    assert errors[0]["column"] == "posted_at"
    assert "between 1900-01-01 and 2200-12-31" in errors[0]["message"]


def test_a_metric_date_outside_the_calendar_range_is_a_row_error(api: Api, alice: User) -> None:
    problem = _problem(upload(api, alice, POSTS, posts_file([post_row(day="9999-12-31")])))
    errors = problem["errors"]
    assert isinstance(errors, list)
    assert errors[0]["column"] == "metric_date"


# -- engagement rate --------------------------------------------------------------------------


def test_a_viral_post_on_a_tiny_reach_is_stored(api: Api, alice: User) -> None:
    row = post_row(likes=100_000, comments=0, shares=0, saves=0, reach=1, impressions=1)
    response = upload(api, alice, POSTS, posts_file([row]))
    assert response.status_code == 200, response.text
    with session_scope() as db:
        assert db.scalars(select(PostMetric.engagement_rate)).one() == Decimal("100000")
    post = api.client.get("/api/v1/posts", headers=alice.headers).json()["items"][0]
    assert post["latest"]["engagement_rate"] == 100000


def test_the_largest_figures_still_give_a_storable_rate(api: Api, alice: User) -> None:
    huge = 2**63 - 1
    row = post_row(likes=huge, comments=huge, shares=huge, saves=huge, reach=1, impressions=1)
    response = upload(api, alice, POSTS, posts_file([row]))
    assert response.status_code == 200, response.text
    with session_scope() as db:
        rate = db.scalars(select(PostMetric.engagement_rate)).one()
    assert rate is not None
    assert float(rate) == pytest.approx(4 * huge)  # exact on PostgreSQL; SQLite keeps a float


# -- forged cursors ---------------------------------------------------------------------------


POST_ID = "0b5e7c3e-4f5d-4c39-9a34-4f1f0a6f8d21"


def _cursor(*parts: object) -> str:
    raw = json.dumps(list(parts)).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@pytest.mark.parametrize(
    ("sort", "cursor"),
    [
        ("date", _cursor("date", "desc", "2025-03-01T08:30:00", POST_ID)),  # naive
        ("date", _cursor("date", "desc", "0001-01-01T00:00:00+01:00", POST_ID)),
        ("date", _cursor("date", "desc", "2025-03-01T08:30:00Z", 5)),
        ("engagement", _cursor("engagement", "desc", 2**80, POST_ID)),
        ("engagement", _cursor("engagement", "desc", "12", POST_ID)),
    ],
    ids=["naive-time", "year-1", "int-id", "huge-engagement", "text-engagement"],
)
def test_a_forged_cursor_is_refused(api: Api, alice: User, sort: str, cursor: str) -> None:
    upload(api, alice, POSTS, posts_file([post_row()]))
    response = api.client.get(
        "/api/v1/posts", params={"sort": sort, "cursor": cursor}, headers=alice.headers
    )
    assert _problem(response)["errors"] == [{"field": "cursor", "message": "is not a valid cursor"}]

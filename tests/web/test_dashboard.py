"""The dashboard page over HTTP: the overview with its comparison, a range it cannot show
(explained, with the default shown instead), and the empty state."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient

from soash.content import service as content
from soash.content.models import ContentType
from soash.db import session_scope
from soash.users.models import User
from tests.analytics import data
from tests.factories import make_user
from tests.web.test_csrf import signed_in


def test_the_overview_shows_the_period_and_its_posts(client: TestClient) -> None:
    user_id = make_user("ana@example.com")
    account = data.account(user_id, username="ana")
    now = datetime.now(UTC)
    for n, kind in enumerate((ContentType.reel, ContentType.image, ContentType.reel)):
        post = data.post(account, now - timedelta(days=2 + n), content_type=kind, hashtags=("x",))
        data.metric(post, (now - timedelta(days=1)).date(), likes=100 * (n + 1), reach=1000)
    with session_scope() as db:
        ana = db.get_one(User, user_id)
        recipes = content.create_category(db, ana, name="Recipes", color_code="#10B981")
        content.set_post_categories(db, ana, post, category_ids=[recipes.id])
    signed_in(client, "ana@example.com")
    page = client.get("/dashboard").text
    assert "By category" in page and "Recipes" in page and "Uncategorized" in page
    assert "28 days" in page and 'aria-current="true">28 days' in page
    assert '<div class="value">3</div>' in page  # posts
    assert "Reel" in page and "#x" in page  # breakdowns
    assert 'data-chart="chart-engagement_rate"' in page
    assert "Top posts" in page and f"/posts/{post}" in page


def test_a_range_it_cannot_show_is_explained(client: TestClient) -> None:
    user_id = make_user("ana@example.com")
    data.account(user_id)
    signed_in(client, "ana@example.com")
    backwards = client.get("/dashboard?from=2026-05-10&to=2026-05-01")
    assert backwards.status_code == 200
    assert "Showing the last 28 days instead" in backwards.text
    too_old = client.get("/dashboard?from=2020-01-01&to=2020-02-01")
    assert "plan" in too_old.text and "Showing the last 28 days instead" in too_old.text
    nonsense = client.get("/dashboard?from=yesterday")
    assert nonsense.status_code == 400


def test_without_accounts_it_says_what_to_do(client: TestClient) -> None:
    make_user("ana@example.com", onboarded=False)
    signed_in(client, "ana@example.com")
    page = client.get("/dashboard").text
    assert "Connect an account to see your dashboard" in page
    assert "Finish setting up Soash" in page


def test_filters_left_empty_mean_all(client: TestClient) -> None:
    """GET forms send empty fields ("All accounts", no date): they are no filter, not an error."""
    make_user("ana@example.com")
    signed_in(client, "ana@example.com")
    posts = client.get("/posts?account=&type=&category=&from=&to=&sort=date&order=desc")
    assert posts.status_code == 200
    assert client.get("/dashboard?account=&from=&to=").status_code == 200
    assert client.get("/posts?type=nonsense").status_code == 400


def test_the_posts_page_searches_captions(client: TestClient) -> None:
    user_id = make_user("ana@example.com")
    account = data.account(user_id, username="ana")
    now = datetime.now(UTC)
    data.post(account, now - timedelta(days=1), caption="Crumb shot #sourdough")
    data.post(account, now - timedelta(days=2), caption="Meet the team")
    signed_in(client, "ana@example.com")
    page = client.get("/posts?q=%23SOURDOUGH").text
    assert "Crumb shot" in page and "Meet the team" not in page
    assert 'value="#SOURDOUGH"' in page  # what was typed stays in the box
    assert "Meet the team" in client.get("/posts?q=").text

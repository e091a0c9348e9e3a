"""Shared steps of the browser tests."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlencode, urlsplit

from playwright.sync_api import Page, Route, expect
from rich.console import Console

from soash.db import session_scope
from soash.demo import seed_demo
from soash.insights.generate import generate_insights
from soash.referrals import service as referrals
from soash.users.models import User
from tests.fakes.x import XFake
from tests.helpers import PASSWORD

DEMO_EMAIL = "dana@example.com"
DEMO_PASSWORD = "sourdough-starter-42"


def referral_code_of(user_id: uuid.UUID) -> str:
    with session_scope() as db:
        return referrals.create_code(db, db.get_one(User, user_id)).code


def seed_demo_user(*, accounts: int = 1) -> uuid.UUID:
    """The demo tenant (a year of history per account) with its insights generated."""
    user_id = seed_demo(
        email=DEMO_EMAIL,
        password=DEMO_PASSWORD,
        console=Console(quiet=True),
        accounts=accounts,
    )
    generate_insights(user_id)
    return user_id


def sign_in(page: Page, email: str, password: str = PASSWORD) -> None:
    page.goto("/sign-in")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).not_to_have_url("/sign-in")


def x_posts(fake: XFake, *, count: int = 120) -> None:
    """Posts a week old (their day-7 snapshot is the first sync's), videos doing 3x better than
    photos: enough for the insight job to find a real pattern."""
    now = datetime.now(UTC)
    for n in range(count):
        video = n % 2 == 0
        fake.add_post(
            f"19{n:05d}",
            created=now - timedelta(days=5, hours=2) - timedelta(minutes=19 * n),
            text=f"Bake number {n} {'#sourdough' if n % 3 else '#bread'}",
            media=("video",) if video else ("photo",),
            likes=(300 if video else 100) + (n * 7) % 40,
            replies=5 + n % 4,
            retweets=3,
            quotes=1,
            bookmarks=2,
            impressions=9000,
        )


def history_csv(*, account: str = "XDevelopers", count: int = 160) -> bytes:
    """Two months of older X posts, each with its day-7 snapshot (as exported elsewhere), videos
    doing about 2.5x better than photos."""
    lines = [
        "platform,account,platform_post_id,content_type,caption,hashtags,posted_at,"
        "metric_date,likes,comments,shares,saves,reach,impressions"
    ]
    start = datetime.now(UTC) - timedelta(days=90)
    for n in range(count):
        posted = start + timedelta(hours=9 * n + n % 7)
        video = n % 2 == 0
        likes = (250 if video else 100) + (n * 37) % 60
        tag = "sourdough" if n % 3 else "bread"
        lines.append(
            f"twitter,{account},hist-{n},{'video' if video else 'image'},Old bake {n},{tag},"
            f"{posted.isoformat()},{(posted + timedelta(days=7)).date()},{likes},"
            f"{5 + n % 4},3,2,5000,9000"
        )
    return ("\n".join(lines) + "\n").encode()


def x_consent_route(fake: XFake) -> tuple[str, Callable[[Route], None]]:
    """Playwright route for X's authorize page: the user clicks Allow, X sends the browser back
    to the redirect URI with a code."""

    def allow(route: Route) -> None:
        query = {k: v[0] for k, v in parse_qs(urlsplit(route.request.url).query).items()}
        code = fake.authorize(query["redirect_uri"], query["code_challenge"])
        target = f"{query['redirect_uri']}?{urlencode({'code': code, 'state': query['state']})}"
        route.fulfill(status=302, headers={"Location": target})

    return "https://x.com/i/oauth2/authorize**", allow

"""Every main page on the demo data, at desktop and phone width: it answers, it draws, and the
browser console stays clean. Keyboard focus is visible; forms keep what was typed."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from soash.content.models import Post
from soash.db import session_scope
from soash.insights.models import AiInsight
from soash.social.models import SocialAccount
from tests.factories import make_user
from tests.helpers import PASSWORD
from tests.web.conftest import DESKTOP, PHONE, Console, Server, new_context
from tests.web.helpers import DEMO_EMAIL, DEMO_PASSWORD, seed_demo_user, sign_in

SIGNED_OUT = [
    "/sign-in",
    "/sign-up?ref=DANA7K3QXZ-REF",
    "/forgot-password",
    "/reset-password?token=x",
]
SIGNED_IN = [
    "/dashboard",
    "/dashboard?days=365",
    "/posts",
    "/posts?sort=engagement&order=desc",
    "/accounts",
    "/categories",
    "/insights",
    "/patterns",
    "/recommendations",
    "/referrals",
    "/settings",
    "/onboarding?step=brand",
    "/onboarding?step=connect",
]


def _detail_pages() -> list[str]:
    with session_scope() as db:
        post = db.scalars(select(Post.id).order_by(Post.posted_at.desc())).first()
        account = db.scalars(select(SocialAccount.id)).first()
        insight = db.scalars(select(AiInsight.id)).first()
    return [f"/posts/{post}", f"/accounts/{account}", f"/insights/{insight}"]


def _visit_all(browser: Browser, site: Server, viewport: dict[str, int]) -> list[str]:
    """Every main page at one width; returns the console errors seen."""
    console = Console()
    context = new_context(browser, site, console, viewport=viewport)
    page = context.new_page()
    for path in SIGNED_OUT:
        response = page.goto(path)
        assert response is not None and response.status == 200, path
    sign_in(page, DEMO_EMAIL, DEMO_PASSWORD)
    for path in SIGNED_IN + _detail_pages():
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        expect(page.locator("h1").first).to_be_visible()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"], f"{path} scrolls sideways ({width}px)"
    page.goto("/dashboard")
    expect(page.locator(".chart canvas")).to_have_count(3)
    page.get_by_role("link", name="90 days").click()
    expect(page.locator(".chart canvas")).to_have_count(3)
    # The filter forms apply on change and send empty fields for "all".
    page.goto("/posts")
    page.get_by_label("Type").select_option("reel")
    expect(page).to_have_url(re.compile(r"type=reel"))
    expect(page.locator("table tbody tr").first).to_contain_text("Reel")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator("h1")).to_have_text("Posts")
    context.close()
    return console.errors


def test_every_page_renders_without_console_errors(browser: Browser, site: Server) -> None:
    seed_demo_user(accounts=1)
    for viewport in (DESKTOP, PHONE):
        assert _visit_all(browser, site, viewport) == [], viewport


def _focus_ring(page: Page) -> str:
    style: str = page.evaluate(
        """() => {
            const el = document.activeElement;
            const s = getComputedStyle(el);
            return el.matches(':focus-visible') ? `${s.outlineStyle} ${s.outlineWidth}` : 'none';
        }"""
    )
    return style


def test_keyboard_focus_is_visible(page: Page) -> None:
    make_user("kim@example.com")
    page.goto("/sign-in")
    seen = [page.evaluate("document.activeElement.id")]  # the email field has autofocus
    assert re.match(r"solid [23]px", _focus_ring(page))
    for _ in range(4):
        page.keyboard.press("Tab")
        seen.append(page.evaluate("document.activeElement.id || document.activeElement.tagName"))
        assert re.match(r"solid [23]px", _focus_ring(page)), seen
    assert "email" in seen and "password" in seen
    sign_in(page, "kim@example.com")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    assert re.match(r"solid [23]px", _focus_ring(page))


def test_forms_keep_what_was_typed_and_say_what_is_wrong(page: Page) -> None:
    make_user("taken@example.com")
    page.goto("/sign-up")
    page.get_by_label("First name").fill("Lee")
    page.get_by_label("Email").fill("lee@example.com")
    page.get_by_label("Password").fill("short")
    page.get_by_role("button", name="Create account").click()
    password = page.get_by_label("Password")
    expect(password).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#password-error")).to_contain_text("at least 10 characters")
    expect(page.get_by_label("First name")).to_have_value("Lee")
    expect(page.get_by_label("Email")).to_have_value("lee@example.com")
    expect(password).to_have_value("")

    page.get_by_label("Email").fill("taken@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    # A taken email is answered as a new one (its owner gets an email), not named.
    expect(page).to_have_url(re.compile(r"/sign-in\?next=/onboarding$"))
    expect(page.get_by_role("status")).to_contain_text("Check your inbox at taken@example.com")

    sign_in(page, "taken@example.com")
    page.goto("/settings")
    page.get_by_label("Brand name").fill("Kept Co")
    page.get_by_label("Logo or avatar URL").fill("not a url")
    page.get_by_role("button", name="Save profile").click()
    expect(page.locator("#avatar_url-error")).to_be_visible()
    expect(page.get_by_label("Brand name")).to_have_value("Kept Co")
    expect(page.get_by_label("Logo or avatar URL")).to_have_value("not a url")

    password_form = page.get_by_role("region", name="Password")
    password_form.get_by_label("Current password").fill("wrong-password-123")
    password_form.get_by_label("New password").fill("another-good-passphrase-7")
    password_form.get_by_role("button", name="Change password").click()
    expect(page.locator("#current_password-error")).to_contain_text("current password")

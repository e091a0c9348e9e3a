"""The whole journey in a browser: sign up with a referral code, verify from the outbox, onboard,
connect X against its fake, see the dashboard with data, tag a post, read an insight, rate a
recommendation, sign out."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import BrowserContext, Page, expect
from sqlalchemy import select

from soash.db import session_scope
from soash.insights.effects import warm_up
from soash.referrals.models import ReferralSignup
from soash.users.models import User
from tests.factories import make_user
from tests.fakes.x import XFake
from tests.helpers import PASSWORD, last_token
from tests.web.conftest import Console, Server
from tests.web.helpers import history_csv, referral_code_of, x_consent_route, x_posts


@pytest.mark.usefixtures("inline_jobs")
def test_sign_up_to_insights_and_out(
    page: Page, context: BrowserContext, site: Server, x_fake: XFake, console: Console
) -> None:
    code = referral_code_of(make_user("referrer@example.com"))
    x_posts(x_fake)
    context.route(*x_consent_route(x_fake))
    page.on("dialog", lambda dialog: dialog.accept())

    # Sign up through the referral link: the code is filled in.
    page.goto(f"/sign-up?ref={code}")
    expect(page.get_by_label("Referral code")).to_have_value(code)
    page.get_by_label("First name").fill("Rosa")
    page.get_by_label("Email").fill("rosa@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("status")).to_contain_text("Check your inbox at rosa@example.com")
    page.get_by_label("Email").fill("rosa@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/onboarding$"))
    expect(page.get_by_role("note")).to_contain_text("Confirm your email")

    # Verify with the link from the email.
    page.goto(f"/verify?token={last_token('rosa@example.com', 'verify')}")
    expect(page.get_by_role("heading", name="Your email is confirmed")).to_be_visible()
    page.get_by_role("link", name="Continue").click()

    # Onboarding: brand (the timezone comes from the browser), audience, then connect X.
    expect(page.get_by_label("Timezone")).to_have_value("Asia/Tokyo")
    page.get_by_label("Brand name").fill("Rosa's Rolls")
    page.get_by_label("Industry").fill("Food & beverage")
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_label("Audience").fill("Commuters who want a good breakfast")
    page.get_by_label("Brand values").fill("fresh\nlocal")
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("button", name="Connect X").click()
    expect(page).to_have_url(re.compile(r"/onboarding\?step=done$"))
    expect(page.get_by_role("status")).to_contain_text("Connected X @XDevelopers")
    page.get_by_role("button", name="Go to the dashboard").click()

    # The dashboard shows the synced posts.
    expect(page).to_have_url(re.compile(r"/dashboard$"))
    expect(page.get_by_role("heading", name="Rosa's Rolls")).to_be_visible()
    posts_card = page.locator(".stat", has_text="Posts")
    expect(posts_card.locator(".value")).to_have_text("120")
    expect(
        page.locator("[data-chart='chart-reach'] canvas, .card:has(#c-reach) .empty")
    ).to_have_count(1)
    expect(page.locator("[data-chart='chart-engagement_rate'] canvas")).to_have_count(1)
    expect(page.get_by_role("heading", name="Top posts")).to_be_visible()

    # Tag a post: create a category, then tick it on the post's page.
    page.get_by_role("link", name="Categories").first.click()
    page.get_by_label("New category").fill("Videos")
    page.get_by_role("button", name="Add category").click()
    expect(page.get_by_label("Name", exact=True)).to_have_value("Videos")
    page.get_by_role("link", name="Posts", exact=True).click()
    page.locator("table .post-cell a").first.click()
    expect(page).to_have_url(re.compile(r"/posts/[0-9a-f-]{36}$"))
    page.get_by_label("Videos").check()
    expect(page.locator("#post-categories [role=status]")).to_have_text("Saved.")
    page.reload()
    expect(page.get_by_label("Videos")).to_be_checked()

    # Older history comes in through the API's CSV import, with the browser's session.
    csrf = next(c["value"] for c in context.cookies() if c["name"] == "soash_csrf")
    imported = context.request.post(
        f"{site.url}/api/v1/imports/posts",
        multipart={"file": {"name": "x.csv", "mimeType": "text/csv", "buffer": history_csv()}},
        headers={"X-CSRF-Token": csrf},
    )
    assert imported.status == 200, imported.text()

    # Read an insight: ask for a fresh look, then mark the first one read. (The job runs
    # inline here: its statistics libraries are imported first, as a worker does at start.)
    warm_up()
    page.get_by_role("link", name="Insights").click()
    page.get_by_role("button", name="Look for new insights").click()
    expect(page.get_by_role("status")).to_contain_text("looking at your posts again")
    first = page.locator("#main .list .item").first
    expect(first).not_to_have_class(re.compile("is-read"))
    unread = int(page.locator("#nav-unread").inner_text())
    first.get_by_role("button", name="Mark read").click()
    expect(first).to_have_class(re.compile("is-read"))
    expect(page.locator("#nav-unread")).to_have_text(str(unread - 1) if unread > 1 else "")
    expect(first.get_by_role("button", name="Mark unread")).to_be_visible()

    # Rate a recommendation 4 of 5.
    page.get_by_role("link", name="Recommendations").click()
    rec = page.locator("#main .list .item").first
    rec.get_by_role("button", name="Rate 4 of 5").click()
    expect(rec.get_by_text("You rated it 4/5")).to_be_visible()
    page.reload()
    expect(page.locator("#main .list .item").first.get_by_text("You rated it 4/5")).to_be_visible()

    # Sign out: the pages are closed again.
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/sign-in$"))
    expect(page.get_by_role("status")).to_contain_text("You are signed out")
    page.goto("/dashboard")
    expect(page).to_have_url(re.compile(r"/sign-in\?next=/dashboard$"))

    with session_scope() as db:
        rosa = db.scalars(select(User).where(User.email == "rosa@example.com")).one()
        signup = db.scalars(select(ReferralSignup)).one()
        assert signup.referee_user_id == rosa.id
        assert rosa.is_verified
    assert console.errors == []

"""Onboarding: each step saves to the profile, a skipped setup resumes where it stopped, and
finishing needs the brand's name and industry."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from soash.db import session_scope
from soash.users.models import UserProfile
from tests.factories import make_user
from tests.web.test_csrf import signed_in


def _profile() -> UserProfile:
    with session_scope() as db:
        profile = db.scalars(select(UserProfile)).one()
        db.expunge(profile)
        return profile


def test_skip_and_resume_where_it_stopped(client: TestClient) -> None:
    make_user("ana@example.com", onboarded=False)
    token = signed_in(client, "ana@example.com")
    assert 'action="/onboarding/brand"' in client.get("/onboarding").text
    missing = client.post(
        "/onboarding/brand", data={"csrf_token": token, "brand_name": "", "timezone": "Mars/Base"}
    )
    assert missing.status_code == 422
    assert 'id="brand_name-error"' in missing.text and "not a known IANA timezone" in missing.text
    saved = client.post(
        "/onboarding/brand",
        data={
            "csrf_token": token,
            "brand_name": "Ana's",
            "industry": "Retail & e-commerce",
            "timezone": "Europe/Lisbon",
        },
        follow_redirects=False,
    )
    assert saved.headers["location"] == "/onboarding?step=audience"
    # Skipped: the next visit resumes at the audience step.
    assert 'action="/onboarding/audience"' in client.get("/onboarding").text
    client.post(
        "/onboarding/audience",
        data={"csrf_token": token, "brand_values": "warm\n\n honest ", "business_goals": "grow"},
    )
    profile = _profile()
    assert (profile.brand_name, profile.timezone) == ("Ana's", "Europe/Lisbon")
    assert profile.brand_values == ["warm", "honest"] and profile.business_goals == ["grow"]
    assert "Connect your first account" in client.get("/onboarding").text
    done = client.post("/onboarding/finish", data={"csrf_token": token}, follow_redirects=False)
    assert done.headers["location"] == "/dashboard"
    assert _profile().onboarding_completed
    assert client.get("/onboarding", follow_redirects=False).status_code == 200  # connect step


def test_finishing_without_a_brand_sends_back_to_the_first_step(client: TestClient) -> None:
    make_user("ana@example.com", onboarded=False)
    token = signed_in(client, "ana@example.com")
    done = client.post("/onboarding/finish", data={"csrf_token": token})
    assert "Fill in brand_name, industry" in done.text
    assert 'action="/onboarding/brand"' in done.text
    assert not _profile().onboarding_completed

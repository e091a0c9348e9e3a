"""Every form is CSRF-protected: signed-in forms by the token bound to the session, forms used
before sign-in by a signed double-submit cookie. A refused form changes nothing."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select

from soash.content.models import ContentCategory
from soash.db import session_scope
from soash.web.csrf import FORM_COOKIE
from tests.factories import make_user
from tests.helpers import PASSWORD


def token_in(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF field on the page"
    return match.group(1)


def signed_in(client: TestClient, email: str) -> str:
    """Sign in through the form; returns the page's CSRF token."""
    token = token_in(client.get("/sign-in").text)
    response = client.post(
        "/sign-in",
        data={"csrf_token": token, "email": email, "password": PASSWORD, "next": "/categories"},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return token_in(client.get("/categories").text)


def _categories() -> list[str]:
    with session_scope() as db:
        return list(db.scalars(select(ContentCategory.name)))


def test_a_signed_in_form_without_its_token_is_refused(client: TestClient) -> None:
    make_user("ana@example.com")
    token = signed_in(client, "ana@example.com")
    for sent in ({}, {"csrf_token": "0" * 40}, {"csrf_token": token[:-1] + "x"}):
        response = client.post("/categories", data={"name": "Recipes", **sent})
        assert response.status_code == 403
        assert "security token" in response.text
        assert "<html" in response.text  # a page, not JSON
    assert _categories() == []
    ok = client.post("/categories", data={"name": "Recipes", "csrf_token": token})
    assert ok.status_code == 200
    assert _categories() == ["Recipes"]


def test_htmx_sends_the_token_as_a_header(client: TestClient) -> None:
    make_user("ana@example.com")
    token = signed_in(client, "ana@example.com")
    refused = client.post("/categories", data={"name": "A"}, headers={"HX-Request": "true"})
    assert refused.status_code == 403
    assert refused.text.startswith("This form was not sent from this page")  # the toast text
    sent = client.post(
        "/categories",
        data={"name": "A"},
        headers={"HX-Request": "true", "X-CSRF-Token": token},
    )
    assert sent.status_code == 200
    assert 'id="category-list"' in sent.text


def test_another_users_token_does_not_work(client: TestClient) -> None:
    make_user("ana@example.com")
    make_user("ben@example.com")
    ana_token = signed_in(client, "ana@example.com")
    client.cookies.clear()
    signed_in(client, "ben@example.com")
    assert (
        client.post("/categories", data={"name": "X", "csrf_token": ana_token}).status_code == 403
    )
    assert _categories() == []


def test_sign_in_form_needs_the_signed_cookie(client: TestClient) -> None:
    make_user("ana@example.com")
    token = token_in(client.get("/sign-in").text)
    form = {"csrf_token": token, "email": "ana@example.com", "password": PASSWORD}
    seed = client.cookies.get(FORM_COOKIE)
    assert seed and seed != token  # the form carries the HMAC of the cookie, not the cookie
    client.cookies.delete(FORM_COOKIE)
    refused = client.post("/sign-in", data=form, follow_redirects=False)
    assert refused.status_code == 403
    # A cookie planted by someone else (without the server's key) does not match either.
    client.cookies.set(FORM_COOKIE, "planted")
    assert client.post("/sign-in", data=form, follow_redirects=False).status_code == 403
    client.cookies.set(FORM_COOKIE, seed)
    assert client.post("/sign-in", data=form, follow_redirects=False).status_code == 303


def test_sign_out_needs_the_token(client: TestClient) -> None:
    make_user("ana@example.com")
    token = signed_in(client, "ana@example.com")
    assert client.post("/sign-out", follow_redirects=False).status_code == 403
    assert client.get("/dashboard", follow_redirects=False).status_code == 200
    out = client.post("/sign-out", data={"csrf_token": token}, follow_redirects=False)
    assert out.headers["location"] == "/sign-in"
    assert client.get("/dashboard", follow_redirects=False).status_code == 303

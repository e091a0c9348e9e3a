"""A user sees and changes only their own data: a two-user check for every API route.

`test_every_route_has_an_isolation_check` fails when a route is added without a check here.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

import pytest
from fastapi.routing import APIRoute
from sqlalchemy import select

from soash.app import create_app
from soash.db import session_scope
from soash.system.models import JobType, SystemJob
from soash.system.service import run_job
from soash.users.models import User as UserRow
from tests.helpers import Api, User

PUBLIC = {
    ("POST", "/api/v1/auth/register"),
    ("POST", "/api/v1/auth/verify"),
    ("POST", "/api/v1/auth/resend-verification"),
    ("POST", "/api/v1/auth/login"),
    ("POST", "/api/v1/auth/password-reset"),
    ("POST", "/api/v1/auth/password-reset/confirm"),
}

Check = Callable[[Api, User, User], None]
CHECKS: dict[tuple[str, str], Check] = {}


def check(method: str, path: str) -> Callable[[Check], Check]:
    def register(fn: Check) -> Check:
        CHECKS[(method, path)] = fn
        return fn

    return register


def _alice_job(alice: User) -> uuid.UUID:
    with run_job(job_type=JobType.sync_metrics, user_id=uuid.UUID(alice.id)):
        pass
    with session_scope() as db:
        return db.scalars(select(SystemJob.id)).one()


@check("POST", "/api/v1/auth/logout")
def _logout(api: Api, alice: User, bob: User) -> None:
    assert api.client.post("/api/v1/auth/logout", headers=bob.headers).status_code == 204
    assert api.client.get("/api/v1/me", headers=alice.headers).status_code == 200


@check("GET", "/api/v1/me")
def _read_me(api: Api, alice: User, bob: User) -> None:
    assert api.client.get("/api/v1/me", headers=bob.headers).json()["email"] == bob.email


@check("PATCH", "/api/v1/me")
def _patch_me(api: Api, alice: User, bob: User) -> None:
    api.client.patch("/api/v1/me", json={"first_name": "Mallory"}, headers=bob.headers)
    assert api.client.get("/api/v1/me", headers=alice.headers).json()["first_name"] is None


@check("DELETE", "/api/v1/me")
def _delete_me(api: Api, alice: User, bob: User) -> None:
    assert api.client.delete("/api/v1/me", headers=bob.headers).status_code == 204
    with session_scope() as db:
        assert db.get(UserRow, uuid.UUID(alice.id)) is not None
        assert db.get(UserRow, uuid.UUID(bob.id)) is None


@check("GET", "/api/v1/me/export")
def _export(api: Api, alice: User, bob: User) -> None:
    api.client.put("/api/v1/profile", json={"brand_name": "Alice Co"}, headers=alice.headers)
    _alice_job(alice)
    exported = api.client.get("/api/v1/me/export", headers=bob.headers).text
    assert alice.email not in exported
    assert alice.id not in exported
    assert "Alice Co" not in exported


@check("GET", "/api/v1/profile")
def _read_profile(api: Api, alice: User, bob: User) -> None:
    api.client.put("/api/v1/profile", json={"brand_name": "Alice Co"}, headers=alice.headers)
    assert api.client.get("/api/v1/profile", headers=bob.headers).json()["brand_name"] is None


@check("PUT", "/api/v1/profile")
def _put_profile(api: Api, alice: User, bob: User) -> None:
    api.client.put("/api/v1/profile", json={"brand_name": "Bob Co"}, headers=bob.headers)
    assert api.client.get("/api/v1/profile", headers=alice.headers).json()["brand_name"] is None


@check("POST", "/api/v1/profile/complete-onboarding")
def _complete_onboarding(api: Api, alice: User, bob: User) -> None:
    body = {"brand_name": "Bob Co", "industry": "Retail", "timezone": "UTC"}
    api.client.put("/api/v1/profile", json=body, headers=bob.headers)
    done = api.client.post("/api/v1/profile/complete-onboarding", headers=bob.headers)
    assert done.status_code == 200
    profile = api.client.get("/api/v1/profile", headers=alice.headers).json()
    assert profile["onboarding_completed"] is False


@check("GET", "/api/v1/jobs")
def _list_jobs(api: Api, alice: User, bob: User) -> None:
    _alice_job(alice)
    assert api.client.get("/api/v1/jobs", headers=bob.headers).json() == []


@check("GET", "/api/v1/jobs/{job_id}")
def _read_job(api: Api, alice: User, bob: User) -> None:
    job_id = _alice_job(alice)
    assert api.client.get(f"/api/v1/jobs/{job_id}", headers=bob.headers).status_code == 404


def _api_routes() -> list[tuple[str, str]]:
    routes: list[tuple[str, str]] = []
    for route in create_app().routes:
        if isinstance(route, APIRoute) and route.path.startswith("/api/"):
            routes.extend((method, route.path) for method in sorted(route.methods or ()))
    return routes


def test_every_route_has_an_isolation_check() -> None:
    unchecked = [r for r in _api_routes() if r not in PUBLIC and r not in CHECKS]
    assert unchecked == [], f"add a two-user check to tests/test_isolation.py for {unchecked}"


@pytest.mark.parametrize("route", sorted(CHECKS), ids=lambda r: " ".join(r))
def test_a_user_cannot_reach_another_users_data(api: Api, route: tuple[str, str]) -> None:
    alice, bob = api.user(), api.user()
    CHECKS[route](api, alice, bob)


@pytest.mark.parametrize("route", sorted(CHECKS), ids=lambda r: " ".join(r))
def test_private_routes_refuse_anonymous_callers(api: Api, route: tuple[str, str]) -> None:
    method, path = route
    response = api.client.request(method, re.sub(r"\{[^}]+\}", str(uuid.uuid4()), path))
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"

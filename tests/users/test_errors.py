"""Bad requests get RFC 9457 problem details with a message a person can act on."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient

from soash.app import create_app
from soash.config import Settings
from tests.helpers import PASSWORD, Api
from tests.users.conftest import assert_problem, count_rows, free_port

REGISTER = "/api/v1/auth/register"
LIMIT = 2_000


@pytest.fixture
def small_body_server(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A real uvicorn server on 127.0.0.1 running an app with a body limit of ``LIMIT`` bytes."""
    monkeypatch.setattr(settings, "max_body_bytes", LIMIT)
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_config=None)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not server.started:
            assert thread.is_alive() and time.monotonic() < deadline, "server did not start"
            time.sleep(0.01)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def small_body_client(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    """An app built with a body limit of ``LIMIT`` bytes."""
    monkeypatch.setattr(settings, "max_body_bytes", LIMIT)
    with TestClient(create_app()) as client:
        yield client


def _oversized_registration() -> bytes:
    body = json.dumps({"email": "big@example.com", "password": PASSWORD, "first_name": "x" * LIMIT})
    return body.encode()


def test_malformed_json_is_400(client: TestClient) -> None:
    response = client.post(
        REGISTER,
        content=b'{"email": "a@example.com",',
        headers={"content-type": "application/json"},
    )

    body = assert_problem(response, 400)
    assert "JSON" in body["detail"]
    assert count_rows("users") == 0


def test_a_json_body_that_is_not_an_object_is_422(client: TestClient) -> None:
    response = client.post(REGISTER, json=["a@example.com", PASSWORD])

    assert_problem(response, 422)


def test_wrong_types_are_422_with_every_problem_listed(client: TestClient) -> None:
    response = client.post(REGISTER, json={"email": 42, "password": ["x"], "first_name": {}})

    body = assert_problem(response, 422)
    fields = {e["field"] for e in body["errors"]}
    assert fields == {"email", "password", "first_name"}
    assert all(e["message"] for e in body["errors"])
    assert "2 more" in body["detail"]
    assert count_rows("users") == 0


def test_a_missing_field_is_422_naming_it(client: TestClient) -> None:
    response = client.post(REGISTER, json={"email": "a@example.com"})

    body = assert_problem(response, 422)
    assert body["errors"] == [{"field": "password", "message": "is required"}]
    assert body["detail"] == "'password' is required."


def test_an_invalid_email_is_422(client: TestClient) -> None:
    response = client.post(REGISTER, json={"email": "not-an-email", "password": PASSWORD})

    body = assert_problem(response, 422)
    assert body["errors"][0]["field"] == "email"
    assert "valid email" in body["errors"][0]["message"]


def test_an_unknown_field_is_422(client: TestClient) -> None:
    response = client.post(
        REGISTER, json={"email": "a@example.com", "password": PASSWORD, "is_admin": True}
    )

    body = assert_problem(response, 422)
    assert body["errors"] == [
        {"field": "is_admin", "message": "is not a field this endpoint accepts; remove it"}
    ]
    assert count_rows("users") == 0


def test_a_body_over_the_limit_is_413_by_content_length(small_body_client: TestClient) -> None:
    response = small_body_client.post(
        REGISTER, content=_oversized_registration(), headers={"content-type": "application/json"}
    )

    body = assert_problem(response, 413)
    assert f"{LIMIT:,}" in body["detail"]
    assert count_rows("users") == 0


def test_a_streamed_body_over_the_limit_is_413(small_body_client: TestClient) -> None:
    payload = _oversized_registration()

    def chunks() -> Iterator[bytes]:
        for start in range(0, len(payload), 500):
            yield payload[start : start + 500]

    response = small_body_client.post(
        REGISTER, content=chunks(), headers={"content-type": "application/json"}
    )

    assert "content-length" not in response.request.headers
    assert response.request.headers["transfer-encoding"] == "chunked"
    assert_problem(response, 413)
    assert count_rows("users") == 0


def test_a_chunked_body_over_the_limit_is_413_over_real_http(small_body_server: str) -> None:
    payload = _oversized_registration()

    def chunks() -> Iterator[bytes]:
        for start in range(0, len(payload), 256):
            yield payload[start : start + 256]

    with httpx.Client(base_url=small_body_server) as http:
        response = http.post(
            REGISTER, content=chunks(), headers={"content-type": "application/json"}
        )

    assert response.request.headers["transfer-encoding"] == "chunked"
    assert_problem(response, 413)
    assert count_rows("users") == 0


def test_a_body_under_the_limit_passes(small_body_client: TestClient) -> None:
    response = small_body_client.post(
        REGISTER, json={"email": "small@example.com", "password": PASSWORD}
    )

    assert response.status_code == 201, response.text


def test_an_unknown_route_is_404(client: TestClient) -> None:
    response = client.get("/api/v1/no-such-thing")

    body = assert_problem(response, 404)
    assert "/api/v1/no-such-thing" in body["detail"]


def test_a_wrong_method_is_405(client: TestClient) -> None:
    response = client.get(REGISTER)

    body = assert_problem(response, 405)
    assert "GET" in body["detail"]
    assert "POST" in response.headers["allow"]


@pytest.mark.parametrize(
    ("method", "path", "payload"),
    [
        ("POST", "/api/v1/auth/login", {"email": "a@example.com", "password": "wrong-pass-1"}),
        ("POST", "/api/v1/auth/verify", {"token": "not-a-real-token"}),
        ("POST", "/api/v1/auth/password-reset/confirm", {"token": "x" * 20, "new_password": "y"}),
        ("POST", "/api/v1/auth/register", {"email": "a@example.com", "password": "short"}),
        ("GET", "/api/v1/me", None),
        ("PUT", "/api/v1/profile", {}),
        ("DELETE", "/api/v1/me", None),
        ("GET", "/api/v1/jobs/not-a-uuid", None),
    ],
)
def test_every_error_is_a_problem_document(
    client: TestClient, method: str, path: str, payload: dict[str, str] | None
) -> None:
    response = client.request(method, path, json=payload)

    assert response.status_code >= 400
    assert_problem(response, response.status_code)
    assert response.json()["instance"] == path


def test_a_bad_uuid_in_a_path_is_422(api: Api) -> None:
    me = api.user()

    response = api.client.get("/api/v1/jobs/not-a-uuid", headers=me.headers)

    body = assert_problem(response, 422)
    assert body["errors"][0]["field"] == "path.job_id"
    assert "UUID" in body["errors"][0]["message"]

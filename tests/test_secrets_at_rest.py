"""Secrets (passwords; verification, reset and session tokens) are never stored or logged."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import text

from soash.db import get_engine
from soash.logs import install_filter
from soash.models import Base
from tests.helpers import PASSWORD, Api, last_token

NEW_PASSWORD = "a-brand-new-passphrase-77"


def _everything_stored() -> str:
    dump = []
    with get_engine().connect() as conn:
        for table in Base.metadata.sorted_tables:
            for row in conn.execute(text(f"SELECT * FROM {table.name}")):  # noqa: S608
                dump.append(repr(tuple(row)))
    return "\n".join(dump)


def test_no_password_or_token_is_stored_or_logged_in_clear(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    email = "secret-keeper@example.com"
    assert api.register(email).status_code == 201
    verify_token = last_token(email, "verify")
    assert api.client.post("/api/v1/auth/verify", json={"token": verify_token}).status_code == 200
    session_token = api.login(email).json()["access_token"]
    api.client.post("/api/v1/auth/password-reset", json={"email": email})
    reset_token = last_token(email, "reset")
    confirm = {"token": reset_token, "new_password": NEW_PASSWORD}
    assert api.client.post("/api/v1/auth/password-reset/confirm", json=confirm).status_code == 200
    second_session = api.login(email, NEW_PASSWORD).json()["access_token"]

    stored = _everything_stored()
    assert email in stored  # the dump really holds the data
    secrets = [PASSWORD, NEW_PASSWORD, verify_token, session_token, reset_token, second_session]
    for secret in secrets:
        assert secret not in stored
        assert secret not in caplog.text


def test_tokens_in_request_urls_are_redacted_from_access_logs(
    caplog: pytest.LogCaptureFixture,
) -> None:
    install_filter()
    caplog.set_level(logging.INFO)
    access = logging.getLogger("uvicorn.access")
    access.info(
        '%s - "%s %s HTTP/%s" %d', "127.0.0.1:5000", "GET", "/verify?token=s3cr3t-t0ken", "1.1", 200
    )
    logging.getLogger("soash.test").info("Authorization: Bearer abc.def-123")
    assert "s3cr3t-t0ken" not in caplog.text
    assert "abc.def-123" not in caplog.text
    assert "token=[redacted]" in caplog.text


def test_platform_token_parameters_are_redacted() -> None:
    from soash.logs import redact

    line = redact(
        "GET https://graph.facebook.com/v23.0/oauth/access_token?grant_type=fb_exchange_token"
        "&fb_exchange_token=EAAB-user-token&client_secret=app-secret&code=c0de&code_verifier=v"
    )
    for secret in ("EAAB-user-token", "app-secret", "c0de", "=v"):
        assert secret not in line
    assert "grant_type=fb_exchange_token" in line  # what is not secret stays readable

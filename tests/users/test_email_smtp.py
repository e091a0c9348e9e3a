"""Account emails over a real SMTP server on 127.0.0.1, sent by a job (never in the request),
retried while the server is down; and the outbox fallback."""

from __future__ import annotations

import email
import ipaddress
import logging
import ssl
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from sqlalchemy import select

from soash.config import Settings
from soash.db import session_scope
from soash.system.models import SystemJob
from soash.users.mailings import MAIL_TASK
from tests.helpers import Api, deliver_mail, outbox_messages, token_in
from tests.users.conftest import free_port

LOCALHOST = ipaddress.ip_address("127.0.0.1")


@dataclass
class Collector:
    """An aiosmtpd handler that keeps every message it is given."""

    envelopes: list[Any] = field(default_factory=list)
    over_tls: list[bool] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.envelopes.append(envelope)
        self.over_tls.append(session.ssl is not None)
        return "250 Message accepted for delivery"

    def messages(self) -> list[Message]:
        return [email.message_from_bytes(e.original_content) for e in self.envelopes]


@contextmanager
def _serving(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, **options: Any
) -> Iterator[Collector]:
    """A real SMTP server on a free local port, with Soash's SMTP settings pointing at it."""
    collector = Collector()
    controller = Controller(collector, hostname="127.0.0.1", port=free_port(), **options)
    controller.start()
    try:
        monkeypatch.setattr(settings.smtp, "host", "127.0.0.1")
        monkeypatch.setattr(settings.smtp, "port", controller.port)
        yield collector
    finally:
        controller.stop()


@pytest.fixture
def smtp_server(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[Collector]:
    monkeypatch.setattr(settings.smtp, "starttls", False)
    with _serving(settings, monkeypatch) as collector:
        yield collector


def _self_signed_tls(folder: Path) -> tuple[ssl.SSLContext, Path]:
    """A server TLS context for 127.0.0.1 and the CA file a client needs to trust it."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(LOCALHOST)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_path, key_path)
    return context, cert_path


@pytest.fixture
def starttls_server(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Iterator[Collector]:
    """An SMTP server that refuses mail until the client has switched to TLS."""
    context, ca_file = _self_signed_tls(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))  # what ssl.create_default_context trusts
    monkeypatch.setattr(settings.smtp, "starttls", True)
    with _serving(settings, monkeypatch, tls_context=context, require_starttls=True) as collector:
        yield collector


def _text(message: Message) -> str:
    body = message.get_payload(decode=True)
    assert isinstance(body, bytes)
    return body.decode()


def test_verification_email_goes_out_over_smtp(api: Api, smtp_server: Collector) -> None:
    response = api.register("smtp@example.com")

    assert response.status_code == 201, response.text
    assert smtp_server.envelopes == []  # not in the request: a job sends it
    assert deliver_mail(forget=False) == 1
    assert [e.rcpt_tos for e in smtp_server.envelopes] == [["smtp@example.com"]]
    message = smtp_server.messages()[0]
    assert message["To"] == "smtp@example.com"
    assert "no-reply@soash.local" in message["From"]
    assert "confirm" in message["Subject"].lower()
    token = token_in(_text(message), "verify")
    assert "http://testserver/verify?token=" + token in _text(message)


def test_the_link_sent_over_smtp_verifies_the_account(api: Api, smtp_server: Collector) -> None:
    api.register("smtp@example.com")
    deliver_mail(forget=False)
    token = token_in(_text(smtp_server.messages()[0]), "verify")

    response = api.client.post("/api/v1/auth/verify", json={"token": token})

    assert response.status_code == 200
    assert response.json()["is_verified"] is True


def test_smtp_log_line_masks_the_address_and_holds_no_token(
    api: Api, smtp_server: Collector, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="soash.mail")

    api.register("smtp@example.com")
    deliver_mail(forget=False)

    token = token_in(_text(smtp_server.messages()[0]), "verify")
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "s***@example.com" in logged
    assert "smtp@example.com" not in logged
    assert token not in logged


def test_starttls_is_used_when_the_server_offers_it(api: Api, starttls_server: Collector) -> None:
    response = api.register("tls@example.com")
    deliver_mail(forget=False)

    assert response.status_code == 201, response.text
    assert starttls_server.over_tls == [True]


def test_with_smtp_nothing_lands_in_the_outbox(
    api: Api, smtp_server: Collector, outbox: Path
) -> None:
    api.register("smtp@example.com")
    deliver_mail(forget=False)

    assert len(smtp_server.envelopes) == 1
    assert not list(outbox.glob("*.eml"))


def test_without_smtp_the_email_lands_in_the_outbox_and_the_path_is_logged(
    api: Api, settings: Settings, outbox: Path, caplog: pytest.LogCaptureFixture
) -> None:
    assert settings.smtp.host is None
    caplog.set_level(logging.INFO, logger="soash.mail")

    api.register("outbox@example.com")
    deliver_mail(forget=False)

    files = list(outbox.glob("*.eml"))
    assert len(files) == 1
    message = email.message_from_bytes(files[0].read_bytes())
    assert message["To"] == "outbox@example.com"
    assert token_in(_text(message), "verify")
    assert [m["To"] for m in outbox_messages()] == ["outbox@example.com"]
    logged = [r.getMessage() for r in caplog.records if r.name == "soash.mail"]
    assert any(str(files[0]) in line for line in logged), logged


def _mail_jobs() -> list[tuple[str, int, str | None]]:
    with session_scope() as db:
        rows = db.execute(
            select(SystemJob.status, SystemJob.attempts, SystemJob.error_message)
            .where(SystemJob.task == MAIL_TASK)
            .order_by(SystemJob.created_at)
        ).all()
    return [(str(r.status), r.attempts, r.error_message) for r in rows]


def test_an_unreachable_mail_server_delays_the_email_not_the_sign_up(
    api: Api, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(settings.smtp, "starttls", False)
    monkeypatch.setattr(settings.smtp, "host", "127.0.0.1")
    monkeypatch.setattr(settings.smtp, "port", free_port())  # nothing listens there
    monkeypatch.setattr(settings.smtp, "retry_seconds", 0.5)

    response = api.register("nomail@example.com")
    assert response.status_code == 201, response.text
    assert api.login("nomail@example.com").status_code == 200  # the account is kept

    assert deliver_mail(forget=False) == 1
    [(status, attempts, error)] = _mail_jobs()
    assert (status, attempts) == ("pending", 1)  # back in the queue, to try again later
    assert error and "mail server refused" in error and "trying again in 0 s" in error
    assert deliver_mail(forget=False) == 1  # not due yet: claimed only once its wait is over
    assert _mail_jobs()[0][:2] == ("pending", 1)

    # The server comes back: the next try delivers the email, with a link that works.
    collector = Collector()
    controller = Controller(collector, hostname="127.0.0.1", port=settings.smtp.port)
    controller.start()
    try:
        time.sleep(0.6)
        deliver_mail(forget=False)
    finally:
        controller.stop()
    assert _mail_jobs()[0][:2] == ("completed", 2)
    token = token_in(_text(collector.messages()[0]), "verify")
    assert api.client.post("/api/v1/auth/verify", json={"token": token}).status_code == 200


def test_a_mail_server_that_stays_down_fails_the_email_after_the_last_try(
    api: Api, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(settings.smtp, "host", "127.0.0.1")
    monkeypatch.setattr(settings.smtp, "port", free_port())
    monkeypatch.setattr(settings.smtp, "retry_seconds", 0.01)
    monkeypatch.setattr(settings.smtp, "attempts", 3)
    api.register("nomail@example.com")

    for _ in range(3):
        deliver_mail(forget=False)
        time.sleep(0.1)

    [(status, attempts, error)] = _mail_jobs()
    assert (status, attempts) == ("failed", 3)
    assert error and "refused the email 3 times" in error
    assert deliver_mail(forget=False) == 0

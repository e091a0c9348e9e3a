"""Verification emails over a real SMTP server on 127.0.0.1, and the outbox fallback."""

from __future__ import annotations

import email
import ipaddress
import logging
import ssl
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

from soash.config import Settings
from tests.helpers import Api, outbox_messages, token_in
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
    assert [e.rcpt_tos for e in smtp_server.envelopes] == [["smtp@example.com"]]
    message = smtp_server.messages()[0]
    assert message["To"] == "smtp@example.com"
    assert "no-reply@soash.local" in message["From"]
    assert "confirm" in message["Subject"].lower()
    token = token_in(_text(message), "verify")
    assert "http://testserver/verify?token=" + token in _text(message)


def test_the_link_sent_over_smtp_verifies_the_account(api: Api, smtp_server: Collector) -> None:
    api.register("smtp@example.com")
    token = token_in(_text(smtp_server.messages()[0]), "verify")

    response = api.client.post("/api/v1/auth/verify", json={"token": token})

    assert response.status_code == 200
    assert response.json()["is_verified"] is True


def test_smtp_log_line_masks_the_address_and_holds_no_token(
    api: Api, smtp_server: Collector, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="soash.mail")

    api.register("smtp@example.com")

    token = token_in(_text(smtp_server.messages()[0]), "verify")
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "s***@example.com" in logged
    assert "smtp@example.com" not in logged
    assert token not in logged


def test_starttls_is_used_when_the_server_offers_it(api: Api, starttls_server: Collector) -> None:
    response = api.register("tls@example.com")

    assert response.status_code == 201, response.text
    assert starttls_server.over_tls == [True]


def test_with_smtp_nothing_lands_in_the_outbox(
    api: Api, smtp_server: Collector, outbox: Path
) -> None:
    api.register("smtp@example.com")

    assert len(smtp_server.envelopes) == 1
    assert not list(outbox.glob("*.eml"))


def test_without_smtp_the_email_lands_in_the_outbox_and_the_path_is_logged(
    api: Api, settings: Settings, outbox: Path, caplog: pytest.LogCaptureFixture
) -> None:
    assert settings.smtp.host is None
    caplog.set_level(logging.INFO, logger="soash.mail")

    api.register("outbox@example.com")

    files = list(outbox.glob("*.eml"))
    assert len(files) == 1
    message = email.message_from_bytes(files[0].read_bytes())
    assert message["To"] == "outbox@example.com"
    assert token_in(_text(message), "verify")
    assert [m["To"] for m in outbox_messages()] == ["outbox@example.com"]
    logged = [r.getMessage() for r in caplog.records if r.name == "soash.mail"]
    assert any(str(files[0]) in line for line in logged), logged


def test_an_unreachable_mail_server_is_a_clear_503_and_nothing_is_saved(
    api: Api, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(settings.smtp, "host", "127.0.0.1")
    monkeypatch.setattr(settings.smtp, "port", free_port())  # nothing listens there
    response = api.register("nomail@example.com")
    assert response.status_code == 503
    assert "could not send the email" in response.json()["detail"]
    assert api.login("nomail@example.com").status_code == 401  # the sign-up was not kept

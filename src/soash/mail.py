"""Outgoing email: a real SMTP client, or an outbox folder when no SMTP server is configured.

Called from jobs (``users.send_email``), never inside a request or a write transaction.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
import uuid
from email.message import EmailMessage
from pathlib import Path

from soash.config import Settings, get_settings
from soash.db import no_open_write
from soash.errors import ServiceUnavailable

log = logging.getLogger(__name__)


def send_email(to: str, subject: str, body: str, *, settings: Settings | None = None) -> None:
    settings = settings or get_settings()
    smtp = settings.smtp
    msg = EmailMessage()
    msg["From"] = smtp.sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Message-ID"] = f"<{uuid.uuid4()}@soash>"
    msg.set_content(body)
    if not smtp.host:
        path = _write_to_outbox(settings.outbox_dir, msg)
        log.info("no SMTP server configured; wrote the email to %s", path)
        return
    no_open_write("sending email")
    context = ssl.create_default_context()
    client: smtplib.SMTP
    try:
        if smtp.ssl:
            client = smtplib.SMTP_SSL(
                smtp.host, smtp.port, timeout=smtp.timeout_seconds, context=context
            )
        else:
            client = smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout_seconds)
        with client:
            client.ehlo()  # has_extn() only knows what EHLO announced
            if smtp.starttls and not smtp.ssl and client.has_extn("starttls"):
                client.starttls(context=context)
                client.ehlo()
            if smtp.username and smtp.password:
                client.login(smtp.username, smtp.password.get_secret_value())
            client.send_message(msg)
    except (OSError, smtplib.SMTPException) as exc:
        log.error("could not send email %r to %s: %s", subject, _mask(to), exc)
        raise ServiceUnavailable(
            "We could not send the email right now (the mail server did not accept it)."
        ) from exc
    log.info("sent email %r to %s", subject, _mask(to))


def _write_to_outbox(outbox: Path, msg: EmailMessage) -> Path:
    outbox.mkdir(parents=True, exist_ok=True)
    path = outbox / f"{uuid.uuid4().hex}.eml"
    path.write_bytes(msg.as_bytes())
    return path


def _mask(email: str) -> str:
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"

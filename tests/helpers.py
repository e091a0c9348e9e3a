"""Shared test helpers: signing users up and in through the real API, reading the outbox."""

from __future__ import annotations

import email
import re
from dataclasses import dataclass, field
from email.message import Message
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import delete, select

from soash import jobs
from soash.config import get_settings
from soash.db import session_scope
from soash.system.models import JobStatus, SystemJob
from soash.users.mailings import MAIL_TASK

PASSWORD = "correct-horse-battery-9"


@dataclass
class User:
    email: str
    password: str
    token: str
    id: str
    headers: dict[str, str] = field(default_factory=dict)


class Api:
    def __init__(self, client: TestClient) -> None:
        self.client = client
        self._count = 0

    def register(self, email: str | None = None, **extra: Any) -> Response:
        self._count += 1
        body = {"email": email or f"user{self._count}@example.com", "password": PASSWORD}
        body.update(extra)
        response: Response = self.client.post("/api/v1/auth/register", json=body)
        return response

    def login(self, email: str, password: str = PASSWORD) -> Response:
        body = {"email": email, "password": password}
        response: Response = self.client.post("/api/v1/auth/login", json=body)
        return response

    def user(self, email: str | None = None, *, verified: bool = True, **extra: Any) -> User:
        """A signed-in user (verified through the emailed link unless told otherwise)."""
        created = self.register(email, **extra)
        assert created.status_code == 201, created.text
        address = created.json()["email"]
        if verified:
            token = last_token(address, "verify")
            assert self.client.post("/api/v1/auth/verify", json={"token": token}).status_code == 200
        login = self.login(address, extra.get("password", PASSWORD))
        assert login.status_code == 200, login.text
        self.client.cookies.clear()  # API clients use the bearer token
        token = login.json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        return User(
            email=address,
            password=extra.get("password", PASSWORD),
            token=token,
            id=self.client.get("/api/v1/me", headers=headers).json()["id"],
            headers=headers,
        )


def deliver_mail(*, forget: bool = True) -> int:
    """Run the queued account-email jobs that are due, as a worker would; returns how many.
    With ``forget``, the rows of those that completed are then deleted, so that tests
    counting the jobs they made see only theirs."""
    mail_jobs = select(SystemJob.id).where(SystemJob.task == MAIL_TASK)
    with session_scope() as db:
        due = list(db.scalars(mail_jobs.where(SystemJob.status == JobStatus.pending)))
    for job_id in due:
        jobs.run_queued(job_id)
    _take_mail_wake_ups()
    if forget:
        with session_scope() as db:
            done = mail_jobs.where(SystemJob.status == JobStatus.completed)
            db.execute(delete(SystemJob).where(SystemJob.id.in_(done)))
    return len(due)


def _take_mail_wake_ups() -> None:
    """Take the mail jobs' wake-up messages off the queue, as the worker that ran them would
    have, and leave the others in their order."""
    storage = jobs.huey.storage
    others = []
    while (message := storage.dequeue()) is not None:
        if jobs.huey.deserialize_task(message).name != MAIL_TASK:
            others.append(message)
    for message in others:
        storage.enqueue(message)


def outbox_messages(to: str | None = None) -> list[Message]:
    """The emails sent so far (queued ones are delivered first)."""
    deliver_mail()
    folder: Path = get_settings().outbox_dir
    if not folder.exists():
        return []
    files = sorted(folder.glob("*.eml"), key=lambda p: p.stat().st_mtime_ns)
    messages = [email.message_from_bytes(p.read_bytes()) for p in files]
    return [m for m in messages if to is None or m["To"] == to]


def token_in(text: str, kind: str) -> str:
    path = {"verify": "verify", "reset": "reset-password"}[kind]
    match = re.search(rf"/{path}\?token=([\w-]+)", text)
    assert match, f"no {kind} link in {text!r}"
    return match.group(1)


def last_token(to: str, kind: str) -> str:
    messages = outbox_messages(to)
    assert messages, f"no email to {to}"
    body = messages[-1].get_payload(decode=True)
    assert isinstance(body, bytes)
    return token_in(body.decode(), kind)

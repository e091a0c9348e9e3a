"""The account emails' job: write the link's token, commit, then hand the message to SMTP.

A mail server that refuses or cannot be reached puts the job back with a growing wait
(``SOASH_SMTP_RETRY_SECONDS``, doubled each time) until ``SOASH_SMTP_ATTEMPTS`` tries, then
fails it. A retry writes a new token: the one in the message that was never sent dies.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from soash import jobs, mail
from soash.config import get_settings
from soash.db import session_scope
from soash.errors import ServiceUnavailable
from soash.system.models import JobStatus, SystemJob
from soash.system.runner import JobDeferred, JobFailed, worker_id
from soash.users import mailings
from soash.users import service as users
from soash.users.mailings import MAIL_TASK, Letter, Mail
from soash.users.models import User

MAX_WAIT_SECONDS = 3600.0


@jobs.task(MAIL_TASK)
def send_email(
    result: dict[str, Any], *, kind: str, user_id: str | None = None, email: str | None = None
) -> None:
    with session_scope() as db:
        if user_id is not None:
            user = db.get(User, uuid.UUID(user_id))
        else:
            user = users.get_by_email(db, email or "")
        letter = _write(db, user, Mail(kind)) if user is not None else None
        to = user.email if user is not None else None
    if letter is None or to is None:
        result["skipped"] = "no such account, or it needs no such email any more"
        return
    try:
        mail.send_email(to, letter.subject, letter.body)
    except ServiceUnavailable as exc:
        _retry_later(exc)
    result["sent"] = kind


def _write(db: Session, user: User, kind: Mail) -> Letter | None:
    if kind is Mail.verify:
        if user.is_verified:
            return None
        return mailings.verification(users.new_verification_token(db, user))
    if kind is Mail.password_reset:
        return mailings.password_reset(users.new_reset_token(db, user))
    return mailings.signup_attempt()


def _retry_later(exc: ServiceUnavailable) -> None:
    smtp = get_settings().smtp
    attempt = _this_attempt()
    if attempt >= smtp.attempts:
        raise JobFailed(f"the mail server refused the email {attempt} times: {exc.__cause__}")
    wait = min(MAX_WAIT_SECONDS, smtp.retry_seconds * 2 ** (attempt - 1))
    raise JobDeferred(
        f"the mail server refused the email ({exc.__cause__}); trying again in {int(wait)} s",
        retry_after=wait,
    )


def _this_attempt() -> int:
    """How many times this job has been claimed, this one included (the job held by this
    worker thread)."""
    with session_scope() as db:
        attempts = db.scalar(
            select(SystemJob.attempts).where(
                SystemJob.task == MAIL_TASK,
                SystemJob.status == JobStatus.running,
                SystemJob.worker == worker_id(),
            )
        )
    return attempts or 1

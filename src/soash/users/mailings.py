"""The account emails: what they say, and the name of the task that sends them.

Sent by the ``users.send_email`` job (:mod:`soash.users.tasks`), never inside a request.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from soash.config import get_settings

MAIL_TASK = "users.send_email"


class Mail(StrEnum):
    verify = "verify"
    password_reset = "password_reset"  # noqa: S105 - a kind of email, not a password
    signup_attempt = "signup_attempt"


@dataclass(frozen=True)
class Letter:
    subject: str
    body: str


def verification(token: str) -> Letter:
    settings = get_settings()
    hours = settings.security.verification_hours
    return Letter(
        "Confirm your email for Soash",
        f"Welcome to Soash!\n\nConfirm your email address by opening this link:\n"
        f"{settings.base_url}/verify?token={token}\n\n"
        f'Or send the token to the API: POST /api/v1/auth/verify {{"token": "{token}"}}\n\n'
        f"The link works once and expires in {hours} hours.\n",
    )


def password_reset(token: str) -> Letter:
    settings = get_settings()
    minutes = settings.security.password_reset_minutes
    return Letter(
        "Reset your Soash password",
        f"Someone (hopefully you) asked to reset your Soash password.\n\n"
        f"Choose a new one here: {settings.base_url}/reset-password?token={token}\n\n"
        f'Or: POST /api/v1/auth/password-reset/confirm {{"token": "{token}", '
        f'"new_password": "..."}}\n\nThe link works once and expires in {minutes} minutes. '
        f"If you did not ask for this, ignore this email.\n",
    )


def signup_attempt() -> Letter:
    base = get_settings().base_url
    return Letter(
        "Someone tried to sign up to Soash with your email",
        "Someone (maybe you) just tried to create a Soash account with this email address. "
        "You already have one, so nothing was changed.\n\n"
        f"If it was you, sign in at {base}/sign-in, or choose a new password at "
        f"{base}/forgot-password if you have forgotten it.\n\n"
        "If it was not you, you can ignore this email: your account and password are as they "
        "were.\n",
    )


def registered_message(email: str) -> str:
    """What sign-up answers, whether or not ``email`` already had an account."""
    return (
        f"Check your inbox at {email}: we sent you a message. To confirm a new account, open "
        "its link; then sign in."
    )

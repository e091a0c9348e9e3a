"""Accounts: sign-up, email verification, sign-in sessions, password reset, profile, export.

Plain functions over a ``Session``; the caller (route dependency, CLI, job) owns the transaction.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from soash import jobs
from soash.config import get_settings
from soash.db import utcnow
from soash.errors import BadRequest, Conflict, Forbidden, InvalidInput, Unauthorized
from soash.referrals import service as referrals
from soash.security import hash_password, new_token, password_needs_rehash, token_hash
from soash.security import verify_password as check_password
from soash.system.models import JobType
from soash.users.mailings import MAIL_TASK, Mail
from soash.users.models import PasswordReset, SubscriptionTier, User, UserProfile, UserSession
from soash.users.passwords import password_problem

log = logging.getLogger(__name__)

VERIFY = "verify-email"
SESSION = "session"
RESET = "password-reset"


def normalize_email(email: str) -> str:
    return email.strip().lower()


def _require_good_password(password: str, email: str, field: str = "password") -> None:
    problem = password_problem(password, email=email)
    if problem:
        raise InvalidInput(problem, field=field)


def get_by_email(db: Session, email: str) -> User | None:
    return db.scalar(select(User).where(User.email == normalize_email(email)))


def create_user(
    db: Session,
    *,
    email: str,
    password: str,
    first_name: str | None = None,
    last_name: str | None = None,
    verified: bool = False,
    tier: SubscriptionTier = SubscriptionTier.free,
    timezone: str = "UTC",
) -> User:
    email = normalize_email(email)
    _require_good_password(password, email)
    if get_by_email(db, email) is not None:
        raise Conflict(
            "An account with this email already exists. Sign in, or reset your password."
        )
    return _add_user(
        db,
        email=email,
        password_hash=hash_password(password),
        first_name=first_name,
        last_name=last_name,
        verified=verified,
        tier=tier,
        timezone=timezone,
    )


def _add_user(
    db: Session,
    *,
    email: str,
    password_hash: str,
    first_name: str | None,
    last_name: str | None,
    verified: bool = False,
    tier: SubscriptionTier = SubscriptionTier.free,
    timezone: str = "UTC",
) -> User:
    user = User(
        email=email,
        password_hash=password_hash,
        first_name=first_name,
        last_name=last_name,
        is_verified=verified,
        subscription_tier=tier,
    )
    user.profile = UserProfile(timezone=timezone, brand_values=[], business_goals=[])
    db.add(user)
    db.flush()
    return user


def register(
    db: Session,
    *,
    email: str,
    password: str,
    first_name: str | None = None,
    last_name: str | None = None,
    referral_code: str | None = None,
) -> User | None:
    """Sign up. Answers alike whether or not the email is taken, so sign-up cannot be used to
    find out who has an account: the password is hashed on both paths, one mail is queued on
    both (the verification link to a new user; to a known address, a note that someone tried
    to sign up with it). Returns the new user, or None when the email was taken."""
    email = normalize_email(email)
    _require_good_password(password, email)
    password_hash = hash_password(password)
    existing = get_by_email(db, email)
    if existing is not None:
        queue_mail(db, Mail.signup_attempt, user=existing)
        return None
    user = _add_user(
        db, email=email, password_hash=password_hash, first_name=first_name, last_name=last_name
    )
    if referral_code:
        referrals.attribute_signup(db, referee=user, code=referral_code)
    send_verification(db, user)
    return user


def queue_mail(db: Session, kind: Mail, *, user: User | None = None, email: str = "") -> None:
    """Mail ``user`` (or whoever has ``email``, if anyone) from a job, once this transaction
    commits: no SMTP in the request, so neither its time nor its failures tell whether an
    account exists. The job writes any link's token itself (a token in the job's payload
    would be a secret stored in clear). The job is the system's, not listed among the user's
    jobs."""
    target = {"user_id": str(user.id)} if user is not None else {"email": normalize_email(email)}
    jobs.enqueue(
        db, MAIL_TASK, {"kind": kind.value, **target}, job_type=JobType.send_email, user_id=None
    )


def send_verification(db: Session, user: User) -> None:
    queue_mail(db, Mail.verify, user=user)


def new_verification_token(db: Session, user: User) -> str:
    """A fresh verification token for ``user`` (only its hash is kept); the previous one dies."""
    token = new_token()
    hours = get_settings().security.verification_hours
    user.verification_token = token_hash(token, purpose=VERIFY)
    user.verification_expires_at = utcnow() + timedelta(hours=hours)
    db.flush()
    return token


def new_reset_token(db: Session, user: User) -> str:
    """A password reset token for ``user`` (only its hash is kept)."""
    token = new_token()
    minutes = get_settings().security.password_reset_minutes
    db.add(
        PasswordReset(
            user_id=user.id,
            token_hash=token_hash(token, purpose=RESET),
            expires_at=utcnow() + timedelta(minutes=minutes),
        )
    )
    db.flush()
    return token


def verify_email(db: Session, *, token: str) -> User:
    user = db.scalar(
        select(User).where(User.verification_token == token_hash(token, purpose=VERIFY))
    )
    expires = user.verification_expires_at if user else None
    if user is None or expires is None or expires < utcnow():
        raise BadRequest(
            "This verification link is invalid, already used or expired. "
            "Request a new one from POST /api/v1/auth/resend-verification."
        )
    user.is_verified = True
    user.verification_token = None
    user.verification_expires_at = None
    return user


def resend_verification(db: Session, *, email: str) -> None:
    """Says nothing about whether the email exists: a job looks it up, and mails a new link
    only to an unverified account."""
    queue_mail(db, Mail.verify, email=email)


def login(
    db: Session, *, email: str, password: str, user_agent: str | None = None
) -> tuple[User, str, datetime]:
    user = get_by_email(db, email)
    # One argon2 verification on both paths, so timing does not reveal whether the email exists.
    if not check_password(user.password_hash if user else None, password) or user is None:
        raise Unauthorized("The email or password is incorrect.")
    if password_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    token, expires_at = open_session(db, user, user_agent=user_agent)
    return user, token, expires_at


def open_session(db: Session, user: User, *, user_agent: str | None = None) -> tuple[str, datetime]:
    token = new_token()
    expires_at = utcnow() + timedelta(days=get_settings().security.session_days)
    db.add(
        UserSession(
            user_id=user.id,
            token_hash=token_hash(token, purpose=SESSION),
            expires_at=expires_at,
            user_agent=(user_agent or "")[:300] or None,
        )
    )
    db.flush()
    return token, expires_at


def user_for_token(db: Session, token: str) -> tuple[User, UserSession] | None:
    row = db.execute(
        select(User, UserSession)
        .join(UserSession, UserSession.user_id == User.id)
        .where(
            UserSession.token_hash == token_hash(token, purpose=SESSION),
            UserSession.revoked_at.is_(None),
            UserSession.expires_at > utcnow(),
        )
    ).first()
    return (row[0], row[1]) if row else None


def logout(db: Session, *, session: UserSession) -> None:
    session.revoked_at = utcnow()


def revoke_sessions(db: Session, user: User, *, keep: UserSession | None = None) -> None:
    stmt = update(UserSession).where(
        UserSession.user_id == user.id, UserSession.revoked_at.is_(None)
    )
    if keep is not None:
        stmt = stmt.where(UserSession.id != keep.id)
    db.execute(stmt.values(revoked_at=utcnow()))


def request_password_reset(db: Session, *, email: str) -> None:
    """Says nothing about whether the email exists: the request does the same work either
    way (it queues a job), and the job looks the email up, writes the link and mails it."""
    queue_mail(db, Mail.password_reset, email=email)


def confirm_password_reset(db: Session, *, token: str, new_password: str) -> User:
    digest = token_hash(token, purpose=RESET)
    reset = db.scalar(select(PasswordReset).where(PasswordReset.token_hash == digest))
    if reset is None or reset.used_at is not None or reset.expires_at < utcnow():
        raise _reset_refused()
    user = db.get_one(User, reset.user_id)
    _require_good_password(new_password, user.email, field="new_password")
    # Spend the token with one conditional UPDATE: of several confirms racing with it, only
    # the one whose UPDATE finds it unused goes on.
    now = utcnow()
    spent = db.execute(
        update(PasswordReset)
        .where(
            PasswordReset.id == reset.id,
            PasswordReset.used_at.is_(None),
            PasswordReset.expires_at >= now,
        )
        .values(used_at=now)
        .returning(PasswordReset.id)
    ).first()
    if spent is None:
        raise _reset_refused()
    set_password(db, user, new_password)
    return user


def _reset_refused() -> BadRequest:
    return BadRequest("This reset link is invalid, already used or expired. Ask for a new one.")


def set_password(
    db: Session, user: User, password: str, *, keep: UserSession | None = None
) -> None:
    """A new password: every other session is signed out and every reset link still out
    stops working."""
    user.password_hash = hash_password(password)
    _signed_out_elsewhere(db, user, keep=keep)


def _signed_out_elsewhere(db: Session, user: User, *, keep: UserSession | None) -> None:
    """After a change of password or email: the other sessions and every unused reset link
    go (a link mailed before the change must not undo it)."""
    revoke_sessions(db, user, keep=keep)
    db.execute(
        update(PasswordReset)
        .where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None))
        .values(used_at=utcnow())
    )


def update_account(
    db: Session,
    user: User,
    *,
    current_session: UserSession | None,
    changes: dict[str, Any],
) -> User:
    """Apply a PATCH to the account. Email and password changes need the current password."""
    sensitive = "email" in changes or "new_password" in changes
    if sensitive:
        current = changes.get("current_password")
        if not current or not check_password(user.password_hash, current):
            raise Forbidden(
                "Changing your email or password needs your current password "
                "in 'current_password'.",
                field="current_password",
            )
    for field in ("first_name", "last_name"):
        if field in changes:
            setattr(user, field, changes[field])
    if changes.get("new_password"):
        _require_good_password(changes["new_password"], user.email, field="new_password")
        set_password(db, user, changes["new_password"], keep=current_session)
    new_email = changes.get("email")
    if new_email and normalize_email(new_email) != user.email:
        if get_by_email(db, new_email) is not None:
            raise Conflict("That email is already used by another account.", field="email")
        user.email = normalize_email(new_email)
        user.is_verified = False
        _signed_out_elsewhere(db, user, keep=current_session)
        send_verification(db, user)
    db.flush()
    return user


def delete_account(db: Session, user: User) -> None:
    """Everything of the user's goes with them (ON DELETE CASCADE); job records keep no link."""
    db.execute(delete(User).where(User.id == user.id))
    db.expunge(user)


def get_profile(db: Session, user: User) -> UserProfile:
    profile = db.scalar(select(UserProfile).where(UserProfile.user_id == user.id))
    if profile is None:
        profile = UserProfile(user_id=user.id, timezone="UTC", brand_values=[], business_goals=[])
        db.add(profile)
        db.flush()
    return profile


def update_profile(db: Session, user: User, *, values: dict[str, Any]) -> UserProfile:
    profile = get_profile(db, user)
    for field, value in values.items():
        setattr(profile, field, str(value) if field == "avatar_url" and value else value)
    if not all((profile.brand_name, profile.industry, profile.timezone)):
        profile.onboarding_completed = False
    db.flush()
    return profile


def complete_onboarding(db: Session, user: User) -> UserProfile:
    profile = get_profile(db, user)
    missing = [f for f in ("brand_name", "industry", "timezone") if not getattr(profile, f)]
    if missing:
        raise InvalidInput(
            f"Fill in {', '.join(missing)} in your profile before finishing onboarding.",
            missing=missing,
        )
    profile.onboarding_completed = True
    return profile


def require_verified(user: User) -> None:
    if not user.is_verified:
        raise Forbidden(
            "Confirm your email address first: open the link we sent you, or ask for a new one "
            "with POST /api/v1/auth/resend-verification."
        )


def list_users(db: Session) -> list[User]:
    return list(db.scalars(select(User).order_by(User.created_at)))

"""Connecting a social account: OAuth state bound to the sign-in, PKCE, then the first sync."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import uuid
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from soash.config import get_settings
from soash.db import utcnow
from soash.errors import BadRequest, Conflict, LimitReached, NotConfigured, UpstreamError
from soash.security import KeyRing, new_token, token_hash
from soash.social.models import OAuthState, Platform, SocialAccount
from soash.social.platforms.base import PlatformClient, Profile, Target, TargetLister, TokenSet
from soash.social.platforms.errors import PlatformError
from soash.social.platforms.registry import client_for, is_configured
from soash.social.tokens import apply_profile, store_tokens
from soash.users.models import SubscriptionStatus, User, UserSession
from soash.users.plans import limits_for
from soash.users.service import require_verified

STATE_TTL = timedelta(minutes=15)
STATE = "oauth-state"


API_CALLBACK = "/api/v1/social-accounts/callback/{platform}"
WEB_CALLBACK = "/accounts/callback/{platform}"


def redirect_uri(platform: Platform, *, web: bool = False) -> str:
    """Where the platform sends the user back: the API's callback (answers JSON), or, for a
    connect started in the web app, the web page that finishes it and shows the account."""
    path = (WEB_CALLBACK if web else API_CALLBACK).format(platform=platform.value)
    return f"{get_settings().base_url}{path}"


def _pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(64)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).decode().rstrip("=")


def _check_limit(db: Session, user: User) -> None:
    limits = limits_for(user)
    connected = db.scalar(
        select(func.count())
        .select_from(SocialAccount)
        .where(SocialAccount.user_id == user.id, SocialAccount.connected)
    )
    if (connected or 0) >= limits.social_accounts:
        tier = user.subscription_tier.value
        plan = (
            f"Your {tier} plan allows"
            if user.subscription_status is SubscriptionStatus.active
            else f"Your {tier} subscription is {user.subscription_status.value}, so the free "
            "plan's limit applies:"
        )
        raise LimitReached(
            f"{plan} {limits.social_accounts} connected accounts and you have reached it. "
            "Disconnect an account or upgrade your plan.",
            limit=limits.social_accounts,
            tier=tier,
        )


def start_connect(
    db: Session,
    user: User,
    *,
    session: UserSession,
    platform: Platform,
    client: PlatformClient | None = None,
    web: bool = False,
) -> str:
    """The platform's authorize URL for this user; the state in it is single-use and expires.
    ``web``: the platform sends the browser back to the web app's callback page."""
    require_verified(user)
    if client is None and not is_configured(platform):
        prefix = f"SOASH_{'X' if platform is Platform.twitter else platform.value.upper()}"
        raise NotConfigured(
            f"{platform.value} is not set up on this server: the administrator must set "
            f"{prefix}_CLIENT_ID and {prefix}_CLIENT_SECRET."
        )
    _check_limit(db, user)
    client = client or client_for(platform)
    state = new_token()
    verifier, challenge = _pkce_pair() if client.uses_pkce else (None, None)
    row = OAuthState(
        id=uuid.uuid4(),
        user_id=user.id,
        session_id=session.id,
        platform=platform,
        state_hash=token_hash(state, purpose=STATE),
        expires_at=utcnow() + STATE_TTL,
    )
    if verifier:
        row.code_verifier = KeyRing.from_settings().encrypt(verifier, context=f"oauth:{row.id}")
    db.add(row)
    db.flush()
    return client.authorize_url(
        state=state, redirect_uri=redirect_uri(platform, web=web), code_challenge=challenge
    )


def _bad_state() -> BadRequest:
    return BadRequest(
        "This connect link is invalid, expired or already used. Start connecting again."
    )


def finish_connect(
    db: Session,
    user: User,
    *,
    session: UserSession,
    platform: Platform,
    code: str,
    state: str,
    client: PlatformClient | None = None,
    web: bool = False,
) -> SocialAccount | list[Profile]:
    """Check the state, trade the code for tokens, and store (or reconnect) the account.
    ``web`` must be what :func:`start_connect` was given (the redirect URI must match).

    When the login administers several accounts (Facebook Pages, LinkedIn organizations),
    nothing is connected yet: their profiles are returned for the user to pick one with
    :func:`choose_target` (the tokens wait, encrypted, on the state, until it expires)."""
    row = _pending_state(db, user, session=session, platform=platform, state=state)
    verifier = (
        KeyRing.from_settings().decrypt(row.code_verifier, context=f"oauth:{row.id}")
        if row.code_verifier
        else None
    )
    client = client or client_for(platform)
    # The platform calls come before this transaction's first write (see soash.db).
    try:
        tokens = client.exchange_code(
            code=code, redirect_uri=redirect_uri(platform, web=web), code_verifier=verifier
        )
        targets = (
            client.list_targets(tokens)
            if isinstance(client, TargetLister)
            else [Target(client.fetch_profile(tokens.access_token), tokens)]
        )
    except PlatformError as exc:
        raise UpstreamError(
            f"{platform.value} did not complete the connection: {str(exc).rstrip('.')}. "
            "Try connecting again."
        ) from exc
    if not targets:
        raise UpstreamError(f"{platform.value} gave access to no account Soash can connect.")
    _use(db, row)
    if len(targets) == 1:
        return _connect(db, user, platform, targets[0])
    row.choices = KeyRing.from_settings().encrypt(
        json.dumps([_dump(t) for t in targets]), context=f"oauth-choices:{row.id}"
    )
    return [t.profile for t in targets]


def choose_target(
    db: Session,
    user: User,
    *,
    session: UserSession,
    platform: Platform,
    state: str,
    platform_user_id: str,
) -> SocialAccount:
    """Connect the account the user picked among those :func:`finish_connect` returned."""
    row = db.scalar(
        select(OAuthState).where(OAuthState.state_hash == token_hash(state, purpose=STATE))
    )
    if (
        row is None
        or row.choices is None
        or row.expires_at < utcnow()
        or row.user_id != user.id
        or row.session_id != session.id
        or row.platform is not platform
    ):
        raise _bad_state()
    stored = KeyRing.from_settings().decrypt(row.choices, context=f"oauth-choices:{row.id}")
    targets = {t.profile.platform_user_id: t for t in map(_load, json.loads(stored))}
    if platform_user_id not in targets:
        raise BadRequest(
            "Pick one of the accounts this connection offered.", field="platform_user_id"
        )
    taken = db.execute(
        update(OAuthState)
        .where(OAuthState.id == row.id, OAuthState.choices.is_not(None))
        .values(choices=None)
    )
    if not taken.rowcount:  # type: ignore[attr-defined]
        raise _bad_state()
    return _connect(db, user, platform, targets[platform_user_id])


def _pending_state(
    db: Session, user: User, *, session: UserSession, platform: Platform, state: str
) -> OAuthState:
    row = db.scalar(
        select(OAuthState).where(OAuthState.state_hash == token_hash(state, purpose=STATE))
    )
    if (
        row is None
        or row.used_at is not None
        or row.expires_at < utcnow()
        or row.user_id != user.id
        or row.session_id != session.id
        or row.platform is not platform
    ):
        raise _bad_state()
    return row


def _use(db: Session, row: OAuthState) -> None:
    used = db.execute(
        update(OAuthState)
        .where(OAuthState.id == row.id, OAuthState.used_at.is_(None))
        .values(used_at=utcnow())
    )
    if not used.rowcount:  # type: ignore[attr-defined]
        raise _bad_state()  # the same link finished a moment ago in another request


def _connect(db: Session, user: User, platform: Platform, target: Target) -> SocialAccount:
    profile, tokens = target.profile, target.tokens
    account = db.scalar(
        select(SocialAccount).where(
            SocialAccount.platform == platform,
            SocialAccount.platform_user_id == profile.platform_user_id,
        )
    )
    if account is not None and account.user_id != user.id:
        raise Conflict(
            f"This {platform.value} account is already connected to another Soash account."
        )
    if account is None or not account.connected:
        _check_limit(db, user)
    if account is None:
        account = SocialAccount(
            id=uuid.uuid4(),
            user_id=user.id,
            platform=platform,
            platform_user_id=profile.platform_user_id,
            unavailable_metrics=[],
        )
        db.add(account)
    apply_profile(account, profile)
    account.is_active = True
    account.sync_error = None
    store_tokens(account, tokens)
    db.flush()
    return account


def _dump(target: Target) -> dict[str, Any]:
    tokens = target.tokens
    return {
        "profile": asdict(target.profile),
        "tokens": {
            "access_token": tokens.access_token,
            "refresh_token": tokens.refresh_token,
            "expires_at": tokens.expires_at.isoformat() if tokens.expires_at else None,
            "platform_user_id": tokens.platform_user_id,
            "scopes": list(tokens.scopes),
        },
    }


def _load(data: dict[str, Any]) -> Target:
    tokens = dict(data["tokens"])
    expires = tokens.pop("expires_at")
    return Target(
        Profile(**data["profile"]),
        TokenSet(
            **tokens | {"scopes": tuple(tokens["scopes"])},
            expires_at=datetime.fromisoformat(expires) if expires else None,
        ),
    )

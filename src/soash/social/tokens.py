"""What Soash keeps of a platform grant: the OAuth tokens at rest (AES-GCM under the key ring,
bound to the account row and the field) and the profile the platform reports."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select

from soash.db import session_scope
from soash.security import KeyRing
from soash.social.models import SocialAccount
from soash.social.platforms.base import Profile, TokenSet


def _context(account: SocialAccount, field: str) -> str:
    return f"social_accounts:{account.id}:{field}"


def store_tokens(account: SocialAccount, tokens: TokenSet, *, ring: KeyRing | None = None) -> None:
    """Save a token set; a refresh token the platform did not send again is kept."""
    ring = ring or KeyRing.from_settings()
    account.access_token = ring.encrypt(tokens.access_token, context=_context(account, "access"))
    if tokens.refresh_token:
        account.refresh_token = ring.encrypt(
            tokens.refresh_token, context=_context(account, "refresh")
        )
    account.token_expires_at = tokens.expires_at


def load_tokens(account: SocialAccount, *, ring: KeyRing | None = None) -> TokenSet | None:
    if account.access_token is None:
        return None
    ring = ring or KeyRing.from_settings()
    refresh = (
        ring.decrypt(account.refresh_token, context=_context(account, "refresh"))
        if account.refresh_token
        else None
    )
    return TokenSet(
        access_token=ring.decrypt(account.access_token, context=_context(account, "access")),
        refresh_token=refresh,
        expires_at=account.token_expires_at,
        platform_user_id=account.platform_user_id,
    )


def apply_profile(account: SocialAccount, profile: Profile) -> None:
    """Copy what the platform says about the account onto it (keeping what it left out)."""
    account.username = profile.username or account.username
    account.display_name = profile.display_name or account.display_name
    account.avatar_url = profile.avatar_url or account.avatar_url
    account.follower_count = profile.followers
    account.following_count = profile.following


def forget_tokens(account: SocialAccount) -> None:
    account.access_token = None
    account.refresh_token = None
    account.token_expires_at = None


def rotate_keys(
    *,
    ring: KeyRing | None = None,
    batch: int = 500,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Re-encrypt every stored token under the newest key, one short transaction a batch
    (a command's work: it owns its transactions).

    Old keys stay readable while this runs (they are still in the ring), so the app keeps
    working; once it finishes, the old key can be removed from SOASH_SECURITY_ENCRYPTION_KEYS.
    """
    ring = ring or KeyRing.from_settings()
    done = 0
    last_id = None
    while True:
        with session_scope() as db:
            stmt = select(SocialAccount).order_by(SocialAccount.id).limit(batch)
            if last_id is not None:
                stmt = stmt.where(SocialAccount.id > last_id)
            accounts = list(db.scalars(stmt))
            if not accounts:
                return done
            for account in accounts:
                tokens = load_tokens(account, ring=ring)
                if tokens is not None and (
                    ring.key_id(account.access_token or "") != ring.active
                    or (account.refresh_token and ring.key_id(account.refresh_token) != ring.active)
                ):
                    store_tokens(account, tokens, ring=ring)
                    done += 1
            last_id = accounts[-1].id
        if progress:
            progress(len(accounts))

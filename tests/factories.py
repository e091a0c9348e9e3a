"""Rows the tests start from, written straight through the services (no HTTP)."""

from __future__ import annotations

import uuid

from soash.db import session_scope
from soash.users import service as users
from soash.users.models import SubscriptionTier
from tests.helpers import PASSWORD


def make_user(
    email: str | None = None,
    *,
    password: str = PASSWORD,
    tier: SubscriptionTier = SubscriptionTier.free,
    verified: bool = True,
    onboarded: bool = True,
) -> uuid.UUID:
    """A user who can sign in with ``password``: verified and through onboarding unless told
    otherwise; a random address unless ``email`` is given."""
    with session_scope() as db:
        user = users.create_user(
            db,
            email=email or f"user-{uuid.uuid4().hex[:12]}@example.com",
            password=password,
            verified=verified,
            tier=tier,
        )
        if onboarded:
            users.update_profile(
                db,
                user,
                values={"brand_name": "Test Brand", "industry": "Testing", "timezone": "UTC"},
            )
            users.complete_onboarding(db, user)
        return user.id

"""Social accounts as the API shows them (never with tokens)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import Field, model_validator

from soash.schemas import InModel, OutModel
from soash.social.models import Platform, SocialAccount
from soash.system.schemas import JobOut


class SocialAccountOut(OutModel):
    id: uuid.UUID
    platform: Platform
    platform_user_id: str
    username: str | None
    display_name: str | None
    avatar_url: str | None
    follower_count: int | None
    following_count: int | None
    is_active: bool
    last_synced_at: datetime | None
    sync_error: str | None
    unavailable_metrics: list[str]
    token_expires_at: datetime | None
    created_at: datetime
    connected: bool  # Soash holds a grant for this account (false after a disconnect)

    @model_validator(mode="before")
    @classmethod
    def _from_row(cls, data: Any) -> Any:
        if isinstance(data, SocialAccount):
            return {name: getattr(data, name) for name in cls.model_fields}
        return data


class SocialAccountPatch(InModel):
    is_active: bool


class AuthorizeOut(OutModel):
    authorize_url: str


class TargetOut(OutModel):
    """An account the login administers (a Facebook Page, a LinkedIn organization)."""

    platform_user_id: str
    username: str | None
    display_name: str | None
    avatar_url: str | None
    followers: int | None


class ConnectedOut(OutModel):
    """The connected account and its first sync; or, when the login administers several
    accounts, ``choices`` to pick one from with ``POST .../connect/{platform}/choose``."""

    account: SocialAccountOut | None
    sync_job: JobOut | None
    choices: list[TargetOut] = Field(default_factory=list)


class ChooseIn(InModel):
    state: str = Field(min_length=1, max_length=200)
    platform_user_id: str = Field(min_length=1, max_length=128)

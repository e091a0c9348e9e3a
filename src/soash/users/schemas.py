"""Request and response bodies for accounts, sign-in and the brand profile."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from email_validator import EmailNotValidError, validate_email
from pydantic import AfterValidator, Field, HttpUrl

from soash.schemas import InModel, OutModel
from soash.users.models import SubscriptionStatus, SubscriptionTier

Name = Annotated[str, Field(min_length=1, max_length=100)]
Password = Annotated[str, Field(min_length=1, max_length=256)]
Token = Annotated[str, Field(min_length=10, max_length=200)]
ShortText = Annotated[str, Field(max_length=200)]
LongText = Annotated[str, Field(max_length=5000)]
Phrase = Annotated[str, Field(min_length=1, max_length=200)]


def _valid_timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"'{name}' is not a known IANA timezone; use a name like 'Europe/Paris' or 'UTC'"
        ) from None
    return name


def _valid_email(value: str) -> str:
    try:
        # Self-hosted installs use internal domains (.local, .internal): no DNS, no TLD rules.
        checked = validate_email(value, check_deliverability=False, globally_deliverable=False)
    except EmailNotValidError as exc:
        raise ValueError(f"is not a valid email address: {exc}") from None
    return checked.normalized.lower()


EmailStr = Annotated[str, Field(max_length=320), AfterValidator(_valid_email)]
Timezone = Annotated[str, Field(max_length=64), AfterValidator(_valid_timezone)]


class RegisterIn(InModel):
    email: EmailStr
    password: Password
    first_name: Name | None = None
    last_name: Name | None = None
    referral_code: Annotated[str, Field(max_length=40)] | None = None


class TokenIn(InModel):
    token: Token


class EmailIn(InModel):
    email: EmailStr


class LoginIn(InModel):
    email: EmailStr
    password: Password


class PasswordResetConfirmIn(InModel):
    token: Token
    new_password: Password


class LoginOut(OutModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 - the OAuth token type name
    expires_at: datetime


class MessageOut(OutModel):
    message: str


class RegisteredOut(OutModel):
    """The same for a new email and one already signed up (a message goes to it either way)."""

    email: str
    message: str


class UserOut(OutModel):
    id: uuid.UUID
    email: str
    first_name: str | None
    last_name: str | None
    is_verified: bool
    subscription_tier: SubscriptionTier
    subscription_status: SubscriptionStatus
    created_at: datetime
    last_login_at: datetime | None


class UserPatch(InModel):
    first_name: Name | None = None
    last_name: Name | None = None
    email: EmailStr | None = None
    new_password: Password | None = None
    current_password: Password | None = None


class ProfileIn(InModel):
    brand_name: ShortText | None = None
    brand_description: LongText | None = None
    industry: Annotated[str, Field(max_length=100)] | None = None
    target_audience: LongText | None = None
    brand_values: Annotated[list[Phrase], Field(max_length=20, default_factory=list)]
    business_goals: Annotated[list[Phrase], Field(max_length=20, default_factory=list)]
    timezone: Timezone = "UTC"
    avatar_url: HttpUrl | None = None


class ProfileOut(OutModel):
    brand_name: str | None
    brand_description: str | None
    industry: str | None
    target_audience: str | None
    brand_values: list[str]
    business_goals: list[str]
    timezone: str
    avatar_url: str | None
    onboarding_completed: bool
    updated_at: datetime

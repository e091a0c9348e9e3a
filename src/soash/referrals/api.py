"""Routes for the user's referral codes and the sign-ups they brought."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, status

from soash.config import get_settings
from soash.deps import DB, CurrentUser
from soash.referrals import service
from soash.referrals.schemas import ReferralCodeOut, ReferralCodePatch, ReferralsOut
from soash.schemas import MAX_OFFSET

referrals = APIRouter(tags=["referrals"])


@referrals.get("/referral-codes", response_model=list[ReferralCodeOut])
def list_codes(user: CurrentUser, db: DB) -> Any:
    return service.list_codes(db, user)


@referrals.post(
    "/referral-codes", status_code=status.HTTP_201_CREATED, response_model=ReferralCodeOut
)
def create_code(user: CurrentUser, db: DB) -> Any:
    return service.create_code(db, user)


@referrals.patch("/referral-codes/{code_id}", response_model=ReferralCodeOut)
def update_code(code_id: uuid.UUID, body: ReferralCodePatch, user: CurrentUser, db: DB) -> Any:
    return service.set_code_active(db, user, code_id, is_active=body.is_active)


@referrals.get("/referrals", response_model=ReferralsOut)
def list_referrals(
    user: CurrentUser,
    db: DB,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> Any:
    found = service.overview(db, user, limit=limit, offset=offset)
    billing = get_settings().billing
    return ReferralsOut.model_validate(
        {
            "signups": found.signups,
            "totals": found.totals,
            "commission_rate": billing.commission_rate,
            "refund_window_days": billing.refund_window_days,
        }
    )

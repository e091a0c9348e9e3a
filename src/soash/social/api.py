"""Routes for connecting, listing, pausing, disconnecting and syncing social accounts."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, status
from sqlalchemy.orm import Session

from soash.deps import DB, CurrentAuth, CurrentUser
from soash.social import connect, service
from soash.social.models import Platform, SocialAccount
from soash.social.schemas import (
    AuthorizeOut,
    ChooseIn,
    ConnectedOut,
    SocialAccountOut,
    SocialAccountPatch,
    TargetOut,
)
from soash.system.schemas import JobOut

router = APIRouter(prefix="/social-accounts", tags=["social accounts"])


@router.get("/connect/{platform}", response_model=AuthorizeOut)
def start_connect(platform: Platform, auth: CurrentAuth, db: DB) -> Any:
    url = connect.start_connect(db, auth.user, session=auth.session, platform=platform)
    return AuthorizeOut(authorize_url=url)


@router.get("/callback/{platform}", response_model=ConnectedOut)
def finish_connect(
    platform: Platform,
    auth: CurrentAuth,
    db: DB,
    code: Annotated[str, Query(min_length=1, max_length=2000)],
    state: Annotated[str, Query(min_length=1, max_length=200)],
) -> Any:
    found = connect.finish_connect(
        db, auth.user, session=auth.session, platform=platform, code=code, state=state
    )
    if isinstance(found, list):
        return ConnectedOut(
            account=None, sync_job=None, choices=[TargetOut.model_validate(p) for p in found]
        )
    return _connected(db, found)


@router.post("/connect/{platform}/choose", response_model=ConnectedOut)
def choose_target(platform: Platform, body: ChooseIn, auth: CurrentAuth, db: DB) -> Any:
    """Connect the account picked among a callback's ``choices``."""
    account = connect.choose_target(
        db,
        auth.user,
        session=auth.session,
        platform=platform,
        state=body.state,
        platform_user_id=body.platform_user_id,
    )
    return _connected(db, account)


def _connected(db: Session, account: SocialAccount) -> ConnectedOut:
    job = service.ensure_sync(db, account)
    return ConnectedOut(
        account=SocialAccountOut.model_validate(account), sync_job=JobOut.model_validate(job)
    )


@router.get("", response_model=list[SocialAccountOut])
def list_accounts(user: CurrentUser, db: DB) -> Any:
    return service.list_accounts(db, user)


@router.get("/{account_id}", response_model=SocialAccountOut)
def get_account(account_id: uuid.UUID, user: CurrentUser, db: DB) -> Any:
    return service.get_account(db, user, account_id)


@router.patch("/{account_id}", response_model=SocialAccountOut)
def patch_account(
    account_id: uuid.UUID, body: SocialAccountPatch, user: CurrentUser, db: DB
) -> Any:
    return service.set_active(db, user, account_id, is_active=body.is_active)


@router.delete("/{account_id}", status_code=status.HTTP_204_NO_CONTENT)
def disconnect(
    account_id: uuid.UUID,
    user: CurrentUser,
    db: DB,
    delete_data: Annotated[bool, Query(description="Also delete its posts and metrics.")] = False,
) -> None:
    service.disconnect(db, user, account_id, delete_data=delete_data)


@router.post("/{account_id}/sync", status_code=status.HTTP_202_ACCEPTED, response_model=JobOut)
def sync_now(account_id: uuid.UUID, user: CurrentUser, db: DB) -> Any:
    return service.queue_sync(db, service.get_account(db, user, account_id))

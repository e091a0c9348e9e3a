"""Social accounts: connect each platform (OAuth out and back to a page), sync status, sync now,
pause and resume, reconnect, disconnect."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated

from fastapi import Query, Request, Response
from fastapi.responses import RedirectResponse

from soash.deps import DB
from soash.social import connect, service
from soash.social.models import Platform, SocialAccount
from soash.social.platforms.demo import is_demo
from soash.social.platforms.registry import is_configured
from soash.system import service as jobs
from soash.system.models import JobStatus, JobType, SystemJob
from soash.web import forms
from soash.web.cookies import set_cookie
from soash.web.core import redirect, render, safe_next, web_router
from soash.web.filters import ago, label
from soash.web.session import Actor, Form, Viewer

router = web_router()
RETURN_COOKIE = "soash_connect_return"
ACTIVE = (JobStatus.pending, JobStatus.running)


@dataclass(frozen=True)
class PlatformCard:
    platform: Platform
    name: str
    configured: bool
    connected: int


@dataclass(frozen=True)
class AccountView:
    account: SocialAccount
    demo: bool
    connected: bool
    status: str
    kind: str  # green | amber | red | accent | grey
    job: SystemJob | None

    @property
    def syncing(self) -> bool:
        return self.job is not None and self.job.status in ACTIVE


def platform_cards(accounts: Sequence[SocialAccount]) -> list[PlatformCard]:
    return [
        PlatformCard(
            platform=p,
            name=label(p),
            configured=is_configured(p),
            connected=sum(1 for a in accounts if a.platform is p and a.connected),
        )
        for p in Platform
    ]


def _status(account: SocialAccount, job: SystemJob | None) -> tuple[str, str]:
    if not account.connected:
        return "Disconnected", "grey"
    if not account.is_active:
        return ("Paused: reconnect needed", "red") if account.sync_error else ("Paused", "amber")
    if job is not None and job.status in ACTIVE:
        return "Syncing…", "accent"
    if account.sync_error:
        return "Last sync failed", "red"
    if account.last_synced_at is None:
        return "Waiting for the first sync", "grey"
    return f"Synced {ago(account.last_synced_at)}", "green"


def account_views(
    accounts: Sequence[SocialAccount], recent_jobs: Sequence[SystemJob]
) -> list[AccountView]:
    latest: dict[str, SystemJob] = {}
    for job in recent_jobs:  # newest first
        if job.job_type is JobType.sync_metrics and job.subject:
            latest.setdefault(job.subject, job)
    views = []
    for account in accounts:
        last = latest.get(str(account.id))
        status, kind = _status(account, last)
        views.append(
            AccountView(
                account=account,
                demo=is_demo(account.platform_user_id),
                connected=account.connected,
                status=status,
                kind=kind,
                job=last,
            )
        )
    return views


def _view(db: DB, auth: Viewer, account_id: uuid.UUID) -> AccountView:
    account = service.get_account(db, auth.user, account_id)
    return account_views([account], jobs.list_jobs(db, auth.user, limit=50))[0]


@router.get("/accounts")
def accounts_page(request: Request, db: DB, auth: Viewer) -> Response:
    accounts = service.list_accounts(db, auth.user)
    return render(
        request,
        "accounts/list.html",
        page_title="Accounts",
        accounts=account_views(accounts, jobs.list_jobs(db, auth.user, limit=100)),
        platforms=platform_cards(accounts),
    )


@router.get("/accounts/{account_id}")
def account_page(request: Request, db: DB, auth: Viewer, account_id: uuid.UUID) -> Response:
    view = _view(db, auth, account_id)
    history = [j for j in jobs.list_jobs(db, auth.user, limit=200) if j.subject == str(account_id)][
        :10
    ]
    return render(
        request,
        "accounts/detail.html",
        page_title=view.account.username or "Account",
        view=view,
        history=history,
    )


@router.get("/accounts/{account_id}/status")
def account_status(request: Request, db: DB, auth: Viewer, account_id: uuid.UUID) -> Response:
    """The status badge, polled by htmx while a sync runs."""
    return render(request, "accounts/_status.html", view=_view(db, auth, account_id))


# -- connect ------------------------------------------------------------------------------------


def _start(request: Request, db: DB, auth: Actor, platform: Platform, back: str) -> Response:
    outcome = forms.attempt(
        db,
        lambda: connect.start_connect(
            db, auth.user, session=auth.session, platform=platform, web=True
        ),
    )
    if not outcome.ok or outcome.value is None:
        return redirect(request, back, message=outcome.errors[forms.FORM], kind="error")
    response = RedirectResponse(outcome.value, status_code=303)
    set_cookie(response, RETURN_COOKIE, back, max_age=900)
    return response


@router.post("/accounts/connect/{platform}")
def start_connect(
    request: Request, db: DB, auth: Actor, form: Form, platform: Platform
) -> Response:
    back = safe_next(forms.fields(form, "return_to")["return_to"], "/accounts")
    return _start(request, db, auth, platform, back)


@router.post("/accounts/{account_id}/reconnect")
def reconnect(request: Request, db: DB, auth: Actor, account_id: uuid.UUID) -> Response:
    account = service.get_account(db, auth.user, account_id)
    return _start(request, db, auth, account.platform, f"/accounts/{account_id}")


@router.get("/accounts/callback/{platform}")
def finish_connect(
    request: Request,
    db: DB,
    auth: Viewer,
    platform: Platform,
    code: Annotated[str, Query(max_length=2000)] = "",
    state: Annotated[str, Query(max_length=200)] = "",
    error: Annotated[str, Query(max_length=200)] = "",
    error_description: Annotated[str, Query(max_length=500)] = "",
) -> Response:
    """Where the platform sends the browser back (connect.redirect_uri(platform, web=True))."""
    back = safe_next(request.cookies.get(RETURN_COOKIE), "/accounts")
    name = label(platform)
    if error or not code or not state:
        reason = error_description or error or "no authorization code came back"
        return _back(request, back, f"{name} was not connected: {reason}.", "error")
    outcome = forms.attempt(
        db,
        lambda: connect.finish_connect(
            db, auth.user, session=auth.session, platform=platform, code=code, state=state, web=True
        ),
    )
    if not outcome.ok or outcome.value is None:
        return _back(request, back, outcome.errors[forms.FORM], "error")
    if isinstance(outcome.value, list):
        return render(
            request,
            "accounts/choose.html",
            page_title=f"Choose the {name} account",
            platform=platform,
            name=name,
            state=state,
            choices=outcome.value,
        )
    return _connected(request, db, back, platform, outcome.value)


@router.post("/accounts/connect/{platform}/choose")
def choose_target(
    request: Request, db: DB, auth: Actor, form: Form, platform: Platform
) -> Response:
    back = safe_next(request.cookies.get(RETURN_COOKIE), "/accounts")
    picked = forms.fields(form, "state", "platform_user_id")
    outcome = forms.attempt(
        db,
        lambda: connect.choose_target(
            db,
            auth.user,
            session=auth.session,
            platform=platform,
            state=picked["state"][:200],
            platform_user_id=picked["platform_user_id"][:128],
        ),
    )
    if not outcome.ok or outcome.value is None:
        return _back(request, back, next(iter(outcome.errors.values())), "error")
    return _connected(request, db, back, platform, outcome.value)


def _connected(
    request: Request, db: DB, back: str, platform: Platform, account: SocialAccount
) -> Response:
    name = label(platform)
    who = f"@{account.username}" if account.username else account.platform_user_id
    synced = forms.attempt(db, lambda: service.ensure_sync(db, account))
    message = f"Connected {name} {who}." + (
        " Its first sync has started." if synced.ok else f" {synced.errors[forms.FORM]}"
    )
    return _back(request, back, message, "success")


def _back(request: Request, url: str, message: str, kind: str) -> Response:
    response = redirect(request, url, message=message, kind=kind)
    response.delete_cookie(RETURN_COOKIE)
    return response


# -- manage -----------------------------------------------------------------------------------


@router.post("/accounts/{account_id}/sync")
def sync_now(request: Request, db: DB, auth: Actor, account_id: uuid.UUID) -> Response:
    account = service.get_account(db, auth.user, account_id)
    outcome = forms.attempt(db, lambda: service.queue_sync(db, account))
    if not outcome.ok:
        return redirect(request, "/accounts", message=outcome.errors[forms.FORM], kind="error")
    return redirect(request, "/accounts", message="Sync started.")


@router.post("/accounts/{account_id}/pause")
def pause(request: Request, db: DB, auth: Actor, account_id: uuid.UUID) -> Response:
    service.set_active(db, auth.user, account_id, is_active=False)
    return redirect(request, "/accounts", message="Paused: it will not sync until you resume it.")


@router.post("/accounts/{account_id}/resume")
def resume(request: Request, db: DB, auth: Actor, account_id: uuid.UUID) -> Response:
    outcome = forms.attempt(
        db, lambda: service.set_active(db, auth.user, account_id, is_active=True)
    )
    if not outcome.ok:
        return redirect(request, "/accounts", message=outcome.errors[forms.FORM], kind="error")
    return redirect(request, "/accounts", message="Resumed: it syncs again every day.")


@router.post("/accounts/{account_id}/disconnect")
def disconnect(
    request: Request, db: DB, auth: Actor, form: Form, account_id: uuid.UUID
) -> Response:
    delete_data = forms.fields(form, "delete_data")["delete_data"] == "yes"
    service.disconnect(db, auth.user, account_id, delete_data=delete_data)
    message = (
        "Disconnected, and its posts and metrics are deleted."
        if delete_data
        else "Disconnected. Its history stays; connect it again to resume."
    )
    return redirect(request, "/accounts", message=message)

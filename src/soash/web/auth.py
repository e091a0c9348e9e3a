"""Sign up (with a referral code), verify email, sign in and out, forgot and reset password."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import Query, Request, Response

from soash.deps import DB, clear_session_cookies, client_ip, set_session_cookies
from soash.users import service as users
from soash.users import throttle
from soash.users.mailings import registered_message
from soash.users.models import User
from soash.users.schemas import EmailIn, LoginIn, PasswordResetConfirmIn, RegisterIn
from soash.web import forms
from soash.web.core import redirect, render, safe_next, web_router
from soash.web.session import Actor, AnonymousForm, MaybeViewer, Visitor

router = web_router()
Next = Annotated[str | None, Query(alias="next", max_length=500)]


@router.get("/")
def home(auth: MaybeViewer, request: Request) -> Response:
    return redirect(request, "/dashboard" if auth else "/sign-in")


# -- sign up ----------------------------------------------------------------------------------


@router.get("/sign-up")
def sign_up_page(
    request: Request,
    auth: MaybeViewer,
    _: Visitor,
    ref: Annotated[str | None, Query(max_length=40)] = None,
) -> Response:
    if auth is not None:
        return redirect(request, "/dashboard")
    values = {"referral_code": ref or ""}
    return render(request, "auth/sign_up.html", page_title="Create your account", values=values)


def _register(db: DB, request: Request, body: RegisterIn) -> str:
    throttle.check("register", ip=client_ip(request), email=body.email)
    users.register(db, **body.model_dump())
    return body.email


@router.post("/sign-up")
def sign_up(request: Request, db: DB, form: AnonymousForm) -> Response:
    values = forms.fields(form, "email", "password", "first_name", "last_name", "referral_code")
    outcome = forms.submit(
        db,
        RegisterIn,
        forms.without_blanks(values),
        lambda body: _register(db, request, body),
        default_field="email",
    )
    if not outcome.ok or outcome.value is None:
        values["password"] = ""
        return render(
            request,
            "auth/sign_up.html",
            status=outcome.status,
            page_title="Create your account",
            values=values,
            errors=outcome.errors,
        )
    # The same answer whether or not the email already had an account (its owner is mailed),
    # so the page cannot be used to find out who has one: no session is opened here.
    return redirect(
        request,
        "/sign-in?next=/onboarding",
        message=registered_message(outcome.value),
    )


# -- verify -----------------------------------------------------------------------------------


@router.get("/verify")
def verify(
    request: Request,
    db: DB,
    auth: MaybeViewer,
    token: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    outcome = forms.attempt(db, lambda: users.verify_email(db, token=token))
    return render(
        request,
        "auth/verified.html",
        status=200 if outcome.ok else 400,
        page_title="Email confirmed" if outcome.ok else "This link did not work",
        verified=outcome.ok,
    )


def _resend(db: DB, request: Request, user: User) -> None:
    throttle.check("verify", ip=client_ip(request), email=user.email)
    users.resend_verification(db, email=user.email)


@router.post("/verify/resend")
def resend_verification(request: Request, db: DB, auth: Actor) -> Response:
    outcome = forms.attempt(db, lambda: _resend(db, request, auth.user))
    if not outcome.ok:
        return redirect(request, "/settings", message=outcome.errors[forms.FORM], kind="error")
    return redirect(
        request, "/settings", message=f"A new confirmation link is on its way to {auth.user.email}."
    )


# -- sign in and out --------------------------------------------------------------------------


@router.get("/sign-in")
def sign_in_page(request: Request, auth: MaybeViewer, _: Visitor, next_: Next = None) -> Response:
    if auth is not None:
        return redirect(request, safe_next(next_))
    return render(
        request,
        "auth/sign_in.html",
        page_title="Sign in",
        values={"email": ""},
        next=safe_next(next_),
    )


def _login(db: DB, request: Request, body: LoginIn) -> tuple[str, datetime]:
    throttle.check("login", ip=client_ip(request), email=body.email)
    _, token, expires_at = users.login(
        db, email=body.email, password=body.password, user_agent=request.headers.get("user-agent")
    )
    return token, expires_at


@router.post("/sign-in")
def sign_in(request: Request, db: DB, form: AnonymousForm) -> Response:
    values = forms.fields(form, "email", "password")
    target = safe_next(forms.fields(form, "next")["next"])
    outcome = forms.submit(db, LoginIn, values, lambda body: _login(db, request, body))
    if not outcome.ok or outcome.value is None:
        return render(
            request,
            "auth/sign_in.html",
            status=outcome.status,
            page_title="Sign in",
            values={"email": values["email"]},
            errors=outcome.errors,
            next=target,
        )
    token, expires_at = outcome.value
    response = redirect(request, target)
    set_session_cookies(response, token, expires_at)
    return response


@router.post("/sign-out")
def sign_out(request: Request, db: DB, auth: Actor) -> Response:
    users.logout(db, session=auth.session)
    response = redirect(request, "/sign-in", message="You are signed out.", kind="info")
    clear_session_cookies(response)
    return response


# -- forgotten password -----------------------------------------------------------------------


@router.get("/forgot-password")
def forgot_page(request: Request, _: Visitor) -> Response:
    return render(
        request, "auth/forgot.html", page_title="Reset your password", values={"email": ""}
    )


def _request_reset(db: DB, request: Request, body: EmailIn) -> None:
    throttle.check("reset", ip=client_ip(request), email=body.email)
    users.request_password_reset(db, email=body.email)


@router.post("/forgot-password")
def forgot(request: Request, db: DB, form: AnonymousForm) -> Response:
    values = forms.fields(form, "email")
    outcome = forms.submit(db, EmailIn, values, lambda body: _request_reset(db, request, body))
    return render(
        request,
        "auth/forgot.html",
        status=outcome.status,
        page_title="Reset your password",
        values=values,
        errors=outcome.errors,
        sent=outcome.ok,
    )


@router.get("/reset-password")
def reset_page(
    request: Request, _: Visitor, token: Annotated[str, Query(max_length=200)] = ""
) -> Response:
    return render(request, "auth/reset.html", page_title="Choose a new password", token=token)


@router.post("/reset-password")
def reset(request: Request, db: DB, form: AnonymousForm) -> Response:
    values = forms.fields(form, "token", "new_password")
    outcome = forms.submit(
        db,
        PasswordResetConfirmIn,
        values,
        lambda body: users.confirm_password_reset(
            db, token=body.token, new_password=body.new_password
        ),
    )
    if not outcome.ok:
        return render(
            request,
            "auth/reset.html",
            status=outcome.status,
            page_title="Choose a new password",
            token=values["token"],
            errors=outcome.errors,
        )
    return redirect(
        request, "/sign-in", message="Your password is changed. Sign in with the new one."
    )

"""Routes for sign-up, sign-in, the account and the brand profile."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response, status

from soash.deps import (
    DB,
    CurrentAuth,
    CurrentUser,
    clear_session_cookies,
    client_ip,
    set_session_cookies,
)
from soash.users import service, throttle
from soash.users.export import export_user
from soash.users.mailings import registered_message
from soash.users.schemas import (
    EmailIn,
    LoginIn,
    LoginOut,
    MessageOut,
    PasswordResetConfirmIn,
    ProfileIn,
    ProfileOut,
    RegisteredOut,
    RegisterIn,
    TokenIn,
    UserOut,
    UserPatch,
)

auth = APIRouter(prefix="/auth", tags=["auth"])
me = APIRouter(tags=["account"])


@auth.post("/register", status_code=status.HTTP_201_CREATED, response_model=RegisteredOut)
def register(body: RegisterIn, request: Request, db: DB) -> Any:
    throttle.check("register", ip=client_ip(request), email=body.email)
    service.register(db, **body.model_dump())
    return RegisteredOut(email=body.email, message=registered_message(body.email))


@auth.post("/verify", response_model=UserOut)
def verify(body: TokenIn, db: DB) -> Any:
    return service.verify_email(db, token=body.token)


@auth.post("/resend-verification", status_code=202, response_model=MessageOut)
def resend_verification(body: EmailIn, request: Request, db: DB) -> Any:
    throttle.check("verify", ip=client_ip(request), email=body.email)
    service.resend_verification(db, email=body.email)
    return MessageOut(message="If that account exists and is unverified, a new link is on its way.")


@auth.post("/login", response_model=LoginOut)
def login(body: LoginIn, request: Request, response: Response, db: DB) -> Any:
    throttle.check("login", ip=client_ip(request), email=body.email)
    _, token, expires_at = service.login(
        db, email=body.email, password=body.password, user_agent=request.headers.get("user-agent")
    )
    set_session_cookies(response, token, expires_at)
    return LoginOut(access_token=token, expires_at=expires_at)


@auth.post("/logout", status_code=204)
def logout(auth_: CurrentAuth, response: Response, db: DB) -> None:
    service.logout(db, session=auth_.session)
    clear_session_cookies(response)


@auth.post("/password-reset", status_code=202, response_model=MessageOut)
def password_reset(body: EmailIn, request: Request, db: DB) -> Any:
    throttle.check("reset", ip=client_ip(request), email=body.email)
    service.request_password_reset(db, email=body.email)
    return MessageOut(message="If that account exists, a reset link is on its way.")


@auth.post("/password-reset/confirm", response_model=MessageOut)
def password_reset_confirm(body: PasswordResetConfirmIn, db: DB) -> Any:
    service.confirm_password_reset(db, token=body.token, new_password=body.new_password)
    return MessageOut(message="Your password is changed and every session is signed out.")


@me.get("/me", response_model=UserOut)
def read_me(user: CurrentUser) -> Any:
    return user


@me.patch("/me", response_model=UserOut)
def update_me(body: UserPatch, auth_: CurrentAuth, request: Request, db: DB) -> Any:
    changes = body.model_dump(exclude_unset=True)
    throttle.check_reauth(changes, ip=client_ip(request), email=auth_.user.email)
    return service.update_account(db, auth_.user, current_session=auth_.session, changes=changes)


@me.delete("/me", status_code=204)
def delete_me(user: CurrentUser, response: Response, db: DB) -> None:
    service.delete_account(db, user)
    clear_session_cookies(response)


@me.get("/me/export")
def export_me(user: CurrentUser, db: DB) -> dict[str, Any]:
    return export_user(db, user)


@me.get("/profile", response_model=ProfileOut)
def read_profile(user: CurrentUser, db: DB) -> Any:
    return service.get_profile(db, user)


@me.put("/profile", response_model=ProfileOut)
def put_profile(body: ProfileIn, user: CurrentUser, db: DB) -> Any:
    return service.update_profile(db, user, values=body.model_dump())


@me.post("/profile/complete-onboarding", response_model=ProfileOut)
def complete_onboarding(user: CurrentUser, db: DB) -> Any:
    return service.complete_onboarding(db, user)

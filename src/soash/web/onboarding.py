"""Onboarding: the brand profile in two short steps, then connecting a first account.
Skippable at every step; it resumes where the profile is still empty."""

from __future__ import annotations

from functools import cache
from typing import Annotated, Any
from zoneinfo import available_timezones

from fastapi import Query, Request, Response
from pydantic import Field

from soash.deps import DB, Auth
from soash.schemas import InModel
from soash.social import service as social
from soash.users import service as users
from soash.users.models import UserProfile
from soash.users.schemas import LongText, Phrase, Timezone
from soash.web import forms
from soash.web.accounts import platform_cards
from soash.web.core import redirect, render, web_router
from soash.web.session import Actor, Form, Viewer

router = web_router()
STEPS = ("brand", "audience", "connect")
INDUSTRIES = (
    "Food & beverage",
    "Fashion & apparel",
    "Beauty & wellness",
    "Fitness & sport",
    "Travel & hospitality",
    "Technology & software",
    "Education & coaching",
    "Health & medicine",
    "Retail & e-commerce",
    "Media & entertainment",
    "Arts & crafts",
    "Non-profit",
    "Professional services",
)


class BrandStep(InModel):
    brand_name: Annotated[str, Field(min_length=1, max_length=200)]
    industry: Annotated[str, Field(min_length=1, max_length=100)]
    brand_description: LongText | None = None
    timezone: Timezone


class AudienceStep(InModel):
    target_audience: LongText | None = None
    brand_values: Annotated[list[Phrase], Field(max_length=20)]
    business_goals: Annotated[list[Phrase], Field(max_length=20)]


@cache
def timezones() -> list[str]:
    return sorted(z for z in available_timezones() if "/" in z or z == "UTC")


def resume_step(profile: UserProfile, has_accounts: bool) -> str:
    """The first step that still has something to fill in."""
    if not (profile.brand_name and profile.industry):
        return "brand"
    if not (profile.target_audience or profile.brand_values or profile.business_goals):
        return "audience"
    return "connect" if not has_accounts else "done"


def _profile_values(profile: UserProfile) -> dict[str, Any]:
    return {
        "brand_name": profile.brand_name or "",
        "industry": profile.industry or "",
        "brand_description": profile.brand_description or "",
        "timezone": profile.timezone,
        # A profile still on the default is given the browser's timezone.
        "timezone_detect": profile.timezone == "UTC" and not profile.brand_name,
        "target_audience": profile.target_audience or "",
        "brand_values": profile.brand_values,
        "business_goals": profile.business_goals,
    }


def _page(
    request: Request, db: DB, auth: Auth, step: str, *, status: int = 200, **context: Any
) -> Response:
    profile = users.get_profile(db, auth.user)
    values = {**_profile_values(profile), **context.pop("values", {})}
    return render(
        request,
        "onboarding/step.html",
        status=status,
        page_title="Set up Soash",
        step=step,
        steps=STEPS,
        values=values,
        industries=INDUSTRIES,
        timezones=timezones(),
        platforms=platform_cards(social.list_accounts(db, auth.user)) if step == "connect" else [],
        **context,
    )


@router.get("/onboarding")
def onboarding(
    request: Request,
    db: DB,
    auth: Viewer,
    step: Annotated[str | None, Query(pattern="^(brand|audience|connect|done)$")] = None,
) -> Response:
    profile = users.get_profile(db, auth.user)
    chosen = step or resume_step(profile, bool(social.list_accounts(db, auth.user)))
    if chosen == "done" and profile.onboarding_completed and step is None:
        return redirect(request, "/dashboard")
    return _page(request, db, auth, chosen)


def _save_step(
    request: Request,
    db: DB,
    auth: Auth,
    step: str,
    model: type[BrandStep] | type[AudienceStep],
    values: dict[str, Any],
) -> Response:
    """Save one step's fields to the profile, then on to the next step."""
    outcome = forms.submit(
        db,
        model,
        values,
        lambda body: users.update_profile(db, auth.user, values=body.model_dump()),
    )
    if not outcome.ok:
        return _page(
            request, db, auth, step, status=outcome.status, values=values, errors=outcome.errors
        )
    return redirect(request, f"/onboarding?step={STEPS[STEPS.index(step) + 1]}")


@router.post("/onboarding/brand")
def save_brand(request: Request, db: DB, auth: Actor, form: Form) -> Response:
    values = forms.fields(form, "brand_name", "industry", "brand_description", "timezone")
    return _save_step(request, db, auth, "brand", BrandStep, values)


@router.post("/onboarding/audience")
def save_audience(request: Request, db: DB, auth: Actor, form: Form) -> Response:
    lists = ("brand_values", "business_goals")
    values = forms.fields(form, "target_audience", *lists, lists=lists)
    return _save_step(request, db, auth, "audience", AudienceStep, values)


@router.post("/onboarding/finish")
def finish(request: Request, db: DB, auth: Actor) -> Response:
    outcome = forms.attempt(db, lambda: users.complete_onboarding(db, auth.user))
    if not outcome.ok:
        return redirect(
            request, "/onboarding?step=brand", message=outcome.errors[forms.FORM], kind="error"
        )
    return redirect(request, "/dashboard", message="You are all set. Here is your dashboard.")

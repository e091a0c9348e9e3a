"""The demo tenant: a verified user with a filled-in brand profile."""

from __future__ import annotations

from rich.console import Console
from sqlalchemy.orm import Session

from soash.db import session_scope
from soash.system.models import JobType
from soash.system.service import run_job
from soash.users import service as users
from soash.users.models import SubscriptionTier, User


def _demo_user(db: Session, *, email: str, password: str) -> User:
    user = users.get_by_email(db, email)
    if user is None:
        user = users.create_user(
            db,
            email=email,
            password=password,
            first_name="Dana",
            last_name="Demo",
            verified=True,
            tier=SubscriptionTier.pro,
            timezone="Europe/Berlin",
        )
    users.update_profile(
        db,
        user,
        values={
            "brand_name": "Fern & Fig Bakery",
            "brand_description": "A neighbourhood sourdough bakery sharing bakes, recipes and "
            "behind-the-scenes moments.",
            "industry": "Food & beverage",
            "target_audience": "Home bakers and food lovers aged 25-45 in the city",
            "brand_values": ["craft", "seasonal ingredients", "community"],
            "business_goals": ["grow local foot traffic", "sell baking classes"],
            "timezone": "Europe/Berlin",
            "avatar_url": None,
        },
    )
    users.complete_onboarding(db, user)
    return user


def seed_demo(*, email: str, password: str, console: Console) -> None:
    with session_scope() as db:
        user_id = _demo_user(db, email=email, password=password).id
    with run_job(job_type=JobType.seed_demo, user_id=user_id), console.status("Seeding demo data"):
        pass  # Synthetic accounts, posts and metrics arrive with the demo platform.
    console.print("Demo user ready.")

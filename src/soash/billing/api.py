"""Routes for the user's plan and the Stripe webhook."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from soash.billing import service
from soash.billing.provider import get_provider
from soash.billing.schemas import PlanOut, WebhookOut
from soash.deps import DB, CurrentUser

billing = APIRouter(prefix="/billing", tags=["billing"])


@billing.get("/plan", response_model=PlanOut)
def read_plan(user: CurrentUser) -> Any:
    return service.plan_of(user)


async def _raw_body(request: Request) -> bytes:
    """The exact bytes Stripe signed (the route itself stays sync)."""
    return await request.body()


@billing.post(
    "/stripe/webhook",
    response_model=WebhookOut,
    responses={400: {"description": "Bad signature, stale timestamp or not a Stripe event"}},
)
def stripe_webhook(request: Request, body: Annotated[bytes, Depends(_raw_body)], db: DB) -> Any:
    """Stripe's webhook endpoint; authenticated by the ``Stripe-Signature`` header."""
    return get_provider().handle_webhook(db, body=body, headers=request.headers)

"""The OpenAPI document, made to tell the truth: how to authenticate, every error status an
operation can answer with (all as RFC 9457 problem details), and the bounds of every input.

FastAPI derives the operations, parameters and success bodies from the routes. On top of that,
:func:`install` adds what the routes cannot say: the security schemes, the problem+json schema
in place of FastAPI's default 422 shape, the statuses every operation of a kind can answer with
(see :func:`_implied`), and the ones only some services raise (:data:`RAISES`, checked against
the routes by a test).
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute, RouteContext, iter_route_contexts
from pydantic import BaseModel, ConfigDict, Field

from soash.deps import current_auth
from soash.problems import PROBLEM_JSON

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


class ProblemField(BaseModel):
    """One problem with one input: a field of the body or a parameter, or a CSV cell."""

    model_config = ConfigDict(extra="allow")

    field: str | None = Field(default=None, description="The field or parameter, dotted.")
    message: str = Field(description="What is wrong with it.")
    row: int | None = Field(default=None, description="CSV imports: the row (header is 1).")
    column: str | None = Field(default=None, description="CSV imports: the column.")


class Problem(BaseModel):
    """RFC 9457 problem details; some problems add members (``errors``, ``retry_after``...)."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(default="about:blank", description="Always about:blank.")
    title: str = Field(description="The kind of problem, e.g. 'Invalid input'.")
    status: int = Field(ge=400, le=599, description="The HTTP status.")
    detail: str = Field(description="What went wrong and what to do about it.")
    instance: str | None = Field(default=None, description="The path that was asked for.")
    errors: list[ProblemField] | None = Field(
        default=None, description="Invalid input: one entry per problem."
    )


DESCRIPTIONS = {
    400: "Bad request: the body is not valid JSON, or a token or signature is not valid.",
    401: "Not signed in: no, a malformed, an expired or a signed-out token.",
    403: "Not allowed: a cookie session without its CSRF token, an unverified email, a wrong "
    "current password, or a plan limit reached.",
    404: "Not found: no such thing among yours.",
    409: "Conflict with the current state (already used, already running, disconnected).",
    413: "The body is larger than this endpoint accepts.",
    422: "Invalid input: 'errors' lists each field and what is wrong with it.",
    429: "Too many attempts: wait for the seconds in Retry-After.",
    502: "The platform refused or failed.",
    503: "Temporarily unavailable (the database, the mail server, or a platform that is not "
    "configured): try again after Retry-After seconds when it is sent.",
}

# Statuses that only some operations' services raise, by (method, path).
RAISES: dict[tuple[str, str], tuple[int, ...]] = {
    ("POST", "/api/v1/auth/register"): (409, 429),
    ("POST", "/api/v1/auth/verify"): (),
    ("POST", "/api/v1/auth/resend-verification"): (429,),
    ("POST", "/api/v1/auth/login"): (401, 403, 429),
    ("POST", "/api/v1/auth/password-reset"): (429,),
    ("POST", "/api/v1/auth/password-reset/confirm"): (),
    ("PATCH", "/api/v1/me"): (409, 429),
    ("POST", "/api/v1/profile/complete-onboarding"): (422,),
    ("GET", "/api/v1/social-accounts/connect/{platform}"): (403, 409),
    ("GET", "/api/v1/social-accounts/callback/{platform}"): (400, 403, 409, 502),
    ("DELETE", "/api/v1/social-accounts/{account_id}"): (409,),
    ("PATCH", "/api/v1/social-accounts/{account_id}"): (409,),
    ("POST", "/api/v1/social-accounts/{account_id}/sync"): (409,),
    ("POST", "/api/v1/referral-codes"): (409,),
    ("PATCH", "/api/v1/referral-codes/{code_id}"): (409,),
    ("POST", "/api/v1/billing/stripe/webhook"): (400, 404),
    ("POST", "/api/v1/imports/posts"): (409,),
    ("POST", "/api/v1/imports/account-metrics"): (409,),
    ("POST", "/api/v1/insights/generate"): (409, 429),
    ("GET", "/api/v1/analytics/overview"): (403, 404),
    ("GET", "/api/v1/analytics/timeseries"): (403, 404),
    ("GET", "/api/v1/analytics/breakdown"): (403, 404),
    ("GET", "/api/v1/posts"): (403, 404),
    ("PUT", "/api/v1/posts/{post_id}/categories"): (404,),
    ("POST", "/api/v1/categories"): (409,),
    ("PATCH", "/api/v1/categories/{category_id}"): (409,),
    ("POST", "/api/v1/categories/{category_id}/posts"): (404,),
    ("POST", "/api/v1/category-rules"): (404, 409),
    ("POST", "/api/v1/social-accounts/connect/{platform}/choose"): (400, 403, 409),
    ("POST", "/api/v1/scheduled-posts"): (403, 404, 409),
    ("GET", "/api/v1/scheduled-posts"): (404,),
    ("PATCH", "/api/v1/scheduled-posts/{post_id}"): (403, 404, 409),
    ("DELETE", "/api/v1/scheduled-posts/{post_id}"): (409,),
    ("POST", "/api/v1/scheduled-posts/{post_id}/publish-now"): (403, 409),
    ("POST", "/api/v1/scheduled-posts/{post_id}/cancel"): (409,),
    ("POST", "/api/v1/scheduled-posts/{post_id}/retry"): (403, 409),
    ("POST", "/api/v1/scheduled-posts/{post_id}/duplicate"): (403, 409),
}
# Answer without the database (and so never 503).
NO_DATABASE = {("GET", "/healthz")}


def _needs_auth(dependant: Dependant) -> bool:
    return any(d.call is current_auth or _needs_auth(d) for d in dependant.dependencies)


def operations(app: FastAPI) -> list[tuple[str, str, APIRoute]]:
    """(method, full path, route) of every operation in the document."""
    found: list[tuple[str, str, APIRoute]] = []
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, APIRoute) and route.include_in_schema:
            path = _path(context, route)
            found.extend((method, path, route) for method in sorted(route.methods or ()))
    return found


def _path(context: RouteContext, route: APIRoute) -> str:
    """The path with the prefixes of the routers it was included through."""
    path: str = getattr(context, "path_format", None) or route.path_format
    return path


def _implied(route: APIRoute, method: str, path: str) -> set[int]:
    """The statuses any operation of its kind can answer with."""
    statuses: set[int] = set()
    dependant = route.dependant
    if (method, path) not in NO_DATABASE:
        statuses.add(503)
    if _needs_auth(dependant):
        statuses.add(401)
        if method in UNSAFE:
            statuses.add(403)  # a cookie session must send its CSRF token
    if any(p.field_info.annotation is uuid.UUID for p in dependant.path_params):
        statuses.add(404)  # no such thing among yours
    if dependant.path_params or dependant.query_params or dependant.body_params:
        statuses.add(422)
    if dependant.body_params:
        statuses.update((400, 413))
    return statuses


RETRY_AFTER = {
    "description": "Seconds to wait before trying again.",
    "schema": {"type": "integer", "minimum": 0},
}


def _problem_response(status: int) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": DESCRIPTIONS[status],
        "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }
    if status in (429, 503):
        response["headers"] = {"Retry-After": RETRY_AFTER}
    return response


def _operation_errors(route: APIRoute, method: str, path: str) -> list[int]:
    declared = {int(s) for s in (route.responses or {}) if str(s).isdigit() and int(s) >= 400}
    extra = set(RAISES.get((method, path), ()))
    return sorted(_implied(route, method, path) | declared | extra)


def build(app: FastAPI) -> dict[str, Any]:
    spec = get_openapi(
        title=app.title,
        version=app.version,
        description=app.description,
        routes=app.routes,
    )
    components = spec.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    problem_schemas = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas.update(problem_schemas.pop("$defs", {}))
    schemas["Problem"] = problem_schemas
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    components["securitySchemes"] = {
        "bearer": {
            "type": "http",
            "scheme": "bearer",
            "description": "The access_token from POST /api/v1/auth/login.",
        },
        "cookie": {
            "type": "apiKey",
            "in": "cookie",
            "name": "soash_session",
            "description": "The web UI's session cookie; requests other than GET must also "
            "send the soash_csrf cookie's value in the X-CSRF-Token header.",
        },
    }
    for method, path, route in operations(app):
        operation = spec["paths"][path][method.lower()]
        responses = operation.setdefault("responses", {})
        for status in _operation_errors(route, method, path):
            responses[str(status)] = _problem_response(status)
        operation["responses"] = dict(sorted(responses.items()))
        if _needs_auth(route.dependant):
            operation["security"] = [{"bearer": []}, {"cookie": []}]
        else:
            operation["security"] = []
    return spec


def install(app: FastAPI) -> None:
    """Serve :func:`build`'s document at /openapi.json (built once, on first request)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = build(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]

"""RFC 9457 problem details for every error the API can answer with."""

from __future__ import annotations

import logging
import sqlite3
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException

from soash.config import get_settings
from soash.errors import SoashError, TooManyRequests

log = logging.getLogger(__name__)
PROBLEM_JSON = "application/problem+json"


def problem(
    status: int, detail: str, *, instance: str | None = None, title: str | None = None, **extra: Any
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }
    if instance:
        body["instance"] = instance
    body.update(extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON)


def _loc(loc: tuple[Any, ...]) -> str:
    return ".".join(str(p) for p in loc if p != "body") or "body"


def _message(err: dict[str, Any]) -> str:
    kind = err.get("type", "")
    if kind == "extra_forbidden":
        return "is not a field this endpoint accepts; remove it"
    if kind == "missing":
        return "is required"
    if kind == "uuid_parsing":
        return "must be a UUID like 123e4567-e89b-12d3-a456-426614174000"
    msg = str(err.get("msg", "is invalid"))
    return msg.removeprefix("Value error, ")


async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = [{"field": _loc(tuple(e["loc"])), "message": _message(e)} for e in exc.errors()]
    if any(e.get("type") == "json_invalid" for e in exc.errors()):
        return problem(
            400,
            "The request body is not valid JSON. Send a JSON object with "
            "'Content-Type: application/json'.",
            instance=request.url.path,
        )
    first = errors[0] if errors else {"field": "body", "message": "is invalid"}
    return problem(
        422,
        f"'{first['field']}' {first['message'].rstrip('.')}."
        + (f" ({len(errors) - 1} more problem(s) in 'errors'.)" if len(errors) > 1 else ""),
        instance=request.url.path,
        title="Invalid input",
        errors=errors,
    )


async def _domain(request: Request, exc: SoashError) -> JSONResponse:
    response = problem(
        exc.status, exc.detail, instance=request.url.path, title=exc.title, **exc.extra
    )
    if isinstance(exc, TooManyRequests):
        response.headers["Retry-After"] = str(exc.retry_after)
    return response


async def _http(request: Request, exc: HTTPException) -> JSONResponse:
    detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
    if exc.status_code == 404 and detail == "Not Found":
        detail = f"There is nothing at {request.url.path}. See /docs for the API."
    elif exc.status_code == 405:
        detail = f"{request.method} is not allowed on {request.url.path}."
    response = problem(exc.status_code, detail, instance=request.url.path)
    for key, value in (exc.headers or {}).items():
        response.headers[key] = value
    return response


def database_unavailable(instance: str | None = None) -> JSONResponse:
    """503 with ``Retry-After``: the database refused, timed out or had no free connection."""
    retry = get_settings().db.retry_after_seconds
    response = problem(
        503,
        "The database is not answering right now; nothing was changed. Try again in "
        f"{retry} seconds.",
        instance=instance,
        title="Temporarily unavailable",
    )
    response.headers["Retry-After"] = str(retry)
    return response


# SQLite reports its own mistakes (a syntax error, a missing table) as OperationalError too:
# only these mean "not available right now".
_SQLITE_UNAVAILABLE = ("locked", "busy", "unable to open", "disk i/o", "readonly database")


def is_unavailable(exc: Exception) -> bool:
    """Whether a database error means "not available right now" (503), not a bug (500)."""
    if isinstance(exc, PoolTimeout):  # every pooled connection busy for the pool timeout
        return True
    orig = getattr(exc, "orig", None)
    if isinstance(orig, sqlite3.Error):
        return any(s in str(orig).lower() for s in _SQLITE_UNAVAILABLE)
    # PostgreSQL: refused or lost connection, connect or statement timeout, shutting down
    # (psycopg raises its other errors as ProgrammingError, DataError, IntegrityError...).
    return True


async def _database(request: Request, exc: Exception) -> JSONResponse:
    if not is_unavailable(exc):
        return await _unexpected(request, exc)
    log.warning("database unavailable on %s %s: %s", request.method, request.url.path, exc)
    return database_unavailable(request.url.path)


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return problem(
        500,
        "Something went wrong on our side; nothing was changed. Try again, or report it.",
        instance=request.url.path,
    )


def install(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation)  # type: ignore[arg-type]
    app.add_exception_handler(SoashError, _domain)  # type: ignore[arg-type]
    app.add_exception_handler(HTTPException, _http)  # type: ignore[arg-type]
    app.add_exception_handler(OperationalError, _database)
    app.add_exception_handler(PoolTimeout, _database)
    app.add_exception_handler(Exception, _unexpected)

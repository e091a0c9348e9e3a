"""Forms: read the posted fields, validate them with the API's own input models, run the
service call, and turn what went wrong into messages next to the fields (keeping what was
typed). A failed call runs in a savepoint that is rolled back: bad input changes nothing, and
what the request did before it stays (the request's transaction is its dependency's)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from soash.errors import NotFound, SoashError, TooManyRequests

M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")
FORM = "_form"  # errors about the whole form, shown above it

Errors = dict[str, str]


def fields(form: FormData, *names: str, lists: Iterable[str] = ()) -> dict[str, Any]:
    """The named fields, trimmed; ``lists`` are multi-line text areas (one item a line) or
    repeated fields, returned as lists."""
    wanted = set(lists)
    values: dict[str, Any] = {}
    for name in names:
        if name in wanted:
            items: list[str] = []
            for item in form.getlist(name):
                if isinstance(item, str):
                    items.extend(line.strip() for line in item.splitlines())
            values[name] = [item for item in items if item]
        else:
            value = form.get(name)
            values[name] = value.strip() if isinstance(value, str) else ""
    return values


def without_blanks(values: Mapping[str, Any]) -> dict[str, Any]:
    """Optional fields left empty are not sent (the model's default applies)."""
    return {k: v for k, v in values.items() if v not in ("", None)}


def _message(error: Mapping[str, Any]) -> str:
    kind = error.get("type", "")
    if kind == "missing" or (kind == "string_too_short" and error.get("input") == ""):
        return "This field is required."
    message = str(error.get("msg", "is not valid")).removeprefix("Value error, ")
    if message.startswith(("is ", "must ")):
        message = f"This {message}"
    message = message[:1].upper() + message[1:]
    return message if message.endswith(".") else f"{message}."


def validation_errors(exc: ValidationError) -> Errors:
    errors: Errors = {}
    for error in exc.errors():
        loc = error.get("loc") or (FORM,)
        errors.setdefault(str(loc[0]), _message(error))
    return errors


def domain_errors(exc: SoashError, *, default: str = FORM) -> Errors:
    """A service's error, next to the field it names (``field=`` on the error)."""
    named = exc.extra.get("field")
    return {str(named) if named else default: exc.detail}


@dataclass
class Outcome(Generic[T]):
    value: T | None = None
    errors: Errors = field(default_factory=dict)
    status: int = 200

    @property
    def ok(self) -> bool:
        return not self.errors


def attempt(db: Session, action: Callable[[], T], *, default_field: str = FORM) -> Outcome[T]:
    """Run a service call in a savepoint; a domain error rolls the savepoint back and is
    reported on its field. NotFound is not about the form: it goes on to become the 404 page."""
    try:
        with db.begin_nested():
            return Outcome(value=action())
    except NotFound:
        raise
    except SoashError as exc:
        status = exc.status
        if isinstance(exc, TooManyRequests):
            return Outcome(errors={FORM: exc.detail}, status=status)
        return Outcome(errors=domain_errors(exc, default=default_field), status=status)


def submit(
    db: Session,
    model: type[M],
    values: Mapping[str, Any],
    action: Callable[[M], T],
    *,
    default_field: str = FORM,
) -> Outcome[T]:
    """Validate ``values`` with ``model``, then run ``action`` with the parsed body."""
    try:
        body = model.model_validate(dict(values))
    except ValidationError as exc:
        return Outcome(errors=validation_errors(exc), status=422)
    return attempt(db, lambda: action(body), default_field=default_field)

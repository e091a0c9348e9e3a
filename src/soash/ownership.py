"""The one rule for whose data a user may see and change.

Every query over a user's data filters with ``owned_by``; v2 team roles change only this file.
"""

from __future__ import annotations

import uuid
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, bindparam, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from soash.db import Base
from soash.errors import NotFound
from soash.users.models import User

Row = TypeVar("Row", bound=Base)


def owned_by(user_id_column: InstrumentedAttribute[Any], user: User) -> ColumnElement[bool]:
    return user_id_column == user.id


def get_owned(
    db: Session,
    model: type[Row],
    object_id: uuid.UUID,
    user: User,
    *,
    what: str,
    owner: InstrumentedAttribute[Any] | None = None,
) -> Row:
    """The user's ``model`` row with this id, or a 404 naming ``what``. ``owner``: the user
    column to check when it is on a parent table (joined by its foreign key)."""
    columns: Any = model  # every owned table has ``id``, and ``user_id`` unless ``owner``
    stmt = select(model)
    if owner is not None:
        stmt = stmt.join(owner.class_)
    column = owner if owner is not None else columns.user_id
    row: Row | None = db.scalars(
        stmt.where(columns.id == object_id, owned_by(column, user))
    ).first()
    if row is None:
        raise NotFound(f"You have no {what} with id {object_id}.")
    return row


OWNER = "owner_id"


def owned_by_bound(user_id_column: InstrumentedAttribute[Any]) -> ColumnElement[bool]:
    """:func:`owned_by` for a statement built once and run for many users (a hot path): pass
    :func:`owner_binds` with the parameters when executing it."""
    return user_id_column == bindparam(OWNER)


def owner_binds(user: User) -> dict[str, Any]:
    return {OWNER: user.id}


def owner_id(user: User) -> uuid.UUID:
    """The user id new rows are created under."""
    return user.id

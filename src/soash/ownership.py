"""The one rule for whose data a user may see and change.

Every query over a user's data filters with ``owned_by``; v2 team roles change only this file.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import ColumnElement, bindparam
from sqlalchemy.orm import InstrumentedAttribute

from soash.users.models import User


def owned_by(user_id_column: InstrumentedAttribute[Any], user: User) -> ColumnElement[bool]:
    return user_id_column == user.id


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

"""Engine, sessions, the declarative Base, portable column types and upsert helpers.

Transactions have one owner. A request's transaction belongs to the request dependency
(``deps.get_db``), a job's to its runner, a command's to the command: they open it with
:func:`session_scope`. Services take the caller's session and never commit or roll it back; a
step that may fail alone runs in a savepoint (``db.begin_nested()``). Jobs are queued with
``jobs.defer``/``jobs.enqueue``: sent after the commit, dropped on rollback.

No network call (platform API, LLM, object storage) after the first write of a transaction:
do the call first, or commit, call, and write in a second short transaction. SQLite has one
write lock, and a transaction that waits on the network holds it for everyone.
:func:`no_open_write` enforces this where the network calls are made (platforms, the
language model, SMTP: mail goes out from a job).
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from enum import StrEnum
from functools import lru_cache
from typing import Any, ClassVar

from sqlalchemy import JSON, DateTime, MetaData, Uuid, create_engine, event, func
from sqlalchemy import Enum as SAEnum
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    ORMExecuteState,
    Session,
    SessionTransaction,
    mapped_column,
    sessionmaker,
)
from sqlalchemy.types import TypeDecorator

from soash.config import DatabaseSettings, get_settings

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Stores UTC; always returns an aware UTC datetime (SQLite hands back naive ones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column; attach a timezone")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


JSONType = JSON().with_variant(postgresql.JSONB(), "postgresql")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSONType,
    }


class IdMixin:
    id: Mapped[uuid.UUID] = mapped_column(
        Uuid, primary_key=True, default=uuid.uuid4, sort_order=-10
    )


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


log = logging.getLogger(__name__)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_savepoint(conn: Any, _name: str) -> None:
    """pysqlite begins a transaction only before a write, so reads run outside one and a
    write transaction never starts from a stale snapshot (which SQLite would refuse at once
    instead of waiting for the lock). A SAVEPOINT outside a transaction would start one that
    its RELEASE commits: begin it first."""
    if not conn.connection.dbapi_connection.in_transaction:
        conn.exec_driver_sql("BEGIN")


def make_engine(url: str, *, limits: DatabaseSettings | None = None) -> Engine:
    """An engine that gives up instead of hanging: a database that refuses, hangs or is out of
    connections raises ``OperationalError`` or ``TimeoutError`` within ``limits``' timeouts
    (the app answers 503 with ``Retry-After``)."""
    limits = limits or DatabaseSettings()
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
            pool_timeout=limits.pool_timeout_seconds,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "savepoint", _sqlite_savepoint)
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    connect_args: dict[str, Any] = {"connect_timeout": limits.connect_timeout_seconds}
    if limits.statement_timeout_seconds:
        connect_args["options"] = f"-c statement_timeout={limits.statement_timeout_seconds}s"
    return create_engine(
        url,
        pool_pre_ping=True,
        pool_timeout=limits.pool_timeout_seconds,
        connect_args=connect_args,
    )


@lru_cache(maxsize=1)
def get_engine() -> Engine:
    settings = get_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return make_engine(settings.resolved_database_url, limits=settings.db)


@lru_cache(maxsize=1)
def get_sessionmaker() -> sessionmaker[Session]:
    return sessionmaker(bind=get_engine(), expire_on_commit=False)


@contextmanager
def session_scope() -> Iterator[Session]:
    """A transaction for its owner (a request, a job's runner, a command): commits on
    success, rolls back on error. Services never open one of their own."""
    session = get_sessionmaker()()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


# -- no network call inside a write transaction ---------------------------------------------

_writing = threading.local()


class NetworkCallInWriteTransaction(RuntimeError):
    """A network call was made while this thread's transaction held uncommitted writes."""


def _mark_write(session: Session) -> None:
    if not session.info.get("wrote"):
        session.info["wrote"] = True
        _writing.sessions = getattr(_writing, "sessions", 0) + 1


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _context: Any) -> None:
    _mark_write(session)


@event.listens_for(Session, "do_orm_execute")
def _on_execute(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        _mark_write(state.session)


def _unmark_write(session: Session) -> None:
    if session.info.pop("wrote", False):
        _writing.sessions = max(0, getattr(_writing, "sessions", 0) - 1)


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    # Before anything else that runs after the commit (jobs sent in-process, in tests).
    if not session.in_nested_transaction():
        _unmark_write(session)


@event.listens_for(Session, "after_transaction_end")
def _after_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        _unmark_write(session)


def no_open_write(action: str) -> None:
    """Call before a network call: it must not run while this thread's transaction holds
    writes (see the module's rule). Raises in tests and development; logs in production."""
    if not getattr(_writing, "sessions", 0):
        return
    message = (
        f"{action} inside a transaction that has already written: commit first, or make the "
        "call before the first write"
    )
    if get_settings().env == "prod":
        log.error(message)
        return
    raise NetworkCallInWriteTransaction(message)


def upsert(
    session: Session,
    table: Any,
    rows: Sequence[dict[str, Any]],
    *,
    keys: Sequence[str],
    update: Sequence[str],
    keep_existing_when_null: Sequence[str] = (),
) -> None:
    """Insert ``rows`` in one statement; on a conflict on ``keys`` overwrite ``update`` columns
    (those in ``keep_existing_when_null`` only when the new value is not NULL).

    Every row has the same columns; rows repeating a key: the last one wins. On PostgreSQL the
    rows travel as one array per column in a single ``INSERT ... SELECT * FROM unnest(...)
    ON CONFLICT DO UPDATE`` (one statement and one round trip for the whole batch: several times
    faster than a statement per row, see bench/ingest.py).
    """
    if not rows:
        return
    _mark_write(session)
    if len(keys) == 1:
        unique = list({row[keys[0]]: row for row in rows}.values())
    else:
        unique = list({tuple(row[k] for k in keys): row for row in rows}.values())
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        _upsert_unnest(
            session, table, unique, keys=keys, update=update, keep=keep_existing_when_null
        )
        return
    if dialect != "sqlite":  # pragma: no cover - only the two supported databases reach here
        raise RuntimeError(f"upsert is not supported on {dialect}")
    stmt = sqlite.insert(table)
    keep = set(keep_existing_when_null)
    set_ = {
        c: func.coalesce(stmt.excluded[c], table.c[c]) if c in keep else stmt.excluded[c]
        for c in update
    }
    session.execute(stmt.on_conflict_do_update(index_elements=list(keys), set_=set_), unique)


def _upsert_unnest(
    session: Session,
    table: Any,
    rows: Sequence[dict[str, Any]],
    *,
    keys: Sequence[str],
    update: Sequence[str],
    keep: Sequence[str],
) -> None:
    connection = session.connection()
    dialect = connection.dialect
    names = tuple(rows[0])
    params: dict[str, list[Any]] = {}
    for i, name in enumerate(names):
        # What SQLAlchemy would do to each value (e.g. UTC for UTCDateTime, enum -> value).
        process = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        values = [row[name] for row in rows]
        params[f"c{i}"] = values if process is None else [process(v) for v in values]
    sql = _unnest_sql(table, names, tuple(keys), tuple(update), frozenset(keep), dialect)
    connection.exec_driver_sql(sql, params)


@lru_cache(maxsize=64)
def _unnest_sql(
    table: Any,
    names: tuple[str, ...],
    keys: tuple[str, ...],
    update: tuple[str, ...],
    keep: frozenset[str],
    dialect: Dialect,
) -> str:
    quote = dialect.identifier_preparer.quote
    target = quote(table.name)
    arrays = ", ".join(
        f"%(c{i})b::{table.c[name].type.compile(dialect=dialect)}[]" for i, name in enumerate(names)
    )
    sets = ", ".join(
        f"{quote(c)} = COALESCE(EXCLUDED.{quote(c)}, {target}.{quote(c)})"
        if c in keep
        else f"{quote(c)} = EXCLUDED.{quote(c)}"
        for c in update
    )
    # Identifiers come from our table metadata, quoted; every value is a bound parameter.
    columns = ", ".join(quote(n) for n in names)
    conflict = ", ".join(quote(k) for k in keys)
    insert = f"INSERT INTO {target} ({columns}) SELECT * FROM unnest({arrays}) "  # noqa: S608
    return f"{insert}ON CONFLICT ({conflict}) DO UPDATE SET {sets}"


def enum_type(enum_cls: type[StrEnum]) -> SAEnum:
    """A portable enum: VARCHAR plus a CHECK constraint holding the values (not the names)."""
    return SAEnum(
        enum_cls,
        name=enum_cls.__name__.lower(),
        native_enum=False,
        create_constraint=True,
        length=max(len(m.value) for m in enum_cls),
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
    )

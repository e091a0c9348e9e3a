"""Alembic environment: the database URL comes from Soash's settings (or the caller's config)."""

from __future__ import annotations

from alembic import context

from soash.config import DatabaseSettings, get_settings
from soash.db import make_engine
from soash.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations() -> None:
    url = config.get_main_option("sqlalchemy.url") or get_settings().resolved_database_url
    # A migration may rewrite a large table: no statement timeout here.
    engine = make_engine(url, limits=DatabaseSettings(statement_timeout_seconds=0))
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            compare_type=True,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations()

"""The migrations build exactly the models' schema, and go down and up again cleanly."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import inspect

from soash import migrate
from soash.db import make_engine
from soash.models import Base
from tests import pgadmin


@pytest.fixture
def fresh_url(tmp_path: Path) -> Iterator[str]:
    server = os.environ.get("SOASH_TEST_DATABASE_URL", "")
    if not server.startswith("postgresql"):
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
        return
    name = f"soash_migrations_{uuid.uuid4().hex[:10]}"
    pgadmin.create(server, name)
    try:
        yield pgadmin.with_database(server, name)
    finally:
        pgadmin.drop(server, name)


def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_upgrade_builds_every_model_table_and_matches_the_models(fresh_url: str) -> None:
    migrate.upgrade(fresh_url)
    assert _tables(fresh_url) == set(Base.metadata.tables) | {"alembic_version"}
    command.check(migrate.alembic_config(fresh_url))  # raises if models and schema differ


def test_downgrade_to_base_and_upgrade_again(fresh_url: str) -> None:
    migrate.upgrade(fresh_url)
    migrate.downgrade(fresh_url, "base")
    assert _tables(fresh_url) <= {"alembic_version"}
    assert migrate.current(fresh_url) is None
    migrate.upgrade(fresh_url)
    assert migrate.current(fresh_url) == migrate.head()


def test_the_erd_keys_a_sync_needs_exist(fresh_url: str) -> None:
    migrate.upgrade(fresh_url)
    engine = make_engine(fresh_url)
    try:
        inspector = inspect(engine)
        uniques = {
            table: {tuple(u["column_names"]) for u in inspector.get_unique_constraints(table)}
            for table in ("posts", "post_metrics", "platform_metrics", "social_accounts", "users")
        }
    finally:
        engine.dispose()
    assert ("social_account_id", "platform_post_id") in uniques["posts"]
    assert ("post_id", "metric_date") in uniques["post_metrics"]
    assert ("social_account_id", "metric_date") in uniques["platform_metrics"]
    assert ("platform", "platform_user_id") in uniques["social_accounts"]
    assert ("email",) in uniques["users"]

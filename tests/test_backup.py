"""`soash backup` / `soash restore`: a round trip into another, empty database gives the same
rows and tokens that still decrypt; wrong keys and non-empty targets are refused up front."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import inspect, select, text
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from soash import backup
from soash.cli import app
from soash.config import Settings, new_encryption_key_spec
from soash.db import make_engine, session_scope
from soash.models import Base
from soash.security import KeyRing
from soash.social.models import SocialAccount
from soash.social.tokens import load_tokens
from tests.factories import make_user
from tests.pgadmin import create, drop, with_database
from tests.social.conftest import make_account

runner = CliRunner()


@pytest.fixture
def ring(settings: Settings) -> KeyRing:
    return KeyRing.from_settings(settings)


@pytest.fixture
def empty_url(settings: Settings, tmp_path: Path) -> Iterator[str]:
    """A second, empty database of the same kind as the test database."""
    url = settings.resolved_database_url
    if not url.startswith("postgresql"):
        yield f"sqlite:///{tmp_path / 'restored.db'}"
        return
    name = f"soash_restore_{uuid.uuid4().hex[:12]}"
    server = with_database(url, "postgres")
    create(server, name)
    yield with_database(url, name)
    drop(server, name)


def _rows(url: str) -> dict[str, list[tuple[Any, ...]]]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return {
                table.name: sorted(map(tuple, conn.execute(select(table))), key=repr)
                for table in Base.metadata.sorted_tables
            }
    finally:
        engine.dispose()


def _seed() -> uuid.UUID:
    return make_account(make_user(), platform_user_id="demo-backup-1")


def test_a_backup_restores_into_an_empty_database_with_the_same_rows(
    settings: Settings, ring: KeyRing, empty_url: str, tmp_path: Path
) -> None:
    account_id = _seed()
    path = tmp_path / "soash.backup"
    manifest = backup.backup(settings.resolved_database_url, path, ring=ring)
    assert manifest.key_ids == [ring.active]

    restored = backup.restore(path, empty_url, ring=ring)

    assert restored.revision == manifest.revision
    source = _rows(settings.resolved_database_url)
    assert sum(map(len, source.values())) > 0
    assert _rows(empty_url) == source
    engine = make_engine(empty_url)
    try:
        with Session(engine) as db:
            tokens = load_tokens(db.get_one(SocialAccount, account_id), ring=ring)
            assert tokens is not None and tokens.access_token == "tok-1"
            version = db.execute(text("SELECT version_num FROM alembic_version")).scalar()
            assert version == manifest.revision
    finally:
        engine.dispose()


def test_a_restore_with_other_keys_says_so_and_writes_nothing(
    settings: Settings, ring: KeyRing, empty_url: str, tmp_path: Path
) -> None:
    _seed()
    path = tmp_path / "soash.backup"
    backup.backup(settings.resolved_database_url, path, ring=ring)
    same_id_other_key = KeyRing.parse(new_encryption_key_spec(ring.active))
    other_id = KeyRing.parse(new_encryption_key_spec("k9"))
    for wrong in (same_id_other_key, other_id):
        with pytest.raises(backup.BackupError, match=f"encrypted with key\\(s\\) {ring.active}"):
            backup.restore(path, empty_url, ring=wrong)
    assert _tables(empty_url) == []


def _tables(url: str) -> list[str]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return inspect(conn).get_table_names()
    finally:
        engine.dispose()


def test_a_restore_refuses_a_database_that_is_not_empty(
    settings: Settings, ring: KeyRing, tmp_path: Path
) -> None:
    _seed()
    path = tmp_path / "soash.backup"
    backup.backup(settings.resolved_database_url, path, ring=ring)
    with pytest.raises(backup.BackupError, match="not empty"):
        backup.restore(path, settings.resolved_database_url, ring=ring)


def test_the_commands_back_up_and_explain_refusals(tmp_path: Path) -> None:
    _seed()
    path = tmp_path / "cli.backup"
    made = runner.invoke(app, ["backup", str(path)])
    assert made.exit_code == 0, made.output
    assert "Backed up to" in made.output and path.exists()
    again = runner.invoke(app, ["backup", str(path)])
    assert again.exit_code == 1 and "already exists" in again.output
    into_used = runner.invoke(app, ["restore", str(path)])
    assert into_used.exit_code == 1 and "not empty" in into_used.output
    junk = tmp_path / "junk.backup"
    junk.write_text("not a backup")
    not_ours = runner.invoke(app, ["restore", str(junk)])
    assert not_ours.exit_code == 1 and "not a backup written by `soash backup`" in not_ours.output


def test_postgres_backups_need_pg_dump_and_say_so(
    settings: Settings, ring: KeyRing, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not settings.resolved_database_url.startswith("postgresql"):
        pytest.skip("pg_dump is only used on PostgreSQL")
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(backup.BackupError, match="pg_dump is not on PATH"):
        backup.backup(settings.resolved_database_url, tmp_path / "x.backup", ring=ring)


def test_a_sqlite_backup_is_consistent_while_writes_go_on(
    settings: Settings, ring: KeyRing, tmp_path: Path
) -> None:
    if settings.resolved_database_url.startswith("postgresql"):
        pytest.skip("SQLite's online backup API")
    user = make_user()
    stop = threading.Event()

    def write() -> None:
        n = 0
        while not stop.is_set():
            n += 1
            make_account(user, platform_user_id=f"demo-live-{n}")

    writer = threading.Thread(target=write)
    writer.start()
    try:
        path = tmp_path / "live.backup"
        backup.backup(settings.resolved_database_url, path, ring=ring)
    finally:
        stop.set()
        writer.join()
    restored = f"sqlite:///{tmp_path / 'live.db'}"
    backup.restore(path, restored, ring=ring)
    engine = make_engine(restored)
    try:
        with engine.connect() as conn:
            assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
            copied = conn.execute(text("SELECT count(*) FROM social_accounts")).scalar()
    finally:
        engine.dispose()
    with session_scope() as db:
        total = len(db.scalars(select(SocialAccount.id)).all())
    assert copied is not None and 0 < copied <= total

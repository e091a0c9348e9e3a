"""``soash backup`` / ``soash restore``: one file holding the database and a manifest.

The file is a tar archive: ``manifest.json`` (format, database kind, migration revision, and for
each encryption key in use its id and a fingerprint) and ``database.sqlite3`` (SQLite's online
backup API: a consistent copy while Soash keeps serving) or ``database.pgdump`` (``pg_dump``
custom format). A restore checks the keys first, so restoring with the wrong keys says so at
once instead of failing later on every token.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Enum, String, Text, inspect, select
from sqlalchemy.engine import Connection, make_url

from soash import __version__, migrate
from soash.db import make_engine
from soash.models import Base
from soash.security import KeyRing

FORMAT = "soash-backup-1"
MANIFEST = "manifest.json"
_CIPHERTEXT = re.compile(r"v1\.([A-Za-z0-9]+)\.[A-Za-z0-9_-]+")


class BackupError(Exception):
    """A backup or restore that cannot be done, with what to do about it."""


@dataclass(frozen=True)
class Manifest:
    format: str
    database: str  # "sqlite" or "postgresql"
    revision: str | None
    created_at: str
    soash_version: str
    key_ids: list[str]
    key_fingerprints: dict[str, str]


def fingerprint(key: bytes) -> str:
    """Tells keys apart without revealing them."""
    return hmac.new(key, b"soash backup key check", hashlib.sha256).hexdigest()[:16]


def keys_in_use(conn: Connection) -> set[str]:
    """Ids of the encryption keys that some stored ciphertext names (every text column)."""
    found: set[str] = set()
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            if not isinstance(column.type, String | Text) or isinstance(column.type, Enum):
                continue
            rows = conn.execute(select(column).where(column.like("v1.%")).distinct())
            for (value,) in rows:
                match = _CIPHERTEXT.fullmatch(value or "")
                if match:
                    found.add(match.group(1))
    return found


def backup(url: str, path: Path, *, ring: KeyRing | None = None) -> Manifest:
    if path.exists():
        raise BackupError(f"{path} already exists; choose a new file name.")
    ring = ring or KeyRing.from_settings()
    engine = make_engine(url)
    kind = engine.dialect.name
    try:
        with engine.connect() as conn:
            used = sorted(keys_in_use(conn))
        revision = migrate.current(url)
    finally:
        engine.dispose()
    missing = [kid for kid in used if kid not in ring.keys]
    if missing:
        raise BackupError(
            f"stored tokens use key(s) {', '.join(missing)} that SOASH_SECURITY_ENCRYPTION_KEYS "
            "does not hold; the backup could never be read back."
        )
    manifest = Manifest(
        format=FORMAT,
        database=kind,
        revision=revision,
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        soash_version=__version__,
        key_ids=used,
        key_fingerprints={kid: fingerprint(ring.keys[kid]) for kid in used},
    )
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        if kind == "sqlite":
            data = work / "database.sqlite3"
            _sqlite_copy(_sqlite_path(url), data)
        else:
            data = work / "database.pgdump"
            _run(
                _tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(data), _libpq(url)
            )
        (work / MANIFEST).write_text(json.dumps(asdict(manifest), indent=2))
        partial = path.with_name(path.name + ".partial")
        with tarfile.open(partial, "w") as archive:
            archive.add(work / MANIFEST, arcname=MANIFEST)
            archive.add(data, arcname=data.name)
        partial.rename(path)
    return manifest


def read_manifest(path: Path) -> Manifest:
    try:
        with tarfile.open(path) as archive:
            member = archive.extractfile(MANIFEST)
            if member is None:
                raise KeyError(MANIFEST)
            manifest = Manifest(**json.loads(member.read()))
    except (OSError, tarfile.TarError, KeyError, TypeError, ValueError) as exc:
        raise BackupError(f"{path} is not a backup written by `soash backup` ({exc}).") from None
    if manifest.format != FORMAT:
        raise BackupError(f"{path} has backup format {manifest.format!r}; expected {FORMAT}.")
    return manifest


def check_keys(manifest: Manifest, ring: KeyRing) -> None:
    wrong = [
        kid
        for kid in manifest.key_ids
        if kid not in ring.keys or fingerprint(ring.keys[kid]) != manifest.key_fingerprints[kid]
    ]
    if wrong:
        held = ", ".join(ring.keys) or "none"
        raise BackupError(
            f"the backup's tokens are encrypted with key(s) {', '.join(wrong)}, which "
            f"SOASH_SECURITY_ENCRYPTION_KEYS (holding {held}) does not hold with the same "
            "value; set the keys of the installation that made the backup, then restore again."
        )


def restore(path: Path, url: str, *, ring: KeyRing | None = None) -> Manifest:
    manifest = read_manifest(path)
    check_keys(manifest, ring or KeyRing.from_settings())
    kind = make_url(url).get_backend_name()
    if kind != manifest.database:
        raise BackupError(
            f"this is a {manifest.database} backup; the configured database is {kind}."
        )
    _require_empty(url)
    with tempfile.TemporaryDirectory() as tmp, tarfile.open(path) as archive:
        name = "database.sqlite3" if kind == "sqlite" else "database.pgdump"
        archive.extract(name, tmp, filter="data")
        data = Path(tmp) / name
        if kind == "sqlite":
            target = _sqlite_path(url)
            target.parent.mkdir(parents=True, exist_ok=True)
            _sqlite_copy(data, target)
        else:
            _run(
                _tool("pg_restore"),
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "--dbname",
                _libpq(url),
                str(data),
            )
    return manifest


def _require_empty(url: str) -> None:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            tables = inspect(conn).get_table_names()
    finally:
        engine.dispose()
    if tables:
        raise BackupError(
            f"the target database is not empty ({len(tables)} tables, e.g. {sorted(tables)[0]}); "
            "restore into a new, empty database."
        )


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up or restored.")
    return Path(database)


def _sqlite_copy(source: Path, target: Path) -> None:
    """SQLite's online backup API: a consistent snapshot even while others write."""
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        with dst:
            src.backup(dst)
    finally:
        src.close()
        dst.close()


def _libpq(url: str) -> str:
    """The URL as libpq tools take it (no SQLAlchemy driver suffix)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} is not on PATH; install the PostgreSQL client tools (e.g. the "
            "postgresql-client package) matching the server's major version."
        )
    return found


def _run(*command: str) -> None:
    done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        tool = Path(command[0]).name
        detail = (done.stderr or done.stdout).strip().splitlines()
        raise BackupError(f"{tool} failed: {detail[-1] if detail else done.returncode}")

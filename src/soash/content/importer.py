"""CSV import of history a user exported elsewhere: posts with their daily metrics, and daily
account metrics.

Two formats; the header names the columns (any order, each exactly once):

* posts (one row per post per day)::

    platform,account,platform_post_id,content_type,caption,hashtags,posted_at,metric_date,
    likes,comments,shares,saves,reach,impressions

* account metrics (one row per account per day)::

    platform,account,metric_date,follower_count,following_count,total_posts,total_reach,
    total_impressions,total_engagement

Rules:

* The file is UTF-8 (a byte-order mark is fine). It is read as a text stream, row by row, and
  never held in memory whole.
* All or nothing: a first pass checks every row; if anything is wrong, ``InvalidInput`` lists
  the first ``MAX_ERRORS`` problems as ``{row, column, message}`` (rows numbered as a
  spreadsheet shows them: the header is row 1) and nothing is written. A second pass writes the
  file in ONE transaction, ``BATCH`` rows at a time, through ``soash.content.ingest`` (the
  sync's write path), so importing a file again updates what it wrote and never duplicates it.
* ``account`` is the username on that platform (a leading ``@`` and letter case are ignored).
  The importing user's own account with that username is used; another user's account is never
  touched. With none, an account is created for the user, inactive and without tokens, with
  ``platform_user_id = import:<user id, 32 hex digits>:<username, lower case>`` (or
  ``import:<user id>:#<sha256 of the username>`` when that would exceed 128 characters), so two
  users importing the same username get an account each. Connecting the real account later
  creates a separate, connected account; the imported history stays on the imported one.
* ``platform``: instagram, facebook, tiktok, twitter (or x), linkedin. ``content_type``: image,
  video, carousel, story, reel, or empty. ``hashtags``: space-separated (``#`` optional); empty
  means "take them from the caption". ``posted_at``: ISO 8601 with a UTC offset
  (``2024-05-01T18:30:00+02:00`` or ``...Z``); ``metric_date``: ``YYYY-MM-DD``. In a posts
  file, a row with an empty ``metric_date`` and no figures imports just the post.
* A posts file sets a post's content type, caption, hashtags and time (an empty cell included);
  it leaves the media URLs and the platform's own kind as the sync stored them.
* Figures are whole numbers >= 0. An empty cell means "not reported" and is stored as NULL,
  never 0; as in the sync, an empty cell never erases a figure already stored for that day.
* Every import records a ``system_jobs`` row (``import_data``) with its counts, or its error.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any, BinaryIO, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from soash.content.ingest import (
    IMPORT_POST_UPDATE,
    AccountMetricRow,
    MetricRow,
    PostRow,
    upsert_account_metrics,
    upsert_post_metrics,
    upsert_posts,
)
from soash.content.models import ContentType
from soash.db import session_scope, upsert, utcnow
from soash.errors import InvalidInput, SoashError
from soash.iterables import chunks
from soash.ownership import owned_by, owner_id
from soash.schemas import DAY_RANGE, MAX_DAY, MIN_DAY, NUL
from soash.social.models import Platform, SocialAccount
from soash.system.models import JobType
from soash.system.runner import run_job
from soash.system.service import create_job
from soash.users.models import User

BATCH = 1000  # rows per write: one upsert statement per table per batch
MAX_ERRORS = 20
IMPORT_PREFIX = "import:"
MAX_COUNT = 2**63 - 1  # BIGINT

T = TypeVar("T")


class ImportKind(StrEnum):
    posts = "posts"
    account_metrics = "account-metrics"


POST_COLUMNS = (
    "platform",
    "account",
    "platform_post_id",
    "content_type",
    "caption",
    "hashtags",
    "posted_at",
    "metric_date",
    "likes",
    "comments",
    "shares",
    "saves",
    "reach",
    "impressions",
)
ACCOUNT_METRIC_COLUMNS = (
    "platform",
    "account",
    "metric_date",
    "follower_count",
    "following_count",
    "total_posts",
    "total_reach",
    "total_impressions",
    "total_engagement",
)
COLUMNS: dict[ImportKind, tuple[str, ...]] = {
    ImportKind.posts: POST_COLUMNS,
    ImportKind.account_metrics: ACCOUNT_METRIC_COLUMNS,
}
_POST_FIGURES = ("likes", "comments", "shares", "saves", "reach", "impressions")
_ACCOUNT_FIGURES = ACCOUNT_METRIC_COLUMNS[3:]


class ImportTooLarge(SoashError):
    status = 413
    title = "Content Too Large"


@dataclass(frozen=True)
class RowError:
    row: int
    column: str | None
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}

    def __str__(self) -> str:
        where = f"row {self.row}" + (f", column '{self.column}'" if self.column else "")
        return f"{where}: {self.message}"


@dataclass
class ImportResult:
    kind: ImportKind
    rows: int = 0
    accounts_created: int = 0
    posts: int = 0
    snapshots: int = 0
    days: int = 0
    job_id: uuid.UUID | None = None

    def counts(self) -> dict[str, int]:
        if self.kind is ImportKind.posts:
            figures = {"posts": self.posts, "snapshots": self.snapshots}
        else:
            figures = {"days": self.days}
        return {"rows": self.rows, **figures, "accounts_created": self.accounts_created}


# (phase, bytes read, total bytes); phase is "checking" (first pass) or "importing".
ProgressFn = Callable[[str, int, int], None]

AccountKey = tuple[Platform, str]  # (platform, username in lower case)


def import_platform_user_id(user_id: uuid.UUID, username: str) -> str:
    """The platform_user_id of an account created by an import (see the module doc)."""
    name = username.lower()
    candidate = f"{IMPORT_PREFIX}{user_id.hex}:{name}"
    if len(candidate) <= 128:
        return candidate
    return f"{IMPORT_PREFIX}{user_id.hex}:#{hashlib.sha256(name.encode()).hexdigest()}"


def import_csv(
    kind: ImportKind,
    file: BinaryIO,
    *,
    user: User,
    filename: str | None = None,
    max_bytes: int | None = None,
    progress: ProgressFn | None = None,
) -> ImportResult:
    """Check then import one CSV file (a seekable binary file) for ``user``: all or nothing.

    Raises ImportTooLarge (413) over ``max_bytes``, InvalidInput (422, with ``errors``) for a
    bad file; either way nothing is written. Records a system_jobs row for the import.
    """
    file.seek(0, io.SEEK_END)
    size = file.tell()
    file.seek(0)
    if max_bytes is not None and size > max_bytes:
        raise ImportTooLarge(
            f"The file is {size:,} bytes; an import takes at most {max_bytes:,} bytes. Split it "
            "into smaller files (each is imported on its own) or use `soash import`.",
            max_bytes=max_bytes,
        )
    with session_scope() as db:
        job_id = create_job(db, job_type=JobType.import_data, user_id=owner_id(user)).id
    result = ImportResult(kind=kind, job_id=job_id)
    with run_job(job_id) as report:
        report.update({"kind": kind.value, "file": filename, "bytes": size})
        reader = _Reader(kind, file, size=size, progress=progress)
        accounts, posts = _check(reader)
        with session_scope() as db:  # one transaction: the whole file or nothing
            owner = db.get_one(User, user.id)
            resolved, result.accounts_created = _resolve_accounts(db, owner, accounts)
            if kind is ImportKind.posts:
                result.posts = posts
                result.rows, result.snapshots = _write_posts(db, reader, resolved)
            else:
                result.rows, result.days = _write_account_days(db, reader, resolved)
        report.update(result.counts())
    return result


# -- reading ----------------------------------------------------------------------------------


class _Bad(ValueError):
    """A cell's problem, worded to follow the column name."""


class _Reader:
    """Reads the file as CSV text, row by row; one instance serves both passes."""

    def __init__(
        self, kind: ImportKind, file: BinaryIO, *, size: int, progress: ProgressFn | None
    ) -> None:
        self.kind = kind
        self.file = file
        self.size = size
        self.progress = progress
        self.columns = COLUMNS[kind]

    def rows(self, phase: str) -> Iterator[_Row]:
        """The data rows; raises InvalidInput for a wrong header or bytes that are not UTF-8."""
        self.file.seek(0)
        text = io.TextIOWrapper(self.file, encoding="utf-8-sig", newline="")
        try:
            records = csv.reader(text, strict=True)
            number = 1
            header = self._next(records, number)
            if header is None:
                raise InvalidInput(
                    f"The file is empty. Its first line must be the header: {self._expected()}.",
                    errors=[RowError(1, None, "missing header").as_dict()],
                )
            if any(NUL in name for name in header):
                raise InvalidInput(
                    "The header holds a NUL character (\\u0000), which no column name has: "
                    f"the first line must be {self._expected()}. Nothing was imported.",
                    errors=[RowError(1, None, "holds a NUL character").as_dict()],
                    error_count=1,
                )
            index = self._header(header)
            while (record := self._next(records, number + 1)) is not None:
                number += 1
                if not record:  # a blank line
                    continue
                if any(NUL in cell for cell in record):
                    yield _Row(number, None, problem=_NUL_CELL)
                    continue
                if len(record) != len(header):
                    problem = f"has {len(record)} fields but the header has {len(header)}"
                    yield _Row(number, None, problem=problem)
                else:
                    yield _Row(number, {name: record[i] for name, i in index.items()})
                if self.progress is not None and number % BATCH == 0:
                    self.progress(phase, self.file.tell(), self.size)
            if self.progress is not None:
                self.progress(phase, self.size, self.size)
        finally:
            text.detach()  # the caller owns the file: do not close it

    def _next(self, records: Iterator[list[str]], number: int) -> list[str] | None:
        try:
            return next(records)
        except StopIteration:
            return None
        except UnicodeDecodeError:
            error = RowError(number, None, "not UTF-8 text")
            raise InvalidInput(
                f"The file is not UTF-8 text (the first bad bytes are at about row {number}). "
                "Save it as 'CSV UTF-8' and import it again; nothing was imported.",
                errors=[error.as_dict()],
                error_count=1,
            ) from None
        except csv.Error as exc:
            error = RowError(number, None, f"not valid CSV: {exc}")
            raise InvalidInput(
                f"The file is not valid CSV at row {number} ({exc}): check the quotes around "
                "that row. Nothing was imported.",
                errors=[error.as_dict()],
                error_count=1,
            ) from None

    def _expected(self) -> str:
        return ",".join(self.columns)

    def _header(self, header: list[str]) -> dict[str, int]:
        names = [h.strip().lower() for h in header]
        seen: dict[str, int] = {}
        repeated: list[str] = []
        for i, name in enumerate(names):
            if name in seen:
                repeated.append(name)
            seen.setdefault(name, i)
        missing = [c for c in self.columns if c not in seen]
        unknown = [n for n in seen if n not in self.columns]
        if not (missing or unknown or repeated):
            return {c: seen[c] for c in self.columns}
        problems = []
        if missing:
            problems.append("missing column(s) " + ", ".join(f"'{c}'" for c in missing))
        if unknown:
            problems.append("unknown column(s) " + ", ".join(f"'{c}'" for c in unknown))
        if repeated:
            problems.append("repeated column(s) " + ", ".join(f"'{c}'" for c in repeated))
        errors = (
            [RowError(1, c, "missing column") for c in missing]
            + [RowError(1, c, "unknown column") for c in unknown]
            + [RowError(1, c, "repeated column") for c in repeated]
        )
        label = "posts" if self.kind is ImportKind.posts else "account metrics"
        raise InvalidInput(
            f"The header does not match the {label} format: {'; '.join(problems)}. "
            f"Expected: {self._expected()}. Nothing was imported.",
            missing=missing,
            unknown=unknown,
            expected=list(self.columns),
            errors=[e.as_dict() for e in errors[:MAX_ERRORS]],
            error_count=len(errors),
        )


class _Row:
    """One data row's cells; parsing a cell records its problem instead of raising."""

    def __init__(
        self, number: int, cells: dict[str, str] | None, *, problem: str | None = None
    ) -> None:
        self.number = number
        self.cells = cells or {}
        self.errors: list[RowError] = []
        if problem is not None:
            self.errors.append(RowError(number, None, problem))

    def take(self, column: str, parse: Callable[[str], T]) -> T | None:
        try:
            return parse(self.cells[column])
        except _Bad as exc:
            self.errors.append(RowError(self.number, column, str(exc)))
            return None

    def blank(self, column: str) -> bool:
        return not self.cells[column].strip()


_NUL_CELL = "holds a NUL character (\\u0000); remove it (no cell may hold one)"


def _shown(text: str) -> str:
    text = text.strip()
    return f"'{text[:40]}…'" if len(text) > 40 else f"'{text}'"


def _required(text: str) -> str:
    value = text.strip()
    if not value:
        raise _Bad("is required")
    return value


_PLATFORM_ALIASES = {"x": Platform.twitter}


def _platform(text: str) -> Platform:
    value = _required(text).lower()
    try:
        return _PLATFORM_ALIASES.get(value) or Platform(value)
    except ValueError:
        names = ", ".join(p.value for p in Platform)
        raise _Bad(f"{_shown(text)} is not a platform; use one of {names}") from None


def _account(text: str) -> str:
    value = _required(text).removeprefix("@").strip()
    if not value:
        raise _Bad("is required (the account's username)")
    if len(value) > 255 or any(c.isspace() for c in value):
        raise _Bad(f"{_shown(text)} is not a username (no spaces, at most 255 characters)")
    return value


def _post_id(text: str) -> str:
    value = _required(text)
    if len(value) > 128:
        raise _Bad("is longer than 128 characters")
    return value


def _content_type(text: str) -> ContentType | None:
    value = text.strip().lower()
    if not value:
        return None
    try:
        return ContentType(value)
    except ValueError:
        names = ", ".join(c.value for c in ContentType)
        raise _Bad(
            f"{_shown(text)} is not a content type; use one of {names}, or leave it empty"
        ) from None


def _caption(text: str) -> str | None:
    return text if text.strip() else None


_TAG = re.compile(r"\w{1,100}")


def _hashtags(text: str) -> tuple[str, ...] | None:
    if not text.strip():
        return None  # taken from the caption
    tags: dict[str, None] = {}
    for word in text.split():
        tag = word.removeprefix("#")
        if not _TAG.fullmatch(tag):
            raise _Bad(
                f"{_shown(word)} is not a hashtag: use letters, digits and _ only, and separate "
                "hashtags with spaces"
            )
        tags.setdefault(tag.lower(), None)
    return tuple(tags)


def _posted_at(text: str) -> datetime:
    value = _required(text)
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise _Bad(
            f"{_shown(text)} is not an ISO 8601 time; write it like 2024-05-01T18:30:00+02:00"
        ) from None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise _Bad(
            f"{_shown(text)} has no UTC offset, so the time is ambiguous; add one, like "
            f"{parsed:%Y-%m-%dT%H:%M:%S}+00:00 or {parsed:%Y-%m-%dT%H:%M:%S}Z"
        )
    if not MIN_DAY <= parsed.date() <= MAX_DAY:  # also keeps the UTC conversion in range
        raise _Bad(f"{_shown(text)} is not {DAY_RANGE}")
    return parsed.astimezone(UTC)


_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _day(text: str) -> date:
    value = _required(text)
    try:
        if not _DAY.fullmatch(value):
            raise ValueError
        day = date.fromisoformat(value)
    except ValueError:
        raise _Bad(f"{_shown(text)} is not a date; write it as YYYY-MM-DD") from None
    if not MIN_DAY <= day <= MAX_DAY:
        raise _Bad(f"{_shown(text)} is not {DAY_RANGE}")
    return day


_COUNT = re.compile(r"[0-9]+")


def _count(text: str) -> int | None:
    value = text.strip()
    if not value:
        return None  # not reported
    if _COUNT.fullmatch(value):
        number = int(value)
        if number > MAX_COUNT:
            raise _Bad(f"{_shown(text)} is too large")
        return number
    if re.fullmatch(r"-\s*[0-9.]+", value):
        raise _Bad(f"{_shown(text)} is negative; figures are whole numbers of 0 or more")
    raise _Bad(
        f"{_shown(text)} is not a whole number; write figures as plain digits like 1234 "
        "(no decimals, separators or units), or leave the cell empty if unknown"
    )


# -- parsing rows -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _PostLine:
    account: AccountKey
    username: str
    post: PostRow
    metric_date: date | None
    figures: tuple[int | None, ...]  # likes, comments, shares, saves, reach, impressions


@dataclass(frozen=True)
class _DayLine:
    account: AccountKey
    username: str
    metric_date: date
    figures: tuple[int | None, ...]  # in ACCOUNT_METRIC_COLUMNS order


def _post_line(row: _Row) -> _PostLine | None:
    if row.errors:
        return None
    platform = row.take("platform", _platform)
    username = row.take("account", _account)
    post_id = row.take("platform_post_id", _post_id)
    content_type = row.take("content_type", _content_type)
    caption = row.take("caption", _caption)
    hashtags = row.take("hashtags", _hashtags)
    posted_at = row.take("posted_at", _posted_at)
    metric_date = None if row.blank("metric_date") else row.take("metric_date", _day)
    figures = tuple(row.take(c, _count) for c in _POST_FIGURES)
    if row.blank("metric_date") and any(f is not None for f in figures):
        row.errors.append(
            RowError(row.number, "metric_date", "is required when the row has figures")
        )
    if row.errors:
        return None
    assert platform is not None and username is not None
    assert post_id is not None and posted_at is not None
    post = PostRow(
        platform_post_id=post_id,
        posted_at=posted_at,
        content_type=content_type,
        caption=caption,
        hashtags=hashtags,
    )
    return _PostLine((platform, username.lower()), username, post, metric_date, figures)


def _day_line(row: _Row) -> _DayLine | None:
    if row.errors:
        return None
    platform = row.take("platform", _platform)
    username = row.take("account", _account)
    metric_date = row.take("metric_date", _day)
    figures = tuple(row.take(c, _count) for c in _ACCOUNT_FIGURES)
    if row.errors:
        return None
    assert platform is not None and username is not None and metric_date is not None
    return _DayLine((platform, username.lower()), username, metric_date, figures)


def _lines(reader: _Reader, phase: str) -> Iterator[tuple[_Row, _PostLine | _DayLine | None]]:
    parse = _post_line if reader.kind is ImportKind.posts else _day_line
    for row in reader.rows(phase):
        yield row, parse(row)


# -- first pass: check ------------------------------------------------------------------------


def _check(reader: _Reader) -> tuple[dict[AccountKey, str], int]:
    """Check every row. Returns the accounts named (key -> username as first written) and the
    number of distinct posts; raises InvalidInput listing the first problems."""
    errors: list[RowError] = []
    error_count = 0
    accounts: dict[AccountKey, str] = {}
    posts: set[tuple[AccountKey, str]] = set()
    for row, line in _lines(reader, "checking"):
        if line is None:
            error_count += len(row.errors)
            errors.extend(row.errors[: MAX_ERRORS - len(errors)])
            continue
        accounts.setdefault(line.account, line.username)
        if isinstance(line, _PostLine):
            posts.add((line.account, line.post.platform_post_id))
    if error_count:
        first = errors[0]
        more = f" The first {len(errors)} are listed in 'errors'." if error_count > 1 else ""
        raise InvalidInput(
            f"The file has {error_count} problem(s), so nothing was imported. "
            f"First: {first}.{more} Fix them and import the file again.",
            errors=[e.as_dict() for e in errors],
            error_count=error_count,
        )
    return accounts, len(posts)


# -- second pass: write -----------------------------------------------------------------------


@dataclass(frozen=True)
class _Account:
    id: uuid.UUID
    followers: int | None


def _resolve_accounts(
    db: Session, owner: User, wanted: dict[AccountKey, str]
) -> tuple[dict[AccountKey, _Account], int]:
    """The user's own account for each (platform, username), creating the missing ones
    (inactive, no tokens). Returns them and how many were created."""
    found: dict[AccountKey, tuple[bool, Any, _Account]] = {}
    platforms = {platform for platform, _ in wanted}
    rows = db.execute(
        select(
            SocialAccount.id,
            SocialAccount.platform,
            SocialAccount.username,
            SocialAccount.platform_user_id,
            SocialAccount.follower_count,
            SocialAccount.created_at,
        ).where(
            owned_by(SocialAccount.user_id, owner),
            SocialAccount.platform.in_(platforms),
            SocialAccount.username.is_not(None),
        )
    )
    for row in rows:
        key = (row.platform, (row.username or "").lower())
        if key not in wanted:
            continue
        # Several of the user's accounts with one username: prefer a connected one, then the
        # oldest.
        rank = (row.platform_user_id.startswith(IMPORT_PREFIX), row.created_at)
        if key not in found or rank < found[key][:2]:
            found[key] = (rank[0], rank[1], _Account(row.id, row.follower_count))
    resolved = {key: entry[2] for key, entry in found.items()}
    missing = [key for key in wanted if key not in resolved]
    created = 0
    now = utcnow()
    for chunk in chunks(missing, 500):
        fresh = {key: uuid.uuid4() for key in chunk}
        external = {key: import_platform_user_id(owner.id, key[1]) for key in chunk}
        # An upsert, so that two imports naming the same new account at once both succeed.
        upsert(
            db,
            SocialAccount.__table__,
            [
                {
                    "id": fresh[key],
                    "user_id": owner_id(owner),
                    "platform": key[0],
                    "platform_user_id": external[key],
                    "username": wanted[key],
                    "is_active": False,
                    "unavailable_metrics": [],
                    "created_at": now,
                    "updated_at": now,
                }
                for key in chunk
            ],
            keys=("platform", "platform_user_id"),
            update=("updated_at",),
        )
        stored = db.execute(
            select(SocialAccount.platform, SocialAccount.platform_user_id, SocialAccount.id).where(
                SocialAccount.platform_user_id.in_(list(external.values()))
            )
        )
        ids = {(platform, pid): account_id for platform, pid, account_id in stored}
        for key in chunk:
            account_id = ids[(key[0], external[key])]
            created += account_id == fresh[key]
            resolved[key] = _Account(account_id, None)
    return resolved, created


def _batches(reader: _Reader) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for row, line in _lines(reader, "importing"):
        if line is None:  # the first pass saw this row fine: the file changed under us
            raise RuntimeError(f"row {row.number} changed between the check and the import")
        batch.append(line)
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _write_posts(
    db: Session, reader: _Reader, accounts: dict[AccountKey, _Account]
) -> tuple[int, int]:
    rows = snapshots = 0
    for batch in _batches(reader):
        rows += len(batch)
        by_account: dict[AccountKey, list[_PostLine]] = defaultdict(list)
        for line in batch:
            by_account[line.account].append(line)
        metrics: list[MetricRow] = []
        followers: dict[uuid.UUID, int | None] = {}
        for key, lines in by_account.items():
            account = accounts[key]
            posts = [line.post for line in lines]
            ids = upsert_posts(db, account.id, posts, update=IMPORT_POST_UPDATE)
            for line in lines:
                if line.metric_date is None:
                    continue
                post_id = ids[line.post.platform_post_id]
                likes, comments, shares, saves, reach, impressions = line.figures
                metrics.append(
                    MetricRow(
                        post_id=post_id,
                        metric_date=line.metric_date,
                        likes=likes,
                        comments=comments,
                        shares=shares,
                        saves=saves,
                        reach=reach,
                        impressions=impressions,
                    )
                )
                followers[post_id] = account.followers
        snapshots += upsert_post_metrics(db, metrics, followers=followers)
    return rows, snapshots


def _write_account_days(
    db: Session, reader: _Reader, accounts: dict[AccountKey, _Account]
) -> tuple[int, int]:
    rows = days = 0
    for batch in _batches(reader):
        rows += len(batch)
        days += upsert_account_metrics(
            db,
            [
                AccountMetricRow(accounts[line.account].id, line.metric_date, *line.figures)
                for line in batch
            ],
        )
    return rows, days

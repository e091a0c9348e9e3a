"""Ingest benchmark: the sync's write path against PostgreSQL COPY.

Builds a synthetic history (by default 10 accounts x 1,000 posts x 100 days = 1,000,000
post_metrics rows) and writes it through ``soash.content.ingest.upsert_post_metrics``, one
upsert statement per batch of ``--batch`` rows (1,000), day by day as the sync writes:

* "transaction per batch (sync)": a transaction per batch, as the sync commits each page;
* "again": the same rows once more, every one a conflict (a re-sync or re-import: updates);
* "one transaction (CSV import)": all batches in one transaction, as an import does.

It runs on SQLite (a temporary file) and on PostgreSQL (a fresh temporary database on
``--pg``, dropped afterwards; schema built by the migrations), and in the same run loads the
same rows into the same PostgreSQL table with ``COPY ... FROM STDIN (FORMAT BINARY)`` in one
transaction. Every load starts from an empty post_metrics table with all its indexes. The COPY
rows are the write path's rows: the same figures plus what the write path computes per row (a
fresh id, the engagement rate, the timestamps), built in COPY's timed loop too.

This machine may be busy with other work: ``--repeat N`` runs everything N times, alternating,
and keeps each method's best run.

    .venv/bin/python bench/ingest.py --repeat 3      # the full run (tens of minutes)
    .venv/bin/python bench/ingest.py --rows 100000   # a quick one

Prints a table (backend, method, rows, seconds, rows/s, ratio to COPY) and writes
``bench/results/ingest.json``. Target: the sync's write path at >= 1/3 of COPY's rate
on PostgreSQL.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import Progress
from rich.table import Table
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session, sessionmaker

from soash import migrate
from soash.content.engagement import engagement, engagement_rate
from soash.content.ingest import MetricRow, PostRow, new_ids, upsert_post_metrics, upsert_posts
from soash.content.models import ContentType, PostMetric
from soash.db import make_engine, utcnow
from soash.social.models import Platform, SocialAccount
from soash.users.models import User

RESULTS = Path(__file__).parent / "results" / "ingest.json"
PG_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"
FIRST_DAY = date(2025, 1, 1)
FOLLOWERS = 25_000
COPY_COLUMNS = (
    "id",
    "post_id",
    "metric_date",
    "likes_count",
    "comments_count",
    "shares_count",
    "saves_count",
    "reach",
    "impressions",
    "engagement_rate",
    "created_at",
    "updated_at",
)
console = Console()


@dataclass(frozen=True)
class Plan:
    accounts: int
    posts_per_account: int
    days: int
    batch: int

    @property
    def rows(self) -> int:
        return self.accounts * self.posts_per_account * self.days


@dataclass
class Result:
    backend: str
    method: str
    rows: int
    seconds: float

    @property
    def rate(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


def figures(post: int, day: int) -> tuple[int | None, ...]:
    """Deterministic, plausible figures (likes, comments, shares, saves, reach, impressions);
    one post in ten has no impressions (a retired metric: NULL)."""
    base = (post * 37 + day * 11) % 997
    reach = 1_000 + base * 5 + day
    impressions = None if post % 10 == 0 else reach + base
    return base + day, base // 10, base // 50, base // 20, reach, impressions


def batches(post_ids: list[uuid.UUID], plan: Plan) -> Iterator[list[MetricRow]]:
    """Day by day, ``plan.batch`` posts at a time: the order in which the sync writes."""
    for d in range(plan.days):
        day = FIRST_DAY + timedelta(days=d)
        for start in range(0, len(post_ids), plan.batch):
            rows = []
            for p in range(start, min(start + plan.batch, len(post_ids))):
                likes, comments, shares, saves, reach, impressions = figures(p, d)
                rows.append(
                    MetricRow(post_ids[p], day, likes, comments, shares, saves, reach, impressions)
                )
            yield rows


def setup(engine: Engine, plan: Plan) -> list[uuid.UUID]:
    """A user, its accounts and their posts (written through the same write path)."""
    make = sessionmaker(bind=engine, expire_on_commit=False)
    post_ids: list[uuid.UUID] = []
    with make.begin() as db:
        email = f"bench-{uuid.uuid4().hex[:8]}@example.com"
        user = User(email=email, password_hash="!")  # noqa: S106 - cannot sign in
        db.add(user)
        db.flush()
        for a in range(plan.accounts):
            account = SocialAccount(
                user_id=user.id,
                platform=Platform.instagram,
                platform_user_id=f"bench-{user.id.hex}-{a}",
                username=f"bench{a}",
                follower_count=FOLLOWERS,
                unavailable_metrics=[],
            )
            db.add(account)
            db.flush()
            posted = datetime(2024, 12, 31, 12, tzinfo=UTC)
            posts = [
                PostRow(
                    platform_post_id=f"{a}-{i}",
                    posted_at=posted - timedelta(hours=i),
                    content_type=ContentType.image,
                    caption=f"Post {i} #bench #tag{i % 7}",
                )
                for i in range(plan.posts_per_account)
            ]
            for start in range(0, len(posts), 1000):
                chunk = posts[start : start + 1000]
                ids = upsert_posts(db, account.id, chunk)
                post_ids.extend(ids[p.platform_post_id] for p in chunk)
    return post_ids


def write_path(
    engine: Engine, post_ids: list[uuid.UUID], plan: Plan, label: str, *, one_transaction: bool
) -> float:
    """Every row through ingest.upsert_post_metrics, one statement per batch; a transaction per
    batch as the sync commits each page, or one for all as the CSV import does."""
    make = sessionmaker(bind=engine, expire_on_commit=False)
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task(label, total=plan.rows)
        started = time.perf_counter()
        if one_transaction:
            with make.begin() as db:
                for rows in batches(post_ids, plan):
                    upsert_post_metrics(db, rows, followers={r.post_id: FOLLOWERS for r in rows})
                    progress.advance(task, len(rows))
        else:
            for rows in batches(post_ids, plan):
                with make.begin() as db:
                    upsert_post_metrics(db, rows, followers={r.post_id: FOLLOWERS for r in rows})
                progress.advance(task, len(rows))
        return time.perf_counter() - started


def copy_load(url: str, post_ids: list[uuid.UUID], plan: Plan) -> float:
    """The same rows with COPY ... FROM STDIN (binary), in one transaction."""
    import psycopg

    columns = ", ".join(COPY_COLUMNS)
    with (
        Progress(console=console, transient=True) as progress,
        psycopg.connect(url) as conn,
        conn.cursor() as cur,
    ):
        task = progress.add_task("postgresql: COPY", total=plan.rows)
        started = time.perf_counter()
        with cur.copy(f"COPY post_metrics ({columns}) FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types(
                ["uuid", "uuid", "date", *["int8"] * 6, "numeric", "timestamptz", "timestamptz"]
            )
            ids = new_ids()
            for rows in batches(post_ids, plan):
                now = utcnow()
                for r in rows:
                    total = engagement(r.likes, r.comments, r.shares, r.saves)
                    rate = engagement_rate(total, reach=r.reach, followers=FOLLOWERS)
                    copy.write_row(
                        (
                            next(ids),
                            r.post_id,
                            r.metric_date,
                            r.likes,
                            r.comments,
                            r.shares,
                            r.saves,
                            r.reach,
                            r.impressions,
                            rate,
                            now,
                            now,
                        )
                    )
                progress.advance(task, len(rows))
        conn.commit()
        return time.perf_counter() - started


def count(engine: Engine) -> int:
    with Session(engine) as db:
        return db.scalar(select(func.count()).select_from(PostMetric)) or 0


def empty(engine: Engine) -> None:
    """Empty post_metrics and reclaim its space, so that every load starts alike."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("TRUNCATE post_metrics"))
            conn.execute(text("VACUUM ANALYZE post_metrics"))
        else:
            conn.execute(text("DELETE FROM post_metrics"))
            conn.execute(text("VACUUM"))
            conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))


TARGET = 1 / 3
COPY = "COPY (one transaction)"
SYNC = "write path, transaction per batch (sync)"
AGAIN = "write path again: all updates (re-sync)"
IMPORT = "write path, one transaction (CSV import)"


def run_backend(
    backend: str, url: str, plan: Plan, *, with_copy: bool, repeat: int
) -> list[Result]:
    """Each measurement ``repeat`` times, alternating; keeps the best of each (the machine's
    other load only ever slows a run down)."""
    console.print(
        f"[bold]{backend}[/bold]: schema, then {plan.accounts:,} accounts x "
        f"{plan.posts_per_account:,} posts x {plan.days:,} days = {plan.rows:,} rows"
    )
    migrate.upgrade(url)
    engine = make_engine(url)
    best: dict[str, float] = {}

    def record(method: str, seconds: float) -> None:
        assert count(engine) == plan.rows, f"{method}: wrong row count"
        best[method] = min(seconds, best.get(method, seconds))
        console.print(f"  {method}: {plan.rows / seconds:,.0f} rows/s")

    try:
        post_ids = setup(engine, plan)
        for _ in range(repeat):
            if with_copy:
                empty(engine)
                record(COPY, copy_load(url, post_ids, plan))
            empty(engine)
            label = f"{backend}: write path"
            record(SYNC, write_path(engine, post_ids, plan, label, one_transaction=False))
            record(AGAIN, write_path(engine, post_ids, plan, label, one_transaction=False))
            empty(engine)
            record(IMPORT, write_path(engine, post_ids, plan, label, one_transaction=True))
    finally:
        engine.dispose()
    return [Result(backend, method, plan.rows, seconds) for method, seconds in best.items()]


def _pg_database(server: str) -> tuple[str, str]:
    name = f"soash_bench_{uuid.uuid4().hex[:12]}"
    assert re.fullmatch(r"[a-z0-9_]+", name)
    return name, server.rsplit("/", 1)[0] + f"/{name}"


def _admin(server: str, statement: str) -> None:
    engine = make_engine(server).execution_options(isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(statement))
    engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=1_000_000, help="post_metrics rows (about)")
    parser.add_argument("--accounts", type=int, default=10)
    parser.add_argument("--days", type=int, default=100)
    parser.add_argument("--batch", type=int, default=1000, help="rows per upsert statement")
    parser.add_argument("--pg", default=PG_SERVER, help="PostgreSQL server URL ('' to skip)")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each; the best is kept")
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    posts = max(1, args.rows // (args.accounts * args.days))
    plan = Plan(args.accounts, posts, args.days, args.batch)

    results: list[Result] = []
    if not args.skip_sqlite:
        with tempfile.TemporaryDirectory(prefix="soash-bench-") as tmp:
            url = f"sqlite:///{tmp}/bench.db"
            results += run_backend("sqlite", url, plan, with_copy=False, repeat=args.repeat)
    if args.pg:
        name, url = _pg_database(args.pg)
        _admin(args.pg, f'CREATE DATABASE "{name}"')
        try:
            results += run_backend("postgresql", url, plan, with_copy=True, repeat=args.repeat)
        finally:
            _admin(args.pg, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    copy_rate = next((r.rate for r in results if r.method == COPY), None)
    table = Table("backend", "method", "rows", "seconds", "rows/s", "ratio to COPY")
    for r in results:
        ratio = f"{r.rate / copy_rate:.2f}" if copy_rate else "-"
        table.add_row(
            r.backend, r.method, f"{r.rows:,}", f"{r.seconds:.1f}", f"{r.rate:,.0f}", ratio
        )
    console.print(table)
    sync_rate = next((r.rate for r in results if r.backend == "postgresql" and r.method == SYNC), 0)
    met = bool(copy_rate) and sync_rate / (copy_rate or 1) >= TARGET
    if copy_rate:
        verdict = "[green]met[/green]" if met else "[red]NOT met[/red]"
        console.print(
            f"Target (the sync's write path >= 1/3 of COPY's rate on PostgreSQL): {verdict} "
            f"({sync_rate / copy_rate:.2f})"
        )
    args.output.parent.mkdir(parents=True, exist_ok=True)
    report: dict[str, Any] = {
        "benchmark": "ingest",
        "run_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "machine": platform.platform(),
        "cpus": os.cpu_count(),
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "command": " ".join(["python", "bench/ingest.py", *(argv or sys.argv[1:])]),
        "repeat": args.repeat,
        "target": {"method": SYNC, "min_ratio_to_copy": round(TARGET, 3), "met": met},
        "plan": {**asdict(plan), "rows": plan.rows},
        "results": [
            {
                **asdict(r),
                "seconds": round(r.seconds, 3),
                "rows_per_second": round(r.rate),
                "ratio_to_copy": round(r.rate / copy_rate, 3) if copy_rate else None,
            }
            for r in results
        ],
    }
    args.output.write_text(json.dumps(report, indent=2) + "\n")
    console.print(f"Written to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Analytics benchmark: the dashboard endpoints for a heavy tenant.

The tenant: one pro user in Europe/Berlin with 5 accounts, 10,000 posts spread over the last
two years (shaped like the demo platform's: its content types, posting hours, hashtags and
effects) and a daily metric snapshot of every post from the day it was posted until today
(about 3.65 million post_metrics rows), daily account metrics over the same two years, and 8
content categories on about 60% of the posts. It is generated in Python and loaded with COPY on
PostgreSQL and ``executemany`` on SQLite, into a fresh database built by the migrations
(``soash.migrate.upgrade``) that is dropped afterwards.

For each endpoint case the benchmark reports:

* ``http``: the latency of the request through the HTTP API, from a keep-alive client to the app
  served by uvicorn on 127.0.0.1 (one worker), sign-in and JSON included;
* ``sql``: the floor: the very statements the service runs for that request (captured from the
  service, then replayed with their parameters on a raw DBAPI connection, rows fetched);
* their ratio (http / sql).

The two are measured in turns (a request, then a replay), so both see the same machine.

    .venv/bin/python bench/analytics.py                        # both databases (minutes)
    .venv/bin/python bench/analytics.py --backend postgresql --explain
    .venv/bin/python bench/analytics.py --posts 2000 --repeat 20   # a quick run

Writes ``bench/results/analytics.json``. Targets, on PostgreSQL: the overview's p95
at most 100 ms and within 2x of its raw SQL. ``insights_rows`` is where the time to generate
patterns + insights for the tenant joins the table.
"""

from __future__ import annotations

import argparse
import io
import json
import math
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

# Settings are read once per process: fix them before soash is imported. The app server gets
# the same environment, so the session token made here is valid there.
_TMP = Path(tempfile.mkdtemp(prefix="soash-bench-analytics-"))
_ENV = {
    "SOASH_ENV": "test",
    "SOASH_DATA_DIR": str(_TMP / "data"),
    "SOASH_SECURITY_SESSION_SECRET": "bench-" + uuid.uuid4().hex * 2,
    "SOASH_SECURITY_ENCRYPTION_KEYS": "b1:" + "B" * 43,
    "SOASH_LOG_LEVEL": "WARNING",
}
os.environ.update(_ENV)

import httpx  # noqa: E402
import numpy as np  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402
from sqlalchemy import Engine, event, text  # noqa: E402
from sqlalchemy.orm import Session, sessionmaker  # noqa: E402

from soash import migrate  # noqa: E402
from soash.analytics import service as analytics  # noqa: E402
from soash.analytics.localtime import Granularity  # noqa: E402
from soash.analytics.schemas import BreakdownBy, Metric  # noqa: E402
from soash.content import service as content  # noqa: E402
from soash.content.models import ContentType  # noqa: E402
from soash.db import make_engine  # noqa: E402
from soash.social.models import Platform  # noqa: E402
from soash.social.platforms.demo import CAPTIONS, HASHTAG_EFFECTS, TYPE_WEIGHTS, DemoClient  # noqa: E402
from soash.users import service as users  # noqa: E402
from soash.users.models import SubscriptionTier, User  # noqa: E402

RESULTS = Path(__file__).parent / "results" / "analytics.json"
PG_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"
TIMEZONE = "Europe/Berlin"
PLATFORMS = (
    Platform.instagram,
    Platform.tiktok,
    Platform.facebook,
    Platform.twitter,
    Platform.linkedin,
)
HOURS = list(range(7, 23))
HOUR_WEIGHTS = [1, 2, 2, 2, 2, 3, 2, 2, 2, 2, 2, 3, 3, 3, 2, 1]  # as the demo platform posts
TARGET_P95_MS = 100.0
TARGET_RATIO = 2.0
console = Console(width=150)


# -- the tenant ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Shape:
    accounts: int
    posts: int
    days: int


@dataclass
class Tenant:
    url: str
    user_id: uuid.UUID
    token: str
    today: date
    account_ids: list[uuid.UUID]
    counts: dict[str, int] = field(default_factory=dict)
    load_seconds: float = 0.0


def _hex_ids(n: int) -> list[str]:
    raw = os.urandom(16 * n).hex()
    return [raw[i * 32 : i * 32 + 32] for i in range(n)]


def _make_user(engine: Engine) -> tuple[uuid.UUID, str]:
    with sessionmaker(bind=engine)() as db:
        user = users.create_user(
            db,
            email=f"bench-{uuid.uuid4().hex[:8]}@example.com",
            password="bench-password-not-used-1",  # noqa: S106 - a throwaway tenant
            verified=True,
            tier=SubscriptionTier.pro,
            timezone=TIMEZONE,
        )
        db.flush()
        token, _ = users.open_session(db, user, user_agent="bench")
        db.commit()
        return user.id, token


class Loader:
    """Rows as tuples of text (PostgreSQL COPY) or of values (SQLite executemany)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.pg = engine.dialect.name == "postgresql"
        self.stamp = self.ts(datetime.now(UTC))

    def ts(self, value: datetime) -> str:
        return value.strftime("%Y-%m-%d %H:%M:%S.%f") + ("+00" if self.pg else "")

    def load(self, table: str, columns: tuple[str, ...], rows: Iterator[tuple[Any, ...]]) -> int:
        raw = self.engine.raw_connection()
        count = 0
        try:
            cursor = raw.cursor()
            if self.pg:
                with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                    buffer = io.StringIO()
                    for row in rows:
                        buffer.write("\t".join("\\N" if v is None else str(v) for v in row))
                        buffer.write("\n")
                        count += 1
                        if count % 50_000 == 0:
                            copy.write(buffer.getvalue())
                            buffer = io.StringIO()
                    copy.write(buffer.getvalue())
            else:
                cursor.execute("PRAGMA synchronous=OFF")
                marks = ", ".join("?" * len(columns))
                statement = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"
                batch: list[tuple[Any, ...]] = []
                for row in rows:
                    batch.append(row)
                    if len(batch) == 100_000:
                        cursor.executemany(statement, batch)
                        count += len(batch)
                        batch = []
                cursor.executemany(statement, batch)
                count += len(batch)
            raw.commit()
        finally:
            raw.close()
        return count


@dataclass(frozen=True)
class _Post:
    id: str
    account: int
    posted_at: datetime
    day: date
    quality: float
    kind: ContentType
    tags: list[str]


def _posts(shape: Shape, today: date, rng: np.random.Generator) -> list[_Post]:
    tz = ZoneInfo(TIMEZONE)
    kinds = list(TYPE_WEIGHTS)
    kind_p = np.array([TYPE_WEIGHTS[k][0] for k in kinds])
    tags = list(HASHTAG_EFFECTS)
    hour_p = np.array(HOUR_WEIGHTS, dtype=float) / sum(HOUR_WEIGHTS)
    n = shape.posts
    ages = rng.integers(0, shape.days, n)
    hours = rng.choice(HOURS, n, p=hour_p)
    minutes = rng.integers(0, 60, n)
    kind_ix = rng.choice(len(kinds), n, p=kind_p / kind_p.sum())
    noise = np.exp(rng.normal(0, 0.35, n))
    ids = _hex_ids(n)
    out = []
    for i in range(n):
        day = today - timedelta(days=int(ages[i]))
        local = datetime(day.year, day.month, day.day, int(hours[i]), int(minutes[i]), tzinfo=tz)
        posted = local.astimezone(UTC)
        if posted > datetime.now(UTC):
            posted -= timedelta(days=1)
            day -= timedelta(days=1)
        kind = kinds[int(kind_ix[i])]
        chosen = list(rng.choice(tags, int(rng.integers(1, 5)), replace=False))
        quality = TYPE_WEIGHTS[kind][1] * (1.5 if 18 <= hours[i] <= 21 else 1.0) * float(noise[i])
        for tag in chosen:
            quality *= HASHTAG_EFFECTS[tag]
        out.append(_Post(ids[i], i % shape.accounts, posted, day, quality, kind, chosen))
    return out


def _metric_rows(
    posts: list[_Post], followers: list[dict[date, int]], today: date, loader: Loader
) -> Iterator[tuple[Any, ...]]:
    """One snapshot per post per day from its posting day to today."""
    for p in posts:
        ages = np.arange((today - p.day).days + 1)
        hours = (ages * 24 + 24 - p.posted_at.hour).clip(min=1)
        base = followers[p.account][p.day] * 0.32 * p.quality
        reach = (base * (1 - np.exp(-hours / 20))).astype(np.int64)
        rate = 0.045 * p.quality**0.6
        likes = (reach * rate * 0.8).astype(np.int64)
        comments = (reach * rate * 0.08).astype(np.int64)
        shares = (reach * rate * 0.07).astype(np.int64)
        saves = (reach * rate * 0.05).astype(np.int64)
        engaged = likes + comments + shares + saves
        rates = np.round(engaged / np.maximum(reach, 1), 6)
        ids = _hex_ids(len(ages))
        for k in range(len(ages)):
            r = int(reach[k])
            yield (
                ids[k],
                p.id,
                (p.day + timedelta(days=int(ages[k]))).isoformat(),
                int(likes[k]),
                int(comments[k]),
                int(shares[k]),
                int(saves[k]),
                r,
                int(r * 1.35),
                f"{rates[k]:.6f}" if r else None,
                loader.stamp,
                loader.stamp,
            )


def build_tenant(url: str, shape: Shape, *, seed: int = 4) -> Tenant:
    started = time.perf_counter()
    migrate.upgrade(url)
    engine = make_engine(url)
    loader = Loader(engine)
    rng = np.random.default_rng(seed)
    today = datetime.now(UTC).astimezone(ZoneInfo(TIMEZONE)).date()
    user_id, token = _make_user(engine)
    first = today - timedelta(days=shape.days)
    accounts = _hex_ids(shape.accounts)
    clients = [
        DemoClient(PLATFORMS[i % len(PLATFORMS)], f"demo-bench-{i}", now=datetime.now(UTC))
        for i in range(shape.accounts)
    ]
    followers = [
        {
            first + timedelta(days=d): c.followers_on(first + timedelta(days=d)) * 4
            for d in range(shape.days + 1)
        }
        for c in clients
    ]
    counts: dict[str, int] = {}
    counts["social_accounts"] = loader.load(
        "social_accounts",
        (
            "id",
            "user_id",
            "platform",
            "platform_user_id",
            "username",
            "is_active",
            "unavailable_metrics",
            "created_at",
            "updated_at",
        ),
        (
            (
                a,
                user_id.hex,
                clients[i].platform.value,
                f"bench-{a}",
                f"bench{i}",
                "true" if loader.pg else 1,
                "[]",
                loader.stamp,
                loader.stamp,
            )
            for i, a in enumerate(accounts)
        ),
    )
    counts["platform_metrics"] = loader.load(
        "platform_metrics",
        (
            "id",
            "social_account_id",
            "metric_date",
            "follower_count",
            "following_count",
            "total_posts",
            "total_reach",
            "total_impressions",
            "total_engagement",
            "engagement_rate",
            "created_at",
            "updated_at",
        ),
        (
            (
                uuid.uuid4().hex,
                a,
                day.isoformat(),
                n,
                200,
                None,
                int(n * 0.2),
                int(n * 0.28),
                int(n * 0.01),
                "0.050000",
                loader.stamp,
                loader.stamp,
            )
            for i, a in enumerate(accounts)
            for day, n in followers[i].items()
        ),
    )
    posts = _posts(shape, today, rng)
    captions = list(CAPTIONS)
    counts["posts"] = loader.load(
        "posts",
        (
            "id",
            "social_account_id",
            "platform_post_id",
            "content_type",
            "caption",
            "media_urls",
            "hashtags",
            "posted_at",
            "is_published",
            "is_scheduled",
            "platform_kind",
            "created_at",
            "updated_at",
        ),
        (
            (
                p.id,
                accounts[p.account],
                f"bench-{p.id}",
                p.kind.value,
                f"{captions[n % len(captions)]} " + " ".join(f"#{t}" for t in p.tags),
                "[]",
                json.dumps(p.tags),
                loader.ts(p.posted_at),
                "true" if loader.pg else 1,
                "false" if loader.pg else 0,
                p.kind.value,
                loader.stamp,
                loader.stamp,
            )
            for n, p in enumerate(posts)
        ),
    )
    console.print(f"  loading post_metrics for {len(posts):,} posts ...")
    counts["post_metrics"] = loader.load(
        "post_metrics",
        (
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
        ),
        _metric_rows(posts, followers, today, loader),
    )
    categories = _hex_ids(8)
    counts["content_categories"] = loader.load(
        "content_categories",
        ("id", "user_id", "name", "color_code", "created_at", "updated_at"),
        (
            (c, user_id.hex, f"Category {n + 1}", "#3366CC", loader.stamp, loader.stamp)
            for n, c in enumerate(categories)
        ),
    )
    links = {
        (p.id, categories[int(c)])
        for p in posts
        if rng.random() < 0.6
        for c in rng.choice(len(categories), int(rng.integers(1, 3)), replace=False)
    }
    counts["post_categories"] = loader.load(
        "post_categories", ("post_id", "category_id"), iter(links)
    )
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE" if loader.pg else "ANALYZE"))
    engine.dispose()
    return Tenant(
        url=url,
        user_id=user_id,
        token=token,
        today=today,
        account_ids=[uuid.UUID(a) for a in accounts],
        counts=counts,
        load_seconds=time.perf_counter() - started,
    )


# -- the cases ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    name: str
    path: str
    params: dict[str, str]
    call: Callable[[Session, User], Any]  # what the route asks the service for


def breakdown(by: BreakdownBy, start: date) -> Case:
    return Case(
        f"breakdown {by.value} 90d",
        "/api/v1/analytics/breakdown",
        {"by": by.value, "from": str(start)},
        lambda db, u: analytics.breakdown(db, u, by=by, start=start),
    )


def cases(t: Tenant) -> list[Case]:
    def ago(days: int) -> date:
        return t.today - timedelta(days=days)

    one = t.account_ids[0]
    a = "/api/v1/analytics"
    return [
        Case("overview 28d", f"{a}/overview", {}, lambda db, u: analytics.overview(db, u)),
        Case(
            "overview 28d one account",
            f"{a}/overview",
            {"account_id": str(one)},
            lambda db, u: analytics.overview(db, u, account_id=one),
        ),
        Case(
            "overview 365d",
            f"{a}/overview",
            {"from": str(ago(364))},
            lambda db, u: analytics.overview(db, u, start=ago(364)),
        ),
        Case(
            "timeseries reach day 90d",
            f"{a}/timeseries",
            {"metric": "reach", "from": str(ago(89))},
            lambda db, u: analytics.timeseries(db, u, metric=Metric.reach, start=ago(89)),
        ),
        Case(
            "timeseries followers day 365d",
            f"{a}/timeseries",
            {"metric": "followers", "from": str(ago(364))},
            lambda db, u: analytics.timeseries(db, u, metric=Metric.followers, start=ago(364)),
        ),
        Case(
            "timeseries eng.rate week 365d",
            f"{a}/timeseries",
            {"metric": "engagement_rate", "granularity": "week", "from": str(ago(364))},
            lambda db, u: analytics.timeseries(
                db, u, metric=Metric.engagement_rate, granularity=Granularity.week, start=ago(364)
            ),
        ),
        *(breakdown(by, ago(89)) for by in BreakdownBy),
        Case("posts newest", "/api/v1/posts", {}, lambda db, u: content.list_posts(db, u)),
        Case(
            "posts most engagement",
            "/api/v1/posts",
            {"sort": "engagement"},
            lambda db, u: content.list_posts(db, u, sort=content.PostSort.engagement),
        ),
    ]


# -- measuring ----------------------------------------------------------------------------------


def _ms(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]
    return round(statistics.median(ordered) * 1000, 2), round(p95 * 1000, 2)


Statement = tuple[str, Any]


def capture(engine: Engine, tenant: Tenant, case: Case) -> list[Statement]:
    """The statements the service runs for ``case`` (the signed-in user is already loaded, as
    the API's sign-in has loaded it)."""
    captured: list[Statement] = []

    def record(
        conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool
    ) -> None:
        captured.append((statement, parameters))

    with Session(engine) as db:
        user = db.get_one(User, tenant.user_id)
        event.listen(engine, "before_cursor_execute", record)
        try:
            case.call(db, user)
        finally:
            event.remove(engine, "before_cursor_execute", record)
    return captured


def _replay_once(cursor: Any, statements: list[Statement]) -> float:
    started = time.perf_counter()
    for statement, parameters in statements:
        cursor.execute(statement, parameters)
        cursor.fetchall()
    return time.perf_counter() - started


def explain(engine: Engine, statements: list[Statement]) -> str:
    pg = engine.dialect.name == "postgresql"
    prefix = "EXPLAIN (ANALYZE, BUFFERS) " if pg else "EXPLAIN QUERY PLAN "
    raw = engine.raw_connection()
    out = []
    try:
        cursor = raw.cursor()
        for statement, parameters in statements:
            cursor.execute(prefix + statement, parameters)
            plan = "\n".join(" | ".join(str(c) for c in row) for row in cursor.fetchall())
            out.append(f"-- {statement}\n-- {parameters}\n{plan}\n")
        raw.rollback()
    finally:
        raw.close()
    return "\n".join(out)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Server:
    """The app under uvicorn in a child process, on 127.0.0.1."""

    def __init__(self, url: str) -> None:
        self.base = f"http://127.0.0.1:{_free_port()}"
        env = {**os.environ, **_ENV, "SOASH_DATABASE_URL": url}
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            [
                sys.executable,
                "-m",
                "uvicorn",
                "soash.app:create_app",
                "--factory",
                "--host",
                "127.0.0.1",
                "--port",
                self.base.rsplit(":", 1)[1],
                "--log-level",
                "warning",
                "--no-access-log",
            ],
            env=env,
        )

    def __enter__(self) -> Server:
        deadline = time.monotonic() + 120  # importing the app takes long on a busy machine
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.base}/healthz").status_code == 200:
                    return self
            except httpx.TransportError:
                time.sleep(0.1)
        self.__exit__()
        raise RuntimeError("the app server did not start")

    def __exit__(self, *exc: object) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def measure(
    client: httpx.Client,
    engine: Engine,
    case: Case,
    statements: list[Statement],
    *,
    repeat: int,
    warmup: int,
) -> tuple[list[float], list[float]]:
    """HTTP requests and raw replays of the same statements, taken in turns so that both see
    the same machine (the load of other processes comes and goes)."""
    raw = engine.raw_connection()
    http: list[float] = []
    sql: list[float] = []
    try:
        cursor = raw.cursor()
        for n in range(warmup + repeat):
            started = time.perf_counter()
            response = client.get(case.path, params=case.params)
            elapsed = time.perf_counter() - started
            if response.status_code != 200:
                raise RuntimeError(f"{case.name}: {response.status_code} {response.text[:300]}")
            replayed = _replay_once(cursor, statements)
            if n >= warmup:
                http.append(elapsed)
                sql.append(replayed)
        raw.rollback()
    finally:
        raw.close()
    return http, sql


# -- the insight run --------------------------------------------------------------------------


def insights_rows(tenant: Tenant) -> list[dict[str, Any]]:
    """Time generating patterns + insights for ``tenant``.

    The tenant is loaded and analysed (``tenant.url``, ``tenant.user_id``); return one row per
    measurement, e.g. ``{"name": "patterns + insights", "seconds": 1.23, "target_seconds": 5.0}``.
    The rows are printed under the endpoint table and written to the backend's ``insights`` in
    ``bench/results/analytics.json``.
    """
    from sqlalchemy.orm import Session

    from soash.insights.figures import figures_at_age
    from soash.insights.generate import generate_for_user
    from soash.users.models import User

    engine = make_engine(tenant.url)
    rows: list[dict[str, Any]] = []
    # The statistics libraries are imported on a worker's first insight run, once per process;
    # timed on its own so the run below is the steady state.
    started = time.perf_counter()
    import statsmodels.regression.linear_model
    import statsmodels.stats.multitest  # noqa: F401
    import threadpoolctl  # noqa: F401

    rows.append(
        {
            "name": "import the statistics libraries (once per worker process)",
            "seconds": round(time.perf_counter() - started, 3),
        }
    )
    try:
        with Session(engine) as db:
            user = db.get_one(User, tenant.user_id)
            now = datetime.now(UTC)
            started = time.perf_counter()
            figures = figures_at_age(db, user, now=now)
            rows.append(
                {
                    "name": f"posts' day-7 figures ({len(figures)} posts)",
                    "seconds": round(time.perf_counter() - started, 3),
                }
            )
            started = time.perf_counter()
            report = generate_for_user(db, user, now=now)
            db.commit()
            rows.append(
                {
                    "name": f"patterns + insights + recommendations ({report['patterns']} "
                    f"patterns, {report['insights']} insights)",
                    "seconds": round(time.perf_counter() - started, 3),
                    "target_seconds": 5.0,
                }
            )
    finally:
        engine.dispose()
    return rows


# -- running ------------------------------------------------------------------------------------


def run_backend(
    backend: str, url: str, shape: Shape, *, repeat: int, warmup: int, explain_to: Path | None
) -> dict[str, Any]:
    console.print(f"[bold]{backend}[/bold]: building the tenant ...")
    tenant = build_tenant(url, shape)
    console.print(f"  loaded in {tenant.load_seconds:.1f} s: {tenant.counts}")
    engine = make_engine(url)
    rows: list[dict[str, Any]] = []
    try:
        with (
            Server(url) as server,
            httpx.Client(
                base_url=server.base, headers={"Authorization": f"Bearer {tenant.token}"}
            ) as client,
        ):
            for case in cases(tenant):
                statements = capture(engine, tenant, case)
                http, sql = measure(client, engine, case, statements, repeat=repeat, warmup=warmup)
                (h50, h95), (s50, s95) = _ms(http), _ms(sql)
                rows.append(
                    {
                        "name": case.name,
                        "request": f"GET {case.path}?{httpx.QueryParams(case.params)}",
                        "statements": len(statements),
                        "http_p50_ms": h50,
                        "http_p95_ms": h95,
                        "sql_p50_ms": s50,
                        "sql_p95_ms": s95,
                        "ratio_p50": round(h50 / s50, 2),
                        "ratio_p95": round(h95 / s95, 2),
                    }
                )
                console.print(
                    f"  {case.name:<32} http {h50:7.1f} / {h95:7.1f} ms   "
                    f"sql {s50:7.1f} / {s95:7.1f} ms"
                )
                if explain_to is not None and case.name == "overview 28d":
                    explain_to.write_text(explain(engine, statements))
                    console.print(f"  plans of '{case.name}' in {explain_to}")
        insights = insights_rows(tenant)
    finally:
        engine.dispose()
    overview = next(r for r in rows if r["name"] == "overview 28d")
    return {
        "tenant": {**asdict(shape), **tenant.counts, "load_seconds": round(tenant.load_seconds, 1)},
        "load_average_after": [round(v, 2) for v in os.getloadavg()],
        "endpoints": rows,
        "insights": insights,
        "overview_targets": {
            "p95_ms": overview["http_p95_ms"],
            "p95_target_ms": TARGET_P95_MS,
            "ratio_p95": overview["ratio_p95"],
            "ratio_target": TARGET_RATIO,
            "met": overview["http_p95_ms"] <= TARGET_P95_MS
            and overview["ratio_p95"] <= TARGET_RATIO,
        },
    }


def _admin(server: str, statement: str) -> None:
    engine = make_engine(server).execution_options(isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(statement))
    engine.dispose()


def _print(results: dict[str, Any]) -> None:
    table = Table(
        "backend",
        "endpoint",
        "http p50",
        "http p95",
        "sql p50",
        "sql p95",
        "ratio p50",
        "ratio p95",
        title="Analytics latency (ms)",
    )
    for backend, result in results.items():
        for r in result["endpoints"]:
            table.add_row(
                backend,
                r["name"],
                *(
                    f"{r[k]:.1f}"
                    for k in ("http_p50_ms", "http_p95_ms", "sql_p50_ms", "sql_p95_ms")
                ),
                f"{r['ratio_p50']:.2f}",
                f"{r['ratio_p95']:.2f}",
            )
        for r in result["insights"]:
            table.add_row(backend, r["name"], f"{r['seconds'] * 1000:.0f}", "", "", "", "", "")
    console.print(table)
    for backend, result in results.items():
        t = result["overview_targets"]
        verdict = "[green]met[/green]" if t["met"] else "[red]missed[/red]"
        console.print(
            f"{backend}: overview p95 {t['p95_ms']} ms (target <= {t['p95_target_ms']}), "
            f"{t['ratio_p95']}x its SQL (target <= {t['ratio_target']}x): {verdict}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--backend", choices=("postgresql", "sqlite", "both"), default="both")
    parser.add_argument("--pg", default=PG_SERVER, help="PostgreSQL server URL")
    parser.add_argument("--accounts", type=int, default=5)
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=730, help="days of history")
    parser.add_argument("--repeat", type=int, default=50, help="timed requests per case")
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--explain", action="store_true", help="save the overview's plans")
    args = parser.parse_args(argv)
    shape = Shape(accounts=args.accounts, posts=args.posts, days=args.days)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)

    def plans(backend: str) -> Path | None:
        return RESULTS.parent / f"analytics-explain-{backend}.txt" if args.explain else None

    results: dict[str, Any] = {}
    try:
        if args.backend in ("postgresql", "both"):
            name = f"soash_bench_analytics_{uuid.uuid4().hex[:8]}"
            _admin(args.pg, f'CREATE DATABASE "{name}"')
            try:
                url = args.pg.rsplit("/", 1)[0] + f"/{name}"
                results["postgresql"] = run_backend(
                    "postgresql",
                    url,
                    shape,
                    repeat=args.repeat,
                    warmup=args.warmup,
                    explain_to=plans("postgresql"),
                )
            finally:
                _admin(args.pg, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if args.backend in ("sqlite", "both"):
            url = f"sqlite:///{_TMP / 'bench.db'}"
            results["sqlite"] = run_backend(
                "sqlite",
                url,
                shape,
                repeat=args.repeat,
                warmup=args.warmup,
                explain_to=plans("sqlite"),
            )
    finally:
        shutil.rmtree(_TMP, ignore_errors=True)
    _print(results)
    RESULTS.write_text(
        json.dumps(
            {
                "command": "python bench/analytics.py " + " ".join(argv or sys.argv[1:]),
                "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "machine": {
                    "python": platform.python_version(),
                    "platform": platform.platform(),
                    "cpus": os.cpu_count(),
                },
                "results": results,
            },
            indent=2,
        )
        + "\n"
    )
    console.print(f"Written to {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

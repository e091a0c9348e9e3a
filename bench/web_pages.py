"""How long each web page takes on the demo data (a year on three accounts), through HTTP.

    .venv/bin/python bench/web_pages.py [--runs 20]

Uses the database of the current settings (SOASH_DATA_DIR / SOASH_DATABASE_URL, as `soash
serve` does), creating the demo user and its insights there first if they are missing. Serves
the app with uvicorn on 127.0.0.1, signs in through the form, then fetches every main page
``--runs`` times and prints p50, p95 and max in milliseconds. Target: every page under 300 ms.
"""

from __future__ import annotations

import argparse
import re
import socket
import statistics
import threading
import time

import httpx
import uvicorn
from rich.console import Console
from sqlalchemy import select

from soash import migrate
from soash.app import create_app
from soash.cli import DEMO_EMAIL, DEMO_PASSWORD
from soash.config import get_settings
from soash.content.models import Post
from soash.db import session_scope
from soash.demo import seed_demo
from soash.insights.generate import generate_insights
from soash.insights.models import AiInsight
from soash.social.models import SocialAccount
from soash.users import service as users

TARGET_MS = 300


def ensure_demo() -> None:
    migrate.upgrade(get_settings().resolved_database_url)
    with session_scope() as db:
        exists = users.get_by_email(db, DEMO_EMAIL) is not None
    if not exists:
        generate_insights(seed_demo(email=DEMO_EMAIL, password=DEMO_PASSWORD, console=Console()))


def serve() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_level="warning")
    )
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return f"http://127.0.0.1:{port}"


def paths() -> list[str]:
    with session_scope() as db:
        post = db.scalars(select(Post.id).order_by(Post.posted_at.desc())).first()
        account = db.scalars(select(SocialAccount.id)).first()
        insight = db.scalars(select(AiInsight.id)).first()
    return [
        "/dashboard",
        "/dashboard?days=90",
        "/dashboard?days=365",
        f"/dashboard?account={account}",
        "/posts",
        "/posts?sort=engagement",
        f"/posts/{post}",
        "/accounts",
        f"/accounts/{account}",
        "/categories",
        "/insights",
        f"/insights/{insight}",
        "/patterns",
        "/recommendations",
        "/referrals",
        "/settings",
        "/onboarding?step=brand",
    ]


def sign_in(client: httpx.Client) -> None:
    page = client.get("/sign-in").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token is not None
    client.post(
        "/sign-in",
        data={"csrf_token": token.group(1), "email": DEMO_EMAIL, "password": DEMO_PASSWORD},
    )


def main() -> None:
    parser = argparse.ArgumentParser(description="Time every web page on the demo data.")
    parser.add_argument("--runs", type=int, default=20)
    runs = parser.parse_args().runs
    ensure_demo()
    base = serve()
    database = get_settings().resolved_database_url.split(":", 1)[0]
    print(f"{runs} runs per page on {database}, demo data; milliseconds")
    print(f"{'page':48} {'p50':>7} {'p95':>7} {'max':>7}")
    worst = 0.0
    with httpx.Client(base_url=base, timeout=30) as client:
        sign_in(client)
        for path in paths():
            client.get(path)  # warm: first-use template compilation
            times = []
            for _ in range(runs):
                start = time.perf_counter()
                response = client.get(path)
                times.append((time.perf_counter() - start) * 1000)
                assert response.status_code == 200, (path, response.status_code)
            times.sort()
            p95 = times[max(0, round(0.95 * len(times)) - 1)]
            worst = max(worst, p95)
            print(f"{path[:48]:48} {statistics.median(times):7.1f} {p95:7.1f} {times[-1]:7.1f}")
    verdict = "all under" if worst < TARGET_MS else "OVER"
    print(f"slowest p95: {worst:.1f} ms ({verdict} the {TARGET_MS} ms target)")


if __name__ == "__main__":
    main()

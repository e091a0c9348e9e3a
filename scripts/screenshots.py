"""Screenshots of the main pages on the demo data, at desktop (1280 px) and phone (375 px) width,
into docs/screenshots/. Needs Chromium at /usr/bin/chromium (``apt-get install chromium``).

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots]

It builds the demo in a temporary data folder (SQLite; ``soash demo``, which runs the insights),
serves it with uvicorn on 127.0.0.1 and drives Chromium through Playwright. Images the demo
links to on other hosts are drawn as local placeholders (no network needed).
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(tempfile.mkdtemp(prefix="soash-shots-"))
for key in [k for k in os.environ if k.startswith("SOASH_")]:
    del os.environ[key]
os.environ["SOASH_DATA_DIR"] = str(DATA)
sys.path.insert(0, str(ROOT))  # for tests.web.browser

import uvicorn  # noqa: E402
from playwright.sync_api import Page, sync_playwright  # noqa: E402
from rich.console import Console  # noqa: E402
from sqlalchemy import select  # noqa: E402
from tests.web.browser import CHROMIUM, CHROMIUM_ARGS, placeholder_image  # noqa: E402

from soash import migrate  # noqa: E402
from soash.app import create_app  # noqa: E402
from soash.cli import DEMO_EMAIL, DEMO_PASSWORD  # noqa: E402
from soash.config import get_settings  # noqa: E402
from soash.content import service as content  # noqa: E402
from soash.content.models import Post  # noqa: E402
from soash.db import session_scope  # noqa: E402
from soash.demo import seed_demo  # noqa: E402
from soash.insights.models import AiInsight  # noqa: E402
from soash.referrals import service as referrals  # noqa: E402
from soash.users.models import User  # noqa: E402

WIDTHS = {"desktop": (1280, 900), "phone": (375, 812)}
CATEGORIES = (("Recipes", "#4F46E5"), ("Behind the scenes", "#10B981"), ("Offers", "#F59E0B"))


def build_demo() -> None:
    migrate.upgrade(get_settings().resolved_database_url)
    user_id = seed_demo(email=DEMO_EMAIL, password=DEMO_PASSWORD, console=Console(stderr=True))
    with session_scope() as db:
        user = db.get_one(User, user_id)
        referrals.create_code(db, user)
        made = [
            content.create_category(db, user, name=name, color_code=color)
            for name, color in CATEGORIES
        ]
        recent = content.list_posts(db, user, limit=12).items
        for n, post in enumerate(recent):
            content.set_post_categories(db, user, post.id, category_ids=[made[n % len(made)].id])


def serve() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    get_settings().base_url = f"http://127.0.0.1:{port}"
    server = uvicorn.Server(
        uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_level="warning")
    )
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return get_settings().base_url


def pages() -> list[tuple[str, str, bool]]:
    """(file name, path, whole page?) of each page to take."""
    with session_scope() as db:
        top = db.scalars(select(Post.id).order_by(Post.posted_at.desc())).first()
        insight = db.scalars(select(AiInsight.id)).first()
    return [
        ("dashboard", "/dashboard", True),
        ("posts", "/posts", False),
        ("post", f"/posts/{top}", False),
        ("insights", "/insights", False),
        ("insight", f"/insights/{insight}", False),
        ("patterns", "/patterns", True),
        ("recommendations", "/recommendations", False),
        ("accounts", "/accounts", False),
        ("categories", "/categories", False),
        ("referrals", "/referrals", False),
        ("settings", "/settings", False),
        ("onboarding", "/onboarding?step=brand", False),
    ]


def shoot(page: Page, out: Path, name: str, *, whole: bool) -> None:
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(out / f"{name}.png"), full_page=whole)
    print(f"  {out / name}.png", file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    out: Path = parser.parse_args().out
    out.mkdir(parents=True, exist_ok=True)
    build_demo()
    base = serve()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for label, (width, height) in WIDTHS.items():
            context = browser.new_context(
                base_url=base, viewport={"width": width, "height": height}
            )
            context.route(lambda url: not url.startswith(base), placeholder_image)
            page = context.new_page()
            page.goto("/sign-in")
            shoot(page, out, f"sign-in-{label}", whole=False)
            page.get_by_label("Email").fill(DEMO_EMAIL)
            page.get_by_label("Password").fill(DEMO_PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url("**/dashboard")
            for name, path, whole in pages():
                page.goto(path)
                shoot(page, out, f"{name}-{label}", whole=whole and label == "desktop")
            context.close()
        browser.close()


if __name__ == "__main__":
    main()

"""Browser tests: the app served by a real uvicorn on 127.0.0.1 (a random port, in a thread of
this test worker, so it uses the worker's database), driven by Debian's Chromium through
Playwright. Images from other hosts (platform CDNs) are answered with a local placeholder:
the tests have no network."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    sync_playwright,
)

from soash.app import create_app
from soash.config import Settings
from tests.web.browser import CHROMIUM, CHROMIUM_ARGS, placeholder_image

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 780}


@dataclass
class Server:
    url: str


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def server() -> Iterator[Server]:
    port = _free_port()
    config = uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_level="warning")
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not running.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    yield Server(url=f"http://127.0.0.1:{port}")
    running.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def site(server: Server, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Server:
    """The server, with links in emails and OAuth redirects pointing at it."""
    monkeypatch.setattr(settings, "base_url", server.url)
    return server


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        message = f"the browser tests need Chromium at {CHROMIUM}: apt-get install chromium"
        if os.environ.get("CI"):
            pytest.fail(message)  # CI installs it (.ci/run): never skip there
        pytest.skip(message)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


@dataclass
class Console:
    """Every console error and uncaught page error seen by the pages of a context."""

    errors: list[str] = field(default_factory=list)

    def watch(self, page: Page) -> None:
        def on_console(message: ConsoleMessage) -> None:
            if message.type in ("error", "warning"):
                self.errors.append(f"{page.url}: console {message.type}: {message.text}")

        page.on("console", on_console)
        page.on("pageerror", lambda exc: self.errors.append(f"{page.url}: {exc}"))


def new_context(
    browser: Browser, site: Server, console: Console, **options: object
) -> BrowserContext:
    context = browser.new_context(base_url=site.url, **options)  # type: ignore[arg-type]
    context.route(lambda url: not url.startswith(site.url), placeholder_image)
    context.on("page", console.watch)
    context.set_default_timeout(10_000)
    return context


@pytest.fixture
def console() -> Console:
    return Console()


@pytest.fixture
def context(browser: Browser, site: Server, console: Console) -> Iterator[BrowserContext]:
    made = new_context(browser, site, console, viewport=DESKTOP, timezone_id="Asia/Tokyo")
    yield made
    made.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()

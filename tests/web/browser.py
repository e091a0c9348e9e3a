"""What the browser tests and scripts/screenshots.py share: how Chromium is launched, and the
local stand-in for images on other hosts (there is no network)."""

from __future__ import annotations

import hashlib

from playwright.sync_api import Route

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]


def placeholder_image(route: Route) -> None:
    """A gradient (its colours from the URL) standing in for an image on another host."""
    digest = hashlib.sha256(route.request.url.encode()).hexdigest()
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="640" height="640"><defs>'
        '<linearGradient id="g" x1="0" y1="0" x2="1" y2="1">'
        f'<stop offset="0" stop-color="#{digest[:6]}"/>'
        f'<stop offset="1" stop-color="#{digest[6:12]}"/></linearGradient></defs>'
        '<rect width="640" height="640" fill="url(#g)"/></svg>'
    )
    route.fulfill(status=200, content_type="image/svg+xml", body=svg)

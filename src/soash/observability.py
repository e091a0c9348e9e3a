"""What an operator sees of the web app: request ids, and Prometheus metrics when enabled."""

from __future__ import annotations

from fastapi import FastAPI

from soash.config import Settings
from soash.requestid import RequestId


def install(app: FastAPI, settings: Settings) -> None:
    """Add last, so these wrap every other middleware and see every answer."""
    if settings.metrics.port is not None:
        from soash.metrics import pool
        from soash.metrics.http import RequestMetrics

        pool.install()
        app.add_middleware(RequestMetrics)
    app.add_middleware(RequestId)

"""The metrics endpoint of ``soash serve``: its own port, in the supervising process, adding up
every web worker's figures (prometheus-client's multiprocess mode) and reading the database."""

from __future__ import annotations

import logging
import os
import tempfile

from soash.config import Settings

log = logging.getLogger(__name__)

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"


def serve_metrics(settings: Settings) -> None:
    """Start serving /metrics on ``SOASH_METRICS_PORT`` from a thread of this process.

    Must run before prometheus-client is imported (it reads the directory at import) and
    before the web workers start (they inherit it)."""
    assert settings.metrics.port is not None
    os.environ[MULTIPROC_ENV] = tempfile.mkdtemp(prefix="soash-metrics-")
    from prometheus_client import CollectorRegistry, start_http_server
    from prometheus_client.multiprocess import MultiProcessCollector

    from soash.metrics.database import DatabaseCollector

    registry = CollectorRegistry()
    MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    registry.register(DatabaseCollector())
    start_http_server(settings.metrics.port, addr=settings.metrics.host, registry=registry)
    log.info("metrics at http://%s:%s/metrics", settings.metrics.host, settings.metrics.port)

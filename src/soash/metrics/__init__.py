"""Prometheus metrics (off unless ``SOASH_METRICS_PORT`` is set; names in docs/metrics.md).

In-process figures (request latency, DB pool) are recorded by each web worker into shared
files (prometheus-client's multiprocess mode); figures about jobs, the queue and syncs are read
from the database and the queue when Prometheus scrapes. ``soash serve`` serves them all.
"""

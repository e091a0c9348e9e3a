"""`soash serve --workers N` run as a service would run it: stdin closed, output to a file.
N worker processes answer for 30 s with no restart; every output line is JSON with the
answering process and the request id; the metrics port adds up every worker's requests."""

from __future__ import annotations

import json
import re
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from tests.processes import children, free_port, kill_all, start_soash, wait_for_http

WORKERS = 2
SECONDS = 30


def _web_workers(pid: int) -> set[int]:
    """uvicorn's spawned workers (not multiprocessing's helper processes)."""
    found = set()
    for child in children(pid):
        try:
            command = Path(f"/proc/{child}/cmdline").read_bytes()
        except FileNotFoundError:
            continue
        if b"spawn_main" in command:
            found.add(child)
    return found


def _get(url: str) -> httpx.Response:
    return httpx.get(url, headers={"Connection": "close"}, timeout=10)


def test_serve_with_workers_keeps_every_worker_answering(tmp_path: Path) -> None:
    port, metrics_port = free_port(), free_port()
    log = tmp_path / "serve.log"
    server = start_soash(
        ["serve", "--workers", str(WORKERS), "--port", str(port)],
        log,
        env={"SOASH_LOG_FORMAT": "json", "SOASH_METRICS_PORT": str(metrics_port)},
    )
    workers: set[int] = set()
    url = f"http://127.0.0.1:{port}/healthz"
    try:
        wait_for_http(url, server)
        deadline = time.monotonic() + 60
        while len(workers := _web_workers(server.pid)) < WORKERS and time.monotonic() < deadline:
            time.sleep(0.2)
        assert len(workers) == WORKERS
        ids: set[str] = set()
        answered = 0
        ends = time.monotonic() + SECONDS
        with ThreadPoolExecutor(4) as pool:
            while time.monotonic() < ends:
                for response in pool.map(_get, [url] * 4):
                    assert response.status_code == 200
                    ids.add(response.headers["x-request-id"])
                    answered += 1
                time.sleep(0.05)
        assert _web_workers(server.pid) == workers, "a worker was restarted"
        assert server.poll() is None

        output = log.read_text()
        assert "died" not in output
        lines = [json.loads(line) for line in output.splitlines()]
        access = [line for line in lines if line["logger"] == "uvicorn.access"]
        assert {line["pid"] for line in access} == workers  # every worker answered
        logged = {line["request_id"] for line in access if line["path"] == "/healthz"}
        assert ids <= logged and len(ids) == answered

        metrics = httpx.get(f"http://127.0.0.1:{metrics_port}/metrics", timeout=10).text
        counted = sum(
            float(match)
            for match in re.findall(
                r'soash_http_request_duration_seconds_count\{[^}]*route="/healthz"[^}]*\} (\S+)',
                metrics,
            )
        )
        assert counted >= answered
        for name in ("soash_jobs", "soash_queue_depth", "soash_db_pool_checked_out"):
            assert f"# TYPE {name} gauge" in metrics
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        finally:
            kill_all({server.pid, *workers})

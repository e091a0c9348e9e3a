"""`soash serve --with-worker`: the embedded worker never outlives its server."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import pytest

from tests.processes import (
    alive,
    children,
    free_port,
    kill_all,
    start_soash,
    wait_for_http,
    wait_until_gone,
)


@pytest.mark.parametrize(
    "stop", [signal.SIGTERM, signal.SIGHUP, signal.SIGKILL], ids=lambda s: s.name
)
def test_the_worker_goes_when_the_server_does(stop: signal.Signals, tmp_path: Path) -> None:
    port = free_port()
    server = start_soash(["serve", "--with-worker", "--port", str(port)], tmp_path / "serve.log")
    worker: set[int] = set()
    try:
        wait_for_http(f"http://127.0.0.1:{port}/healthz", server)
        deadline = time.monotonic() + 30
        while not worker and time.monotonic() < deadline:
            worker = children(server.pid)
            time.sleep(0.1)
        assert len(worker) == 1, "the server started one worker process"
        assert all(alive(pid) for pid in worker)

        server.send_signal(stop)  # the server process only, not its group
        server.wait(timeout=30)
        left = wait_until_gone(worker, timeout=10)
        log = (tmp_path / "serve.log").read_text()
        assert not left, f"worker {left} still running after {stop.name} of the server\n{log}"
    finally:
        kill_all({server.pid, *worker})

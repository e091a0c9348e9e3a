"""The job worker that ``soash serve --with-worker`` runs beside the web server.

Its life is bound to the server's both ways: the server stops it on every shutdown it gets to
run code for (SIGTERM, SIGINT, SIGHUP, an exception), and the worker exits by itself when its
parent is gone (SIGKILL of the server, a crash), because then nothing would stop it.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from types import FrameType

log = logging.getLogger(__name__)

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
POLL_SECONDS = 0.5
GRACE_SECONDS = 10.0


def start_worker() -> subprocess.Popen[bytes]:
    """Start ``soash worker`` as a child that exits when this process does."""
    command = [sys.executable, "-m", "soash", "worker", "--parent-pid", str(os.getpid())]
    return subprocess.Popen(command, stdin=subprocess.DEVNULL)  # noqa: S603 - our own command


def stop_worker(worker: subprocess.Popen[bytes]) -> None:
    """SIGTERM (Huey's prompt shutdown), then SIGKILL if it is still there after a grace."""
    if worker.poll() is not None:
        return
    worker.terminate()
    try:
        worker.wait(timeout=GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()


def stop_on_signals(worker: subprocess.Popen[bytes]) -> None:
    """Stop the worker when this process is ended by a signal, then end by that signal.

    uvicorn restores these handlers after its graceful shutdown and re-raises the signal it
    caught, so they run last; a signal uvicorn does not handle (SIGHUP) runs them at once.
    """

    def handler(signum: int, _frame: FrameType | None) -> None:
        stop_worker(worker)
        signal.signal(signum, signal.SIG_DFL)
        signal.raise_signal(signum)

    for signum in STOP_SIGNALS:
        signal.signal(signum, handler)


def exit_with_parent(parent_pid: int) -> threading.Thread:
    """Watch the parent from a thread; once it is gone, end this process as a SIGTERM would
    (and for good after a grace, should the graceful way hang)."""

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(POLL_SECONDS)
        log.warning("the server (pid %s) is gone; the embedded worker stops", parent_pid)
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(GRACE_SECONDS)
        os._exit(1)

    thread = threading.Thread(target=watch, name="exit-with-parent", daemon=True)
    thread.start()
    return thread

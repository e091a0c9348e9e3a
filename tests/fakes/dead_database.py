"""Databases that are not there: a port nothing listens on (connections refused), and a TCP
server on 127.0.0.1 that accepts connections and never says a word (a hung database)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager


def refusing_url() -> str:
    """A PostgreSQL URL whose port refuses connections (bound once, then closed)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"postgresql://soash@127.0.0.1:{port}/soash"


@contextmanager
def hanging_url() -> Iterator[str]:
    """A PostgreSQL URL served by a socket that accepts and then stays silent."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            held.append(conn)  # read nothing, answer nothing

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"postgresql://soash@127.0.0.1:{server.getsockname()[1]}/soash"
    finally:
        stop.set()
        thread.join(timeout=5)
        for conn in held:
            conn.close()
        server.close()

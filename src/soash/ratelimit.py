"""Fixed-window attempt counters: in memory for one process, in Redis when it is configured."""

from __future__ import annotations

import threading
import time
from functools import lru_cache
from typing import Protocol

from soash.config import get_settings


class Counter(Protocol):
    def hit(self, key: str, window: int) -> tuple[int, int]:
        """Count one attempt; return (attempts in this window, seconds until it resets)."""


class MemoryCounter:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._windows: dict[str, tuple[float, int]] = {}

    def hit(self, key: str, window: int) -> tuple[int, int]:
        now = time.monotonic()
        with self._lock:
            started, count = self._windows.get(key, (now, 0))
            if now - started >= window:
                started, count = now, 0
            self._windows[key] = (started, count + 1)
            if len(self._windows) > 100_000:  # forget stale windows
                self._windows = {k: v for k, v in self._windows.items() if now - v[0] < window}
        return count + 1, max(1, int(window - (now - started)))

    def reset(self) -> None:
        with self._lock:
            self._windows.clear()


class RedisCounter:
    def __init__(self, url: str) -> None:
        import redis

        self._redis = redis.Redis.from_url(url)

    def hit(self, key: str, window: int) -> tuple[int, int]:
        name = f"soash:rl:{key}"
        pipe = self._redis.pipeline()
        pipe.incr(name)
        pipe.expire(name, window, nx=True)
        pipe.ttl(name)
        count, _, ttl = pipe.execute()
        return int(count), max(1, int(ttl))


@lru_cache(maxsize=1)
def get_counter() -> Counter:
    url = get_settings().redis_url
    return RedisCounter(url) if url else MemoryCounter()

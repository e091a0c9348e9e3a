"""The daily retention purge (Huey periodic task, UTC)."""

from __future__ import annotations

from huey import crontab

from soash.config import get_settings
from soash.jobs import huey, periodic_task
from soash.retention import service


@periodic_task(
    crontab(minute="30", hour=str(get_settings().retention.hour_utc)),
    name="retention.purge_expired_data",
)
def purge_expired_data() -> dict[str, int]:
    """One purge at a time, even with several consumers."""
    with huey.lock_task("retention.purge_expired_data"):
        return service.purge().counts

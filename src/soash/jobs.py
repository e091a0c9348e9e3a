"""The Huey job queue: an embedded SQLite queue by default, Redis when SOASH_REDIS_URL is set.

Tasks live in each domain's ``tasks.py`` and are named ``domain.verb_object``; every task records
its run in ``system_jobs`` through :func:`soash.system.service.run_job`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any, TypeVar

from huey import Huey, RedisHuey, SqliteHuey

from soash.config import get_settings

TASK_MODULES: tuple[str, ...] = (
    "soash.social.tasks",
    "soash.retention.tasks",
    "soash.insights.tasks",
)


def _make_huey() -> Huey:
    settings = get_settings()
    if settings.redis_url:
        return RedisHuey("soash", url=settings.redis_url)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return SqliteHuey("soash", filename=str(settings.data_dir / "jobs.db"))


huey: Huey = _make_huey()


def load_tasks() -> None:
    """Import every task module so the consumer knows every task."""
    for module in TASK_MODULES:
        importlib.import_module(module)


F = TypeVar("F", bound=Callable[..., Any])


def task(*, name: str, **options: Any) -> Callable[[F], F]:
    """``huey.task`` with types: calling the decorated function enqueues it (in immediate mode,
    runs it)."""
    decorator: Callable[[F], F] = huey.task(name=name, **options)
    return decorator


def periodic_task(schedule: Callable[..., bool], *, name: str) -> Callable[[F], F]:
    decorator: Callable[[F], F] = huey.periodic_task(schedule, name=name)
    return decorator

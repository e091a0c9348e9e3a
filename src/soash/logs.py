"""Logging: one set-up for every process, secrets redacted from every line.

``SOASH_LOG_FORMAT=text`` (default) writes readable lines; ``json`` one JSON object per line
with the request id and job id of the work that logged it. The same configuration is handed to
uvicorn, so its access log and every web worker process log the same way.
"""

from __future__ import annotations

import json
import logging
import logging.config
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

# Any query or form parameter named like a secret: *token (fb_exchange_token, access_token,
# refresh_token ...), *secret, code, state, password, code_verifier.
_SECRET_PARAMS = re.compile(
    r"(?i)\b(\w*token|\w*secret|code|code_verifier|state|password)=([^&\s\"']+)"
)
_BEARER = re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+")

request_id: ContextVar[str | None] = ContextVar("soash_request_id", default=None)
job_id: ContextVar[str | None] = ContextVar("soash_job_id", default=None)

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# Loggers whose lines go through the handler configured here (uvicorn's included).
LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access", "huey")


def redact(text: str) -> str:
    return _BEARER.sub(r"\1[redacted]", _SECRET_PARAMS.sub(r"\1=[redacted]", text))


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value)
    if value is None or isinstance(value, int | float):
        return value
    text = str(value)
    cleaned = redact(text)
    return value if cleaned == text else cleaned


class RedactSecrets(logging.Filter):
    """Redacts secrets from the message while keeping its arguments (uvicorn's access
    formatter unpacks them); only a secret that spans the template and an argument makes the
    line a plain, pre-formatted message."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if redact(message) == message:
            return True
        args = record.args
        if args:
            if isinstance(args, Mapping):
                record.args = {key: _clean(value) for key, value in args.items()}
            else:
                record.args = tuple(_clean(value) for value in args)
            try:
                cleaned: str | None = record.getMessage()
            except (TypeError, ValueError):
                cleaned = None
            if cleaned is not None and redact(cleaned) == cleaned:
                return True
        record.msg, record.args = redact(message), ()
        return True


class AddContext(logging.Filter):
    """Puts the current request id and job id on every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        record.job_id = job_id.get()
        return True


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))  # tracebacks too


class JsonFormatter(logging.Formatter):
    """One JSON object per line."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "pid": record.process,
        }
        for key in ("request_id", "job_id"):
            value = getattr(record, key, None)
            if value is not None:
                entry[key] = value
        args = record.args
        if record.name == "uvicorn.access" and isinstance(args, tuple) and len(args) == 5:
            client, method, path, _version, status = args
            entry.update(client=client, method=method, path=path, status=status)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return redact(json.dumps(entry, default=str))


def dict_config(level: str = "INFO", fmt: str = "text") -> dict[str, Any]:
    """A ``logging.config.dictConfig`` for this process (also given to uvicorn as its
    ``log_config``, which it applies in the supervisor and in each web worker)."""
    formatter = "soash.logs.JsonFormatter" if fmt == "json" else "soash.logs.TextFormatter"
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "redact": {"()": "soash.logs.RedactSecrets"},
            "context": {"()": "soash.logs.AddContext"},
        },
        "formatters": {"default": {"()": formatter}},
        "handlers": {
            "default": {
                "class": "logging.StreamHandler",
                "formatter": "default",
                "filters": ["context", "redact"],
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"level": level.upper(), "handlers": ["default"]},
        "loggers": {
            **{
                name: {"handlers": [], "propagate": True, "level": level.upper()}
                for name in LOGGERS
            },
            "alembic": {"level": "WARNING"},  # its set-up chatter; `soash db` reports itself
        },
    }


def configure(level: str = "INFO", fmt: str = "text") -> None:
    logging.config.dictConfig(dict_config(level, fmt))


def install_filter() -> None:
    """Attach the redaction filter to every handler, including uvicorn's access log (for an app
    started by another server, e.g. ``uvicorn --factory soash.app:create_app``)."""
    for name in ("", *LOGGERS):
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactSecrets) for f in logger.filters):
            logger.addFilter(RedactSecrets())
        for handler in logger.handlers:
            if not any(isinstance(f, RedactSecrets) for f in handler.filters):
                handler.addFilter(RedactSecrets())


@contextmanager
def bind_job(job: object) -> Iterator[None]:
    """Log lines written inside carry this job's id."""
    token = job_id.set(str(job))
    try:
        yield
    finally:
        job_id.reset(token)

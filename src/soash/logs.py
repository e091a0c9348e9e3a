"""Logging set-up with a filter that keeps tokens out of every log line."""

from __future__ import annotations

import logging
import re

# Any query or form parameter named like a secret: *token (fb_exchange_token, access_token,
# refresh_token ...), *secret, code, state, password, code_verifier.
_SECRET_PARAMS = re.compile(
    r"(?i)\b(\w*token|\w*secret|code|code_verifier|state|password)=([^&\s\"']+)"
)
_BEARER = re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+")


def redact(text: str) -> str:
    return _BEARER.sub(r"\1[redacted]", _SECRET_PARAMS.sub(r"\1=[redacted]", text))


class RedactSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def configure(level: str = "INFO") -> None:
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    install_filter()


def install_filter() -> None:
    """Attach the redaction filter to every handler, including uvicorn's access log."""
    for name in ("", "uvicorn", "uvicorn.access", "uvicorn.error", "huey"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactSecrets) for f in logger.filters):
            logger.addFilter(RedactSecrets())
        for handler in logger.handlers:
            if not any(isinstance(f, RedactSecrets) for f in handler.filters):
                handler.addFilter(RedactSecrets())

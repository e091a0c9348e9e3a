"""Logs: secrets redacted without breaking uvicorn's access log; JSON lines carry the request
id (also returned as a header) and the job id."""

from __future__ import annotations

import io
import json
import logging
import uuid
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from uvicorn.logging import AccessFormatter

from soash.app import create_app
from soash.logs import AddContext, JsonFormatter, RedactSecrets, TextFormatter
from soash.system.models import JobType
from soash.system.runner import run_job

CALLBACK = "/oauth/callback?code=c0de-SECRET&state=st4te-SECRET&next=/accounts"


def _access_line(formatter: logging.Formatter) -> str:
    """What uvicorn's access logger emits for one request, through our filter."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    handler.addFilter(RedactSecrets())
    logger = logging.getLogger("uvicorn.access.test")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning('%s - "%s %s HTTP/%s" %d', "127.0.0.1:50000", "GET", CALLBACK, "1.1", 302)
    finally:
        logger.removeHandler(handler)
    return stream.getvalue()


def test_uvicorn_access_formatter_still_works_with_secrets_redacted() -> None:
    line = _access_line(AccessFormatter('%(client_addr)s "%(request_line)s" %(status_code)s'))
    assert "SECRET" not in line
    assert "code=[redacted]" in line and "state=[redacted]" in line
    assert "next=/accounts" in line and "302" in line


@pytest.mark.parametrize("formatter", [TextFormatter(), JsonFormatter()], ids=["text", "json"])
def test_our_formatters_redact_the_access_line(formatter: logging.Formatter) -> None:
    line = _access_line(formatter)
    assert "SECRET" not in line and "code=[redacted]" in line


def test_a_secret_split_between_template_and_argument_is_redacted() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "refresh token=%s", ("abc",), None)
    RedactSecrets().filter(record)
    assert record.getMessage() == "refresh token=[redacted]"


@pytest.fixture
def json_lines() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(AddContext())
    handler.addFilter(RedactSecrets())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield stream
    root.removeHandler(handler)
    root.setLevel(level)


def _entries(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_log_lines_of_a_request_carry_its_id_which_is_returned(json_lines: io.StringIO) -> None:
    app = create_app()

    @app.get("/_log_probe")
    def probe() -> dict[str, str]:  # a sync route, run in the threadpool like ours
        logging.getLogger("soash.probe").info("probing with access_token=tok-SECRET")
        return {}

    with TestClient(app) as client:
        given = client.get("/_log_probe", headers={"X-Request-ID": "edge-42.a"})
        fresh = client.get("/_log_probe")
        bad = client.get("/_log_probe", headers={"X-Request-ID": "bad id\nforged"})
    assert given.headers["x-request-id"] == "edge-42.a"
    assert len(fresh.headers["x-request-id"]) == 32
    assert bad.headers["x-request-id"] not in ("bad id\nforged", "")
    probes = [e for e in _entries(json_lines) if e["logger"] == "soash.probe"]
    assert [e["request_id"] for e in probes] == [
        "edge-42.a",
        fresh.headers["x-request-id"],
        bad.headers["x-request-id"],
    ]
    assert all(e["message"] == "probing with access_token=[redacted]" for e in probes)


def test_log_lines_of_a_job_carry_its_id(json_lines: io.StringIO) -> None:
    with run_job(job_type=JobType.retention_purge) as result:
        logging.getLogger("soash.jobprobe").info("working")
        result["done"] = 1
    logging.getLogger("soash.jobprobe").info("after")
    inside, after = [e for e in _entries(json_lines) if e["logger"] == "soash.jobprobe"]
    assert uuid.UUID(str(inside["job_id"]))
    assert "job_id" not in after

"""`soash insights generate` and `soash patterns`."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from soash.cli import app
from tests.insights.conftest import store_planted

runner = CliRunner()


def test_generate_then_print_patterns_as_json_and_as_a_table() -> None:
    store_planted(seed=3)
    generated = runner.invoke(app, ["insights", "generate", "--user", "cafe-3@example.com"])
    assert generated.exit_code == 0, generated.output
    assert "450 posts analysed" in generated.output
    as_json = runner.invoke(app, ["patterns", "--user", "cafe-3@example.com", "--json"])
    patterns = json.loads(as_json.output)
    assert patterns[0]["significant"] is True
    assert patterns[0]["interval"][0] > 1 and patterns[0]["interval_level"] >= 0.95
    table = runner.invoke(app, ["patterns", "--user", "cafe-3@example.com"])
    assert "reel" in table.output
    assert "interval" in table.output


def test_an_unknown_user_is_a_clear_error() -> None:
    result = runner.invoke(app, ["patterns", "--user", "nobody@example.com"])
    assert result.exit_code == 1
    assert "no user nobody@example.com" in result.output

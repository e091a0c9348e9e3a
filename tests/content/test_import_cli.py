"""`soash import posts|account-metrics FILE --user EMAIL`, run in-process."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from soash.cli import app
from soash.db import session_scope
from soash.system.models import JobStatus, SystemJob
from soash.users.models import User
from tests.content.conftest import day_row, days_file, post_row, posts_file, table_counts

runner = CliRunner()
EMAIL = "importer@example.com"


@pytest.fixture
def user() -> str:
    with session_scope() as db:
        db.add(User(email=EMAIL, password_hash="x", is_verified=True))
    return EMAIL


def _write(tmp_path: Path, content: str) -> Path:
    path = tmp_path / "history.csv"
    path.write_text(content, encoding="utf-8")
    return path


def test_import_posts_reports_what_it_wrote(user: str, tmp_path: Path) -> None:
    rows = [post_row(post_id=f"p{i}", day=f"2025-03-{1 + i % 3:02d}") for i in range(9)]
    path = _write(tmp_path, posts_file(rows))

    result = runner.invoke(app, ["import", "posts", str(path), "--user", user])

    assert result.exit_code == 0, result.output
    assert "Imported history.csv for importer@example.com" in result.output
    assert "rows: 9, posts: 9, snapshots: 9, accounts created: 1" in result.output
    assert table_counts() == {"accounts": 1, "posts": 9, "post_metrics": 9, "platform_metrics": 0}
    again = runner.invoke(app, ["import", "posts", str(path), "--user", user])
    assert again.exit_code == 0
    assert table_counts()["post_metrics"] == 9


def test_import_account_metrics(user: str, tmp_path: Path) -> None:
    path = _write(tmp_path, days_file([day_row(day="2025-03-01"), day_row(day="2025-03-02")]))

    result = runner.invoke(app, ["import", "account-metrics", str(path), "--user", user])

    assert result.exit_code == 0, result.output
    assert "days: 2" in result.output
    assert table_counts()["platform_metrics"] == 2


def test_a_bad_file_lists_rows_and_columns_and_exits_1(user: str, tmp_path: Path) -> None:
    path = _write(tmp_path, posts_file([post_row(), post_row(post_id="b", likes="-4")]))

    result = runner.invoke(app, ["import", "posts", str(path), "--user", user])

    assert result.exit_code == 1
    assert "row 3, column 'likes':" in result.output
    assert "nothing was imported" in result.output
    assert table_counts()["posts"] == 0
    with session_scope() as db:
        [job] = db.scalars(select(SystemJob)).all()
        assert job.status is JobStatus.failed


def test_a_wrong_header_shows_the_expected_one(user: str, tmp_path: Path) -> None:
    path = _write(tmp_path, posts_file([post_row()]))

    result = runner.invoke(app, ["import", "account-metrics", str(path), "--user", user])

    assert result.exit_code == 1
    assert "expected header: platform,account,metric_date,follower_count" in result.output


def test_an_unknown_user_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, posts_file([post_row()]))

    result = runner.invoke(app, ["import", "posts", str(path), "--user", "nobody@example.com"])

    assert result.exit_code == 1
    assert "no user nobody@example.com" in result.output


def test_a_missing_file_is_refused(user: str, tmp_path: Path) -> None:
    result = runner.invoke(app, ["import", "posts", str(tmp_path / "nope.csv"), "--user", user])
    assert result.exit_code == 2
    assert "does not exist" in result.output


@pytest.mark.parametrize(
    "command", [["import"], ["import", "posts"], ["import", "account-metrics"]]
)
def test_import_commands_have_help(command: list[str]) -> None:
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0
    assert "Usage" in result.output

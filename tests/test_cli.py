"""The `soash` command, run in-process against the test database."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from soash.cli import DEMO_EMAIL, DEMO_PASSWORD, app
from soash.content.models import Post, PostMetric
from soash.db import session_scope
from soash.insights.models import AiInsight
from soash.security import KeyRing
from soash.social.models import PlatformMetric, SocialAccount
from soash.system.models import JobStatus, JobType, SystemJob
from soash.users.models import SubscriptionTier, User
from tests.helpers import Api

runner = CliRunner()


def test_users_create_then_list() -> None:
    result = runner.invoke(
        app,
        [
            "users",
            "create",
            "Cli@Example.com",
            "--password",
            "a-sturdy-passphrase-1",
            "--verified",
            "--timezone",
            "Asia/Tokyo",
            "--tier",
            "pro",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Created cli@example.com (pro" in result.output
    with session_scope() as db:
        user = db.scalars(select(User)).one()
        assert user.is_verified and user.subscription_tier is SubscriptionTier.pro
        assert user.profile is not None and user.profile.timezone == "Asia/Tokyo"
    listed = runner.invoke(app, ["users", "list"])
    assert "cli@example.com" in listed.output


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--timezone", "Mars/Olympus"], "IANA"),
        (["--password", "short"], "at least 10"),
    ],
)
def test_users_create_explains_bad_input(extra: list[str], message: str) -> None:
    args = ["users", "create", "x@example.com", "--password", "a-sturdy-passphrase-1", *extra]
    result = runner.invoke(app, args)
    assert result.exit_code == 1
    assert message in result.output


def test_users_create_refuses_a_duplicate() -> None:
    args = ["users", "create", "dup@example.com", "--password", "a-sturdy-passphrase-1"]
    assert runner.invoke(app, args).exit_code == 0
    again = runner.invoke(app, args)
    assert again.exit_code == 1
    assert "already exists" in again.output


def test_demo_creates_a_signed_in_ready_user_and_records_the_job() -> None:
    result = runner.invoke(app, ["demo", "--accounts", "1"])
    assert result.exit_code == 0, result.output
    assert DEMO_EMAIL in result.output and DEMO_PASSWORD in result.output
    assert runner.invoke(app, ["demo", "--accounts", "1"]).exit_code == 0  # again is fine
    with session_scope() as db:
        user = db.scalars(select(User)).one()
        assert user.is_verified and user.profile is not None
        assert user.profile.onboarding_completed
        jobs = db.scalars(select(SystemJob)).all()
        assert {(j.job_type, j.status) for j in jobs} == {
            (JobType.seed_demo, JobStatus.completed),
            (JobType.generate_insights, JobStatus.completed),
        }
        insights = db.scalar(select(func.count()).select_from(AiInsight)) or 0
        account = db.scalars(select(SocialAccount)).one()
        assert account.is_active and account.last_synced_at is not None
        posts = db.scalar(select(func.count()).select_from(Post)) or 0
        days = db.scalar(select(func.count()).select_from(PlatformMetric)) or 0
        snapshots = db.scalar(select(func.count()).select_from(PostMetric)) or 0
    assert posts > 250  # a year of posting
    assert days == 366  # a year of daily account figures, once each despite two runs
    assert snapshots > posts * 20  # daily snapshots for a month, then weekly
    assert insights > 0  # the demo arrives with what works already found


def test_the_demo_login_works_through_the_api(api: Api) -> None:
    assert runner.invoke(app, ["demo", "--accounts", "1"]).exit_code == 0
    assert api.login(DEMO_EMAIL, DEMO_PASSWORD).status_code == 200


def test_db_current_reports_up_to_date() -> None:
    result = runner.invoke(app, ["db", "current"])
    assert result.exit_code == 0
    assert "up to date" in result.output


def test_keys_generate_prints_usable_secrets() -> None:
    result = runner.invoke(app, ["keys", "generate"])
    lines = result.output.splitlines()
    assert len(lines) == 2  # one line each, unwrapped, ready for an environment file
    assert len(lines[0].split("=", 1)[1]) == 64
    line = next(x for x in lines if x.startswith("SOASH_SECURITY_ENC"))
    ring = KeyRing.parse(line.split("=", 1)[1])
    assert ring.decrypt(ring.encrypt("x", context="c"), context="c") == "x"


@pytest.mark.parametrize(
    "command",
    [
        [],
        ["serve"],
        ["worker"],
        ["db"],
        ["db", "upgrade"],
        ["users"],
        ["users", "create"],
        ["demo"],
        ["keys"],
        ["keys", "rotate"],
        ["users", "set-tier"],
        ["sync"],
        ["insights"],
        ["patterns"],
        ["import"],
        ["referrals"],
        ["referrals", "payout"],
        ["retention"],
        ["retention", "purge"],  # a group of one command stays a group
        ["import", "posts"],
        ["insights", "generate"],
        ["backup"],
        ["restore"],
    ],
)
def test_every_command_has_help(command: list[str]) -> None:
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0
    assert "Usage" in result.output

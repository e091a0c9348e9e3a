"""`soash referrals payout`: pays each commission past its window exactly once, writes a CSV."""

from __future__ import annotations

import csv
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from typer.testing import CliRunner

from soash.cli import app
from soash.config import Settings
from soash.db import session_scope, utcnow
from soash.referrals import service
from soash.referrals.models import ConversionStatus, ReferralSignup
from soash.system.models import JobStatus, JobType, SystemJob
from tests.factories import make_user
from tests.referrals.factories import Referral, make_referral, signup_row

runner = CliRunner()
DAY = timedelta(days=1)


@pytest.fixture(autouse=True)
def _own_data_dir(monkeypatch: pytest.MonkeyPatch, settings: Settings, tmp_path: Path) -> None:
    monkeypatch.setattr(settings, "data_dir", tmp_path / "data")


def _converted(
    days_ago: float,
    commission: str = "5.80",
    currency: str = "USD",
    *,
    referrer: uuid.UUID | None = None,
) -> Referral:
    return make_referral(
        status=ConversionStatus.converted,
        commission=Decimal(commission),
        currency=currency,
        converted_at=utcnow() - timedelta(days=days_ago),
        referrer_id=referrer,
    )


def _statuses() -> dict[uuid.UUID, ConversionStatus]:
    with session_scope() as db:
        return {s.id: s.conversion_status for s in db.scalars(select(ReferralSignup))}


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as fh:
        return list(csv.DictReader(fh))


def test_payout_pays_what_is_due_writes_a_csv_and_records_the_job(tmp_path: Path) -> None:
    alice = make_user("alice@example.com")
    bob = make_user("bob@example.com")
    due = [
        _converted(31, "5.80", referrer=alice),
        _converted(45, "6.00", referrer=alice),
        _converted(40, "2.99", "EUR", referrer=alice),
        _converted(60, "1.00", referrer=bob),
    ]
    recent = _converted(10, referrer=alice)
    pending = make_referral(referrer_id=alice)
    out = tmp_path / "payout.csv"

    result = runner.invoke(app, ["referrals", "payout", "--out", str(out)])

    assert result.exit_code == 0, result.output
    assert "alice@example.com" in result.output
    rows = _rows(out)
    assert [(r["referrer_email"], r["amount"], r["currency"], r["signups"]) for r in rows] == [
        ("alice@example.com", "2.99", "EUR", "1"),
        ("alice@example.com", "11.80", "USD", "2"),
        ("bob@example.com", "1.00", "USD", "1"),
    ]
    paid_ids = {i for r in rows for i in r["signup_ids"].split()}
    assert paid_ids == {str(r.signup_id) for r in due}
    statuses = _statuses()
    assert all(statuses[r.signup_id] is ConversionStatus.paid for r in due)
    assert statuses[recent.signup_id] is ConversionStatus.converted
    assert statuses[pending.signup_id] is ConversionStatus.pending
    assert signup_row(due[0].signup_id).paid_at is not None
    with session_scope() as db:
        job = db.scalars(select(SystemJob)).one()
    assert (job.job_type, job.status) == (JobType.referral_payout, JobStatus.completed)
    assert job.result is not None
    assert job.result["signups"] == 4
    assert job.result["totals"] == {"EUR": "2.99", "USD": "12.80"}


def test_running_it_twice_pays_nothing_twice(tmp_path: Path, settings: Settings) -> None:
    _converted(40)

    first = runner.invoke(app, ["referrals", "payout"])
    second = runner.invoke(app, ["referrals", "payout", "--out", str(tmp_path / "again.csv")])

    assert first.exit_code == second.exit_code == 0
    assert "Nothing to pay" in second.output
    assert not (tmp_path / "again.csv").exists()
    [written] = (settings.data_dir / "payouts").glob("referral-payout-*.csv")
    assert len(_rows(written)) == 1
    with session_scope() as db:
        jobs = db.scalars(select(SystemJob)).all()
    assert [j.result["signups"] if j.result else None for j in jobs] == [1, 0]


def test_dry_run_changes_nothing(tmp_path: Path, settings: Settings) -> None:
    referral = _converted(40)

    result = runner.invoke(app, ["referrals", "payout", "--dry-run"])

    assert result.exit_code == 0, result.output
    assert "Would pay" in result.output and "5.80 USD" in result.output
    assert _statuses()[referral.signup_id] is ConversionStatus.converted
    assert not (settings.data_dir / "payouts").exists()
    preview = tmp_path / "preview.csv"
    runner.invoke(app, ["referrals", "payout", "--dry-run", "--out", str(preview)])
    assert [r["amount"] for r in _rows(preview)] == ["5.80"]
    assert _statuses()[referral.signup_id] is ConversionStatus.converted


@pytest.mark.parametrize(
    ("age", "paid"),
    [
        (timedelta(days=30), False),  # exactly at the window: a refund may still come
        (timedelta(days=30, seconds=1), True),
        (timedelta(days=29), False),
    ],
)
def test_payable_only_after_the_refund_window(age: timedelta, paid: bool) -> None:
    now = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
    referral = make_referral(
        status=ConversionStatus.converted,
        commission=Decimal("5.80"),
        currency="USD",
        converted_at=now - age,
    )

    with session_scope() as db:
        lines = service.mark_paid(db, now=now)

    assert bool(lines) is paid
    expected = ConversionStatus.paid if paid else ConversionStatus.converted
    assert signup_row(referral.signup_id).conversion_status is expected


def test_a_second_payout_in_the_same_instant_claims_nothing() -> None:
    _converted(40)
    now = utcnow()
    with session_scope() as db:
        first = service.mark_paid(db, now=now)
        second = service.mark_paid(db, now=now)
    assert len(first) == 1
    assert second == []


def test_a_failed_csv_write_pays_nothing(tmp_path: Path) -> None:
    referral = _converted(40)
    blocked = tmp_path / "not-a-dir"
    blocked.write_text("a file where the folder should be")

    result = runner.invoke(app, ["referrals", "payout", "--out", str(blocked / "payout.csv")])

    assert result.exit_code != 0
    assert _statuses()[referral.signup_id] is ConversionStatus.converted
    with session_scope() as db:
        job = db.scalars(select(SystemJob)).one()
    assert job.status is JobStatus.failed


def test_payout_help() -> None:
    result = runner.invoke(app, ["referrals", "payout", "--help"])
    assert result.exit_code == 0
    assert "--dry-run" in result.output


def test_two_payouts_at_once_pay_each_commission_once() -> None:
    for days in (40, 50, 60):
        _converted(days)
    barrier = threading.Barrier(2)

    def pay() -> int:
        barrier.wait()
        try:
            with session_scope() as db:
                return sum(len(line.signup_ids) for line in service.mark_paid(db, now=utcnow()))
        except OperationalError:  # SQLite: "database is locked"; nothing was paid by this run
            return 0

    with ThreadPoolExecutor(2) as pool:
        paid = list(pool.map(lambda _: pay(), range(2)))

    assert sorted(paid) == [0, 3]
    assert set(_statuses().values()) == {ConversionStatus.paid}

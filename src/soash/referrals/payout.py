"""The payout job: pay converted commissions whose refund window has passed, once each.

The CSV is written before the transaction that marks the commissions paid commits, so a failed
write pays nothing; a failed commit leaves a CSV for a payout that did not happen, which the next
run replaces with the same lines.
"""

from __future__ import annotations

import csv
import os
import tempfile
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from soash.config import get_settings
from soash.db import session_scope, utcnow
from soash.referrals import service
from soash.referrals.service import PayoutLine
from soash.system.models import JobType
from soash.system.runner import run_job

CSV_COLUMNS = ("referrer_email", "amount", "currency", "signups", "signup_ids")


@dataclass(frozen=True)
class PayoutResult:
    lines: list[PayoutLine]
    dry_run: bool
    file: Path | None

    @property
    def totals(self) -> dict[str, Decimal]:
        totals: dict[str, Decimal] = {}
        for line in self.lines:
            totals[line.currency] = totals.get(line.currency, Decimal(0)) + line.amount
        return totals


def default_path(now: datetime) -> Path:
    return get_settings().data_dir / "payouts" / f"referral-payout-{now:%Y%m%dT%H%M%SZ}.csv"


def write_csv(path: Path, lines: list[PayoutLine]) -> None:
    """Write atomically: the file is either complete or absent."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".payout-", suffix=".csv")
    try:
        with os.fdopen(fd, "w", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(CSV_COLUMNS)
            for line in lines:
                writer.writerow(
                    [
                        line.referrer_email,
                        str(line.amount),
                        line.currency,
                        len(line.signup_ids),
                        " ".join(str(i) for i in line.signup_ids),
                    ]
                )
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def run_payout(
    *, dry_run: bool = False, out: Path | None = None, now: datetime | None = None
) -> PayoutResult:
    """Pay (or with ``dry_run`` only list) what is due; recorded as a ``referral_payout`` job.

    A CSV is written when there is something to pay: to ``out``, or by default (real runs only)
    under ``<data_dir>/payouts/``."""
    now = now or utcnow()
    with run_job(job_type=JobType.referral_payout) as record:
        with session_scope() as db:
            if dry_run:
                lines = service.preview_payout(db, now=now)
            else:
                lines = service.mark_paid(db, now=now)
            path = out if dry_run else (out or default_path(now))
            if lines and path is not None:
                write_csv(path, lines)
            else:
                path = None
        result = PayoutResult(lines=lines, dry_run=dry_run, file=path)
        record.update(
            dry_run=dry_run,
            referrers=len({line.referrer_id for line in lines}),
            signups=sum(len(line.signup_ids) for line in lines),
            totals={currency: str(amount) for currency, amount in result.totals.items()},
            file=str(path) if path else None,
        )
    return result

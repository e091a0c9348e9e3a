"""Referral codes, attribution at sign-up, commissions and what payouts pay.

Plain functions over a ``Session``; the caller owns the transaction. Commission rules:

* one attribution per referee, ever (also across a deleted and re-created account);
* no self-referral, including aliases of the referrer's address (``a+x@``, Gmail dots);
* unknown and inactive codes are ignored silently, so sign-up never reveals which codes exist;
* the referee's first payment converts the sign-up: ``commission_rate`` * payment, rounded half
  up to the currency's minor unit;
* a refund or cancellation within ``refund_window_days`` of that payment reverses it;
* a payout pays converted commissions whose window has passed, each exactly once.
"""

from __future__ import annotations

import logging
import secrets
import unicodedata
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from soash import money
from soash.config import get_settings
from soash.errors import Conflict
from soash.ownership import get_owned, owned_by, owner_id
from soash.referrals.models import ConversionStatus, ReferralCode, ReferralSignup
from soash.security import token_hash
from soash.users.models import User

log = logging.getLogger(__name__)

_DOTLESS_DOMAINS = {"gmail.com", "googlemail.com"}
# Crockford's base32: no I, L, O or U, so a code read aloud or copied by hand survives.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_RANDOM_CHARS = 6
CODE_SUFFIX = "-REF"
MAX_ACTIVE_CODES = 10
REFEREE_EMAIL = "referee-email"


def canonical_email(email: str) -> str:
    """The mailbox an address reaches: no ``+tag``, no dots where the provider ignores them."""
    local, _, domain = email.strip().lower().partition("@")
    local = local.split("+", 1)[0]
    if domain in _DOTLESS_DOMAINS:
        local = local.replace(".", "")
        domain = "gmail.com"
    return f"{local}@{domain}"


def referee_email_hash(email: str) -> str:
    return token_hash(canonical_email(email), purpose=REFEREE_EMAIL)


def mask_email(email: str | None) -> str:
    """``jane.doe@example.com`` → ``j***@e***.com``: enough to recognise, not to contact."""
    if not email:
        return "(account deleted)"
    local, _, domain = email.partition("@")
    name, dot, tld = domain.rpartition(".")
    if not dot:
        name, tld = domain, ""
    return f"{local[:1]}***@{name[:1]}***{dot}{tld}"


# --- codes -----------------------------------------------------------------------------------


def normalize_code(code: str) -> str:
    return code.strip().upper()


def _prefix(user: User) -> str:
    source = user.first_name or user.email.partition("@")[0]
    ascii_only = unicodedata.normalize("NFKD", source).encode("ascii", "ignore").decode()
    letters = "".join(c for c in ascii_only.upper() if "A" <= c <= "Z")[:6]
    return letters if len(letters) >= 2 else "USER"


def new_code(user: User) -> str:
    """``DANA7K3QXZ-REF``: the user's name for recognition, random characters for uniqueness.
    Knowing one code says nothing about any other (30 random bits from ``secrets``)."""
    random_part = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_RANDOM_CHARS))
    return f"{_prefix(user)}{random_part}{CODE_SUFFIX}"


def list_codes(db: Session, user: User) -> list[ReferralCode]:
    stmt = (
        select(ReferralCode)
        .where(owned_by(ReferralCode.user_id, user))
        .order_by(ReferralCode.created_at, ReferralCode.code)
    )
    return list(db.scalars(stmt))


def _active_code_count(db: Session, user: User) -> int:
    stmt = select(func.count()).where(owned_by(ReferralCode.user_id, user), ReferralCode.is_active)
    return int(db.scalar(stmt) or 0)


def create_code(db: Session, user: User) -> ReferralCode:
    if _active_code_count(db, user) >= MAX_ACTIVE_CODES:
        raise Conflict(
            f"You already have {MAX_ACTIVE_CODES} active referral codes. Deactivate one "
            "(PATCH /api/v1/referral-codes/{id} with is_active false) before creating another."
        )
    for _ in range(10):
        code = ReferralCode(user_id=owner_id(user), code=new_code(user))
        try:
            with db.begin_nested():
                db.add(code)
        except IntegrityError:  # the one-in-a-billion collision: draw again
            continue
        return code
    raise RuntimeError("could not find a free referral code")  # pragma: no cover


def get_code(db: Session, user: User, code_id: uuid.UUID) -> ReferralCode:
    return get_owned(db, ReferralCode, code_id, user, what="referral code")


def set_code_active(
    db: Session, user: User, code_id: uuid.UUID, *, is_active: bool
) -> ReferralCode:
    code = get_code(db, user, code_id)
    if is_active and not code.is_active and _active_code_count(db, user) >= MAX_ACTIVE_CODES:
        raise Conflict(
            f"You already have {MAX_ACTIVE_CODES} active referral codes. Deactivate one first."
        )
    code.is_active = is_active
    db.flush()
    return code


# --- attribution -----------------------------------------------------------------------------


def attribute_signup(db: Session, *, referee: User, code: str) -> ReferralSignup | None:
    """Record who referred ``referee``. Unknown, inactive and self-referral codes, and referees
    already attributed once, are ignored silently, so sign-up never reveals which codes exist."""
    referral = db.scalar(
        select(ReferralCode).where(
            ReferralCode.code == normalize_code(code), ReferralCode.is_active
        )
    )
    if referral is None:
        return None
    referrer = db.get_one(User, referral.user_id)
    if referrer.id == referee.id or canonical_email(referrer.email) == canonical_email(
        referee.email
    ):
        log.info("ignored a self-referral at sign-up")
        return None
    email_hash = referee_email_hash(referee.email)
    earlier = db.scalar(
        select(ReferralSignup.id).where(
            or_(
                ReferralSignup.referee_user_id == referee.id,
                ReferralSignup.referee_email_hash == email_hash,
            )
        )
    )
    if earlier is not None:
        log.info("ignored a second referral attribution for one mailbox")
        return None
    signup = ReferralSignup(
        referral_code_id=referral.id, referee_user_id=referee.id, referee_email_hash=email_hash
    )
    try:
        with db.begin_nested():
            db.add(signup)
    except IntegrityError:  # the same mailbox signed up twice at once: the other one won
        return None
    return signup


# --- conversion and reversal -----------------------------------------------------------------


def _signup_of(db: Session, referee: User) -> ReferralSignup | None:
    return db.scalar(
        select(ReferralSignup).where(ReferralSignup.referee_user_id == referee.id).with_for_update()
    )


def refund_window() -> timedelta:
    return timedelta(days=get_settings().billing.refund_window_days)


def convert(
    db: Session,
    *,
    referee: User,
    amount: Decimal,
    currency: str,
    at: datetime,
    reference: str | None = None,
) -> ReferralSignup | None:
    """The referee's first payment: a pending sign-up earns its commission. Anything else
    (no sign-up, already converted, paid or reversed, nothing paid) changes nothing."""
    signup = _signup_of(db, referee)
    if signup is None or signup.conversion_status is not ConversionStatus.pending or amount <= 0:
        return None
    code = money.currency_code(currency)
    signup.payment_amount = money.round_money(amount, code)
    signup.currency = code
    signup.commission_amount = money.percent_of(
        signup.payment_amount, get_settings().billing.commission_rate, code
    )
    signup.payment_reference = reference
    signup.converted_at = at
    signup.conversion_status = ConversionStatus.converted
    db.flush()
    log.info("referral sign-up %s converted", signup.id)
    return signup


def reverse(
    db: Session, *, referee: User, at: datetime, reason: str, before_payment: bool = False
) -> ReferralSignup | None:
    """A refund or cancellation at ``at``: a converted sign-up still inside its refund window is
    reversed. ``before_payment`` (a refund seen before the payment it refunds, as webhooks may
    arrive out of order) also closes a pending sign-up, so that late payment converts nothing."""
    signup = _signup_of(db, referee)
    if signup is None:
        return None
    status = signup.conversion_status
    in_window = (
        status is ConversionStatus.converted
        and signup.converted_at is not None
        and at - signup.converted_at <= refund_window()
    )
    if not in_window and not (before_payment and status is ConversionStatus.pending):
        return None
    signup.conversion_status = ConversionStatus.reversed
    signup.reversed_at = at
    signup.reversal_reason = reason
    db.flush()
    log.info("referral sign-up %s reversed (%s)", signup.id, reason)
    return signup


# --- the referrer's view ---------------------------------------------------------------------


@dataclass(frozen=True)
class SignupView:
    id: uuid.UUID
    code: str
    referee: str
    signup_date: datetime
    status: ConversionStatus
    commission_amount: Decimal | None
    currency: str | None
    converted_at: datetime | None
    paid_at: datetime | None
    reversed_at: datetime | None


@dataclass
class StatusTotal:
    count: int = 0
    commission: dict[str, Decimal] = field(default_factory=dict)


@dataclass(frozen=True)
class ReferralOverview:
    signups: list[SignupView]
    totals: dict[ConversionStatus, StatusTotal]


def overview(db: Session, user: User, *, limit: int = 100, offset: int = 0) -> ReferralOverview:
    """The user's referred sign-ups (newest first, referee masked) and totals by status."""
    mine = owned_by(ReferralCode.user_id, user)
    rows = db.execute(
        select(ReferralSignup, ReferralCode.code, User.email)
        .join(ReferralCode, ReferralCode.id == ReferralSignup.referral_code_id)
        .outerjoin(User, User.id == ReferralSignup.referee_user_id)
        .where(mine)
        .order_by(ReferralSignup.signup_date.desc(), ReferralSignup.id)
        .limit(limit)
        .offset(offset)
    ).all()
    signups = [
        SignupView(
            id=s.id,
            code=code,
            referee=mask_email(email),
            signup_date=s.signup_date,
            status=s.conversion_status,
            commission_amount=(
                money.round_money(s.commission_amount, s.currency)
                if s.commission_amount is not None and s.currency
                else s.commission_amount
            ),
            currency=s.currency,
            converted_at=s.converted_at,
            paid_at=s.paid_at,
            reversed_at=s.reversed_at,
        )
        for s, code, email in rows
    ]
    totals = {status: StatusTotal() for status in ConversionStatus}
    grouped = db.execute(
        select(
            ReferralSignup.conversion_status,
            ReferralSignup.currency,
            func.count(),
            func.sum(ReferralSignup.commission_amount),
        )
        .join(ReferralCode, ReferralCode.id == ReferralSignup.referral_code_id)
        .where(mine)
        .group_by(ReferralSignup.conversion_status, ReferralSignup.currency)
    ).all()
    for status, currency, count, amount in grouped:
        total = totals[status]
        total.count += int(count)
        if currency is not None and amount is not None:
            total.commission[currency] = money.round_money(Decimal(amount), currency)
    return ReferralOverview(signups=signups, totals=totals)


# --- payouts ---------------------------------------------------------------------------------


@dataclass
class PayoutLine:
    referrer_id: uuid.UUID
    referrer_email: str
    currency: str
    amount: Decimal = Decimal(0)
    signup_ids: list[uuid.UUID] = field(default_factory=list)


def _payout_lines(db: Session, signup_ids: list[uuid.UUID]) -> list[PayoutLine]:
    if not signup_ids:
        return []
    rows = db.execute(
        select(ReferralSignup, User.id, User.email)
        .join(ReferralCode, ReferralCode.id == ReferralSignup.referral_code_id)
        .join(User, User.id == ReferralCode.user_id)
        .where(ReferralSignup.id.in_(signup_ids))
        .order_by(User.email, ReferralSignup.currency, ReferralSignup.converted_at)
    ).all()
    lines: dict[tuple[uuid.UUID, str], PayoutLine] = {}
    for signup, referrer_id, email in rows:
        currency = signup.currency or get_settings().billing.currency
        line = lines.setdefault(
            (referrer_id, currency),
            PayoutLine(referrer_id=referrer_id, referrer_email=email, currency=currency),
        )
        line.amount += signup.commission_amount or Decimal(0)
        line.signup_ids.append(signup.id)
    return list(lines.values())


def payable_before(now: datetime) -> datetime:
    """Commissions converted before this moment are past their refund window."""
    return now - refund_window()


def preview_payout(db: Session, *, now: datetime) -> list[PayoutLine]:
    """What a payout at ``now`` would pay, changing nothing."""
    ids = db.scalars(
        select(ReferralSignup.id).where(
            ReferralSignup.conversion_status == ConversionStatus.converted,
            ReferralSignup.converted_at < payable_before(now),
        )
    )
    return _payout_lines(db, list(ids))


def mark_paid(db: Session, *, now: datetime) -> list[PayoutLine]:
    """Mark every payable commission paid and say what to pay whom.

    One conditional UPDATE claims the rows: a second payout, even one running at the same
    time, finds them no longer ``converted`` and pays nothing twice."""
    claimed = db.scalars(
        update(ReferralSignup)
        .where(
            ReferralSignup.conversion_status == ConversionStatus.converted,
            ReferralSignup.converted_at < payable_before(now),
        )
        .values(conversion_status=ConversionStatus.paid, paid_at=now, updated_at=now)
        .returning(ReferralSignup.id)
    )
    ids = list(claimed)
    db.expire_all()
    return _payout_lines(db, ids)

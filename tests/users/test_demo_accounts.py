"""`soash demo --email other@...`: a second demo user gets demo accounts of its own instead of
taking over the first demo user's."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from soash.db import session_scope
from soash.demo import ACCOUNTS, _demo_account, _demo_user
from soash.social.models import SocialAccount
from soash.social.tokens import load_tokens

PASSWORD = "sourdough-starter-42"


def _seed_accounts(email: str) -> tuple[str, list[tuple[uuid.UUID, str]]]:
    """What ``seed_demo`` writes before the history: the user and its demo accounts (id and
    seed of each)."""
    with session_scope() as db:
        user = _demo_user(db, email=email, password=PASSWORD)
        accounts = [_demo_account(db, user, platform, seed) for platform, seed in ACCOUNTS]
        return str(user.id), accounts


def _owners() -> dict[uuid.UUID, str]:
    with session_scope() as db:
        rows = db.execute(select(SocialAccount.id, SocialAccount.user_id)).all()
    return {r.id: str(r.user_id) for r in rows}


def test_a_second_demo_user_gets_its_own_accounts() -> None:
    first_user, first = _seed_accounts("demo@example.com")

    second_user, second = _seed_accounts("other@example.com")

    owners = _owners()
    assert len(owners) == 2 * len(ACCOUNTS)
    assert [owners[account_id] for account_id, _ in first] == [first_user] * len(ACCOUNTS)
    assert [owners[account_id] for account_id, _ in second] == [second_user] * len(ACCOUNTS)
    assert [seed for _, seed in first] == [seed for _, seed in ACCOUNTS]
    assert not {seed for _, seed in first} & {seed for _, seed in second}
    with session_scope() as db:
        for account_id, seed in second:
            tokens = load_tokens(db.get_one(SocialAccount, account_id))
            assert tokens is not None
            assert tokens.access_token == f"demo-token-{seed}"


def test_seeding_the_same_demo_user_again_reuses_its_accounts() -> None:
    _, first = _seed_accounts("demo@example.com")
    _, second = _seed_accounts("other@example.com")

    assert _seed_accounts("other@example.com")[1] == second
    assert _seed_accounts("demo@example.com")[1] == first
    assert len(_owners()) == 2 * len(ACCOUNTS)

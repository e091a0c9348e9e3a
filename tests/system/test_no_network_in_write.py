"""No network call after the first write of a transaction: SQLite has one write lock, and a
transaction waiting on a platform or a language model would hold it for everyone."""

from __future__ import annotations

import pytest

from soash.db import NetworkCallInWriteTransaction, no_open_write, session_scope
from soash.social.models import Platform
from soash.social.platforms.registry import client_for
from soash.users.models import User
from tests.fakes.x import XFake


def test_a_call_is_fine_before_the_first_write_and_after_the_commit() -> None:
    with session_scope() as db:
        no_open_write("a read-only transaction")
        db.add(User(email="a@example.com", password_hash="x"))
        db.flush()
        with pytest.raises(NetworkCallInWriteTransaction, match="already written"):
            no_open_write("a platform call")
    no_open_write("after the commit")


def test_a_rolled_back_transaction_no_longer_counts() -> None:
    def failing_request() -> None:
        with session_scope() as db:
            db.add(User(email="b@example.com", password_hash="x"))
            db.flush()
            raise ValueError("bad input")

    with pytest.raises(ValueError, match="bad input"):
        failing_request()
    no_open_write("after the rollback")


def test_a_platform_client_refuses_to_call_out_inside_a_written_transaction(
    x_fake: XFake,
) -> None:
    client = client_for(Platform.twitter)
    token = x_fake.token()
    assert client.fetch_profile(token).platform_user_id == x_fake.user["id"]
    with session_scope() as db:
        db.add(User(email="c@example.com", password_hash="x"))
        db.flush()
        with pytest.raises(NetworkCallInWriteTransaction, match="platform call"):
            client.fetch_profile(token)

"""The batched upsert under the write path (soash.db.upsert), on whichever database runs."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from sqlalchemy import select

from soash.content.ingest import new_ids
from soash.content.models import PostMetric
from soash.db import session_scope, upsert
from tests.content.conftest import own_account, post_row, posts_file, upload
from tests.helpers import Api


def _row(post_id: uuid.UUID, likes: int | None, reach: int | None) -> dict[str, object]:
    now = datetime(2025, 3, 1, 12, tzinfo=UTC)
    return {
        "id": uuid.uuid4(),
        "post_id": post_id,
        "metric_date": date(2025, 3, 2),  # the day post_row() imports
        "likes_count": likes,
        "reach": reach,
        "created_at": now,
        "updated_at": now,
    }


def test_rows_repeating_a_key_in_one_batch_leave_the_last(api: Api) -> None:
    alice = api.user()
    own_account(alice.id)
    assert upload(api, alice, "/api/v1/imports/posts", posts_file([post_row()])).status_code == 200
    with session_scope() as db:
        [metric] = db.scalars(select(PostMetric)).all()
        post_id = metric.post_id
        upsert(
            db,
            PostMetric.__table__,
            [_row(post_id, 1, 10), _row(post_id, 2, None)],
            keys=("post_id", "metric_date"),
            update=("likes_count", "reach", "updated_at"),
            keep_existing_when_null=("likes_count", "reach"),
        )
    with session_scope() as db:
        [metric] = db.scalars(select(PostMetric)).all()
        # The last row wins; its NULL reach keeps the value stored before this batch (200).
        assert (metric.likes_count, metric.reach) == (2, 200)
        assert metric.updated_at == datetime(2025, 3, 1, 12, tzinfo=UTC)


def test_new_ids_are_distinct_version_4_uuids() -> None:
    ids = new_ids()
    batch = [next(ids) for _ in range(1000)]
    assert len(set(batch)) == 1000
    assert {i.version for i in batch} == {4}

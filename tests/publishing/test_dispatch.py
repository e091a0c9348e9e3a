"""Publishing to the X fake: exactly one post reaches it through every fault and crash."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pytest

from soash.config import get_settings
from soash.db import session_scope
from soash.publishing.dispatch import MAX_ATTEMPTS, publish_post
from soash.publishing.models import ScheduledPost, ScheduledStatus
from soash.social.models import Platform, SocialAccount
from soash.social.platforms.base import Draft, Published
from soash.social.platforms.registry import client_for
from soash.system.runner import JobDeferred
from tests.fakes.x import XFake
from tests.helpers import Api, User, outbox_messages
from tests.publishing.conftest import new_post, x_account


class Crash(BaseException):
    """Stands in for the process dying at a step (not an Exception: nothing catches it)."""


@dataclass
class Crashing:
    """The real X client, dying just before or just after one of its steps."""

    inner: Any
    step: str
    when: str  # "before" | "after"
    fired: bool = False
    calls: list[str] = field(default_factory=list)

    def _step(self, name: str, call: Callable[[], Any]) -> Any:
        self.calls.append(name)
        if name == self.step and self.when == "before" and not self.fired:
            self.fired = True
            raise Crash(name)
        answer = call()
        if name == self.step and self.when == "after" and not self.fired:
            self.fired = True
            raise Crash(name)
        return answer

    def prepare(self, access_token: str, *, platform_user_id: str, draft: Draft) -> str:
        return str(
            self._step(
                "prepare",
                lambda: self.inner.prepare(
                    access_token, platform_user_id=platform_user_id, draft=draft
                ),
            )
        )

    def publish(
        self, access_token: str, *, platform_user_id: str, draft: Draft, container_id: str
    ) -> Published:
        answer: Published = self._step(
            "publish",
            lambda: self.inner.publish(
                access_token,
                platform_user_id=platform_user_id,
                draft=draft,
                container_id=container_id,
            ),
        )
        return answer

    def find_published(
        self,
        access_token: str,
        *,
        platform_user_id: str,
        draft: Draft,
        container_id: str,
        since: datetime,
    ) -> Published | None:
        answer: Published | None = self._step(
            "find",
            lambda: self.inner.find_published(
                access_token,
                platform_user_id=platform_user_id,
                draft=draft,
                container_id=container_id,
                since=since,
            ),
        )
        return answer


def _post(post_id: str) -> ScheduledPost:
    with session_scope() as db:
        post = db.get_one(ScheduledPost, uuid.UUID(post_id))
        db.expunge(post)
        return post


def _due_post(api: Api, owner: User, fake: XFake, **fields: Any) -> str:
    account = x_account(owner, fake)
    created = new_post(api, owner, account, **fields)
    assert created.status_code == 201, created.text
    post_id: str = created.json()["id"]
    with session_scope() as db:  # due now, without waiting for the clock
        post = db.get_one(ScheduledPost, uuid.UUID(post_id))
        post.scheduled_for = datetime.now(post.scheduled_for.tzinfo)
    return post_id


def _x_client() -> Any:
    return client_for(Platform.twitter, "x")


def test_publish_now_posts_once_through_the_queue(
    api: Api, owner: User, x_fake: XFake, inline_jobs: None
) -> None:
    account = x_account(owner, x_fake)
    post = new_post(api, owner, account, caption="Launch day #soash").json()
    done = api.client.post(
        f"/api/v1/scheduled-posts/{post['id']}/publish-now", headers=owner.headers
    )
    assert done.status_code == 200, done.text
    shown = api.client.get(f"/api/v1/scheduled-posts/{post['id']}", headers=owner.headers).json()
    assert shown["status"] == "published", shown
    assert shown["platform_post_id"] == x_fake.created[0]
    assert shown["permalink"].endswith(x_fake.created[0])
    assert len(x_fake.created) == 1
    assert x_fake.tweets[x_fake.created[0]]["text"] == "Launch day #soash"


@pytest.mark.parametrize(
    ("step", "when"),
    [
        ("prepare", "before"),
        ("prepare", "after"),
        ("publish", "before"),
        ("publish", "after"),
        ("find", "before"),
        ("find", "after"),
    ],
)
def test_a_crash_at_any_step_still_publishes_exactly_once(
    api: Api, owner: User, x_fake: XFake, step: str, when: str
) -> None:
    post_id = _due_post(api, owner, x_fake, caption=f"Crash {step} {when}")
    client = Crashing(_x_client(), step, when)
    runs = 0
    while _post(post_id).status is not ScheduledStatus.published:
        runs += 1
        assert runs <= 4, client.calls
        # A Crash is the worker dying; the sweep re-queues the job and it runs again.
        with contextlib.suppress(Crash):
            publish_post(uuid.UUID(post_id), result={}, client=client)
    assert len(x_fake.created) == 1, client.calls
    assert _post(post_id).platform_post_id == x_fake.created[0]


def test_a_timeout_after_x_accepted_is_not_published_again(
    api: Api, owner: User, x_fake: XFake, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings().sync, "http_timeout_seconds", 0.5)
    post_id = _due_post(api, owner, x_fake)
    x_fake.hang_after_create = 1.5
    with pytest.raises(JobDeferred):
        publish_post(uuid.UUID(post_id), result={})
    x_fake.hang_after_create = 0
    assert _post(post_id).status is ScheduledStatus.scheduled  # waiting for its retry
    assert "did not answer" in (_post(post_id).last_error or "")
    publish_post(uuid.UUID(post_id), result={})
    assert len(x_fake.created) == 1
    assert _post(post_id).status is ScheduledStatus.published
    assert _post(post_id).platform_post_id == x_fake.created[0]


@pytest.mark.parametrize("fault", ["server_error", "malformed"])
def test_5xx_and_malformed_answers_are_retried_with_backoff_then_published_once(
    api: Api, owner: User, x_fake: XFake, fault: str
) -> None:
    post_id = _due_post(api, owner, x_fake)
    x_fake.fail_next(fault, path="/2/tweets")
    with pytest.raises(JobDeferred) as deferred:
        publish_post(uuid.UUID(post_id), result={})
    assert deferred.value.retry_after > 0
    publish_post(uuid.UUID(post_id), result={})
    assert len(x_fake.created) == 1
    assert _post(post_id).status is ScheduledStatus.published


def test_retries_are_bounded(api: Api, owner: User, x_fake: XFake) -> None:
    post_id = _due_post(api, owner, x_fake)
    x_fake.fail_next("server_error", path="/2/tweets", times=MAX_ATTEMPTS)
    for _ in range(MAX_ATTEMPTS - 1):
        with pytest.raises(JobDeferred):
            publish_post(uuid.UUID(post_id), result={})
    result: dict[str, Any] = {}
    publish_post(uuid.UUID(post_id), result=result)
    assert result["outcome"] == "failed"
    post = _post(post_id)
    assert post.status is ScheduledStatus.failed and "Gave up after" in (post.last_error or "")
    assert x_fake.created == []
    assert outbox_messages(owner.email)[-1]["Subject"] == "A scheduled post was not published"


def test_a_rate_limit_waits_for_the_reset(api: Api, owner: User, x_fake: XFake) -> None:
    post_id = _due_post(api, owner, x_fake)
    x_fake.fail_next("rate_limit", path="/2/tweets", retry_after=120)
    with pytest.raises(JobDeferred) as deferred:
        publish_post(uuid.UUID(post_id), result={})
    assert 100 <= deferred.value.retry_after <= 121
    assert _post(post_id).status is ScheduledStatus.scheduled
    publish_post(uuid.UUID(post_id), result={})
    assert len(x_fake.created) == 1


def test_a_revoked_token_fails_the_post_pauses_the_account_and_emails_the_owner(
    api: Api, owner: User, x_fake: XFake
) -> None:
    post_id = _due_post(api, owner, x_fake)
    x_fake.fail_next("token_expired", path="/2/tweets")
    result: dict[str, Any] = {}
    publish_post(uuid.UUID(post_id), result=result)
    post = _post(post_id)
    assert post.status is ScheduledStatus.failed and "reconnect" in (post.last_error or "")
    with session_scope() as db:
        assert db.get_one(SocialAccount, post.social_account_id).is_active is False
    mail = outbox_messages(owner.email)[-1]
    assert "reconnect" in str(mail.get_payload())
    retried = api.client.post(f"/api/v1/scheduled-posts/{post_id}/retry", headers=owner.headers)
    assert retried.status_code == 409  # the account must be reconnected first
    assert x_fake.created == []


def test_rejected_media_fails_the_post_with_the_platforms_reason(
    api: Api, owner: User, x_fake: XFake
) -> None:
    x_fake.route("GET", r"/media/photo\.jpg", lambda _r: _jpeg())
    media = f"{x_fake.url}/media/photo.jpg"
    post_id = _due_post(api, owner, x_fake, content_type="image", media_urls=[media])
    x_fake.reject_media = True
    publish_post(uuid.UUID(post_id), result={})
    post = _post(post_id)
    assert post.status is ScheduledStatus.failed
    assert "media type unrecognized" in (post.last_error or "")
    x_fake.reject_media = False
    assert (
        api.client.post(
            f"/api/v1/scheduled-posts/{post_id}/retry", headers=owner.headers
        ).status_code
        == 200
    )
    publish_post(uuid.UUID(post_id), result={})
    assert _post(post_id).status is ScheduledStatus.published
    tweet = x_fake.tweets[x_fake.created[0]]
    assert len(tweet["attachments"]["media_keys"]) == 1


def test_one_publisher_per_account_at_a_time(api: Api, owner: User, x_fake: XFake) -> None:
    first = _due_post(api, owner, x_fake, caption="first")
    account = _post(first).social_account_id
    second = new_post(api, owner, account, caption="second").json()["id"]
    with session_scope() as db:
        db.get_one(ScheduledPost, uuid.UUID(first)).status = ScheduledStatus.publishing
        due = db.get_one(ScheduledPost, uuid.UUID(second))
        due.scheduled_for = datetime.now(due.scheduled_for.tzinfo)
    with pytest.raises(JobDeferred, match="another post of this account"):
        publish_post(uuid.UUID(second), result={})
    assert x_fake.created == []


def _jpeg() -> Any:
    from tests.fakes.server import Response

    return Response(200, b"\xff\xd8\xff\xe0" + b"\x00" * 64, {"Content-Type": "image/jpeg"})

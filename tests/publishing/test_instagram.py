"""Publishing to the Instagram fake: container, status poll, media_publish; carousels as
child containers; exactly one post through crashes and a timeout after Instagram accepted."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from soash.config import Settings
from soash.db import session_scope
from soash.publishing.dispatch import publish_post
from soash.publishing.models import ScheduledPost, ScheduledStatus
from soash.social.models import Platform
from soash.social.platforms.base import TokenSet
from soash.social.platforms.instagram_publish import InstagramPublishing
from soash.social.platforms.registry import client_for
from soash.system.runner import JobDeferred
from tests.fakes.instagram import IG_USER_ID, InstagramFake
from tests.helpers import Api, User
from tests.publishing.conftest import new_post
from tests.publishing.test_dispatch import Crash, Crashing
from tests.social.conftest import make_account

IMAGE = "https://cdn.example.com/photo.jpg"


@pytest.fixture
def ig(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[InstagramFake]:
    fake = InstagramFake()
    fake.start()
    for name, value in fake.settings():
        monkeypatch.setattr(settings.instagram, name, value)
    monkeypatch.setattr(settings.sync, "http_timeout_seconds", 1.0)
    monkeypatch.setattr(InstagramPublishing, "poll_sleep", staticmethod(lambda _s: None))
    yield fake
    fake.stop()


def _due(api: Api, owner: User, ig: InstagramFake, **fields: Any) -> uuid.UUID:
    account = make_account(
        uuid.UUID(owner.id),
        platform=Platform.instagram,
        platform_user_id=IG_USER_ID,
        tokens=TokenSet(access_token=ig.issue_token(IG_USER_ID)),
    )
    body = {"content_type": "image", "media_urls": [IMAGE], **fields}
    created = new_post(api, owner, account, **body)
    assert created.status_code == 201, created.text
    post_id = uuid.UUID(created.json()["id"])
    with session_scope() as db:
        db.get_one(ScheduledPost, post_id).scheduled_for = datetime.now(UTC)
    return post_id


def _post(post_id: uuid.UUID) -> ScheduledPost:
    with session_scope() as db:
        post = db.get_one(ScheduledPost, post_id)
        db.expunge(post)
        return post


def test_an_image_goes_through_container_poll_and_publish(
    api: Api, owner: User, ig: InstagramFake
) -> None:
    ig.processing_polls = 2
    post_id = _due(api, owner, ig, caption="Fresh figs #market")
    publish_post(post_id, result={})
    post = _post(post_id)
    assert post.status is ScheduledStatus.published, post.last_error
    assert ig.published == [post.platform_post_id]
    assert post.permalink == f"https://www.instagram.com/p/{post.platform_post_id}/"
    assert ig.media[ig.published[0]].caption == "Fresh figs #market"


def test_a_carousel_is_published_from_child_containers(
    api: Api, owner: User, ig: InstagramFake
) -> None:
    urls = [IMAGE, "https://cdn.example.com/clip.mp4", "https://cdn.example.com/b.png"]
    post_id = _due(api, owner, ig, content_type="carousel", media_urls=urls)
    publish_post(post_id, result={})
    assert _post(post_id).status is ScheduledStatus.published
    children = [c for c in ig.containers.values() if c["params"].get("is_carousel_item")]
    assert len(children) == 3
    assert children[1]["params"]["media_type"] == "VIDEO"
    parent = ig.containers[_post(post_id).container_id or ""]
    assert parent["params"]["media_type"] == "CAROUSEL"
    assert len(ig.published) == 1


@pytest.mark.parametrize("step", ["prepare", "publish", "find"])
@pytest.mark.parametrize("when", ["before", "after"])
def test_a_crash_at_any_step_still_publishes_exactly_once(
    api: Api, owner: User, ig: InstagramFake, step: str, when: str
) -> None:
    post_id = _due(api, owner, ig, caption=f"crash {step} {when}")
    client = Crashing(client_for(Platform.instagram, IG_USER_ID), step, when)
    for _ in range(4):
        if _post(post_id).status is ScheduledStatus.published:
            break
        with contextlib.suppress(Crash):
            publish_post(post_id, result={}, client=client)
    assert _post(post_id).status is ScheduledStatus.published, client.calls
    assert len(ig.published) == 1


def test_a_timeout_after_instagram_accepted_is_not_published_again(
    api: Api, owner: User, ig: InstagramFake
) -> None:
    post_id = _due(api, owner, ig)
    ig.hang_after_publish = 2.0
    with pytest.raises(JobDeferred):
        publish_post(post_id, result={})
    ig.hang_after_publish = 0
    publish_post(post_id, result={})
    assert _post(post_id).status is ScheduledStatus.published
    assert _post(post_id).platform_post_id == ig.published[0]
    assert len(ig.published) == 1


def test_media_instagram_cannot_process_fails_the_post(
    api: Api, owner: User, ig: InstagramFake
) -> None:
    ig.reject_media = True
    post_id = _due(api, owner, ig)
    publish_post(post_id, result={})
    post = _post(post_id)
    assert post.status is ScheduledStatus.failed
    assert "could not process the media" in (post.last_error or "")
    assert ig.published == []

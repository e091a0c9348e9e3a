"""Instagram content publishing (docs/platforms.md §10.2): a media container, its status
polled until FINISHED, then ``media_publish``; a carousel's items are child containers.

The container id is what Soash records before ``media_publish``. A retry asks the
container's ``status_code``: PUBLISHED means the post is out (its media is found among the
account's recent media by caption), anything else means publish it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from soash.social.platforms.base import Draft, Published
from soash.social.platforms.errors import PlatformRequestError, TransientError
from soash.social.platforms.http import PlatformHttp
from soash.social.platforms.parsing import field
from soash.social.platforms.rules_media import is_video

POLLS = 30
POLL_SECONDS = 2.0


class InstagramPublishing:
    """Mixed into :class:`InstagramClient`: needs its ``http``, ``_path`` and ``_get``."""

    http: PlatformHttp
    _path: Callable[[str], str]
    _get: Callable[[str, str, Mapping[str, str]], dict[str, Any]]
    poll_sleep: Callable[[float], None] = staticmethod(time.sleep)

    def _create(self, token: str, user: str, params: dict[str, str]) -> str:
        body = self.http.json(
            "POST", self._path(f"{user}/media"), params={**params, "access_token": token}
        )
        return str(field(body, "id", (str, int), where="Instagram media container"))

    def _item(self, url: str, *, carousel: bool = False) -> dict[str, str]:
        params = {"video_url": url, "media_type": "VIDEO"} if is_video(url) else {"image_url": url}
        if carousel:
            params["is_carousel_item"] = "true"
        return params

    def prepare(self, access_token: str, *, platform_user_id: str, draft: Draft) -> str:
        user, caption = platform_user_id, {"caption": draft.text}
        if draft.kind == "carousel":
            children = [
                self._create(access_token, user, self._item(url, carousel=True))
                for url in draft.media_urls
            ]
            for child in children:
                self._wait(access_token, child)
            params = {"media_type": "CAROUSEL", "children": ",".join(children), **caption}
        elif draft.kind in ("reel", "video"):
            params = {"media_type": "REELS", "video_url": draft.media_urls[0], **caption}
        elif draft.kind == "story":
            params = {**self._item(draft.media_urls[0]), "media_type": "STORIES"}
        else:
            params = {"image_url": draft.media_urls[0], **caption}
        container = self._create(access_token, user, params)
        self._wait(access_token, container)
        return container

    def _wait(self, token: str, container: str) -> None:
        for _ in range(POLLS):
            status = self._status(token, container)
            if status == "FINISHED":
                return
            if status in ("ERROR", "EXPIRED"):
                raise PlatformRequestError(
                    f"Instagram could not process the media (container {status}); check its "
                    "format and size"
                )
            self.poll_sleep(POLL_SECONDS)
        raise TransientError("Instagram was still processing the media")

    def _status(self, token: str, container: str) -> str:
        body = self._get(token, container, {"fields": "status_code"})
        return str(field(body, "status_code", str, where="Instagram container"))

    def publish(
        self, access_token: str, *, platform_user_id: str, draft: Draft, container_id: str
    ) -> Published:
        body = self.http.json(
            "POST",
            self._path(f"{platform_user_id}/media_publish"),
            params={"creation_id": container_id, "access_token": access_token},
            once=True,
        )
        media_id = str(field(body, "id", (str, int), where="Instagram media_publish"))
        return self._published(access_token, media_id)

    def _published(self, token: str, media_id: str) -> Published:
        try:
            link = self._get(token, media_id, {"fields": "permalink"}).get("permalink")
        except (TransientError, PlatformRequestError):
            link = None  # the sync fills it in later
        return Published(media_id, link if isinstance(link, str) else None)

    def find_published(
        self,
        access_token: str,
        *,
        platform_user_id: str,
        draft: Draft,
        container_id: str,
        since: datetime,
    ) -> Published | None:
        if container_id and self._status(access_token, container_id) != "PUBLISHED":
            return None
        body = self._get(
            access_token,
            f"{platform_user_id}/media",
            {"fields": "id,caption,timestamp,permalink", "limit": "25"},
        )
        for item in field(body, "data", list, where="Instagram media"):
            if isinstance(item, dict) and (item.get("caption") or "") == draft.text:
                return Published(str(item["id"]), item.get("permalink"))
        if container_id:  # published, but not (yet) listed: never publish it again
            return Published(f"container:{container_id}", None)
        return None

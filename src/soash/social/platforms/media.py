"""Fetching a post's media from its URL, for platforms that take bytes rather than a URL."""

from __future__ import annotations

import httpx

from soash.social.platforms.errors import PlatformRequestError, TransientError

MAX_MEDIA_BYTES = 512 * 1024 * 1024


def fetch_media(url: str, *, timeout: float = 30.0, max_bytes: int = MAX_MEDIA_BYTES) -> bytes:
    """The bytes at ``url``; a refusal or an oversized file is the post's fault (not retried),
    a network error or a 5xx is worth retrying."""
    try:
        with httpx.stream("GET", url, timeout=timeout, follow_redirects=True) as response:
            if response.status_code >= 500:
                raise TransientError(
                    f"the media at {url} could not be fetched ({response.status_code})"
                )
            if response.status_code >= 400:
                raise PlatformRequestError(
                    f"the media at {url} could not be fetched ({response.status_code}); "
                    "check the URL or upload the file again"
                )
            data = bytearray()
            for chunk in response.iter_bytes():
                data.extend(chunk)
                if len(data) > max_bytes:
                    raise PlatformRequestError(
                        f"the media at {url} is larger than {max_bytes} bytes"
                    )
            return bytes(data)
    except httpx.HTTPError as exc:
        raise TransientError(
            f"the media at {url} could not be fetched ({type(exc).__name__})"
        ) from None

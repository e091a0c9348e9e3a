"""What a media URL holds, read from its path ending."""

from __future__ import annotations

VIDEO_EXT = (".mp4", ".mov", ".m4v", ".webm")
IMAGE_EXT = (".jpg", ".jpeg", ".png", ".gif", ".webp", ".heic")


def media_kind(url: str) -> str | None:
    """ "image" or "video" from the URL's path ending; None when it says neither."""
    path = url.split("?", 1)[0].lower()
    if path.endswith(VIDEO_EXT):
        return "video"
    if path.endswith(IMAGE_EXT):
        return "image"
    return None


def is_video(url: str) -> bool:
    return media_kind(url) == "video"

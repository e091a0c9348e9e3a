"""Per-platform rules checked before a post is scheduled (sources in docs/platforms.md).

Each broken rule is a :class:`Violation` naming it (``rule``) with a message a person can act
on; the service raises them together as one 422.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from soash.publishing.models import ScheduledContentType as Kind
from soash.social.models import Platform
from soash.social.platforms.rules_media import media_kind

HASHTAG = re.compile(r"(?<![\w&])#(\w+)")


@dataclass(frozen=True)
class MediaRule:
    min_count: int
    max_count: int
    kinds: frozenset[str]  # "image" / "video": what the items may be


@dataclass(frozen=True)
class PlatformRules:
    name: str
    caption_max: int
    hashtags_max: int
    content: dict[Kind, MediaRule]


_IMAGE = frozenset({"image"})
_VIDEO = frozenset({"video"})
_ANY = frozenset({"image", "video"})

RULES: dict[Platform, PlatformRules] = {
    Platform.instagram: PlatformRules(
        "Instagram",
        caption_max=2200,
        hashtags_max=30,
        content={
            Kind.image: MediaRule(1, 1, _IMAGE),
            Kind.video: MediaRule(1, 1, _VIDEO),
            Kind.reel: MediaRule(1, 1, _VIDEO),
            Kind.carousel: MediaRule(2, 10, _ANY),
            Kind.story: MediaRule(1, 1, _ANY),
        },
    ),
    Platform.facebook: PlatformRules(
        "Facebook",
        caption_max=63206,
        hashtags_max=30,
        content={
            Kind.text: MediaRule(0, 0, _ANY),
            Kind.image: MediaRule(1, 1, _IMAGE),
            Kind.video: MediaRule(1, 1, _VIDEO),
            Kind.reel: MediaRule(1, 1, _VIDEO),
        },
    ),
    Platform.tiktok: PlatformRules(
        "TikTok",
        caption_max=2200,
        hashtags_max=30,
        content={
            Kind.video: MediaRule(1, 1, _VIDEO),
            Kind.reel: MediaRule(1, 1, _VIDEO),
            Kind.carousel: MediaRule(1, 35, _IMAGE),
        },
    ),
    Platform.twitter: PlatformRules(
        "X",
        caption_max=280,
        hashtags_max=10,
        content={
            Kind.text: MediaRule(0, 0, _ANY),
            Kind.image: MediaRule(1, 4, _IMAGE),
            Kind.video: MediaRule(1, 1, _VIDEO),
        },
    ),
    Platform.linkedin: PlatformRules(
        "LinkedIn",
        caption_max=3000,
        hashtags_max=30,
        content={
            Kind.text: MediaRule(0, 0, _ANY),
            Kind.image: MediaRule(1, 1, _IMAGE),
            Kind.carousel: MediaRule(2, 20, _IMAGE),
            Kind.video: MediaRule(1, 1, _VIDEO),
        },
    ),
}


@dataclass(frozen=True)
class Violation:
    rule: str
    field: str
    message: str


def hashtags_in(caption: str | None, hashtags: list[str]) -> set[str]:
    """Every distinct hashtag the post carries: the list and the caption's own."""
    found = {h.lstrip("#").lower() for h in hashtags}
    found |= {m.lower() for m in HASHTAG.findall(caption or "")}
    return found


def full_text(caption: str | None, hashtags: list[str]) -> str:
    """What the platform receives: the caption, then any listed hashtags it does not hold."""
    text = caption or ""
    present = {m.lower() for m in HASHTAG.findall(text)}
    extra = [f"#{h.lstrip('#')}" for h in hashtags if h.lstrip("#").lower() not in present]
    return " ".join([text, *extra]).strip() if extra else text


def check(
    platform: Platform, kind: Kind, *, caption: str | None, hashtags: list[str], media: list[str]
) -> list[Violation]:
    rules = RULES[platform]
    out: list[Violation] = []
    content = rules.content.get(kind)
    if content is None:
        allowed = ", ".join(k.value for k in rules.content)
        out.append(
            Violation(
                "content_type",
                "content_type",
                f"{rules.name} does not take '{kind.value}' posts through its API; "
                f"choose one of: {allowed}.",
            )
        )
    text = full_text(caption, hashtags)
    if len(text) > rules.caption_max:
        out.append(
            Violation(
                "caption_length",
                "caption",
                f"{rules.name} captions hold at most {rules.caption_max} characters "
                f"(hashtags included); this one has {len(text)}.",
            )
        )
    tags = hashtags_in(caption, hashtags)
    if len(tags) > rules.hashtags_max:
        out.append(
            Violation(
                "hashtag_count",
                "hashtags",
                f"{rules.name} takes at most {rules.hashtags_max} hashtags a post; "
                f"this one has {len(tags)}.",
            )
        )
    if content is not None:
        out.extend(_media(rules.name, kind, content, media))
    return out


def _media(name: str, kind: Kind, rule: MediaRule, media: list[str]) -> list[Violation]:
    n = len(media)
    if not rule.min_count <= n <= rule.max_count:
        want = (
            "no media"
            if rule.max_count == 0
            else f"exactly {rule.min_count}"
            if rule.min_count == rule.max_count
            else f"{rule.min_count} to {rule.max_count}"
        )
        noun = "" if rule.max_count == 0 else " media items"
        return [
            Violation(
                "media_count",
                "media_urls",
                f"A {name} {kind.value} post takes {want}{noun}; it has {n}.",
            )
        ]
    out = []
    for i, url in enumerate(media):
        found = media_kind(url)
        if found not in rule.kinds:
            kinds = " or ".join(sorted(rule.kinds))
            out.append(
                Violation(
                    "media_kind",
                    f"media_urls[{i}]",
                    f"A {name} {kind.value} post takes {kinds}; item {i + 1} is "
                    f"{'not recognisably an image or a video' if found is None else f'a {found}'}"
                    " (give a URL ending in .jpg, .png, .webp, .gif, .mp4 or .mov, or upload it).",
                )
            )
    return out

"""Plain-language wording of effects, and which effects are worth acting on.

An effect is *actionable* when it is significant (q < 0.05, the one rule of
:mod:`soash.insights.effects`) and large enough to matter: a lift of at least ``1 + t`` or at
most ``1 - t`` (``t`` = ``SOASH_INSIGHTS_PRACTICAL_LIFT``, 0.10 by default)."""

from __future__ import annotations

from soash.config import get_settings
from soash.insights.effects import WEEKDAYS, Dimension, Effect
from soash.insights.models import PatternType
from soash.insights.patterns import ALL, Pattern
from soash.insights.writer import CONTENT_LABELS

PLATFORM_LABELS = {
    "instagram": "Instagram",
    "facebook": "Facebook",
    "tiktok": "TikTok",
    "x": "X",
    "linkedin": "LinkedIn",
}


def actionable(p: Pattern) -> bool:
    e = p.estimate
    if not e.significant or e.lift is None:
        return False
    threshold = get_settings().insights.practical_lift
    return e.lift >= 1 + threshold or e.lift <= 1 - threshold


def times(lift: float) -> str:
    return f"{lift:.1f}×" if abs(lift - 1) >= 0.095 else f"{lift:.2f}×"


def hours(name: str) -> str:
    """``"07:00-10:00"`` as people read it: ``"07:00–10:00"``."""
    return name.replace("-", "–")


def _plural(p: Pattern) -> str:
    """What the group's posts are called: "reels", "posts on Thursdays", "posts with #latte"."""
    e = p.estimate
    if e.dimension is Dimension.content_type:
        label = CONTENT_LABELS.get(p.name, p.name)
        return f"{label}s"
    if e.dimension is Dimension.hashtag:
        return f"posts with {p.name}"
    if e.dimension is Dimension.weekday:
        return f"posts on {p.name}s"
    return f"posts at {hours(p.name)}"


def _rest(p: Pattern) -> str:
    e = p.estimate
    if e.dimension is Dimension.hashtag:
        return "your posts without it"
    if e.dimension is Dimension.window:
        return "your posts at other hours"
    if e.dimension is Dimension.weekday:
        return "your posts on other days"
    return "your other posts"


def subject(p: Pattern) -> str:
    text = _plural(p)
    if p.scope != ALL:
        text = f"{text} on {PLATFORM_LABELS.get(p.scope, p.scope)}"
    return text[0].upper() + text[1:]


def headline(p: Pattern) -> str:
    """e.g. "Reels get about 1.8× the engagement of your other posts"."""
    e = p.estimate
    assert e.lift is not None
    return f"{subject(p)} get about {times(e.lift)} the engagement of {_rest(p)}"


def evidence(p: Pattern) -> str:
    """e.g. "about 1.8× (likely between 1.5× and 2.1×, from 64 reels)", then how it was
    measured."""
    e = p.estimate
    assert e.lift is not None and e.ci_low is not None and e.ci_high is not None
    level = f"{(e.ci_level or 0.95) * 100:.1f}".rstrip("0").rstrip(".")
    raw = f"; {times(e.raw_lift)} before adjusting" if e.raw_lift is not None else ""
    return (
        f"About {times(e.lift)} (likely between {times(e.ci_low)} and {times(e.ci_high)}, "
        f"from {e.n} {_plural(p)}{raw}). Engagement 7 days after posting, compared with "
        f"{_rest(p)} of the same format, weekday, hour and hashtags; {level}% interval, "
        f"allowing for every comparison made (q = {e.q_value or 0:.3f})."
    )


def name_of(p: Pattern) -> str:
    """A short label for a group, e.g. for a recommendation's title."""
    if p.pattern_type is PatternType.content_type:
        return CONTENT_LABELS.get(p.name, p.name)
    if p.name in WEEKDAYS or p.pattern_type is PatternType.hashtag:
        return p.name
    return hours(p.name)


def brief_evidence(effect: Effect, label: str) -> str:
    """One sentence for a content brief: "Reels: about 1.8× (likely 1.5×–2.1×, 64 posts)."""
    assert effect.lift is not None and effect.ci_low is not None and effect.ci_high is not None
    return (
        f"{label}: about {times(effect.lift)} your other posts' engagement (likely between "
        f"{times(effect.ci_low)} and {times(effect.ci_high)}, from {effect.n} posts)."
    )

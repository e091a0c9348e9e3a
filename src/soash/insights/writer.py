"""Writing content ideas and briefs for a brand, grounded in what works for it.

:class:`TemplateWriter` is deterministic and always available; :mod:`soash.insights.llm`
writes with a language model when one is configured and falls back to this writer. Either
way the evidence sentence (the numbers) is composed here from the statistics, never by a model.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Protocol

CONTENT_LABELS = {
    "reel": "Reel",
    "carousel": "carousel",
    "image": "photo post",
    "video": "video",
    "story": "story",
    "text/other": "text post",
}
ANGLES = (
    ("behind the scenes", "Show how it is made: the people, the process, the small rituals."),
    ("how-to", "Teach one useful thing your audience can try today, step by step."),
    ("customer story", "Let one customer's experience carry the post, in their words."),
    ("myth vs fact", "Correct one common misconception in your field, kindly and clearly."),
    ("day in the life", "Follow one day from opening to closing in a handful of moments."),
    ("before and after", "Show a transformation: raw to finished, problem to solution."),
)


@dataclass(frozen=True)
class IdeaContext:
    brand_name: str
    industry: str | None
    audience: str | None
    values: tuple[str, ...]
    goals: tuple[str, ...]
    content_type: str  # the format that works best for this brand, e.g. "reel"
    hashtags: tuple[str, ...]  # hashtags with real lift, best first
    best_slot: str | None  # e.g. "Thursday 18:00-21:00 (Europe/Berlin)"
    evidence: str  # the numbers, composed from the statistics
    avoid_angles: frozenset[str] = field(default_factory=frozenset)  # rated poorly before
    prefer_angles: frozenset[str] = field(default_factory=frozenset)  # rated well before
    description: str | None = None  # the brand in its own words (profile's brand_description)


@dataclass(frozen=True)
class Idea:
    angle: str
    title: str
    brief: str


class Writer(Protocol):
    def ideas(self, context: IdeaContext, *, count: int) -> list[Idea]: ...


def choose_angles(context: IdeaContext, count: int) -> list[tuple[str, str]]:
    """Angles ordered by the user's feedback (liked first, disliked never), then a stable
    per-brand order so regenerating gives the same ideas."""

    def order(angle: tuple[str, str]) -> tuple[int, str]:
        liked = 0 if angle[0] in context.prefer_angles else 1
        salt = hashlib.sha256(f"{context.brand_name}:{angle[0]}".encode()).hexdigest()
        return (liked, salt)

    usable = [a for a in ANGLES if a[0] not in context.avoid_angles] or list(ANGLES)
    return sorted(usable, key=order)[:count]


class TemplateWriter:
    def ideas(self, context: IdeaContext, *, count: int) -> list[Idea]:
        label = CONTENT_LABELS.get(context.content_type, context.content_type)
        tags = " ".join(f"#{t}" for t in context.hashtags[:3]) or "your best-performing hashtags"
        audience = context.audience or "your audience"
        values = ", ".join(context.values) or "what your brand stands for"
        goal = context.goals[0] if context.goals else "growing engagement"
        out = []
        for angle, how in choose_angles(context, count):
            title = f"A {angle} {label} for {context.brand_name}"
            brief = "\n".join(
                [
                    f"Format: {label}. {context.evidence}",
                    f"Angle: {angle}. {how}",
                    f"For: {audience}. Let it show {values}.",
                    *(
                        [f"About the brand: {context.description.strip()[:300]}"]
                        if context.description and context.description.strip()
                        else []
                    ),
                    f"Hook (first 2 seconds or first line): a question {audience} would ask "
                    f"about {context.industry or 'your work'}.",
                    f"Call to action: tie it to your goal — {goal}.",
                    f"Hashtags: {tags}.",
                    f"When: {context.best_slot or 'your usual posting time'}.",
                ]
            )
            out.append(Idea(angle=angle, title=title, brief=brief))
        return out

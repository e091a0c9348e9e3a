"""The insight job: patterns → insights (performance, trend, recommendation) → content
recommendations (posting times, hashtags, content ideas). Re-running updates, never duplicates."""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from soash.config import get_settings
from soash.content import rules as category_rules
from soash.db import session_scope, utcnow
from soash.insights.advice import (
    actionable,
    brief_evidence,
    evidence,
    headline,
    hours,
    name_of,
    subject,
    times,
)
from soash.insights.effects import Dimension, Window
from soash.insights.figures import figures_at_age
from soash.insights.llm import LlmWriter
from soash.insights.models import (
    AiInsight,
    ContentRecommendation,
    InsightType,
    PatternType,
    Priority,
    RecommendationType,
)
from soash.insights.patterns import ALL, Pattern, refresh_patterns
from soash.insights.service import GENERATE_TASK, upsert_insight
from soash.insights.slots import best_slots
from soash.insights.trends import Trend, daily_follower_gains, engagement_trend, follower_trend
from soash.insights.writer import Idea, IdeaContext, TemplateWriter, Writer
from soash.system.models import JobType
from soash.system.runner import run_job
from soash.users.models import User, UserProfile
from soash.users.service import get_profile

GENERATED_PREFIXES = ("performance:", "trend:", "recommendation:")
IDEAS = 3
MAX_PERFORMANCE = 6
MAX_PER_PLATFORM = 3


def _priority(p: Pattern) -> Priority:
    e = p.estimate
    assert e.lift is not None and e.q_value is not None
    effect = abs(e.lift - 1)
    if effect >= 0.4 and e.q_value < 0.01:
        return Priority.high
    if effect >= 0.2:
        return Priority.medium
    return Priority.low


def _finding(lift: float) -> str:
    """What an effect says, coarsely: its direction and its size in steps of 25% (log scale),
    so a dismissed insight returns only when the effect changed materially."""
    return f"{'up' if lift > 1 else 'down'}:{round(abs(math.log(lift)) / math.log(1.25))}"


def _write_pattern_insights(db: Session, user: User, patterns: list[Pattern]) -> set[str]:
    """Effects that are significant and big enough to matter: the pooled ones, then each
    platform's own (when the user has several)."""
    keys = set()
    chosen = [p for p in patterns if p.scope == ALL and actionable(p)][:MAX_PERFORMANCE]
    for scope in sorted({p.scope for p in patterns} - {ALL}):
        mine = [p for p in patterns if p.scope == scope and actionable(p)]
        chosen.extend(mine[:MAX_PER_PLATFORM])
    for p in chosen:
        assert p.estimate.lift is not None
        better = p.estimate.lift > 1
        scope = "" if p.scope == ALL else f"{p.scope}:"
        key = f"performance:{scope}{p.pattern_type.value}:{p.name}"
        upsert_insight(
            db,
            user_id=user.id,
            key=key,
            insight_type=InsightType.performance,
            title=headline(p),
            description=evidence(p)
            + (" Do more of this." if better else " Consider doing less of this."),
            priority=_priority(p),
            finding=_finding(p.estimate.lift),
        )
        keys.add(key)
    return keys


def _write_trend_insights(db: Session, user: User, trends: list[Trend]) -> set[str]:
    keys = set()
    for t in trends:
        key = f"trend:{t.key}"
        if t.key == "followers":
            speed = "speeding up" if t.direction == "up" else "slowing down"
            title = f"Follower growth is {speed}"
            description = (
                f"A typical day brought {t.after:+.0f} followers over the last 4 weeks, against "
                f"{t.before:+.0f} in the 4 weeks before ({t.n_after} vs {t.n_before} days; "
                f"Mann-Whitney p = {t.p_value:.3f})."
            )
        else:
            title = f"Engagement rate is {t.direction} {abs(t.change):.0%} on the previous 4 weeks"
            description = (
                f"Typical engagement rate 7 days after posting: {t.after:.2%} against "
                f"{t.before:.2%} ({t.n_after} vs {t.n_before} posts, each compared with its "
                f"account's median; Mann-Whitney p = {t.p_value:.3f})."
            )
        priority = Priority.high if abs(t.change) >= 0.3 else Priority.medium
        upsert_insight(
            db,
            user_id=user.id,
            key=key,
            insight_type=InsightType.trend,
            title=title,
            description=description,
            priority=priority,
            finding=t.direction,
        )
        keys.add(key)
    return keys


def _best(
    patterns: list[Pattern], kind: PatternType, *, dimension: Dimension | None = None
) -> list[Pattern]:
    """Pooled, actionable winners of one kind, best first."""
    out = []
    for p in patterns:
        if p.scope != ALL or p.pattern_type is not kind or not actionable(p):
            continue
        if (p.estimate.lift or 0) <= 1:
            continue
        if dimension is not None and p.estimate.dimension is not dimension:
            continue
        out.append(p)
    return sorted(out, key=lambda p: -(p.estimate.lift or 0))


def _upsert_recommendation(
    db: Session,
    user: User,
    *,
    key: str,
    kind: RecommendationType,
    title: str,
    description: str,
    brief: str | None = None,
) -> None:
    row = db.scalar(
        select(ContentRecommendation).where(
            ContentRecommendation.user_id == user.id, ContentRecommendation.key == key
        )
    )
    if row is None:
        row = ContentRecommendation(user_id=user.id, key=key, recommendation_type=kind)
        db.add(row)
    row.title, row.description, row.content_brief = title, description, brief
    db.flush()


def _next_slots(
    patterns: list[Pattern], profile: UserProfile, now: datetime
) -> list[tuple[str, str, str]]:
    """(key, title, description) of the best slots in the next 7 days, in the user's tz: from
    the winning weekdays and windows only, each slot on a different day."""
    days = _best(patterns, PatternType.posting_time, dimension=Dimension.weekday)
    windows = _best(patterns, PatternType.posting_time, dimension=Dimension.window)
    tz = ZoneInfo(profile.timezone)
    found = best_slots(
        {p.name: p.estimate.lift or 1.0 for p in days},
        [(w, p.estimate.lift or 1.0) for p in windows if (w := Window.parse(p.name))],
        today=now.astimezone(tz).date(),
    )
    out = []
    for slot in found:
        span = hours(slot.window.name) if slot.window else ""
        reasons = [p for p in windows[:1] if slot.window] + [
            p for p in days if p.name == slot.weekday
        ]
        out.append(
            (
                f"posting_time:{slot.weekday}:{span or 'any'}",
                f"{slot.day:%A %d %b} {span} ({profile.timezone})".replace("  ", " "),
                f"Expected about {times(slot.lift)} the engagement of your other posts. "
                + " ".join(f"{subject(p)}: {evidence(p)}" for p in reasons),
            )
        )
    return out


def _ratings(db: Session, user: User) -> dict[str, int]:
    """The user's ratings (1-5) by recommendation key; a dismissed one counts as a 1."""
    rows = db.execute(
        select(
            ContentRecommendation.key,
            ContentRecommendation.feedback_score,
            ContentRecommendation.is_dismissed,
        ).where(
            ContentRecommendation.user_id == user.id,
            or_(
                ContentRecommendation.feedback_score.is_not(None),
                ContentRecommendation.is_dismissed,
            ),
        )
    ).all()
    return {key: 1 if dismissed else (score or 3) for key, score, dismissed in rows if key}


def _feedback(ratings: dict[str, int]) -> tuple[frozenset[str], frozenset[str]]:
    """Content-idea angles rated poorly (never again) and well (first next time)."""
    angles = [(key.rsplit(":", 1)[-1], s) for key, s in ratings.items() if key.startswith("idea:")]
    return (
        frozenset(a for a, s in angles if s <= 2),
        frozenset(a for a, s in angles if s >= 4),
    )


def _writer() -> Writer:
    llm = get_settings().llm
    return LlmWriter(llm) if llm.base_url else TemplateWriter()


def _context(
    patterns: list[Pattern],
    profile: UserProfile,
    slots: list[tuple[str, str, str]],
    ratings: dict[str, int],
    posts: int,
) -> tuple[IdeaContext, str]:
    """What the writer builds on, and how the ideas may be described: built on the user's
    numbers only when there are numbers that say something."""
    formats = _best(patterns, PatternType.content_type)
    tags = tuple(p.name.lstrip("#") for p in _best(patterns, PatternType.hashtag))
    if formats:
        note = "built on what works for you"
        said = brief_evidence(formats[0].estimate, name_of(formats[0]).capitalize() + "s")
    elif posts:
        note = "built on your brand profile; no format stands out in your numbers yet"
        said = (
            f"No format clearly stands out yet in your {posts} posts; this idea builds on your "
            "brand profile."
        )
    else:
        note = "general advice: Soash has none of your posts to learn from yet"
        said = (
            "General advice: Soash has none of your posts (a week old) to learn from yet, so "
            "nothing here comes from your numbers."
        )
    avoid, prefer = _feedback(ratings)
    context = IdeaContext(
        brand_name=profile.brand_name or "your brand",
        industry=profile.industry,
        audience=profile.target_audience,
        values=tuple(profile.brand_values or ()),
        goals=tuple(profile.business_goals or ()),
        content_type=formats[0].name if formats else "carousel",
        hashtags=tags,
        best_slot=slots[0][1] if slots else None,
        evidence=said,
        avoid_angles=avoid,
        prefer_angles=prefer,
        description=profile.brand_description,
    )
    return context, note


def _write_recommendations(
    db: Session, user: User, patterns: list[Pattern], now: datetime, *, posts: int
) -> tuple[set[str], IdeaContext, str]:
    """Posting slots and hashtags to use or drop; returns their keys and what the content
    ideas are to be written from (the writer may call an LLM: outside this transaction). A
    slot or hashtag the user rated 1 or 2 is not suggested again; idea angles rated poorly
    are avoided."""
    profile = get_profile(db, user)
    ratings = _ratings(db, user)
    keys: set[str] = set()
    slots = [s for s in _next_slots(patterns, profile, now) if ratings.get(s[0], 3) > 2]
    for key, title, description in slots:
        _upsert_recommendation(
            db,
            user,
            key=key,
            kind=RecommendationType.posting_time,
            title=title,
            description=description,
        )
        keys.add(key)
    for p in [
        p
        for p in patterns
        if p.scope == ALL and p.pattern_type is PatternType.hashtag and actionable(p)
    ]:
        assert p.estimate.lift is not None
        key = f"hashtag:{p.name}"
        if ratings.get(key, 3) <= 2:
            continue
        use = p.estimate.lift > 1
        _upsert_recommendation(
            db,
            user,
            key=key,
            kind=RecommendationType.hashtag,
            title=f"{'Use' if use else 'Drop'} {p.name}",
            description=f"{headline(p)}. {evidence(p)}",
        )
        keys.add(key)
    context, note = _context(patterns, profile, slots, ratings, posts)
    return keys, context, note


def _write_ideas(
    db: Session, user: User, context: IdeaContext, note: str, ideas: list[Idea]
) -> set[str]:
    keys = set()
    for idea in ideas:
        key = f"idea:{context.content_type}:{idea.angle}"
        _upsert_recommendation(
            db,
            user,
            key=key,
            kind=RecommendationType.content_idea,
            title=idea.title,
            description=f"{idea.angle.capitalize()} — {note}.",
            brief=idea.brief,
        )
        keys.add(key)
    return keys


def _recommendation_insight(db: Session, user: User, patterns: list[Pattern]) -> set[str]:
    formats = _best(patterns, PatternType.content_type)
    windows = _best(patterns, PatternType.posting_time, dimension=Dimension.window)
    if not formats and not windows:
        return set()
    parts = []
    if formats:
        parts.append(f"more {name_of(formats[0])}s")
    if windows:
        parts.append(f"at {name_of(windows[0])}")
    key = "recommendation:focus"
    upsert_insight(
        db,
        user_id=user.id,
        key=key,
        insight_type=InsightType.recommendation,
        title=f"Post {' '.join(parts)}",
        description=" ".join(f"{headline(p)}: {evidence(p)}" for p in formats[:1] + windows[:1]),
        priority=Priority.medium,
        finding=" ".join(parts)[:100],
    )
    return {key}


def _prune(db: Session, user: User, insight_keys: set[str], rec_keys: set[str]) -> None:
    """Remove generated insights and untouched recommendations that no longer hold."""
    for insight in db.scalars(select(AiInsight).where(AiInsight.user_id == user.id)):
        if (
            insight.key
            and insight.key.startswith(GENERATED_PREFIXES)
            and insight.key not in insight_keys
            and insight.dismissed_at is None  # remembered, so it does not come back unchanged
        ):
            db.delete(insight)
    db.execute(
        delete(ContentRecommendation).where(
            ContentRecommendation.user_id == user.id,
            ContentRecommendation.key.not_in(rec_keys)
            if rec_keys
            else ContentRecommendation.key.is_not(None),
            ContentRecommendation.is_used.is_(False),
            ContentRecommendation.is_dismissed.is_(False),
            ContentRecommendation.feedback_score.is_(None),
        )
    )


@dataclass
class Analysis:
    """What the first transaction of a run wrote, and what the content ideas need."""

    report: dict[str, Any]
    insight_keys: set[str]
    rec_keys: set[str]
    idea_context: IdeaContext
    idea_note: str


def analyse(db: Session, user: User, *, now: datetime) -> Analysis:
    """Categories, patterns, insights, posting-time and hashtag recommendations (no network
    call)."""
    tagged = category_rules.apply_rules(db, user)  # new posts get the categories of the rules
    figures = figures_at_age(db, user, now=now)
    patterns = refresh_patterns(db, user, now=now, figures=figures)
    trends = [
        t
        for t in (
            follower_trend(daily_follower_gains(db, user, today=now.date()), today=now.date()),
            engagement_trend(figures, now=now),
        )
        if t is not None
    ]
    insight_keys = (
        _write_pattern_insights(db, user, patterns)
        | _write_trend_insights(db, user, trends)
        | _recommendation_insight(db, user, patterns)
    )
    rec_keys, context, note = _write_recommendations(db, user, patterns, now, posts=len(figures))
    report = {
        "posts": len(figures),
        "patterns": len(patterns),
        "significant": sum(1 for p in patterns if p.estimate.significant),
        "insights": len(insight_keys),
        "posts_categorised": tagged,
    }
    return Analysis(report, insight_keys, rec_keys, context, note)


def finish(db: Session, user: User, analysis: Analysis, ideas: list[Idea]) -> dict[str, Any]:
    """Write the content ideas and remove what no longer holds."""
    written = _write_ideas(db, user, analysis.idea_context, analysis.idea_note, ideas)
    rec_keys = analysis.rec_keys | written
    _prune(db, user, analysis.insight_keys, rec_keys)
    return {**analysis.report, "recommendations": len(rec_keys)}


def generate_for_user(db: Session, user: User, *, now: datetime) -> dict[str, Any]:
    """A whole run in the caller's transaction, with the template writer (no network): for
    benchmarks and tests. The job, :func:`generate_insights`, may call an LLM."""
    analysis = analyse(db, user, now=now)
    ideas = TemplateWriter().ideas(analysis.idea_context, count=IDEAS)
    return finish(db, user, analysis, ideas)


def generate_insights(user_id: uuid.UUID, *, now: datetime | None = None) -> dict[str, Any]:
    """Run in this process as a job: analyse and write in one transaction, ask the writer
    (perhaps an LLM) for content ideas with no transaction open, then write them in a
    second short one."""
    with run_job(
        job_type=JobType.generate_insights,
        user_id=user_id,
        subject=str(user_id),
        task=GENERATE_TASK,
        payload={"user_id": str(user_id)},
    ) as report:
        report.update(run_generation(user_id, now=now))
        return report


def run_generation(user_id: uuid.UUID, *, now: datetime | None = None) -> dict[str, Any]:
    """The run's work, without the job record."""
    now = now or utcnow()
    with session_scope() as db:
        analysis = analyse(db, db.get_one(User, user_id), now=now)
    ideas = _writer().ideas(analysis.idea_context, count=IDEAS)
    with session_scope() as db:
        return finish(db, db.get_one(User, user_id), analysis, ideas)

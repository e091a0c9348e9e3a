"""The insight job: patterns → insights (performance, trend, recommendation) → content
recommendations (posting times, hashtags, content ideas). Re-running updates, never duplicates."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from soash.config import get_settings
from soash.db import session_scope, utcnow
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
from soash.insights.patterns import WEEKDAYS, WINDOW_HOURS, Pattern, refresh_patterns
from soash.insights.service import GENERATE_TASK, upsert_insight
from soash.insights.trends import Trend, daily_follower_gains, engagement_trend, follower_trend
from soash.insights.writer import CONTENT_LABELS, Idea, IdeaContext, TemplateWriter, Writer
from soash.system.models import JobType
from soash.system.runner import run_job
from soash.users.models import User, UserProfile
from soash.users.service import get_profile

GENERATED_PREFIXES = ("performance:", "trend:", "recommendation:")
IDEAS = 3


def _times(lift: float) -> str:
    return f"{lift:.1f}×"


def _evidence(p: Pattern) -> str:
    e = p.estimate
    assert e.lift is not None and e.ci_low is not None and e.ci_high is not None
    return (
        f"{_times(e.lift)} your median engagement, {e.n} posts, 95% CI "
        f"{e.ci_low:.1f}–{e.ci_high:.1f}×; {e.success_rate:.0%} beat their account's median "
        "(engagement rate 7 days after posting)."
    )


def _subject(p: Pattern) -> str:
    if p.pattern_type is PatternType.content_type:
        label = CONTENT_LABELS.get(p.name, p.name)
        return f"{label[0].upper()}{label[1:]}s"
    if p.pattern_type is PatternType.hashtag:
        return f"Posts with {p.name}"
    if p.name in WEEKDAYS:
        return f"Posts on {p.name}s"
    return f"Posts at {p.name}"


def _priority(p: Pattern) -> Priority:
    e = p.estimate
    assert e.lift is not None and e.q_value is not None
    effect = abs(e.lift - 1)
    if effect >= 0.4 and e.q_value < 0.01:
        return Priority.high
    if effect >= 0.15:
        return Priority.medium
    return Priority.low


def _write_pattern_insights(db: Session, user: User, patterns: list[Pattern]) -> set[str]:
    keys = set()
    for p in [p for p in patterns if p.estimate.significant][:6]:
        assert p.estimate.lift is not None
        better = p.estimate.lift > 1
        key = f"performance:{p.pattern_type.value}:{p.name}"
        verb = "get" if better else "get only"
        upsert_insight(
            db,
            user_id=user.id,
            key=key,
            insight_type=InsightType.performance,
            title=f"{_subject(p)} {verb} {_times(p.estimate.lift)} your median engagement",
            description=_evidence(p)
            + (" Do more of this." if better else " Consider doing less of this."),
            priority=_priority(p),
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
        )
        keys.add(key)
    return keys


def _best(
    patterns: list[Pattern], kind: PatternType, *, weekday: bool | None = None
) -> list[Pattern]:
    out = []
    for p in patterns:
        if p.pattern_type is not kind or not p.estimate.significant:
            continue
        if p.estimate.lift is None or p.estimate.lift <= 1:
            continue
        if weekday is not None and (p.name in WEEKDAYS) != weekday:
            continue
        out.append(p)
    return out


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
    """(key, title, description) of the best slots in the next 7 days, in the user's tz."""
    days = _best(patterns, PatternType.posting_time, weekday=True)
    windows = _best(patterns, PatternType.posting_time, weekday=False)
    if not days and not windows:
        return []
    tz = ZoneInfo(profile.timezone)
    local_now = now.astimezone(tz)
    day_lift = {p.name: p.estimate.lift or 1.0 for p in days}
    window = windows[0] if windows else None
    start_hour = int(window.name[:2]) if window else None
    slots = []
    for offset in range(1, 8):
        day = local_now + timedelta(days=offset)
        name = WEEKDAYS[day.weekday()]
        score = day_lift.get(name, 1.0) * ((window.estimate.lift or 1.0) if window else 1.0)
        slots.append((score, day, name))
    slots.sort(key=lambda s: -s[0])
    out = []
    for score, day, name in slots[:3]:
        hours = (
            f"{start_hour:02d}:00–{start_hour + WINDOW_HOURS:02d}:00"
            if start_hour is not None
            else ""
        )
        evidence = "; ".join(
            f"{_subject(p)}: {_evidence(p)}"
            for p in ([window] if window else []) + [d for d in days if d.name == name]
        )
        out.append(
            (
                f"posting_time:{name}:{hours or 'any'}",
                f"{day:%A %d %b} {hours} ({profile.timezone})".replace("  ", " "),
                f"Expected about {_times(score)} your median engagement. {evidence}",
            )
        )
    return out


def _feedback(db: Session, user: User) -> tuple[frozenset[str], frozenset[str]]:
    rows = db.execute(
        select(ContentRecommendation.key, ContentRecommendation.feedback_score).where(
            ContentRecommendation.user_id == user.id,
            ContentRecommendation.recommendation_type == RecommendationType.content_idea,
            ContentRecommendation.feedback_score.is_not(None),
        )
    ).all()
    angles = [(key.rsplit(":", 1)[-1], score) for key, score in rows if key and score]
    return (
        frozenset(a for a, s in angles if s <= 2),
        frozenset(a for a, s in angles if s >= 4),
    )


def _writer() -> Writer:
    llm = get_settings().llm
    return LlmWriter(llm) if llm.base_url else TemplateWriter()


def _write_recommendations(
    db: Session, user: User, patterns: list[Pattern], now: datetime
) -> tuple[set[str], IdeaContext]:
    """Posting-time and hashtag recommendations; returns their keys and what the content
    ideas are to be written from (the writer may call an LLM: outside this transaction)."""
    profile = get_profile(db, user)
    keys: set[str] = set()
    for key, title, description in _next_slots(patterns, profile, now):
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
        p for p in patterns if p.pattern_type is PatternType.hashtag and p.estimate.significant
    ]:
        assert p.estimate.lift is not None
        use = p.estimate.lift > 1
        key = f"hashtag:{p.name}"
        _upsert_recommendation(
            db,
            user,
            key=key,
            kind=RecommendationType.hashtag,
            title=f"{'Use' if use else 'Drop'} {p.name}",
            description=_evidence(p),
        )
        keys.add(key)
    formats = _best(patterns, PatternType.content_type)
    tags = tuple(p.name.lstrip("#") for p in _best(patterns, PatternType.hashtag))
    slots = _next_slots(patterns, profile, now)
    avoid, prefer = _feedback(db, user)
    context = IdeaContext(
        brand_name=profile.brand_name or "your brand",
        industry=profile.industry,
        audience=profile.target_audience,
        values=tuple(profile.brand_values or ()),
        goals=tuple(profile.business_goals or ()),
        content_type=formats[0].name if formats else "carousel",
        hashtags=tags,
        best_slot=slots[0][1] if slots else None,
        evidence=_evidence(formats[0])
        if formats
        else ("Not enough posts yet to say which format works best; this is a starting point."),
        avoid_angles=avoid,
        prefer_angles=prefer,
    )
    return keys, context


def _write_ideas(db: Session, user: User, context: IdeaContext, ideas: list[Idea]) -> set[str]:
    keys = set()
    for idea in ideas:
        key = f"idea:{context.content_type}:{idea.angle}"
        _upsert_recommendation(
            db,
            user,
            key=key,
            kind=RecommendationType.content_idea,
            title=idea.title,
            description=f"{idea.angle.capitalize()} — built on what works for you.",
            brief=idea.brief,
        )
        keys.add(key)
    return keys


def _recommendation_insight(db: Session, user: User, patterns: list[Pattern]) -> set[str]:
    formats = _best(patterns, PatternType.content_type)
    windows = _best(patterns, PatternType.posting_time, weekday=False)
    if not formats and not windows:
        return set()
    parts = []
    if formats:
        parts.append(f"more {CONTENT_LABELS.get(formats[0].name, formats[0].name)}s")
    if windows:
        parts.append(f"at {windows[0].name}")
    key = "recommendation:focus"
    upsert_insight(
        db,
        user_id=user.id,
        key=key,
        insight_type=InsightType.recommendation,
        title=f"Post {' '.join(parts)}",
        description=" ".join(_evidence(p) for p in formats[:1] + windows[:1]),
        priority=Priority.medium,
    )
    return {key}


def _prune(db: Session, user: User, insight_keys: set[str], rec_keys: set[str]) -> None:
    """Remove generated insights and untouched recommendations that no longer hold."""
    for insight in db.scalars(select(AiInsight).where(AiInsight.user_id == user.id)):
        if (
            insight.key
            and insight.key.startswith(GENERATED_PREFIXES)
            and insight.key not in insight_keys
        ):
            db.delete(insight)
    db.execute(
        delete(ContentRecommendation).where(
            ContentRecommendation.user_id == user.id,
            ContentRecommendation.key.not_in(rec_keys)
            if rec_keys
            else ContentRecommendation.key.is_not(None),
            ContentRecommendation.is_used.is_(False),
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


def analyse(db: Session, user: User, *, now: datetime) -> Analysis:
    """Patterns, insights, posting-time and hashtag recommendations (no network call)."""
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
    rec_keys, context = _write_recommendations(db, user, patterns, now)
    report = {
        "posts": len(figures),
        "patterns": len(patterns),
        "significant": sum(1 for p in patterns if p.estimate.significant),
        "insights": len(insight_keys),
    }
    return Analysis(report, insight_keys, rec_keys, context)


def finish(db: Session, user: User, analysis: Analysis, ideas: list[Idea]) -> dict[str, Any]:
    """Write the content ideas and remove what no longer holds."""
    rec_keys = analysis.rec_keys | _write_ideas(db, user, analysis.idea_context, ideas)
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

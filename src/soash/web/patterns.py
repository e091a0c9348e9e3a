"""Performance patterns from the effect model: adjusted and raw lift, the interval that matches
the verdict (drawn), per platform when there are several, and the weekday x hour grid."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from fastapi import Request, Response
from sqlalchemy.orm import Session

from soash.deps import DB
from soash.insights.effects import WEEKDAYS, Window
from soash.insights.models import PatternType, PerformancePattern
from soash.insights.patterns import ALL, stored_patterns
from soash.insights.slots import heatmap
from soash.social import service as social
from soash.users.models import User
from soash.web.core import render, web_router
from soash.web.session import Viewer

router = web_router()
TITLES = {
    PatternType.content_type: "Content types",
    PatternType.posting_time: "Posting times",
    PatternType.hashtag: "Hashtags",
}
WIDTH = 200  # the interval drawing's width in SVG units
TICKS = (0.25, 0.5, 0.67, 0.8, 1.0, 1.25, 1.5, 2.0, 4.0)
PLATFORMS = {
    "instagram": "Instagram",
    "facebook": "Facebook",
    "tiktok": "TikTok",
    "x": "X",
    "linkedin": "LinkedIn",
}


@dataclass(frozen=True)
class Scale:
    """A log scale of lift (×) across the drawing, so 0.5× and 2× sit equally far from 1×."""

    lo: float
    hi: float

    def x(self, value: float) -> float:
        span = math.log(self.hi) - math.log(self.lo)
        clamped = min(max(value, self.lo), self.hi)
        return round((math.log(clamped) - math.log(self.lo)) / span * WIDTH, 1)


def _scale(patterns: list[PerformancePattern]) -> Scale:
    lows = [float(p.ci_low) for p in patterns if p.ci_low is not None and p.ci_low > 0]
    highs = [float(p.ci_high) for p in patterns if p.ci_high is not None]
    lo = min([*lows, 0.8])
    hi = max([*highs, 1.25])
    edge = max(1 / max(lo, 0.2), min(hi, 5.0))  # symmetric around 1×, at most 5×
    return Scale(lo=1 / edge, hi=edge)


def _verdict(p: PerformancePattern) -> tuple[str, str]:
    if p.lift is None:
        return "Not enough data", "grey"
    if p.significant and p.lift > 1:
        return "Works better", "green"
    if p.significant:
        return "Works worse", "red"
    return "No clear effect", "grey"


def _rows(patterns: list[PerformancePattern], scale: Scale) -> list[dict[str, Any]]:
    rows = []
    for p in patterns:
        verdict, kind = _verdict(p)
        drawn = p.lift is not None and p.ci_low is not None and p.ci_high is not None
        rows.append(
            {
                "pattern": p,
                "level": f"{float(p.ci_level) * 100:.1f}%" if p.ci_level is not None else "95%",
                "verdict": verdict,
                "kind": kind,
                "x_low": scale.x(float(p.ci_low)) if drawn and p.ci_low else None,
                "x_high": scale.x(float(p.ci_high)) if drawn and p.ci_high else None,
                "x_lift": scale.x(float(p.lift)) if p.lift is not None else None,
            }
        )
    return rows


def _grid(patterns: list[PerformancePattern]) -> list[dict[str, Any]]:
    """The weekday x hour grid from the pooled model's weekday and window effects (1x where an
    effect could not be tested)."""
    pooled = [p for p in patterns if p.scope == ALL and p.lift is not None]
    days = {p.pattern_name: float(p.lift or 1) for p in pooled if p.pattern_name in WEEKDAYS}
    windows = [
        (w, float(p.lift or 1))
        for p in pooled
        if p.pattern_type is PatternType.posting_time and (w := Window.parse(p.pattern_name))
    ]
    if not days and not windows:
        return []
    rows = []
    for name, lifts in zip(WEEKDAYS, heatmap(days, windows), strict=True):
        rows.append(
            {
                "day": name,
                "cells": [
                    {"hour": h, "lift": lift, "shade": _shade(lift)} for h, lift in enumerate(lifts)
                ],
            }
        )
    return rows


def _shade(lift: float) -> str:
    """A CSS class: green above 1x, red below, in 5 steps of strength (full at 2x / 0.5x)."""
    step = min(round(abs(math.log(lift)) / math.log(2) * 5), 5)
    if step == 0:
        return "heat-0"
    return f"heat-{'up' if lift > 1 else 'down'}-{step}"


def _sections(found: list[PerformancePattern], scale: Scale) -> list[dict[str, Any]]:
    scopes = sorted({p.scope for p in found}, key=lambda s: (s != ALL, s))
    several = len(scopes) > 1
    sections = []
    for scope in scopes:
        mine = [p for p in found if p.scope == scope]
        title = "All platforms" if scope == ALL else PLATFORMS.get(scope, scope)
        sections.append(
            {
                "scope": scope,
                "title": title if several else None,
                "groups": [
                    {
                        "title": kind_title,
                        "kind": kind.value,
                        "id": f"{scope}-{kind.value}",
                        "rows": _rows([p for p in mine if p.pattern_type is kind], scale),
                    }
                    for kind, kind_title in TITLES.items()
                ],
            }
        )
    return sections


def _platforms(db: Session, user: User) -> set[str]:
    return {a.platform.value for a in social.list_accounts(db, user)}


@router.get("/patterns")
def patterns(request: Request, db: DB, auth: Viewer) -> Response:
    found = stored_patterns(db, auth.user)
    scale = _scale(found)
    ticks = [t for t in TICKS if scale.lo <= t <= scale.hi]
    scopes = {p.scope for p in found}
    return render(
        request,
        "insights/patterns.html",
        page_title="Patterns",
        sections=_sections(found, scale),
        pooled_only=sorted(
            PLATFORMS.get(s, s) for s in _platforms(db, auth.user) if s not in scopes
        )
        if len(scopes) > 1
        else [],
        grid=_grid(found),
        total=len(found),
        width=WIDTH,
        one=scale.x(1.0),
        ticks=[(t, scale.x(t)) for t in ticks],
    )

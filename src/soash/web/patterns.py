"""Performance patterns: success rate, sample size, lift and its 95% interval, drawn."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from fastapi import Request, Response

from soash.deps import DB
from soash.insights.models import PatternType, PerformancePattern
from soash.insights.patterns import stored_patterns
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
                "verdict": verdict,
                "kind": kind,
                "x_low": scale.x(float(p.ci_low)) if drawn and p.ci_low else None,
                "x_high": scale.x(float(p.ci_high)) if drawn and p.ci_high else None,
                "x_lift": scale.x(float(p.lift)) if p.lift is not None else None,
            }
        )
    return rows


@router.get("/patterns")
def patterns(request: Request, db: DB, auth: Viewer) -> Response:
    found = stored_patterns(db, auth.user)
    scale = _scale(found)
    groups = [
        {
            "title": title,
            "kind": kind.value,
            "rows": _rows([p for p in found if p.pattern_type is kind], scale),
        }
        for kind, title in TITLES.items()
    ]
    ticks = [t for t in TICKS if scale.lo <= t <= scale.hi]
    return render(
        request,
        "insights/patterns.html",
        page_title="Patterns",
        groups=groups,
        total=len(found),
        width=WIDTH,
        one=scale.x(1.0),
        ticks=[(t, scale.x(t)) for t in ticks],
    )

"""How numbers, rates, changes and times read on the pages."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, pass_context
from jinja2.runtime import Context

Number = int | float | Decimal | None
DASH = "—"


def num(value: Number) -> str:
    """1234567 → 1,234,567; None → —."""
    if value is None:
        return DASH
    if isinstance(value, float | Decimal) and value != int(value):
        return f"{value:,.2f}"
    return f"{int(value):,}"


def compact(value: Number) -> str:
    """1234 → 1.2k, 583423 → 583k, 2500000 → 2.5M."""
    if value is None:
        return DASH
    n = float(value)
    for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(n) >= limit:
            scaled = n / limit
            text = f"{scaled:.1f}" if abs(scaled) < 100 else f"{scaled:.0f}"
            return text.removesuffix(".0") + suffix
    return f"{int(n):,}" if n == int(n) else f"{n:.1f}"


def signed(value: Number) -> str:
    """A change with its sign: +8,814, -12, 0."""
    return DASH if value is None else f"{int(value):+,}"


def pct(value: Number, digits: int = 1) -> str:
    """A rate (0.0523) as a percentage (5.2%)."""
    if value is None:
        return DASH
    return f"{float(value) * 100:.{digits}f}%"


def times(value: Number) -> str:
    """A ratio (1.8) as 1.80×."""
    return DASH if value is None else f"{float(value):.2f}×"


def change(comparison: Any, kind: str = "count") -> dict[str, str]:
    """An overview comparison as {text, direction, label}: +12% (counts), +0.4 pp (rates)."""
    current, previous, diff = comparison.current, comparison.previous, comparison.change
    if diff is None or previous is None:
        return {"text": "no earlier data", "direction": "none", "label": "No previous period"}
    if kind == "rate":
        points = float(diff) * 100
        text = f"{points:+.1f} pp"
        direction = "up" if points >= 0.05 else "down" if points <= -0.05 else "flat"
    elif comparison.change_pct is None:
        text = "new" if current else "0%"
        direction = "up" if current else "flat"
    else:
        text = f"{comparison.change_pct:+.1f}%"
        direction = "up" if diff > 0 else "down" if diff < 0 else "flat"
    return {"text": text, "direction": direction, "label": f"{text} vs previous period"}


def _tz(context: Context) -> ZoneInfo:
    try:
        return ZoneInfo(str(context.get("tz") or "UTC"))
    except (ValueError, KeyError):
        return ZoneInfo("UTC")


@pass_context
def local(context: Context, value: datetime | None, fmt: str = "%-d %b %Y, %H:%M") -> str:
    """A stored (UTC) time in the profile's timezone."""
    if value is None:
        return DASH
    return value.astimezone(_tz(context)).strftime(fmt)


def day(value: date | datetime | None, fmt: str = "%-d %b %Y") -> str:
    return DASH if value is None else value.strftime(fmt)


def ago(value: datetime | None, now: datetime | None = None) -> str:
    if value is None:
        return "never"
    seconds = int(((now or datetime.now(UTC)) - value).total_seconds())
    if seconds < 60:
        return "just now"
    for size, unit in ((86400 * 30, "month"), (86400, "day"), (3600, "hour"), (60, "minute")):
        if seconds >= size:
            count = seconds // size
            return f"{count} {unit}{'s' if count != 1 else ''} ago"
    return "just now"  # pragma: no cover


def label(value: Any) -> str:
    """An enum value for people: content_type → Content type, twitter → X."""
    text = str(getattr(value, "value", value) or "")
    if text == "twitter":
        return "X"
    if text == "linkedin":
        return "LinkedIn"
    if text == "tiktok":
        return "TikTok"
    return text.replace("_", " ").capitalize()


def install(env: Environment) -> None:
    env.filters.update(
        num=num,
        compact=compact,
        signed=signed,
        pct=pct,
        times=times,
        change=change,
        local=local,
        day=day,
        ago=ago,
        label=label,
    )

"""Chart data for the pages: JSON blocks that static/js/charts.js draws with uPlot."""

from __future__ import annotations

import calendar
import json
from datetime import date
from typing import Any

from markupsafe import Markup


def day_epoch(day: date) -> int:
    """The day's UTC midnight in seconds: the chart labels the day itself, in any timezone."""
    return calendar.timegm(day.timetuple())


def to_json(data: Any) -> Markup:
    """JSON that is safe inside <script type="application/json"> (no way to close the tag)."""
    text = json.dumps(data, separators=(",", ":"), default=str)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)  # noqa: S704 - escaped above for a script element

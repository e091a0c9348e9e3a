"""When to post: the weekday x hour grid implied by the effect model, and the best slots of the
coming week drawn from it (on different days, spread over the week).

The model is additive on the log scale, so a post on day d at hour h is expected at
``lift(day d) x lift(each chosen window holding h)`` against the user's other posts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from soash.insights.effects import WEEKDAYS, Window


@dataclass(frozen=True)
class Slot:
    day: date
    window: Window | None
    lift: float

    @property
    def weekday(self) -> str:
        return WEEKDAYS[self.day.weekday()]


def heatmap(day_lifts: dict[str, float], windows: list[tuple[Window, float]]) -> list[list[float]]:
    """7 rows (Monday first) of 24 hourly lifts."""
    grid = []
    for name in WEEKDAYS:
        row = []
        for hour in range(24):
            lift = day_lifts.get(name, 1.0)
            for window, window_lift in windows:
                if window.contains(hour):
                    lift *= window_lift
            row.append(lift)
        grid.append(row)
    return grid


def best_slots(
    day_lifts: dict[str, float],
    windows: list[tuple[Window, float]],
    *,
    today: date,
    count: int = 3,
) -> list[Slot]:
    """The best ``count`` slots of the next 7 days, each on a different day; among equally good
    days, the one farthest from the days already chosen. Only effects that matter should be
    passed in (winning days and windows); with none, there is no slot to recommend."""
    good_windows = [(w, lift) for w, lift in windows if lift > 1]
    if not good_windows and not any(lift > 1 for lift in day_lifts.values()):
        return []
    best_window = max(good_windows, key=lambda wl: wl[1], default=None)
    candidates = []
    for offset in range(1, 8):
        day = today + timedelta(days=offset)
        lift = day_lifts.get(WEEKDAYS[day.weekday()], 1.0)
        if best_window is not None:
            candidates.append(Slot(day, best_window[0], lift * best_window[1]))
        elif lift > 1:
            candidates.append(Slot(day, None, lift))
    chosen: list[Slot] = []
    while candidates and len(chosen) < count:

        def key(slot: Slot) -> tuple[float, int, int]:
            spread = min((abs((slot.day - c.day).days) for c in chosen), default=7)
            return (round(slot.lift, 6), spread, -slot.day.toordinal())

        pick = max(candidates, key=key)
        chosen.append(pick)
        candidates = [c for c in candidates if c.day != pick.day]
    return chosen

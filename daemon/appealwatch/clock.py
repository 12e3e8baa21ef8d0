"""The service's clock: the wall clock, or a simulated one for time travel.

``appealwatch run --now 2026-12-01T08:00 --time-scale 3600`` starts the clock at that time and
lets an hour pass every real second, so weeks of follow-ups, quiet hours and snoozes can be
watched in minutes.  Everything in the run loop that asks what time it is asks this object; the
timers ask it how many real seconds to wait for a stretch of clock time.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta


class Clock:
    """``now()`` is ``start`` plus the real time elapsed since the clock was made, times
    ``scale`` (simulated seconds per real second).  Without ``start`` and with scale 1 it is
    the wall clock itself."""

    def __init__(self, start: datetime | None = None, scale: float = 1.0, *,
                 wall: Callable[[], float] = time.time) -> None:
        if not (isinstance(scale, int | float) and math.isfinite(scale) and scale > 0):
            raise ValueError(f"the time scale must be a number greater than 0, not {scale!r}")
        if start is not None and start.tzinfo is None:
            raise ValueError("the start time needs a time zone")
        self.scale = float(scale)
        self._wall = wall
        self.anchor = wall()  # the real time (Unix seconds) at which the clock read ``start``
        self.simulated = start is not None or self.scale != 1.0
        self.start = start if start is not None else datetime.fromtimestamp(self.anchor, UTC)

    def now(self) -> datetime:
        if not self.simulated:
            return datetime.fromtimestamp(self._wall(), UTC)
        elapsed = timedelta(seconds=(self._wall() - self.anchor) * self.scale)
        return (self.start + elapsed).astimezone(UTC)

    def real_seconds(self, clock_seconds: float, *, floor: float = 0.0) -> float:
        """How long to wait, in real seconds, for ``clock_seconds`` to pass on this clock (never
        less than ``floor``, so a fast clock does not turn a timer into a busy loop)."""
        return max(floor, clock_seconds / self.scale)

    def describe(self) -> str:
        if not self.simulated:
            return "wall clock"
        return (f"simulated clock: {self.start.isoformat()} at Unix time {self.anchor:.6f}, "
                f"{self.scale:g} simulated second(s) per second")

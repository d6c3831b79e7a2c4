"""Charts drawn on the server as SVG geometry for the templates (no script; presentation
attributes and classes only, since the Content-Security-Policy forbids inline styles)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from hocvuso.organising.trend import Trend


@dataclass(frozen=True)
class TrendChart:
    """The overview's trend: certified % per week (a line), the target (a horizontal line) and
    the deadline (a vertical line), on x = days since the start, y = 0 … 100%."""

    trend: Trend
    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    first: date
    last: date

    @property
    def span(self) -> int:
        return max((self.last - self.first).days, 1)

    def x(self, day: date) -> float:
        inner = self.width - self.left - self.right
        return round(self.left + inner * (day - self.first).days / self.span, 1)

    def y(self, percent: float) -> float:
        inner = self.height - self.top - self.bottom
        return round(self.top + inner * (1 - percent / 100), 1)

    @property
    def line(self) -> str:
        """The ``points`` of the polyline."""
        return " ".join(
            f"{self.x(p.day)},{self.y(p.percent)}"
            for p in self.trend.points
            if p.percent is not None
        )

    @property
    def bottom_y(self) -> float:
        return self.y(0)

    @property
    def deadline_x(self) -> float:
        return self.x(self.trend.target.deadline)

    @property
    def target_y(self) -> float:
        return self.y(self.trend.target.percent)


def trend_chart(trend: Trend) -> TrendChart | None:
    """The chart's geometry; None when the scope has no learner yet."""
    if trend.start is None or not trend.points:
        return None
    # The axis runs from the start to today or the deadline, whichever is later (a deadline
    # before the start, a misconfiguration, still lands on the axis).
    first = min(trend.start, trend.target.deadline)
    last = max(trend.today, trend.target.deadline)
    return TrendChart(trend, 640, 240, 48, 16, 16, 40, first, last)

"""The staff dashboard: the landing page after sign-in.

Overdue next steps first, then the user's own open steps, upcoming workshops, recent
consultations, cities nobody has contacted for a long time, and engagement per quarter as a
server-drawn SVG chart (no JavaScript, no inline styles). The reads are in `selectors`.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass

from django.contrib.auth.mixins import LoginRequiredMixin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from scn_portal import roles, selectors
from scn_portal.public import cached
from scn_portal.selectors import QuarterCount


@dataclass(frozen=True)
class Series:
    key: str  # the QuarterCount attribute
    label: str
    colour: str  # fill; both colours tell apart for colour-blind readers (blue and orange)


CONSULTATIONS = Series("consultations", _("Consultations"), "#1f5fa8")
WORKSHOPS = Series("workshops", _("Workshops"), "#b85a0d")


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: int
    series: Series
    quarter: str

    @property
    def centre(self) -> float:
        return round(self.x + self.width / 2, 1)


@dataclass(frozen=True)
class BarGroup:
    centre: float
    quarter: QuarterCount


@dataclass(frozen=True)
class Tick:
    y: float
    value: int


@dataclass(frozen=True)
class QuarterChart:
    """Everything the template needs to draw grouped bars; coordinates in viewBox units."""

    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    series: list[Series]
    groups: list[BarGroup]
    bars: list[Bar]
    ticks: list[Tick]
    quarters: list[QuarterCount]

    @property
    def label_x(self) -> int:
        """Where the y axis' numbers end."""
        return self.left - 6

    @property
    def rows(self) -> list[tuple[QuarterCount, list[int]]]:
        """One row per quarter with its values in series order: the accessible table."""
        return [(q, [getattr(q, s.key) for s in self.series]) for q in self.quarters]

    @property
    def is_empty(self) -> bool:
        return not any(bar.value for bar in self.bars)

    @property
    def first(self) -> str:
        return self.quarters[0].label

    @property
    def last(self) -> str:
        return self.quarters[-1].label


def _tick_step(largest: int, most_ticks: int = 4) -> int:
    """The smallest 1-2-5 step that shows `largest` with at most `most_ticks` gridlines."""
    magnitude = 1
    while True:
        for factor in (1, 2, 5):
            step = factor * magnitude
            if math.ceil(largest / step) <= most_ticks:
                return step
        magnitude *= 10


def quarter_chart(
    quarters: list[QuarterCount],
    series: list[Series],
    *,
    width: int = 400,
    height: int = 220,
) -> QuarterChart:
    """Lay out one group of bars per quarter, one bar per series, on a shared y axis."""
    left, right, top, bottom = 36, width - 8, 18, height - 40
    largest = max((getattr(q, s.key) for q in quarters for s in series), default=0)
    step = _tick_step(max(largest, 1))
    ceiling = step * math.ceil(max(largest, 1) / step)
    scale = (bottom - top) / ceiling
    slot = (right - left) / max(len(quarters), 1)
    bar_width = min(18.0, (slot - 8) / len(series))
    groups, bars = [], []
    for index, quarter in enumerate(quarters):
        centre = left + slot * (index + 0.5)
        groups.append(BarGroup(centre=round(centre, 1), quarter=quarter))
        first_x = centre - bar_width * len(series) / 2
        for position, one in enumerate(series):
            value = getattr(quarter, one.key)
            bar_height = value * scale
            bars.append(
                Bar(
                    x=round(first_x + position * bar_width, 1),
                    y=round(bottom - bar_height, 1),
                    width=round(bar_width - 2, 1),
                    height=round(bar_height, 1),
                    value=value,
                    series=one,
                    quarter=quarter.label,
                )
            )
    ticks = [
        Tick(y=round(bottom - value * scale, 1), value=value)
        for value in range(0, ceiling + 1, step)
    ]
    return QuarterChart(
        width=width,
        height=height,
        left=left,
        right=right,
        top=top,
        bottom=bottom,
        series=series,
        groups=groups,
        bars=bars,
        ticks=ticks,
        quarters=quarters,
    )


def _cached(name: str, user, today: datetime.date, build):
    """A figure that scans many rows (counts over every city or step, the chart), cached per
    scope under the data version, which moves on whenever a record changes (see public.py):
    never stale, computed once per change instead of once per visit. ISD staff share one
    scope, viewers another; anyone else (a partner) has their own."""
    if roles.is_isd_staff(user):
        scope = "isd"
    elif roles.is_viewer(user):
        scope = "viewer"
    else:
        scope = f"user-{user.pk}"
    return cached(f"dashboard-{name}", build, scope, today.isoformat())


class DashboardView(LoginRequiredMixin, TemplateView):
    template_name = "scn_portal/dashboard.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        today = timezone.localdate()
        # Partner editors see no consultations; "last contact" is read from them, so the
        # sections built on consultations are for those who may view them.
        sees_consultations = user.has_perm("consultations.view_consultation")

        overdue = selectors.dashboard_overdue_next_steps(user=user, today=today)
        context = {
            "today": today,
            "overdue_next_steps": overdue[: selectors.OVERDUE_LIMIT],
            "overdue_count": _cached("overdue-count", user, today, overdue.count),
            "my_next_steps": selectors.dashboard_my_open_next_steps(user=user)[
                : selectors.MY_STEPS_LIMIT
            ],
            "upcoming_workshops": selectors.dashboard_upcoming_workshops(user=user, today=today)[
                : selectors.UPCOMING_WORKSHOPS_LIMIT
            ],
            "no_contact_days": selectors.NO_CONTACT_DAYS,
        }
        series = [WORKSHOPS]
        if sees_consultations:
            series = [CONSULTATIONS, WORKSHOPS]
            quiet = selectors.cities_without_recent_contact(user=user, today=today)
            context |= {
                "recent_consultations": selectors.dashboard_recent_consultations(user=user)[
                    : selectors.RECENT_CONSULTATIONS_LIMIT
                ],
                "quiet_cities": _cached(
                    "quiet-cities", user, today, lambda: list(quiet[: selectors.NO_CONTACT_LIMIT])
                ),
                "quiet_city_count": _cached("quiet-count", user, today, quiet.count),
            }
        quarters = _cached(
            "quarters",
            user,
            today,
            lambda: selectors.engagement_per_quarter(user=user, today=today),
        )
        context["chart"] = quarter_chart(quarters, series)
        return super().get_context_data(**context, **kwargs)

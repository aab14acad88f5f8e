"""Reads for the staff dashboard. Every query starts from the model's `for_user` scope."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, DateField, DurationField, ExpressionWrapper, F, Prefetch, Q
from django.db.models import Value as V
from django.db.models.functions import TruncQuarter
from django.utils.translation import gettext

from cities.models import City, CityQuerySet
from consultations.models import Consultation, ConsultationQuerySet, NextStep, NextStepQuerySet
from scn_portal import roles
from workshops.models import Workshop, WorkshopQuerySet

# A city not consulted nor visited by a workshop for this long needs attention.
NO_CONTACT_DAYS = 180
NO_CONTACT_LIMIT = 10
OVERDUE_LIMIT = 25
MY_STEPS_LIMIT = 10
UPCOMING_WORKSHOPS_LIMIT = 5
RECENT_CONSULTATIONS_LIMIT = 5
CHART_QUARTERS = 8


def dashboard_overdue_next_steps(*, user: roles.User, today: datetime.date) -> NextStepQuerySet:
    """Open next steps past their due date, longest overdue first, each annotated with
    `overdue_by` (a timedelta)."""
    return (
        NextStep.objects.for_user(user)
        .overdue(today)
        .select_related("owner")
        .with_shown_names(user)
        .annotate(
            overdue_by=ExpressionWrapper(
                V(today, output_field=DateField()) - F("due_date"), output_field=DurationField()
            )
        )
        .order_by("due_date", "title", "pk")
    )


def dashboard_my_open_next_steps(*, user: roles.User) -> NextStepQuerySet:
    """The user's own open next steps, soonest due first (undated last)."""
    return (
        NextStep.objects.for_user(user)
        .open()
        .filter(owner=user)
        .with_shown_names(user)
        .order_by(F("due_date").asc(nulls_last=True), "title", "pk")
    )


def dashboard_upcoming_workshops(*, user: roles.User, today: datetime.date) -> WorkshopQuerySet:
    """Workshops starting today or later, soonest first, with organiser and (visible) cities."""
    return (
        Workshop.objects.for_user(user)
        .filter(start_date__gte=today)
        .with_shown_organiser(user)
        .prefetch_related(Prefetch("cities", queryset=City.objects.for_user(user).order_by("name")))
        .order_by("start_date", "title", "pk")
    )


def dashboard_recent_consultations(*, user: roles.User) -> ConsultationQuerySet:
    """Consultations, most recent first, with their city."""
    return Consultation.objects.for_user(user).select_related("city").order_by("-date", "-pk")


def cities_without_recent_contact(
    *, user: roles.User, today: datetime.date, days: int = NO_CONTACT_DAYS
) -> CityQuerySet:
    """Cities never contacted, or last contacted more than `days` ago; never first, then the
    longest without contact. `last_contact` comes from `City.objects.with_engagement(user)`."""
    since = today - datetime.timedelta(days=days)
    return (
        City.objects.for_user(user)
        .with_engagement(user)
        .filter(Q(last_contact__isnull=True) | Q(last_contact__lt=since))
        .order_by(F("last_contact").asc(nulls_first=True), "name", "pk")
    )


@dataclass(frozen=True)
class QuarterCount:
    """How many consultations and workshops began in one calendar quarter."""

    start: datetime.date
    consultations: int
    workshops: int

    @property
    def number(self) -> int:
        return (self.start.month - 1) // 3 + 1

    @property
    def label(self) -> str:
        return gettext("Q%(number)s %(year)s") % {"number": self.number, "year": self.start.year}

    @property
    def total(self) -> int:
        return self.consultations + self.workshops


def quarter_start(day: datetime.date) -> datetime.date:
    return datetime.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)


def _quarters_ending(last: datetime.date, count: int) -> list[datetime.date]:
    """The first days of the `count` quarters ending with the quarter starting on `last`."""
    index = last.year * 4 + (last.month - 1) // 3
    return [datetime.date(i // 4, i % 4 * 3 + 1, 1) for i in range(index - count + 1, index + 1)]


def _as_date(value: datetime.date | datetime.datetime) -> datetime.date:
    return value.date() if isinstance(value, datetime.datetime) else value


def engagement_per_quarter(
    *, user: roles.User, today: datetime.date, quarters: int = CHART_QUARTERS
) -> list[QuarterCount]:
    """Consultations and workshops (by start date) per calendar quarter, oldest first.

    The `quarters` quarters ending with today's; when those hold nothing, the quarters ending
    with the latest one that does (so an archive of old work still shows its shape). Two
    queries, one GROUP BY per model, over all time: a few rows per year of work.
    """

    def per_quarter(queryset, field: str) -> dict[datetime.date, int]:
        rows = (
            queryset.annotate(quarter=TruncQuarter(field))
            .values("quarter")
            .annotate(n=Count("pk"))
            .order_by("quarter")
        )
        return {_as_date(row["quarter"]): row["n"] for row in rows}

    consultations = per_quarter(Consultation.objects.for_user(user), "date")
    workshops = per_quarter(Workshop.objects.for_user(user), "start_date")

    current = quarter_start(today)
    window = _quarters_ending(current, quarters)
    if not any(q in consultations or q in workshops for q in window):
        past = [q for q in (*consultations, *workshops) if q < window[0]]
        if past:
            window = _quarters_ending(max(past), quarters)
    return [
        QuarterCount(start=q, consultations=consultations.get(q, 0), workshops=workshops.get(q, 0))
        for q in window
    ]

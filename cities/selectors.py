"""Reads that gather a city's whole engagement for its page."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.core.validators import slug_re as SLUG
from django.db.models import Case, F, Prefetch, Q, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from cities.models import City, Official
from consultations.models import Consultation, Finding, NextStep
from scn_portal import roles
from workshops.models import Workshop


@dataclass(frozen=True)
class TimelineEntry:
    date: datetime.date
    kind: str  # "workshop", "consultation" or "next_step"
    record: Any


# The page shows the most recent engagement; the lists (filtered by the city) hold the rest.
TIMELINE_LIMIT = 60
OPEN_STEPS_LIMIT = 30


def city_timeline(*, city: City, user: roles.User) -> dict[str, Any]:
    """The city's officials, open next steps (overdue first) and its most recent workshops,
    consultations (with their findings) and next steps, most recent first, each from the
    user's scope. Each kind is read newest first and cut at TIMELINE_LIMIT, so a city with
    a thousand consultations costs what one with sixty does; counts say what is not shown."""
    workshops = list(
        Workshop.objects.for_user(user)
        .filter(cities=city)
        .select_related("organiser")
        .order_by("-start_date", "-pk")[:TIMELINE_LIMIT]
    )
    consultations = Consultation.objects.for_user(user).filter(city=city)
    recent_consultations = list(
        consultations.prefetch_related(
            Prefetch("findings", queryset=Finding.objects.for_user(user).order_by("position")),
            Prefetch("officials", queryset=Official.objects.for_user(user).order_by("name")),
        ).order_by("-date", "-pk")[:TIMELINE_LIMIT]
    )
    # The keys of the city's consultations first: with a list, PostgreSQL combines the two
    # indexes (city, consultation) and estimates the rows well; with a subquery it read every
    # open step and joined all 100,000 consultations (busiest city at scale 1: 127 -> 3 ms).
    consultation_keys = list(Consultation.objects.filter(city=city).values_list("pk", flat=True))
    steps = (
        NextStep.objects.for_user(user)
        .filter(Q(city=city) | Q(consultation__in=consultation_keys))
        .select_related("owner", "responsible_organisation", "consultation", "workshop")
    )
    recent_steps = list(
        steps.annotate(
            when=Coalesce("completed_on", "due_date", "consultation__date", "workshop__start_date")
        ).order_by(F("when").desc(nulls_last=True), "-pk")[:TIMELINE_LIMIT]
    )
    entries = [TimelineEntry(w.start_date, "workshop", w) for w in workshops]
    entries += [TimelineEntry(c.date, "consultation", c) for c in recent_consultations]
    entries += [TimelineEntry(_next_step_date(step), "next_step", step) for step in recent_steps]
    entries.sort(key=lambda entry: entry.date, reverse=True)
    today = timezone.localdate()
    open_steps = list(
        steps.open().order_by(
            Case(When(due_date__lt=today, then=0), default=1),
            F("due_date").asc(nulls_last=True),
            "pk",
        )[:OPEN_STEPS_LIMIT]
    )
    return {
        "timeline": entries[:TIMELINE_LIMIT],
        "timeline_is_cut": len(entries) > TIMELINE_LIMIT
        or TIMELINE_LIMIT in (len(workshops), len(recent_consultations), len(recent_steps)),
        "consultation_count": consultations.count(),
        "officials": Official.objects.for_user(user)
        .filter(city=city)
        .select_related("organisation")
        .order_by("name"),
        "open_next_steps": open_steps,
        "open_step_count": steps.open().count(),
        "overdue_count": steps.overdue(today).count(),
    }


def city_from_query(*, user: roles.User, slug: str | None) -> City | None:
    """The city a link names (`?city=<slug>`, e.g. "Log a consultation" on a city's page),
    if it is one the user may see; anything else, typed or tampered with, is no city."""
    if not slug or not SLUG.fullmatch(slug):
        return None
    return City.objects.for_user(user).filter(slug=slug).first()


def _next_step_date(step: NextStep) -> datetime.date:
    """Where a next step stands in time: done, due, else when what it arose from happened."""
    if step.completed_on or step.due_date:
        return step.completed_on or step.due_date
    if step.consultation:
        return step.consultation.date
    if step.workshop:
        return step.workshop.start_date
    return step.created_at.date()

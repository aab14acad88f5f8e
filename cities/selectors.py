"""Reads that gather a city's whole engagement for its page."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.core.validators import slug_re as SLUG
from django.db.models import Prefetch, Q

from cities.models import City, Official
from consultations.models import Consultation, Finding, NextStep
from scn_portal import roles
from workshops.models import Workshop


@dataclass(frozen=True)
class TimelineEntry:
    date: datetime.date
    kind: str  # "workshop", "consultation" or "next_step"
    record: Any


def city_timeline(*, city: City, user: roles.User) -> dict[str, Any]:
    """The city's officials, open next steps (overdue first) and every workshop, consultation
    (with its findings) and next step, most recent first, each from the user's scope."""
    workshops = list(
        Workshop.objects.for_user(user)
        .filter(cities=city)
        .select_related("organiser")
        .order_by("-start_date")
    )
    consultations = list(
        Consultation.objects.for_user(user)
        .filter(city=city)
        .prefetch_related(
            Prefetch("findings", queryset=Finding.objects.for_user(user).order_by("position")),
            Prefetch("officials", queryset=Official.objects.for_user(user).order_by("name")),
        )
        .order_by("-date")
    )
    next_steps = list(
        NextStep.objects.for_user(user)
        .filter(Q(city=city) | Q(consultation__city=city))
        .select_related("owner", "responsible_organisation", "consultation", "workshop")
        .order_by("due_date", "title")
    )
    entries = [TimelineEntry(w.start_date, "workshop", w) for w in workshops]
    entries += [TimelineEntry(c.date, "consultation", c) for c in consultations]
    entries += [TimelineEntry(_next_step_date(step), "next_step", step) for step in next_steps]
    entries.sort(key=lambda entry: entry.date, reverse=True)
    open_steps = [step for step in next_steps if step.is_open]
    open_steps.sort(key=lambda step: (not step.is_overdue, step.due_date or datetime.date.max))
    return {
        "timeline": entries,
        "officials": Official.objects.for_user(user)
        .filter(city=city)
        .select_related("organisation")
        .order_by("name"),
        "open_next_steps": open_steps,
        "overdue_count": sum(step.is_overdue for step in open_steps),
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

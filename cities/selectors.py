"""Reads that gather a city's whole engagement for its page."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.core.validators import slug_re as SLUG
from django.db import connections
from django.db.models import Count, F, Prefetch, Q
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
    # The newest of each kind by key and date first: the timeline shows TIMELINE_LIMIT
    # entries of the three kinds together, so only the rows shown are then read whole, with
    # their findings and officials (busiest city at scale 1: 120 workshops and consultations
    # read, with 180 findings, for the 60 entries shown).
    workshop_dates = list(
        Workshop.objects.for_user(user)
        .filter(cities=city)
        .order_by("-start_date", "-pk")
        .values_list("pk", "start_date")[:TIMELINE_LIMIT]
    )
    consultations = Consultation.objects.for_user(user).filter(city=city)
    consultation_dates = list(
        consultations.order_by("-date", "-pk").values_list("pk", "date")[:TIMELINE_LIMIT]
    )
    # A city's steps are those filed under it, and those arising from its consultations but
    # filed under another city or none (normally none: a consultation's new steps take its
    # city). The second kind is found from the partial index of all steps filed apart, not
    # by the steps of each of the city's consultations (busiest city at scale 1: 1,123
    # consultations, 7.8 ms -> 0.1; it grew with them). Found once, it joins the first by
    # key, and every query below reads the city's own steps from an index in its order.
    elsewhere = list(
        NextStep.objects.filter(filed_apart=True, consultation__city=city)
        .exclude(city=city)  # filed under it after all: the first kind (a flag out of date)
        .order_by()
        .values_list("pk", flat=True)
    )
    steps = NextStep.objects.for_user(user).filter(Q(city=city) | Q(pk__in=elsewhere))
    when = Coalesce("completed_on", "due_date", "consultation__date", "workshop__start_date")
    recent_keys = _newest_step_keys(steps, city, elsewhere, when)
    today = timezone.localdate()
    # Overdue ones first: those due before today, which due-date order puts first anyway.
    open_steps = steps.open().order_by(F("due_date").asc(nulls_last=True), "pk")
    open_keys = list(open_steps.values_list("pk", flat=True)[:OPEN_STEPS_LIMIT])
    counts = steps.open().aggregate(
        open=Count("pk"), overdue=Count("pk", filter=Q(due_date__lt=today))
    )
    # The rows shown, in one query: the newest and the open ones (often the same steps).
    shown = {
        step.pk: step
        for step in NextStep.objects.for_user(user)
        .filter(pk__in={*recent_keys, *open_keys})
        .annotate(when=when)
        .order_by()
        .select_related("owner", "responsible_organisation")
    }
    recent_steps = [shown[key] for key in recent_keys if key in shown]
    # Newest first; on the same day workshops, then consultations, then steps (a stable sort).
    entries = [TimelineEntry(date, "workshop", key) for key, date in workshop_dates]
    entries += [TimelineEntry(date, "consultation", key) for key, date in consultation_dates]
    entries += [TimelineEntry(_next_step_date(step), "next_step", step) for step in recent_steps]
    entries.sort(key=lambda entry: entry.date, reverse=True)
    timeline = _with_records(entries[:TIMELINE_LIMIT], user)
    return {
        "timeline": timeline,
        "timeline_is_cut": len(entries) > TIMELINE_LIMIT
        or TIMELINE_LIMIT in (len(workshop_dates), len(consultation_dates), len(recent_steps)),
        "consultation_count": consultations.count(),
        "officials": Official.objects.for_user(user).filter(city=city).order_by("name", "pk"),
        "open_next_steps": [shown[key] for key in open_keys if key in shown],
        "open_step_count": counts["open"],
        "overdue_count": counts["overdue"],
    }


def _with_records(entries: list[TimelineEntry], user: roles.User) -> list[TimelineEntry]:
    """The entries with their workshops and consultations read whole (without the long texts
    the timeline does not show), the consultations with their findings and officials."""
    wanted = {kind: [e.record for e in entries if e.kind == kind] for kind in TIMELINE_KINDS}
    records = {
        "workshop": Workshop.objects.for_user(user)
        .filter(pk__in=wanted["workshop"])
        .with_shown_organiser(user)
        .defer(*WORKSHOP_TEXTS),
        "consultation": Consultation.objects.for_user(user)
        .filter(pk__in=wanted["consultation"])
        .defer(*CONSULTATION_TEXTS)
        .prefetch_related(
            Prefetch("findings", queryset=Finding.objects.for_user(user).order_by("position")),
            Prefetch("officials", queryset=Official.objects.for_user(user).order_by("name")),
        ),
    }
    found = {
        kind: {row.pk: row for row in rows} if wanted[kind] else {}
        for kind, rows in records.items()
    }
    return [
        entry
        if entry.kind == "next_step"
        else TimelineEntry(entry.date, entry.kind, found[entry.kind][entry.record])
        for entry in entries
        if entry.kind == "next_step" or entry.record in found[entry.kind]
    ]


TIMELINE_KINDS = ("workshop", "consultation")
WORKSHOP_TEXTS = ("agenda", "outcomes", "public_summary", "internal_notes")
CONSULTATION_TEXTS = ("summary", "public_summary")


def _newest_step_keys(steps, city: City, elsewhere: list[int], when) -> list[int]:
    """The keys of the TIMELINE_LIMIT newest of `steps`, newest first (by `when`, then key).

    Not by sorting every step of the city by `when`, which joins each to its consultation
    and workshop (EXPLAIN, busiest city at scale 1: 2,293 steps, 85 ms), but in parts, each
    read newest first: the steps dated by themselves (done or due) from `next_step_city_when`,
    the few others by what they arose from, and those filed elsewhere; the first of each
    part, merged, are the newest of all."""
    newest = (F("when").desc(nulls_last=True), "-pk")
    if not connections[steps.db].features.supports_slicing_ordering_in_compound:  # SQLite
        rows = steps.annotate(when=when).order_by(*newest)
        return list(rows.values_list("pk", flat=True)[:TIMELINE_LIMIT])
    own_date = Coalesce("completed_on", "due_date")
    of_city = steps.filter(city=city).alias(own_date=own_date)
    # (part, its order): the first in the index's order (its `when` is never NULL: NULLS FIRST
    # or LAST is the same order), the others as merged.
    parts = [
        (of_city.filter(own_date__isnull=False).annotate(when=own_date), (F("when").desc(), "-pk")),
        (of_city.filter(own_date__isnull=True).annotate(when=when), newest),
    ]
    if elsewhere:
        parts.append((steps.filter(pk__in=elsewhere).annotate(when=when), newest))
    firsts = [
        part.order_by(*order).values_list("pk", "when")[:TIMELINE_LIMIT] for part, order in parts
    ]
    merged = firsts[0].union(*firsts[1:], all=True).order_by(*newest)[:TIMELINE_LIMIT]
    return [key for key, _when in merged]


def city_from_query(*, user: roles.User, slug: str | None) -> City | None:
    """The city a link names (`?city=<slug>`, e.g. "Log a consultation" on a city's page),
    if it is one the user may see; anything else, typed or tampered with, is no city."""
    if not slug or not SLUG.fullmatch(slug):
        return None
    return City.objects.for_user(user).filter(slug=slug).first()


def _next_step_date(step: NextStep) -> datetime.date:
    """Where a next step stands in time: done, due, else when what it arose from happened
    (`when`, annotated), else when it was recorded."""
    return step.when or step.created_at.date()

"""Reads for the workshop and city reports (shaped like the seed report).

Every query starts from the model's `for_user` scope, and a related name the user may not see
(an unpublished city or organisation for a partner, an official who has not consented to be
named) is left out rather than shown through a join. Each report makes a fixed number of
queries, however many participants, findings or next steps it lists.
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.db.models import Prefetch, Q

from cities.models import City, DevolvedPower, LocalMechanism, Official, Organisation
from cities.selectors import city_timeline
from consultations.models import Consultation, Finding, NextStep
from scn_portal import roles
from workshops.models import MediaCoverage, Participation, Workshop, WorkshopSupport


def _visible_ids(model: type[models.Model], user: roles.User, ids: set[int | None]) -> set[int]:
    """Which of `ids` the user may see (one query, none when there is nothing to ask)."""
    ids = {pk for pk in ids if pk is not None}
    if not ids:
        return set()
    return set(model.objects.for_user(user).filter(pk__in=ids).values_list("pk", flat=True))


@dataclass
class ParticipantRow:
    name: str
    role: str
    organisation: str
    attendance: str
    is_high_level: bool
    is_sample: bool


@dataclass
class CityParticipants:
    """The participants who represented one city (or none: `city` is None)."""

    city: City | None
    participants: list[ParticipantRow] = field(default_factory=list)

    @property
    def by_role(self) -> list[tuple[str, int]]:
        counts = Counter(row.role for row in self.participants)
        return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


@dataclass
class CityFindings:
    """The consultations with one city and their key findings."""

    city: City
    consultations: list[Consultation] = field(default_factory=list)

    @property
    def finding_count(self) -> int:
        return sum(len(consultation.findings.all()) for consultation in self.consultations)


@dataclass
class WorkshopReport:
    workshop: Workshop
    supports: list[WorkshopSupport]
    cities: list[City]
    participants_by_city: list[CityParticipants]
    participant_count: int
    high_level_count: int
    findings_by_city: list[CityFindings]
    next_steps: list[NextStep]
    media_coverage: list[MediaCoverage]
    visible_city_ids: set[int]
    visible_organisation_ids: set[int]

    @property
    def finding_count(self) -> int:
        return sum(group.finding_count for group in self.findings_by_city)

    @property
    def row_count(self) -> int:
        """What the report lists, for the export log: participants, findings, steps, media."""
        return (
            self.participant_count
            + self.finding_count
            + len(self.next_steps)
            + len(self.media_coverage)
        )


def workshop_report(*, workshop: Workshop, user: roles.User) -> WorkshopReport:
    """Everything the workshop report shows, from the user's scope, in a fixed number of
    queries: supporters, cities, participants grouped by city (with counts by role), the
    consultations on its margin with their key findings per city, next steps with their
    status, and media coverage."""
    supports = list(
        WorkshopSupport.objects.for_user(user)
        .filter(workshop=workshop)
        .select_related("organisation")
        .order_by("role", "organisation__name")
    )
    cities = list(City.objects.for_user(user).filter(workshops=workshop).order_by("name"))
    participations = list(
        Participation.objects.for_user(user)
        .filter(workshop=workshop)
        .select_related("official", "organisation", "city")
        .order_by("city__name", "-is_high_level", "role", "name", "official__name")
    )
    consultations = list(
        Consultation.objects.for_user(user)
        .filter(workshop=workshop)
        .select_related("city")
        .prefetch_related(
            Prefetch("findings", queryset=Finding.objects.for_user(user).order_by("position")),
            Prefetch("officials", queryset=Official.objects.for_user(user).order_by("name")),
        )
        .order_by("city__name", "date", "pk")
    )
    next_steps = list(
        NextStep.objects.for_user(user)
        .filter(Q(workshop=workshop) | Q(consultation__workshop=workshop))
        .select_related("owner", "responsible_organisation", "city")
        .order_by(models.F("due_date").asc(nulls_last=True), "title", "pk")
    )
    media_coverage = list(
        MediaCoverage.objects.for_user(user)
        .filter(workshop=workshop)
        .select_related("outlet")
        .order_by(models.F("published_on").asc(nulls_last=True), "headline")
    )

    city_ids = _visible_ids(
        City,
        user,
        {p.city_id for p in participations} | {step.city_id for step in next_steps},
    )
    organisation_ids = _visible_ids(
        Organisation,
        user,
        {workshop.organiser_id}
        | {s.organisation_id for s in supports}
        | {p.organisation_id for p in participations}
        | {step.responsible_organisation_id for step in next_steps}
        | {item.outlet_id for item in media_coverage},
    )
    official_ids = _visible_ids(Official, user, {p.official_id for p in participations})

    groups: dict[int | None, CityParticipants] = {}
    for participation in participations:
        city = participation.city if participation.city_id in city_ids else None
        group = groups.setdefault(city.pk if city else None, CityParticipants(city))
        group.participants.append(_participant_row(participation, official_ids, organisation_ids))
    participants_by_city = [group for key, group in groups.items() if key is not None]
    if None in groups:
        participants_by_city.append(groups[None])

    findings: dict[int, CityFindings] = {}
    for consultation in consultations:
        findings.setdefault(consultation.city_id, CityFindings(consultation.city))
        findings[consultation.city_id].consultations.append(consultation)

    return WorkshopReport(
        workshop=workshop,
        supports=[s for s in supports if s.organisation_id in organisation_ids],
        cities=cities,
        participants_by_city=participants_by_city,
        participant_count=len(participations),
        high_level_count=sum(p.is_high_level for p in participations),
        findings_by_city=list(findings.values()),
        next_steps=next_steps,
        media_coverage=media_coverage,
        visible_city_ids=city_ids,
        visible_organisation_ids=organisation_ids,
    )


def _participant_row(
    participation: Participation, official_ids: set[int], organisation_ids: set[int]
) -> ParticipantRow:
    if participation.official_id is None:
        name = participation.name
    elif participation.official_id in official_ids:
        name = participation.official.name
    else:
        name = ""  # an official who is not named to this user: the role stands for them
    organisation = participation.organisation
    return ParticipantRow(
        name=name,
        role=participation.role or (participation.official.title if name else ""),
        organisation=organisation.name
        if organisation and organisation.pk in organisation_ids
        else "",
        attendance=participation.get_attendance_display(),
        is_high_level=participation.is_high_level,
        is_sample=participation.is_sample,
    )


@dataclass
class CityReport:
    city: City
    timeline: list[Any]
    officials: list[Official]
    consultations: list[Consultation]
    open_next_steps: list[NextStep]
    done_next_steps: list[NextStep]
    overdue_count: int
    visible_organisation_ids: set[int]
    # Next steps are the city's own: the report does not repeat the city beside each one.
    visible_city_ids: frozenset[int] = frozenset()

    @property
    def finding_count(self) -> int:
        return sum(len(consultation.findings.all()) for consultation in self.consultations)

    @property
    def row_count(self) -> int:
        """What the report lists, for the export log: timeline entries and findings."""
        return len(self.timeline) + self.finding_count


def city_report_refine(queryset: models.QuerySet, user: roles.User) -> models.QuerySet:
    """The city (from the user's scope) with the profile records its report shows."""
    return queryset.select_related("country", "hub").prefetch_related(
        Prefetch("devolved_powers", queryset=DevolvedPower.objects.for_user(user)),
        Prefetch("mechanisms", queryset=LocalMechanism.objects.for_user(user).order_by("name")),
    )


def city_report(*, city: City, user: roles.User) -> CityReport:
    """The city's profile, its engagement timeline (oldest first, as a report reads), the
    key findings of its consultations, and its open (overdue first) and closed next steps."""
    engagement = city_timeline(city=city, user=user)
    timeline = list(reversed(engagement["timeline"]))
    steps = [entry.record for entry in timeline if entry.kind == "next_step"]
    closed = sorted(
        (step for step in steps if not step.is_open),
        key=lambda step: step.completed_on or step.due_date or datetime.date.min,
        reverse=True,
    )
    return CityReport(
        city=city,
        timeline=timeline,
        officials=list(engagement["officials"]),
        consultations=[entry.record for entry in timeline if entry.kind == "consultation"],
        open_next_steps=engagement["open_next_steps"],
        done_next_steps=closed,
        overdue_count=engagement["overdue_count"],
        visible_organisation_ids=_visible_ids(
            Organisation, user, {step.responsible_organisation_id for step in steps}
        ),
    )

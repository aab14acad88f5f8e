"""Writes to workshops: every change goes through here so that history names its author."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction

from cities.models import City, Organisation
from scn_portal import roles
from scn_portal.services import (
    record_apply,
    record_save_rows,
    record_set_m2m,
    record_update,
)
from workshops.models import Workshop, WorkshopSupport


@transaction.atomic
def workshop_create(
    *,
    actor: AbstractBaseUser | None,
    cities: Iterable[City] = (),
    supporters: Iterable[tuple[Organisation, str]] = (),
    **fields,
) -> Workshop:
    """Create a workshop with its cities and its (organisation, role) supporters:
    `workshop_save` with new rows."""
    return workshop_save(
        actor=actor,
        workshop=Workshop(),
        data={**fields, "cities": list(cities)},
        supports=[
            (WorkshopSupport(), {"organisation": organisation, "role": role}, False)
            for organisation, role in supporters
        ],
    )


@transaction.atomic
def workshop_update(
    *,
    actor: AbstractBaseUser | None,
    workshop: Workshop,
    cities: Iterable[City] | None = None,
    **fields,
) -> Workshop:
    """Change a workshop's fields (and, if given, its cities)."""
    record_update(workshop, actor=actor, **fields)
    if cities is not None:
        record_set_m2m(workshop, "cities", list(cities), actor=actor)
    return workshop


@transaction.atomic
def workshop_save(
    *,
    actor: AbstractBaseUser | None,
    workshop: Workshop,
    data: dict,
    supports: list = (),
    participations: list = (),
    media_coverage: list = (),
) -> Workshop:
    """Create or change a workshop with its supporters, participants and media coverage.

    Each child list holds (instance, data, delete?) rows; all is written or nothing. Only ISD
    staff change who a workshop belongs to (organiser, supporters, who may therefore edit it),
    whether it is published, and its internal notes: from anyone else these are ignored.
    """
    if not roles.is_system(actor) and not roles.is_isd_staff(actor):
        data = {
            name: value for name, value in data.items() if name not in Workshop.STAFF_ONLY_FIELDS
        }
        supports = ()
    record_apply(workshop, data, actor=actor)
    record_save_rows(workshop, "workshop", list(supports), actor=actor)
    record_save_rows(workshop, "workshop", list(participations), actor=actor)
    record_save_rows(workshop, "workshop", list(media_coverage), actor=actor)
    return workshop

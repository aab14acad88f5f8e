"""Writes to cities, officials and organisations, attributed to the acting user."""

from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction

from cities.models import City, Official, Organisation
from scn_portal.services import record_apply


@transaction.atomic
def city_save(*, actor: AbstractBaseUser | None, city: City, data: dict[str, Any]) -> City:
    """Create or change a city from validated data."""
    return record_apply(city, data, actor=actor)


@transaction.atomic
def official_save(
    *, actor: AbstractBaseUser | None, official: Official, data: dict[str, Any]
) -> Official:
    """Create or change an official from validated data."""
    return record_apply(official, data, actor=actor)


@transaction.atomic
def organisation_save(
    *, actor: AbstractBaseUser | None, organisation: Organisation, data: dict[str, Any]
) -> Organisation:
    """Create or change an organisation from validated data."""
    return record_apply(organisation, data, actor=actor)

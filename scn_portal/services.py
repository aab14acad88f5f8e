"""Helpers every app's services use to write records."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import models


def record_save(
    instance: models.Model, *, actor: AbstractBaseUser | None, reason: str = ""
) -> models.Model:
    """Validate and save one record, attributing its history row to `actor`.

    `full_clean()` turns a broken rule (a named constraint, a missing field) into a
    `ValidationError` with the constraint's message, before the database is touched.
    """
    instance._history_user = actor
    if reason:
        instance._change_reason = reason
    instance.full_clean()
    instance.save()
    return instance


def record_set_m2m(
    instance: models.Model,
    field: str,
    values: Any,
    *,
    actor: AbstractBaseUser | None,
) -> bool:
    """Replace a many-to-many field's members; write nothing when they are already so."""
    manager = getattr(instance, field)
    wanted = {value.pk for value in values}
    if set(manager.values_list("pk", flat=True)) == wanted:
        return False
    instance._history_user = actor
    manager.set(list(values))
    return True


def record_update(
    instance: models.Model, *, actor: AbstractBaseUser | None, reason: str = "", **fields: Any
) -> bool:
    """Change the given fields of a record; save (and write history) only if one differs."""
    changed = [name for name, value in fields.items() if getattr(instance, name) != value]
    if not changed:
        return False
    for name in changed:
        setattr(instance, name, fields[name])
    record_save(instance, actor=actor, reason=reason)
    return True

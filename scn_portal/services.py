"""Helpers every app's services use to write records."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import models, transaction
from django.utils import timezone, translation


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


def record_apply(
    instance: models.Model, data: dict[str, Any], *, actor: AbstractBaseUser | None
) -> models.Model:
    """Save a form's cleaned data onto a record (new or existing), many-to-many included.

    Fields are set and saved once (one history row); many-to-many fields are then replaced
    only where they differ.
    """
    many_to_many = {field.name for field in instance._meta.many_to_many}
    for name, value in data.items():
        if name not in many_to_many:
            setattr(instance, name, value)
    record_save(instance, actor=actor)
    for name in many_to_many & data.keys():
        record_set_m2m(instance, name, list(data[name]), actor=actor)
    return instance


def record_save_rows(
    parent: models.Model,
    parent_field: str,
    rows: list[tuple[models.Model, dict[str, Any], bool]],
    *,
    actor: AbstractBaseUser | None,
) -> None:
    """Apply a form's inline rows to a parent's children: create, change or delete each."""
    for instance, data, delete in rows:
        if delete:
            if instance.pk is not None:
                instance._history_user = actor
                instance.delete()
            continue
        setattr(instance, parent_field, parent)
        record_apply(instance, data, actor=actor)


def totp_device_pending(*, user: AbstractBaseUser):
    """The user's unconfirmed authenticator (TOTP) device, made on first need."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    return device


def totp_device_confirm(*, device) -> None:
    """Confirm a device after its first correct code; other pending devices are dropped."""
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    type(device).objects.filter(user=device.user, confirmed=False).delete()


def export_log_start(*, user: AbstractBaseUser, export: str, file_format: str, filters: dict):
    """Record that an export began (its row count comes with `export_log_finish`)."""
    from scn_portal.models import ExportLog

    return ExportLog.objects.create(
        user=user, export=export, file_format=file_format, filters=filters
    )


def export_log_finish(*, log, row_count: int) -> None:
    log.row_count = row_count
    log.save(update_fields=["row_count"])


@transaction.atomic
def export_job_start(
    *,
    user: AbstractBaseUser,
    view: str,
    path: str,
    export: str,
    file_format: str,
    filters: dict,
    rows_total: int | None,
):
    """Log a large export and queue it for the background worker (once this commits)."""
    from scn_portal.models import ExportJob
    from scn_portal.tasks import run_export_job

    export_jobs_prune()
    job = ExportJob.objects.create(
        user=user,
        log=export_log_start(user=user, export=export, file_format=file_format, filters=filters),
        view=view,
        path=path,
        export=export,
        file_format=file_format,
        filters=filters,
        language=translation.get_language() or settings.LANGUAGE_CODE,
        rows_total=rows_total,
    )
    transaction.on_commit(lambda: run_export_job.enqueue(str(job.pk)))
    return job


def export_job_cancel(*, job) -> bool:
    """Ask the worker to stop; a job that has not finished yet ends as cancelled."""
    from scn_portal.models import ExportJob

    return bool(
        ExportJob.objects.filter(pk=job.pk)
        .exclude(status__in=ExportJob.FINISHED)
        .update(status=ExportJob.Status.CANCELLED, finished_at=timezone.now())
    )


def export_jobs_prune(*, now: datetime.datetime | None = None) -> int:
    """Delete the files of background exports whose time is up, and their jobs."""
    from scn_portal.models import ExportJob

    expired = list(ExportJob.objects.filter(expires_at__lte=now or timezone.now()))
    for job in expired:
        if job.file:
            job.file.delete(save=False)
    ExportJob.objects.filter(pk__in=[job.pk for job in expired]).delete()
    return len(expired)

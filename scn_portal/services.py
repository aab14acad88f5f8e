"""Helpers every app's services use to write records."""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models, router, transaction
from django.db.models.deletion import Collector, ProtectedError, RestrictedError
from django.utils import timezone, translation
from django.utils.translation import gettext

logger = logging.getLogger(__name__)


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

    Fields are set and saved once (one history row), if one differs from the stored record;
    many-to-many fields are then replaced only where they differ.
    """
    many_to_many = {field.name for field in instance._meta.many_to_many}
    fields = [name for name in data if name not in many_to_many]
    for name in fields:
        setattr(instance, name, data[name])
    if instance._state.adding or _differs_from_stored(instance, fields):
        record_save(instance, actor=actor)
    for name in many_to_many & data.keys():
        record_set_m2m(instance, name, list(data[name]), actor=actor)
    return instance


def _differs_from_stored(instance: models.Model, names: list[str]) -> bool:
    """Whether any field of `names` of a stored record now differs from its row. A form saved
    unchanged writes nothing: no history row saying nothing, and no new version, which would
    refuse another user's save of the form they opened before as "someone else saved"."""
    attnames = []
    for name in names:
        try:
            field = instance._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        if field.concrete and not field.many_to_many:
            attnames.append(field.attname)
    if not attnames:
        return False
    stored = type(instance)._base_manager.filter(pk=instance.pk).values(*attnames).first()
    return stored is None or any(stored[name] != getattr(instance, name) for name in attnames)


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


def _locked(instance: models.Model) -> models.Model:
    """The record as stored now, its row locked until the transaction ends (PostgreSQL)."""
    return type(instance)._base_manager.select_for_update().get(pk=instance.pk)


def _set_archived(instance: models.Model, *, archive: bool, actor, reason: str) -> bool:
    stored = _locked(instance)
    if stored.is_archived == archive:
        instance.archived_at = stored.archived_at
        return False
    stored.archived_at = timezone.now() if archive else None
    stored._history_user = actor
    stored._change_reason = reason
    # A plain save: its history row names `actor`, and its post_save signal moves the public
    # site's cache on (scn_portal/apps.py), so an archived record leaves cached pages too.
    stored.save()
    instance.archived_at, instance.updated_at = stored.archived_at, stored.updated_at
    return True


@transaction.atomic
def record_archive(*, instance: models.Model, actor: AbstractBaseUser | None) -> bool:
    """Archive a record: it leaves every list, page, export and count (each model's
    `for_user` starts from `active()`) until an admin restores it. False if it already was."""
    return _set_archived(instance, archive=True, actor=actor, reason=gettext("Archived"))


@transaction.atomic
def record_unarchive(*, instance: models.Model, actor: AbstractBaseUser | None) -> bool:
    """Restore an archived record to every list and page. False if it was not archived."""
    return _set_archived(instance, archive=False, actor=actor, reason=gettext("Restored"))


@transaction.atomic
def record_delete_permanently(*, instance: models.Model, actor: AbstractBaseUser | None) -> None:
    """Delete an archived record for good, with what cascades from it (a city's devolved
    powers, a workshop's participants, a consultation's findings, ...).

    History keeps a "deleted" row for each, naming `actor`. Refused with a `ValidationError`
    if the record is not archived (archive it first) or if other records still refer to it
    (PROTECT): they are named, archived ones included, and nothing is deleted.
    """
    stored = _locked(instance)
    if stored.archived_at is None:
        raise ValidationError(
            gettext("Only an archived record can be deleted permanently: archive it first."),
            code="not_archived",
        )
    collector = Collector(using=router.db_for_write(type(stored)), origin=stored)
    try:
        collector.collect([stored])
    except (ProtectedError, RestrictedError) as error:
        blocking = getattr(error, "protected_objects", None) or error.restricted_objects
        raise ValidationError(
            gettext(
                "“%(record)s” cannot be deleted while other records refer to it (archived "
                "ones included): %(blocking)s. Delete or change those first; nothing was "
                "deleted."
            )
            % {"record": stored, "blocking": _counted(blocking)},
            code="protected",
        ) from error
    # Django's own delete, step by step, so that each deleted row (the record and what
    # cascades from it) carries the actor for simple-history's "deleted" row.
    for rows in collector.data.values():
        for row in rows:
            row._history_user = actor
    collector.delete()


def _counted(records) -> str:
    """How many records of each kind, e.g. "2 consultations, 1 official"."""
    counts: dict[type[models.Model], int] = {}
    for record in records:
        counts[type(record)] = counts.get(type(record), 0) + 1
    return gettext(", ").join(
        f"{count} {model._meta.verbose_name if count == 1 else model._meta.verbose_name_plural}"
        for model, count in counts.items()
    )


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

    now = timezone.now()
    return bool(
        ExportJob.objects.filter(pk=job.pk)
        .exclude(status__in=ExportJob.FINISHED)
        .update(
            status=ExportJob.Status.CANCELLED,
            finished_at=now,
            expires_at=now + datetime.timedelta(days=settings.EXPORT_FILES_DAYS),
        )
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


# Where django-import-export's MediaStorage keeps uploads waiting for their confirmation.
IMPORT_UPLOAD_FOLDER = "django-import-export"


def import_uploads_prune(*, now: datetime.datetime | None = None) -> int:
    """Delete the uploads of imports previewed but never confirmed (a confirmed import
    deletes its own), once IMPORT_UPLOAD_HOURS old."""
    from django.core.files.storage import storages

    storage = storages["import_export"]
    try:
        _folders, names = storage.listdir(IMPORT_UPLOAD_FOLDER)
    except FileNotFoundError:
        return 0
    except OSError:  # housekeeping: it never stops the export that runs it
        logger.exception("The import uploads could not be listed.")
        return 0
    cutoff = (now or timezone.now()) - datetime.timedelta(hours=settings.IMPORT_UPLOAD_HOURS)
    pruned = 0
    for name in names:
        path = f"{IMPORT_UPLOAD_FOLDER}/{name}"
        try:
            if storage.get_modified_time(path) <= cutoff:
                storage.delete(path)
                pruned += 1
        except FileNotFoundError:  # confirmed (or pruned by another worker) meanwhile
            continue
        except OSError:
            logger.exception("The import upload %s could not be pruned.", name)
    return pruned


# What a restore leaves alone: the record's identity, its timestamps and its sample mark
# (archiving has its own services; `archived_at` is not editable, so it is skipped too).
RESTORE_SKIPPED_FIELDS = frozenset({"created_at", "updated_at", "is_sample"})


@transaction.atomic
def record_restore(*, version: models.Model, actor: AbstractBaseUser) -> models.Model:
    """Bring a record back to an earlier version of its history: an admin's undo.

    `version` is a row of the record's history (`Model.history`). The record's own editable
    fields and its tracked many-to-many fields take the version's values (related records
    deleted since are left out); inline children are not touched. The result is validated like
    any write, so a slug taken since or a broken constraint is refused with a `ValidationError`
    and nothing changes; it is saved as one new history row naming `actor`, with the reason
    "Restored the version of <date>".
    """
    from django.core.exceptions import PermissionDenied, ValidationError
    from django.utils.translation import gettext
    from simple_history.utils import get_m2m_reverse_field_name

    from scn_portal import roles

    if not roles.is_portal_admin(actor):
        raise PermissionDenied
    if version.history_type == "-":
        raise ValidationError(gettext("A deleted record cannot be restored from its history."))
    model = version.instance_type
    record = model._base_manager.select_for_update().filter(pk=version.id).first()
    if record is None:
        raise ValidationError(gettext("The record no longer exists."))
    for field in type(version).tracked_fields:
        if field.editable and not field.primary_key and field.name not in RESTORE_SKIPPED_FIELDS:
            setattr(record, field.attname, getattr(version, field.attname))
    many = {}
    for field in version._history_m2m_fields:
        pks = getattr(version, field.name).values_list(
            f"{get_m2m_reverse_field_name(field)}_id", flat=True
        )
        many[field.name] = list(field.related_model._base_manager.filter(pk__in=list(pks)))
    record._history_user = actor
    record._change_reason = gettext("Restored the version of %(date)s") % {
        "date": f"{timezone.localtime(version.history_date):%Y-%m-%d %H:%M}"
    }
    record.full_clean()
    # The many-to-many fields first, without history rows of their own: the save below
    # writes one row with the restored fields and members together.
    record.skip_history_when_saving = True
    try:
        for name, related in many.items():
            getattr(record, name).set(related)
    finally:
        del record.skip_history_when_saving
    record.save()
    return record

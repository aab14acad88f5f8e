"""Large imports run in the background worker (`manage.py db_worker`), as their requester."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.mail import send_mail
from django.db import transaction
from django.tasks import task
from django.utils import translation
from django.utils.translation import gettext

from cities.imports import NEW, REFUSED, UNCHANGED, UPDATE, ImportReport, import_rows

# The uploaded file waits for the worker beside the background exports: private, shared.
IMPORTS_FOLDER = "imports"


def import_job_start(
    *, user, resource_name: str, file_bytes: bytes, file_format: str, file_name: str
) -> None:
    """Keep the file in private storage and queue its import (once this transaction commits)."""
    stored = storages["exports"].save(
        f"{IMPORTS_FOLDER}/{uuid.uuid4()}.{file_format}", ContentFile(file_bytes)
    )
    language = translation.get_language() or settings.LANGUAGE_CODE
    transaction.on_commit(
        lambda: run_import.enqueue(
            resource_name=resource_name,
            stored_name=stored,
            file_format=file_format,
            file_name=file_name,
            user_id=user.pk,
            language=language,
        )
    )


@task()
def run_import(
    *,
    resource_name: str,
    stored_name: str,
    file_format: str,
    file_name: str,
    user_id: int,
    language: str,
) -> dict[str, int]:
    """Import the stored file as the user who asked (all or nothing, history rows naming
    them), delete the file, and e-mail them the outcome."""
    storage = storages["exports"]
    with storage.open(stored_name, "rb") as handle:
        file_bytes = handle.read()
    try:
        user = get_user_model().objects.get(pk=user_id)
        report = import_rows(
            resource_name=resource_name,
            file_bytes=file_bytes,
            file_format=file_format,
            user=user,
            dry_run=False,
            file_name=file_name,
        )
    finally:
        storage.delete(stored_name)
    _tell_requester(user, report, file_name, language)
    return {action: report.count(action) for action in (NEW, UPDATE, UNCHANGED, REFUSED)}


def _tell_requester(user, report: ImportReport, file_name: str, language: str) -> None:
    if not user.email:
        return
    with translation.override(language):
        if report.written:
            subject = gettext("Your import of %(file)s is done") % {"file": file_name}
            body = gettext(
                "%(new)d new and %(updated)d updated records, %(unchanged)d rows unchanged."
            ) % {
                "new": report.count(NEW),
                "updated": report.count(UPDATE),
                "unchanged": report.count(UNCHANGED),
            }
        else:
            subject = gettext("Your import of %(file)s wrote nothing") % {"file": file_name}
            body = "\n".join(
                [gettext("Nothing was imported: these rows were refused."), *report.messages]
            )
        send_mail(subject, body, None, [user.email])

"""Background work, run by `manage.py db_worker` (Django's tasks framework, django-tasks-db).

A large export runs here: the list view is rebuilt for the user who asked, with their filters
and their scope as it is when the job runs, and its rows are written to a private file.
"""

from __future__ import annotations

import contextlib
import datetime
import tempfile

from django.conf import settings
from django.core.files import File
from django.core.mail import send_mail
from django.http import HttpRequest, QueryDict
from django.tasks import task
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext

from scn_portal.exports import export_rows, write_csv, write_xlsx
from scn_portal.models import ExportJob
from scn_portal.services import export_jobs_prune, export_log_finish, import_uploads_prune


class ExportCancelled(Exception):
    """The requester cancelled the job while it ran."""


def may_still_export(job: ExportJob) -> bool:
    """Whether the requester may still export that list (a role taken away since the job
    ran takes the file away too)."""
    try:
        _list_view(job)
    except PermissionError:
        return False
    return True


def _list_view(job: ExportJob):
    """The list view as the requester would see it, with the filters of the job."""
    request = HttpRequest()
    request.method = "GET"
    request.path = job.path
    request.GET = QueryDict(mutable=True)
    for key, values in job.filters.items():
        request.GET.setlist(key, values)
    request.GET["export"] = job.file_format  # as asked: a bound filter form, even unfiltered
    request.user = job.user
    view = import_string(job.view)()
    view.setup(request)
    if not view.has_permission():
        raise PermissionError(gettext("You may no longer export this list."))
    return view


class _Progress:
    """Told the rows written so far, every few thousand rows: records them on the job, and
    stops the export when the requester has cancelled it."""

    def __init__(self, job: ExportJob) -> None:
        self.job = job
        self.rows_done = 0

    def __call__(self, rows_done: int) -> None:
        self.rows_done = rows_done
        running = ExportJob.objects.filter(pk=self.job.pk, status=ExportJob.Status.RUNNING)
        if not running.update(rows_done=rows_done):
            raise ExportCancelled


@task()
def run_export_job(job_id: str) -> int:
    """Write the export of `job_id` to its file; returns the number of rows."""
    started = ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.QUEUED).update(
        status=ExportJob.Status.RUNNING
    )
    if not started:  # cancelled before it began
        return 0
    # The worker keeps the private folder tidy as it goes.
    export_jobs_prune()
    import_uploads_prune()
    job = ExportJob.objects.select_related("user", "log").get(pk=job_id)
    try:
        with translation.override(job.language), tempfile.TemporaryFile() as handle:
            queryset, columns = _list_view(job).export_source()
            progress = _Progress(job)
            with contextlib.closing(export_rows(queryset, columns)) as rows:
                if job.file_format == "xlsx":
                    write_xlsx(rows, columns, handle, f"scn-{job.export}", progress)
                else:
                    write_csv(rows, columns, handle, progress)
            rows_done = progress.rows_done
            handle.seek(0)
            job.file.save(job.filename, File(handle), save=False)
    except ExportCancelled:
        return 0
    except Exception as error:
        now = timezone.now()
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportJob.Status.FAILED,
            error=str(error),
            finished_at=now,
            expires_at=now + datetime.timedelta(days=settings.EXPORT_FILES_DAYS),
        )
        raise
    job.finished_at = timezone.now()
    job.expires_at = job.finished_at + datetime.timedelta(days=settings.EXPORT_FILES_DAYS)
    finished = ExportJob.objects.filter(pk=job.pk, status=ExportJob.Status.RUNNING).update(
        status=ExportJob.Status.DONE,
        file=job.file.name,
        rows_done=rows_done,
        rows_total=rows_done,
        finished_at=job.finished_at,
        expires_at=job.expires_at,
    )
    if not finished:  # cancelled during the last rows: the file goes
        job.file.delete(save=False)
        return 0
    if job.log is not None:
        export_log_finish(log=job.log, row_count=rows_done)
    _tell_requester(job)
    return rows_done


def _tell_requester(job: ExportJob) -> None:
    if not job.user.email:
        return
    with translation.override(job.language):
        send_mail(
            gettext("Your SCN Portal export is ready"),
            gettext(
                "The export you asked for (%(export)s) is ready. Download it, signed in, at "
                "%(url)s before %(expires)s; the file is deleted after that."
            )
            % {
                "export": job.export,
                "url": settings.PORTAL_BASE_URL.rstrip("/") + job.get_absolute_url(),
                "expires": f"{timezone.localtime(job.expires_at):%Y-%m-%d %H:%M}",
            },
            None,
            [job.user.email],
        )

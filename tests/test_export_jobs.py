"""Large exports run in the background: progress, a private download equal to the
synchronous file, cancel, an e-mail, expiry."""

import datetime
import io

import pytest
from django.core import mail
from django.core.files.storage import FileSystemStorage
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from scn_portal import exports, tasks
from scn_portal.models import ExportJob, ExportLog
from scn_portal.services import export_jobs_prune
from tests.auth import sign_in
from tests.conftest import make_user_with_role
from tests.factories import CityFactory, ConsultationFactory, OfficialFactory
from tests.queries import assert_queries_do_not_grow, count_queries

QUETTA_CSV = {"city": None, "o": "date", "export": "csv"}


@pytest.fixture
def exports_dir(monkeypatch, tmp_path):
    """The export files of a test go to a temporary folder (the field keeps its storage)."""
    location = tmp_path / "exports"
    field = ExportJob._meta.get_field("file")
    monkeypatch.setattr(field, "storage", FileSystemStorage(location=location))
    return location


@pytest.fixture
def quetta(db):
    quetta = CityFactory(name="Quetta")
    for day in range(1, 6):
        ConsultationFactory(
            city=quetta,
            title=f"Talk {day}",
            date=datetime.date(2017, 11, day),
            officials=[OfficialFactory(name=f"Official {day}")],
        )
    ConsultationFactory(title="Elsewhere")
    return quetta


def start_background_export(client, quetta, settings, django_capture_on_commit_callbacks, **query):
    settings.EXPORT_BACKGROUND_ROWS = 3
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get("/consultations/", {**QUETTA_CSV, "city": quetta.pk, **query})
    assert response.status_code == 302
    return ExportJob.objects.get(pk=response.url.split("/")[-2]), response.url


def synchronous_export(client, quetta, settings, **query):
    settings.EXPORT_BACKGROUND_ROWS = 1000
    response = client.get("/consultations/", {**QUETTA_CSV, "city": quetta.pk, **query})
    return b"".join(response.streaming_content)


def download(client, job) -> bytes:
    return b"".join(client.get(f"/exports/{job.pk}/download/").streaming_content)


@pytest.mark.django_db
def test_a_large_export_runs_in_the_background_and_equals_the_synchronous_file(
    staff_client, staff_user, quetta, settings, exports_dir, django_capture_on_commit_callbacks
):
    staff_user.email = "sana@example.org"
    staff_user.save()
    job, url = start_background_export(
        staff_client, quetta, settings, django_capture_on_commit_callbacks
    )
    page = staff_client.get(url).content.decode()
    assert job.status == "queued" and job.rows_total == 5
    assert "Waiting to start" in page and "Cancel the export" in page

    tasks.run_export_job.call(str(job.pk))

    job.refresh_from_db()
    assert (job.status, job.rows_done, job.percent) == ("done", 5, 100)
    assert download(staff_client, job) == synchronous_export(staff_client, quetta, settings)
    assert "Download the file" in staff_client.get(url).content.decode()
    assert staff_client.get(f"/exports/{job.pk}/status/").json()["finished"] is True
    assert ExportLog.objects.get(job=job).row_count == 5
    assert mail.outbox[0].to == ["sana@example.org"]
    assert f"/exports/{job.pk}/" in mail.outbox[0].body


@pytest.mark.django_db
def test_a_background_excel_export_holds_the_same_rows_as_the_synchronous_one(
    staff_client, quetta, settings, exports_dir, django_capture_on_commit_callbacks
):
    job, _ = start_background_export(
        staff_client, quetta, settings, django_capture_on_commit_callbacks, export="xlsx"
    )
    tasks.run_export_job.call(str(job.pk))

    def rows(body: bytes):
        return list(load_workbook(io.BytesIO(body)).active.iter_rows(values_only=True))

    background = rows(download(staff_client, job))
    assert len(background) == 6
    assert background == rows(synchronous_export(staff_client, quetta, settings, export="xlsx"))


@pytest.mark.django_db
def test_the_job_reports_progress_as_it_writes(
    staff_client, quetta, settings, exports_dir, django_capture_on_commit_callbacks, monkeypatch
):
    job, _ = start_background_export(
        staff_client, quetta, settings, django_capture_on_commit_callbacks
    )
    monkeypatch.setattr(exports, "CHUNK", 2)
    seen = []
    report = tasks._Progress.__call__

    def spy(progress, rows_done):
        report(progress, rows_done)
        seen.append(ExportJob.objects.get(pk=job.pk).rows_done)

    monkeypatch.setattr(tasks._Progress, "__call__", spy)

    tasks.run_export_job.call(str(job.pk))

    assert seen == [2, 4, 5]


@pytest.mark.django_db
def test_nobody_else_can_see_or_download_a_background_export(
    staff_client, quetta, settings, exports_dir, django_capture_on_commit_callbacks
):
    job, url = start_background_export(
        staff_client, quetta, settings, django_capture_on_commit_callbacks
    )
    tasks.run_export_job.call(str(job.pk))
    colleague, admin = Client(), Client()
    sign_in(colleague, make_user_with_role("ISD staff"))
    sign_in(admin, make_user_with_role("Portal admin", is_staff=True, is_superuser=True))

    for other in (colleague, admin):
        for page in ("", "status/", "download/"):
            assert other.get(f"{url}{page}").status_code == 404
        assert other.post(f"{url}cancel/").status_code == 404
        assert str(job.pk) not in other.get("/exports/").content.decode()
    assert Client().get(f"{url}download/").status_code == 302  # to sign in


@pytest.mark.django_db
def test_a_cancelled_export_writes_no_file(
    staff_client, quetta, settings, exports_dir, django_capture_on_commit_callbacks
):
    job, url = start_background_export(
        staff_client, quetta, settings, django_capture_on_commit_callbacks
    )

    staff_client.post(f"{url}cancel/")
    tasks.run_export_job.call(str(job.pk))

    job.refresh_from_db()
    assert job.status == "cancelled" and not job.file
    assert staff_client.get(f"{url}download/").status_code == 404
    assert "was cancelled" in staff_client.get(url).content.decode()


@pytest.mark.django_db
def test_an_export_cancelled_while_it_runs_stops_and_keeps_no_file(
    staff_client, quetta, settings, exports_dir, django_capture_on_commit_callbacks, monkeypatch
):
    job, _ = start_background_export(
        staff_client, quetta, settings, django_capture_on_commit_callbacks
    )
    monkeypatch.setattr(exports, "CHUNK", 2)
    report = tasks._Progress.__call__

    def cancel_after_first_chunk(progress, rows_done):
        ExportJob.objects.filter(pk=job.pk).update(status="cancelled")
        report(progress, rows_done)

    monkeypatch.setattr(tasks._Progress, "__call__", cancel_after_first_chunk)

    assert tasks.run_export_job.call(str(job.pk)) == 0
    job.refresh_from_db()
    assert job.status == "cancelled" and not job.file
    assert not any(exports_dir.rglob("*.csv")) if exports_dir.exists() else True


@pytest.mark.django_db
def test_expired_files_are_deleted(
    staff_client, quetta, settings, exports_dir, django_capture_on_commit_callbacks
):
    job, _ = start_background_export(
        staff_client, quetta, settings, django_capture_on_commit_callbacks
    )
    tasks.run_export_job.call(str(job.pk))
    job.refresh_from_db()
    stored = exports_dir / job.file.name
    assert stored.exists()

    assert export_jobs_prune(now=timezone.now()) == 0
    assert export_jobs_prune(now=job.expires_at + datetime.timedelta(seconds=1)) == 1

    assert not stored.exists()
    assert not ExportJob.objects.filter(pk=job.pk).exists()


@pytest.mark.django_db
def test_an_unfiltered_background_export_holds_every_row(
    staff_client, quetta, settings, exports_dir, django_capture_on_commit_callbacks
):
    settings.EXPORT_BACKGROUND_ROWS = 3
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.get("/consultations/", {"export": "csv"})
    job = ExportJob.objects.get(pk=response.url.split("/")[-2])

    tasks.run_export_job.call(str(job.pk))

    lines = download(staff_client, job).decode().splitlines()
    assert len(lines) == 1 + 6  # the header and every consultation, "Elsewhere" included


@pytest.mark.django_db
def test_a_small_export_is_answered_at_once(staff_client, quetta, settings):
    settings.EXPORT_BACKGROUND_ROWS = 5  # exactly as many rows as the filter shows

    response = staff_client.get("/consultations/", {**QUETTA_CSV, "city": quetta.pk})

    assert response.status_code == 200
    assert not ExportJob.objects.exists()


@pytest.mark.django_db
def test_my_exports_page_queries_do_not_grow_with_jobs(staff_client, staff_user):
    def make_jobs(count):
        for _ in range(count):
            ExportJob.objects.create(
                user=staff_user,
                view="v",
                path="/consultations/",
                export="consultations",
                file_format="csv",
                language="en",
            )

    make_jobs(2)
    few = count_queries(lambda: staff_client.get("/exports/"))
    make_jobs(20)
    many = count_queries(lambda: staff_client.get("/exports/"))

    assert_queries_do_not_grow(few, many)
    assert "consultations" in staff_client.get("/exports/").content.decode()


@pytest.mark.django_db(transaction=True)
def test_the_database_worker_runs_a_queued_export(settings, exports_dir, roles_restored):
    """End to end through the real queue: the request enqueues, `db_worker` runs it."""
    settings.EXPORT_BACKGROUND_ROWS = 3
    quetta = CityFactory(name="Quetta")
    for day in range(1, 6):
        ConsultationFactory(city=quetta, date=datetime.date(2017, 11, day))
    client = Client()
    sign_in(client, make_user_with_role("ISD staff"))

    response = client.get("/consultations/", {**QUETTA_CSV, "city": quetta.pk})
    job = ExportJob.objects.get()
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)

    job.refresh_from_db()
    assert response.status_code == 302 and job.status == "done"
    lines = download(client, job).decode().splitlines()
    assert len(lines) == 6 and lines[1].startswith("2017-11-01")


@pytest.mark.django_db
def test_an_expired_or_no_longer_permitted_file_is_not_downloaded(
    staff_client, staff_user, quetta, settings, exports_dir, django_capture_on_commit_callbacks
):
    from django.contrib.auth.models import Group

    job, url = start_background_export(
        staff_client, quetta, settings, django_capture_on_commit_callbacks
    )
    tasks.run_export_job.call(str(job.pk))
    assert staff_client.get(f"{url}download/").status_code == 200

    ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now())
    expired = staff_client.get(f"{url}download/").status_code
    ExportJob.objects.filter(pk=job.pk).update(
        expires_at=timezone.now() + datetime.timedelta(days=1)
    )
    staff_user.groups.set([Group.objects.get(name="Partner editor")])  # no consultations now
    demoted = staff_client.get(f"{url}download/").status_code

    assert (expired, demoted) == (404, 404)


@pytest.mark.django_db
def test_cancelled_jobs_expire_and_the_prune_command_deletes_them(
    staff_client, quetta, settings, exports_dir, django_capture_on_commit_callbacks
):
    job, url = start_background_export(
        staff_client, quetta, settings, django_capture_on_commit_callbacks
    )
    staff_client.post(f"{url}cancel/")
    job.refresh_from_db()
    assert job.expires_at is not None
    ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now())

    call_command("prune_exports", verbosity=0)

    assert not ExportJob.objects.filter(pk=job.pk).exists()

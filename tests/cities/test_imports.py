"""Imports of cities, officials and organisations from CSV and Excel files."""

import csv
import datetime
import io
import os
import re
import tempfile
import time
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.contrib.admin.models import LogEntry
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from cities.imports import NEW, REFUSED, UNCHANGED, UPDATE, import_rows
from cities.models import City, Official, Organisation
from scn_portal.services import IMPORT_UPLOAD_FOLDER, import_uploads_prune
from tests.auth import sign_in
from tests.conftest import make_user_with_role
from tests.factories import (
    CityFactory,
    CountryFactory,
    OfficialFactory,
    OrganisationFactory,
    RegionalHubFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

OFFICIAL_COLUMNS = ["name", "city", "country", "role", "title", "organisation", "email"]
CSV, XLSX = "0", "1"  # the admin form's format choices


def csv_file(rows: list[list]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode()


def xlsx_file(rows: list[list]) -> bytes:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@pytest.fixture
def peshawar(db):
    pakistan = CountryFactory(name="Pakistan", code="PK")
    RegionalHubFactory(name="South Asia", slug="south-asia")
    OrganisationFactory(name="District Government Peshawar", slug="dg-peshawar")
    return CityFactory(name="Peshawar", slug="peshawar", country=pakistan)


@pytest.fixture
def nazim(peshawar):
    return OfficialFactory(
        name="Muhammad Asim Khan",
        city=peshawar,
        role_kind=Official.RoleKind.MAYOR,
        title="District Nazim",
        organisation=None,
        email="",
    )


def officials_sheet(*rows: list) -> list[list]:
    return [OFFICIAL_COLUMNS, *rows]


NAZIM_RENAMED = ["Muhammad Asim Khan", "Peshawar", "PK", "mayor", "Nazim", "", ""]
NEW_OFFICIAL = [
    "Arbab Muhammad Ali",
    "peshawar",
    "Pakistan",
    "District official",
    "Naib Nazim",
    "dg-peshawar",
    "ali@example.org",
]
BAD_EMAIL = ["Someone Else", "Peshawar", "PK", "councillor", "", "", "not-an-e-mail"]


def counts() -> tuple[int, int, int, int]:
    return (
        Official.objects.count(),
        Official.history.count(),
        City.objects.count(),
        City.history.count(),
    )


def test_dry_run_writes_nothing_and_reports_new_updated_and_refused_rows(nazim, superuser):
    before = counts()
    sheet = officials_sheet(
        NAZIM_RENAMED, NEW_OFFICIAL, ["Nobody", "Atlantis", "PK", "mayor", "", "", ""]
    )

    report = import_rows(
        resource_name="officials",
        file_bytes=csv_file(sheet),
        file_format="csv",
        user=superuser,
        dry_run=True,
    )

    assert [(row.number, row.action) for row in report.rows] == [
        (1, UPDATE),
        (2, NEW),
        (3, REFUSED),
    ]
    assert report.messages == [
        "Row 3: city: Unknown city “Atlantis” in “PK”: import or add the city first."
    ]
    assert not report.written
    assert counts() == before
    nazim.refresh_from_db()
    assert nazim.title == "District Nazim"


def test_dry_run_of_a_valid_file_writes_nothing(nazim, superuser):
    before = counts()

    report = import_rows(
        resource_name="officials",
        file_bytes=csv_file(officials_sheet(NAZIM_RENAMED, NEW_OFFICIAL)),
        file_format="csv",
        user=superuser,
        dry_run=True,
    )

    assert report.ok and not report.written
    assert counts() == before


def test_one_bad_row_writes_nothing_and_the_message_names_the_row(nazim, superuser):
    before = counts()

    report = import_rows(
        resource_name="officials",
        file_bytes=csv_file(officials_sheet(NEW_OFFICIAL, BAD_EMAIL, NAZIM_RENAMED)),
        file_format="csv",
        user=superuser,
        dry_run=False,
    )

    assert not report.written
    assert report.messages == ["Row 2: email: Enter a valid email address."]
    assert counts() == before
    assert not Official.objects.filter(name="Arbab Muhammad Ali").exists()


def test_missing_name_and_unknown_role_are_refused_with_their_column(peshawar, superuser):
    sheet = officials_sheet(["", "Peshawar", "PK", "emperor", "", "", ""])

    report = import_rows(
        resource_name="officials",
        file_bytes=csv_file(sheet),
        file_format="csv",
        user=superuser,
        dry_run=False,
    )

    assert report.rows[0].action == REFUSED
    messages = " ".join(report.messages)
    assert "Row 1: name: This field cannot be blank." in messages
    assert "Row 1: role: “emperor” is not one of" in messages


def test_reimporting_the_same_file_updates_instead_of_duplicating(nazim, superuser):
    file_bytes = csv_file(officials_sheet(NAZIM_RENAMED, NEW_OFFICIAL))

    first = import_rows(
        resource_name="officials",
        file_bytes=file_bytes,
        file_format="csv",
        user=superuser,
        dry_run=False,
    )
    second = import_rows(
        resource_name="officials",
        file_bytes=file_bytes,
        file_format="csv",
        user=superuser,
        dry_run=False,
    )
    changed = import_rows(
        resource_name="officials",
        file_bytes=csv_file(officials_sheet([*NEW_OFFICIAL[:4], "Deputy", *NEW_OFFICIAL[5:]])),
        file_format="csv",
        user=superuser,
        dry_run=False,
    )

    assert [row.action for row in first.rows] == [UPDATE, NEW]
    assert [row.action for row in second.rows] == [UNCHANGED, UNCHANGED]
    assert [row.action for row in changed.rows] == [UPDATE]
    assert Official.objects.count() == 2
    ali = Official.objects.get(name="Arbab Muhammad Ali")
    assert ali.title == "Deputy"
    assert ali.city.slug == "peshawar"
    assert ali.organisation.slug == "dg-peshawar"
    assert ali.history.count() == 2  # created, then changed: an unchanged row writes nothing


def test_history_rows_carry_the_importing_user(nazim):
    importer = UserFactory(username="importer")

    import_rows(
        resource_name="officials",
        file_bytes=csv_file(officials_sheet(NAZIM_RENAMED, NEW_OFFICIAL)),
        file_format="csv",
        user=importer,
        dry_run=False,
        file_name="officials.csv",
    )

    for official in Official.objects.all():
        latest = official.history.first()
        assert latest.history_user == importer
        assert latest.history_change_reason == "Imported from officials.csv"


def test_a_name_shared_by_two_officials_of_a_city_is_refused(nazim, superuser):
    OfficialFactory(name="Muhammad Asim Khan", city=nazim.city)  # no constraint forbids it

    report = import_rows(
        resource_name="officials",
        file_bytes=csv_file(officials_sheet(NAZIM_RENAMED)),
        file_format="csv",
        user=superuser,
        dry_run=True,
    )

    assert report.rows[0].action == REFUSED
    assert "More than one official named “Muhammad Asim Khan” in Peshawar" in report.messages[0]


def test_cities_import_from_xlsx_by_country_code_and_hub_name(peshawar, superuser):
    sheet = [
        ["name", "name_local", "country", "hub", "population", "membership_status",
         "membership_changed_on", "latitude", "is_published"],
        ["Quetta", "کوئٹہ", "pk", "South Asia", 1001205, "Prospective member",
         datetime.date(2017, 11, 3), 30.18, "no"],
        ["Peshawar", "پشاور", "Pakistan", "south asia", "1,970,042", "member",
         "2017-11-21", "", "yes"],
    ]  # fmt: skip

    report = import_rows(
        resource_name="cities",
        file_bytes=xlsx_file(sheet),
        file_format="xlsx",
        user=superuser,
        dry_run=False,
    )

    assert [row.action for row in report.rows] == [NEW, UPDATE], report.messages
    quetta = City.objects.get(name="Quetta")
    assert quetta.slug == "quetta"
    assert quetta.country.code == "PK"
    assert quetta.hub.name == "South Asia"
    assert quetta.membership_status == City.Membership.PROSPECTIVE
    assert quetta.membership_changed_on == datetime.date(2017, 11, 3)
    assert quetta.history.get().history_user == superuser
    peshawar.refresh_from_db()
    assert peshawar.population == 1970042
    assert peshawar.membership_changed_on == datetime.date(2017, 11, 21)
    assert City.objects.count() == 2


def test_city_rows_with_unknown_country_or_bad_date_are_refused(peshawar, superuser):
    sheet = [
        ["name", "country", "membership_changed_on"],
        ["Narnia City", "Narnia", ""],
        ["Quetta", "PK", "21/11/2017"],
    ]

    report = import_rows(
        resource_name="cities",
        file_bytes=csv_file(sheet),
        file_format="csv",
        user=superuser,
        dry_run=False,
    )

    assert report.messages == [
        "Row 1: country: Unknown country “Narnia”: use a country's name or ISO code, "
        "as in the portal.",
        "Row 2: membership_changed_on: “21/11/2017” is not a date: write it as YYYY-MM-DD, "
        "e.g. 2017-11-21.",
    ]
    assert City.objects.count() == 1


def test_organisations_import_matches_on_name_and_makes_a_slug(superuser):
    OrganisationFactory(name="Individualland", slug="individualland", short_name="")
    sheet = [
        ["name", "short_name", "kind", "country", "website"],
        ["individualland", "IL", "partner", "", "https://individualland.com"],
        ["US Embassy Islamabad Community Engagement Office", "CEO", "Funder", "", ""],
    ]

    report = import_rows(
        resource_name="organisations",
        file_bytes=csv_file(sheet),
        file_format="csv",
        user=superuser,
        dry_run=False,
    )

    assert [row.action for row in report.rows] == [UPDATE, NEW]
    assert Organisation.objects.get(slug="individualland").short_name == "IL"
    embassy = Organisation.objects.get(short_name="CEO")
    assert embassy.slug == "us-embassy-islamabad-community-engagement-office"
    assert embassy.kind == Organisation.Kind.FUNDER


@pytest.mark.parametrize(
    ("file_bytes", "file_format", "message"),
    [
        (b"%PDF-1.4 \xff\xfe\x00 binary", "csv", "could not be read"),
        (b"name,city\n1,2\n", "xlsx", "could not be read"),
        (b"", "csv", "no rows"),
        (b"name,city,role\n", "csv", "no rows"),
    ],
    ids=["pdf-as-csv", "csv-as-xlsx", "empty", "headings-only"],
)
def test_a_file_that_is_not_a_spreadsheet_or_is_empty_gives_a_message(
    superuser, file_bytes, file_format, message
):
    report = import_rows(
        resource_name="officials",
        file_bytes=file_bytes,
        file_format=file_format,
        user=superuser,
        dry_run=False,
    )

    assert not report.written
    assert message in report.messages[0]


def test_a_file_without_the_key_columns_is_refused_as_a_whole(superuser):
    report = import_rows(
        resource_name="officials",
        file_bytes=csv_file([["full name", "town"], ["A", "B"]]),
        file_format="csv",
        user=superuser,
        dry_run=False,
    )

    assert report.file_errors == [
        "The file has no column “name”, “city”, “role”. The first row must name the columns."
    ]
    assert Official.objects.count() == 0


# The admin's import pages: upload, preview, confirm.

IMPORT_URL = "admin:cities_official_import"
CONFIRM_URL = "admin:cities_official_process_import"


def upload(client, file_bytes: bytes, file_format: str = CSV, name: str = "officials.csv"):
    return client.post(
        reverse(IMPORT_URL),
        {
            "resource": "0",
            "format": file_format,
            "import_file": SimpleUploadedFile(name, file_bytes),
        },
    )


def confirm_fields(content: str) -> dict[str, str]:
    form = content.split('name="confirm"')[0].rsplit("<form", 1)[1]
    return dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form))


def test_admin_imports_officials_after_a_preview(admin_client, nazim, superuser):
    changelist = admin_client.get(reverse("admin:cities_official_changelist")).content.decode()
    assert reverse(IMPORT_URL) in changelist

    before = counts()
    preview = upload(admin_client, csv_file(officials_sheet(NAZIM_RENAMED, NEW_OFFICIAL)))

    assert preview.status_code == 200
    content = preview.content.decode()
    assert "Preview: 1 new, 1 updated, 0 unchanged, 0 refused." in content
    assert "Arbab Muhammad Ali" in content
    assert 'name="confirm"' in content
    assert counts() == before  # the preview wrote nothing

    done = admin_client.post(reverse(CONFIRM_URL), confirm_fields(content), follow=True)

    assert done.redirect_chain[-1][0] == reverse("admin:cities_official_changelist")
    assert "Import finished: 1 new and 1 updated officials, 0 rows unchanged." in (
        done.content.decode()
    )
    ali = Official.objects.get(name="Arbab Muhammad Ali")
    assert ali.history.get().history_user == superuser
    assert Official.objects.get(pk=nazim.pk).history.first().history_user == superuser
    assert LogEntry.objects.filter(object_id=str(ali.pk), user=superuser).exists()


def test_admin_preview_of_a_file_with_a_bad_row_names_it_and_offers_no_confirm(admin_client, nazim):
    before = counts()

    response = upload(
        admin_client,
        xlsx_file(officials_sheet(NEW_OFFICIAL, BAD_EMAIL)),
        XLSX,
        "officials.xlsx",
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert "Preview: 1 new, 0 updated, 0 unchanged, 1 refused." in content
    assert "<li>Row 2: email: Enter a valid email address.</li>" in content
    assert "Someone Else" in content  # the refused row, with its values
    assert "Rows that would be imported once the file is corrected" in content
    assert 'name="confirm"' not in content
    assert counts() == before


@pytest.mark.parametrize(
    ("file_bytes", "file_format", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00 not a sheet", XLSX, "could not be read"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\xff not a sheet", CSV, "could not be read"),
        (b"name,city,role\n", CSV, "No valid data to import"),
        (b"", CSV, "The submitted file is empty."),
    ],
    ids=["image-as-xlsx", "image-as-csv", "headings-only", "empty"],
)
def test_admin_upload_of_a_non_spreadsheet_shows_a_message_not_an_error(
    admin_client, file_bytes, file_format, message
):
    response = upload(admin_client, file_bytes, file_format, "picture.png")

    assert response.status_code == 200
    content = response.content.decode()
    assert message in content
    assert 'name="confirm"' not in content


def test_admin_confirm_after_the_records_changed_writes_nothing(admin_client, nazim):
    content = upload(admin_client, csv_file(officials_sheet(NEW_OFFICIAL))).content.decode()
    fields = confirm_fields(content)
    Organisation.objects.filter(slug="dg-peshawar").delete()  # gone since the preview

    response = admin_client.post(reverse(CONFIRM_URL), fields, follow=True)

    assert "Nothing was imported" in response.content.decode()
    assert "Row 1: organisation: Unknown organisation" in response.content.decode()
    assert not Official.objects.filter(name="Arbab Muhammad Ali").exists()


def test_admin_import_page_has_no_inline_script_or_style(admin_client):
    content = admin_client.get(reverse(IMPORT_URL)).content.decode()

    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", content) == []
    assert " style=" not in content and "<style" not in content


@pytest.mark.parametrize(
    ("role", "is_staff", "status"),
    [("Viewer", True, 403), ("Partner editor", False, 302), ("ISD staff", True, 200)],
)
def test_only_users_who_may_add_and_change_officials_reach_the_import_page(
    client, role, is_staff, status
):
    sign_in(client, make_user_with_role(role, username="someone", is_staff=is_staff))

    assert client.get(reverse(IMPORT_URL)).status_code == status
    assert client.post(reverse(CONFIRM_URL), {}).status_code == (403 if status == 403 else status)


def waiting_uploads() -> list[str]:
    storage = storages["import_export"]
    if not storage.exists(IMPORT_UPLOAD_FOLDER):
        return []
    return storage.listdir(IMPORT_UPLOAD_FOLDER)[1]


def test_an_upload_waits_for_its_confirmation_in_the_shared_private_storage(
    admin_client, nazim, monkeypatch, tmp_path
):
    """Not in the application server's own temporary folder: behind a load balancer, the
    confirmation may reach another server than the preview did."""
    server_temp = tmp_path / "server-temp"
    server_temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(server_temp))

    content = upload(admin_client, csv_file(officials_sheet(NEW_OFFICIAL))).content.decode()

    [name] = waiting_uploads()
    path = Path(storages["import_export"].path(f"{IMPORT_UPLOAD_FOLDER}/{name}"))
    assert path.stat().st_mode & 0o777 == 0o600
    assert list(server_temp.iterdir()) == []
    done = admin_client.post(reverse(CONFIRM_URL), confirm_fields(content), follow=True)
    assert "Import finished: 1 new" in done.content.decode()
    assert Official.objects.filter(name="Arbab Muhammad Ali").exists()
    assert waiting_uploads() == []


@pytest.mark.parametrize("name", [".", "..", "../officials.csv", "/etc/passwd"])
def test_a_confirmation_naming_no_upload_of_ours_asks_for_the_file_again(admin_client, nazim, name):
    content = upload(admin_client, csv_file(officials_sheet(NEW_OFFICIAL))).content.decode()

    done = admin_client.post(
        reverse(CONFIRM_URL), {**confirm_fields(content), "import_file_name": name}, follow=True
    )

    assert done.status_code == 200
    assert "The uploaded file is no longer available" in done.content.decode()
    assert not Official.objects.filter(name="Arbab Muhammad Ali").exists()


@pytest.mark.parametrize(
    "tampered",
    [{"format": "9"}, {"format": "abc"}, {"format": "9" * 5000}, {"import_file_name": "x" * 5000}],
)
def test_a_tampered_confirmation_asks_for_the_file_again(admin_client, nazim, tampered):
    content = upload(admin_client, csv_file(officials_sheet(NEW_OFFICIAL))).content.decode()

    done = admin_client.post(
        reverse(CONFIRM_URL), {**confirm_fields(content), **tampered}, follow=True
    )

    assert done.status_code == 200
    assert "The uploaded file is no longer available" in done.content.decode()
    assert not Official.objects.filter(name="Arbab Muhammad Ali").exists()


def test_a_number_too_large_for_any_field_is_refused_at_once():
    """1e1000000 is a million digits: turning it into an integer held an import for
    minutes. It is refused before any arithmetic."""
    from cities.resources import NumberWidget

    for text in ("1e1000000", "1" * 25, "-1e30"):
        with pytest.raises(ValueError, match="too large"):
            NumberWidget(whole=True).clean(text)
    assert NumberWidget(whole=True).clean("1,970,042") == 1_970_042
    assert NumberWidget().clean("31.25") == Decimal("31.25")


def test_uploads_never_confirmed_are_pruned_after_a_day(admin_client, nazim):
    upload(admin_client, csv_file(officials_sheet(NEW_OFFICIAL)))
    upload(admin_client, csv_file(officials_sheet(NAZIM_RENAMED)))
    [first, second] = sorted(
        waiting_uploads(),
        key=lambda n: storages["import_export"].get_modified_time(f"{IMPORT_UPLOAD_FOLDER}/{n}"),
    )
    old = time.time() - 25 * 3600
    os.utime(storages["import_export"].path(f"{IMPORT_UPLOAD_FOLDER}/{first}"), (old, old))

    out = io.StringIO()
    call_command("prune_exports", stdout=out)

    assert waiting_uploads() == [second]
    assert "1 unconfirmed import upload(s) deleted." in out.getvalue()
    assert import_uploads_prune() == 0


def test_admin_confirming_the_same_upload_twice_imports_once(admin_client, nazim):
    content = upload(admin_client, csv_file(officials_sheet(NEW_OFFICIAL))).content.decode()
    fields = confirm_fields(content)
    admin_client.post(reverse(CONFIRM_URL), fields)

    again = admin_client.post(reverse(CONFIRM_URL), fields, follow=True)

    assert again.status_code == 200
    assert "The uploaded file is no longer available" in again.content.decode()
    assert Official.objects.filter(name="Arbab Muhammad Ali").count() == 1


def test_admin_preview_of_a_file_without_the_key_columns_says_which_are_missing(admin_client):
    response = upload(admin_client, csv_file([["full name", "town"], ["A", "B"]]))

    content = response.content.decode()
    assert "The file has no column “name”, “city”, “role”." in content
    assert "Traceback" not in content
    assert 'name="confirm"' not in content


def test_a_large_confirmed_import_runs_in_the_background_as_its_requester(
    admin_client,
    nazim,
    superuser,
    settings,
    monkeypatch,
    tmp_path,
    django_capture_on_commit_callbacks,
):
    from django.core import mail
    from django.core.files.storage import FileSystemStorage

    from cities import tasks

    private = FileSystemStorage(location=tmp_path)
    monkeypatch.setattr(tasks, "storages", {"exports": private})
    settings.IMPORT_BACKGROUND_ROWS = 1
    superuser.email = "root@example.org"
    superuser.save()
    before = counts()
    preview = upload(admin_client, csv_file(officials_sheet(NAZIM_RENAMED, NEW_OFFICIAL)))

    with django_capture_on_commit_callbacks() as queued:
        done = admin_client.post(
            reverse(CONFIRM_URL), confirm_fields(preview.content.decode()), follow=True
        )

    assert "The import runs in the background" in done.content.decode()
    assert counts() == before  # nothing yet: the worker has it
    assert len(queued) == 1

    with django_capture_on_commit_callbacks(execute=True):
        queued[0]()  # enqueue
    from django_tasks_db.models import DBTaskResult

    task = DBTaskResult.objects.get()
    result = tasks.run_import.call(**task.args_kwargs["kwargs"])

    assert result == {"new": 1, "update": 1, "unchanged": 0, "refused": 0}
    ali = Official.objects.get(name="Arbab Muhammad Ali")
    assert ali.history.get().history_user == superuser  # the task acts as its requester
    assert not any(tmp_path.rglob("*.csv"))  # the waiting file is gone
    assert mail.outbox[-1].to == ["root@example.org"]
    assert "1 new and 1 updated" in mail.outbox[-1].body


def test_a_row_matching_an_archived_record_is_refused_and_writes_nothing(superuser, nazim):
    from scn_portal.services import record_archive

    record_archive(instance=nazim.city, actor=superuser)
    before = counts()

    report = import_rows(
        resource_name="officials",
        file_bytes=csv_file(officials_sheet(NAZIM_RENAMED)),
        file_format="csv",
        user=superuser,
        dry_run=False,
    )

    assert not report.written
    assert "is archived: restore it" in " ".join(report.messages)
    assert counts() == before

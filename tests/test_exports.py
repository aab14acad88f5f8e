"""Exports of the staff lists: exactly the filtered rows, readable, safe, logged."""

import csv
import datetime
import io

import pytest
from django.test import Client
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from cities.models import Organisation
from scn_portal.exports import FORMULA_TRIGGERS, Column, _xlsx_cell, csv_lines, neutralise
from scn_portal.models import ExportLog
from tests.auth import sign_in
from tests.conftest import make_user_with_role
from tests.factories import (
    CityFactory,
    ConsultationFactory,
    OfficialFactory,
    OrganisationFactory,
    WorkshopFactory,
)

pytestmark = pytest.mark.django_db


def csv_rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff"), "Excel needs the byte-order mark to read UTF-8"
    return list(csv.reader(io.StringIO(body.removeprefix("\ufeff"))))


def xlsx_rows(response) -> list[tuple]:
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return list(workbook.active.iter_rows(values_only=True))


@pytest.fixture
def consultations():
    quetta = CityFactory(name="Quetta", name_local="کوئٹہ")
    peshawar = CityFactory(name="Peshawar")
    mayor = OfficialFactory(city=quetta, name="Mayor of Quetta")
    ConsultationFactory(
        city=quetta, title="Quetta talk", date=datetime.date(2017, 11, 2), officials=[mayor]
    )
    ConsultationFactory(city=quetta, title="Quetta follow-up", date=datetime.date(2018, 3, 1))
    ConsultationFactory(city=peshawar, title="Peshawar talk", date=datetime.date(2017, 11, 1))
    return quetta


def test_csv_export_holds_exactly_the_filtered_rows_with_names_and_iso_dates(
    staff_client, consultations
):
    response = staff_client.get(
        "/consultations/", {"city": consultations.pk, "o": "date", "export": "csv"}
    )

    rows = csv_rows(response)
    assert response["Content-Disposition"].startswith('attachment; filename="scn-consultations-')
    assert rows[0][:3] == ["Date", "City", "Title"]
    assert [row[:3] for row in rows[1:]] == [
        ["2017-11-02", "Quetta", "Quetta talk"],
        ["2018-03-01", "Quetta", "Quetta follow-up"],
    ]
    assert rows[1][5] == "Mayor of Quetta"


def test_excel_export_holds_the_filtered_rows_with_real_date_cells(staff_client, consultations):
    response = staff_client.get(
        "/consultations/", {"city": consultations.pk, "o": "-date", "export": "xlsx"}
    )

    rows = xlsx_rows(response)
    assert rows[0][:3] == ("Date", "City", "Title")
    assert [row[1:3] for row in rows[1:]] == [
        ("Quetta", "Quetta follow-up"),
        ("Quetta", "Quetta talk"),
    ]
    assert rows[1][0] == datetime.datetime(2018, 3, 1)  # noqa: DTZ001 - a date cell, not text


def test_urdu_survives_both_formats(staff_client, consultations):
    csv_text = csv_rows(staff_client.get("/cities/", {"export": "csv"}))
    excel = xlsx_rows(staff_client.get("/cities/", {"export": "xlsx"}))

    assert any("کوئٹہ" in row for row in csv_text)
    assert any("کوئٹہ" in row for row in excel)


@pytest.mark.parametrize(
    ("path", "header"),
    [
        ("/cities/", "City"),
        ("/officials/", "Name"),
        ("/organisations/", "Name"),
        ("/workshops/", "Title"),
        ("/consultations/", "Date"),
        ("/next-steps/", "Title"),
    ],
)
def test_every_staff_list_exports_both_formats_and_logs_it(staff_client, staff_user, path, header):
    WorkshopFactory(cities=[CityFactory()])

    for file_format in ("csv", "xlsx"):
        response = staff_client.get(path, {"export": file_format, "q": ""})
        rows = csv_rows(response) if file_format == "csv" else xlsx_rows(response)
        assert rows[0][0] == header

    logs = list(ExportLog.objects.filter(user=staff_user).order_by("created_at"))
    assert [log.file_format for log in logs] == ["csv", "xlsx"]
    assert all(log.row_count is not None for log in logs)
    assert logs[0].filters == {"q": [""]}


def test_a_partner_exports_only_their_own_workshops(client):
    individualland = OrganisationFactory(name="Individualland")
    partner = make_user_with_role("Partner editor")
    individualland.members.add(partner)
    WorkshopFactory(title="Own draft", organiser=individualland, is_published=False)
    WorkshopFactory(title="Other draft", is_published=False)
    sign_in(client, partner)

    rows = csv_rows(client.get("/workshops/", {"export": "csv"}))

    assert [row[0] for row in rows[1:]] == ["Own draft"]
    assert ExportLog.objects.get(user=partner).row_count == 1


def test_contact_details_are_exported_to_isd_staff_only(staff_client):
    from django.test import Client

    OfficialFactory(email="private@example.org")
    client = Client()
    sign_in(client, make_user_with_role("Viewer"))

    staff_rows = csv_rows(staff_client.get("/officials/", {"export": "csv"}))
    viewer_rows = csv_rows(client.get("/officials/", {"export": "csv"}))

    assert "private@example.org" in staff_rows[1]
    assert "E-mail" not in viewer_rows[0]
    assert all("private@example.org" not in row for row in viewer_rows)


def test_an_invalid_filter_exports_no_rows(staff_client, consultations):
    rows = csv_rows(
        staff_client.get("/consultations/", {"date_after": "nonsense", "export": "csv"})
    )

    assert len(rows) == 1


def test_formula_cells_are_neutralised_in_both_formats(staff_client):
    OrganisationFactory(
        name='=HYPERLINK("http://evil.example","x")', short_name="+1", is_published=True
    )

    csv_text = csv_rows(staff_client.get("/organisations/", {"export": "csv"}))
    excel = xlsx_rows(staff_client.get("/organisations/", {"export": "xlsx"}))

    assert csv_text[1][0] == '\'=HYPERLINK("http://evil.example","x")'
    assert csv_text[1][1] == "'+1"
    assert excel[1][0].startswith("'=")
    assert Organisation.objects.count() == 1


def xlsx_round_trip(text: str):
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("t")
    sheet.append([_xlsx_cell(sheet, text)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return load_workbook(io.BytesIO(buffer.getvalue())).active["A1"]


def csv_round_trip(text: str) -> str:
    column = Column("h", "h")
    body = "".join(csv_lines([[text]], [column])).removeprefix("\ufeff")
    return list(csv.reader(io.StringIO(body, newline="")))[1][0]


@settings(max_examples=300, deadline=None)  # building a workbook takes a while
@given(st.text())
def test_no_text_ever_becomes_a_formula_and_other_text_survives(text):
    cell = xlsx_round_trip(text)
    in_excel = cell.value or ""
    in_csv = csv_round_trip(text)

    assert cell.data_type != "f"
    assert not in_excel.startswith(FORMULA_TRIGGERS)
    assert not in_csv.startswith(FORMULA_TRIGGERS)
    # An .xlsx file is XML, whose line ends are always "\n": a carriage return reads back so.
    as_xml = neutralise(text).replace("\r\n", "\n").replace("\r", "\n")
    assert in_csv == neutralise(text)
    assert in_excel == as_xml
    if not text.startswith(FORMULA_TRIGGERS) and not ILLEGAL_CHARACTERS_RE.search(text):
        assert in_csv == text  # nothing else changes


def test_consultation_export_queries_do_not_grow_with_rows(staff_client):
    from tests.queries import assert_queries_do_not_grow, count_queries

    def export():
        b"".join(staff_client.get("/consultations/", {"export": "csv"}).streaming_content)

    for _ in range(2):
        ConsultationFactory(officials=[OfficialFactory()])
    few = count_queries(export)
    for _ in range(20):
        ConsultationFactory(officials=[OfficialFactory()])
    many = count_queries(export)

    assert_queries_do_not_grow(few, many)


def test_next_step_export_names_the_owner_or_leaves_the_cell_empty(staff_client):
    from tests.factories import NextStepFactory, UserFactory

    NextStepFactory(title="Owned", owner=UserFactory(first_name="Sana", last_name="Staff"))
    NextStepFactory(title="Unowned", owner=None)

    rows = {
        row[0]: row[3] for row in csv_rows(staff_client.get("/next-steps/", {"export": "csv"}))[1:]
    }

    assert rows == {"Owned": "Sana Staff", "Unowned": ""}


def test_the_counted_columns_count_each_rows_own_records_and_zero_for_none(staff_client):
    from tests.factories import FindingFactory, ParticipationFactory

    counted = ConsultationFactory(title="Three findings")
    FindingFactory.create_batch(3, consultation=counted)
    ConsultationFactory(title="No finding")
    workshop = WorkshopFactory(title="Two participants")
    ParticipationFactory.create_batch(2, workshop=workshop)
    WorkshopFactory(title="No participant")

    consultations = csv_rows(staff_client.get("/consultations/", {"export": "csv"}))
    findings = consultations[0].index("Key findings")
    workshops = xlsx_rows(staff_client.get("/workshops/", {"export": "xlsx"}))
    participants = workshops[0].index("Participants")

    assert {row[2]: row[findings] for row in consultations[1:]} == {
        "Three findings": "3",
        "No finding": "0",
    }
    assert {row[0]: row[participants] for row in workshops[1:]} == {
        "Two participants": 2,
        "No participant": 0,
    }


def test_csv_text_comes_in_whole_lines_and_holds_every_row_in_order():
    from scn_portal.exports import CSV_BATCH

    rows = [[f"row {number}", number, None, True] for number in range(2 * CSV_BATCH + 7)]
    columns = [Column(header, header) for header in ("Text", "Number", "Empty", "Flag")]

    pieces = list(csv_lines(rows, columns))
    read = list(csv.reader(io.StringIO("".join(pieces).removeprefix("\ufeff"), newline="")))

    assert all(piece.endswith("\r\n") for piece in pieces)
    assert len(pieces) == 1 + 3  # the header, then two full batches and the rest
    assert read[0] == ["Text", "Number", "Empty", "Flag"]
    assert read[1:] == [[f"row {n}", str(n), "", "yes"] for n in range(2 * CSV_BATCH + 7)]


def test_name_columns_hold_each_rows_own_names_in_order(staff_client):
    """Each row gets its own names, sorted, and a row with none an empty cell; archived
    officials are left out, and a team member without a full name is named by user name."""
    from django.utils import timezone

    from tests.factories import UserFactory

    sana = UserFactory(username="sana", first_name="Sana", last_name="Staff")
    bare = UserFactory(username="tariq")  # no full name: the user name stands in
    archived = OfficialFactory(name="Archived official", archived_at=timezone.now())
    for number in range(5):
        consultation = ConsultationFactory(
            title=f"Talk {number}",
            date=datetime.date(2017, 1, 1) + datetime.timedelta(days=number),
            officials=[
                OfficialFactory(name=f"Zainab {number}"),
                OfficialFactory(name=f"Ahmed {number}"),
                archived,
            ],
        )
        consultation.team_members.set([sana, bare] if number % 2 else [sana])
    ConsultationFactory(title="Nobody met", date=datetime.date(2016, 1, 1))

    rows = csv_rows(staff_client.get("/consultations/", {"export": "csv", "o": "date"}))
    officials = rows[0].index("Officials met")
    team = rows[0].index("ISD team members")

    assert [(row[2], row[officials], row[team]) for row in rows[1:]] == [
        ("Nobody met", "", ""),
        *(
            (
                f"Talk {number}",
                f"Ahmed {number}; Zainab {number}",
                "Sana Staff; tariq" if number % 2 else "Sana Staff",
            )
            for number in range(5)
        ),
    ]


def test_a_partners_workshop_export_names_only_the_cities_they_may_see(client):
    individualland = OrganisationFactory(name="Individualland")
    partner = make_user_with_role("Partner editor")
    individualland.members.add(partner)
    cities = [
        CityFactory(name="Quetta"),
        CityFactory(name="Hidden city", is_published=False),
        CityFactory(name="Peshawar"),
    ]
    WorkshopFactory(title="Own workshop", organiser=individualland, cities=cities)
    sign_in(client, partner)

    rows = csv_rows(client.get("/workshops/", {"export": "csv"}))

    assert rows[1][rows[0].index("Cities")] == "Peshawar; Quetta"
    assert all("Hidden city" not in cell for row in rows for cell in row)


# --- Rows read alongside the writing (scn_portal.exports._read_alongside) ------------------


def export_readers() -> list:
    import threading

    return [thread for thread in threading.enumerate() if thread.name == "export-reader"]


@pytest.mark.django_db(transaction=True)
def test_a_streamed_export_reads_its_rows_on_a_connection_of_its_own_every_row_in_order(
    monkeypatch, roles_restored
):
    """Outside a transaction (a real request: the view's transaction ends before the CSV
    streams) a reader thread reads the rows on PostgreSQL, a few at a time here, while they
    are written; on SQLite they are read where they are written (its locks)."""
    from django.db import connection

    from scn_portal import exports

    monkeypatch.setattr(exports, "CHUNK", 3)
    read_alongside = []
    original = exports._read_alongside
    monkeypatch.setattr(
        exports, "_read_alongside", lambda values: read_alongside.append(1) or original(values)
    )
    client = Client()
    sign_in(client, make_user_with_role("ISD staff"))
    mayor = OfficialFactory(name="Mayor of Quetta")
    for day in range(1, 11):
        ConsultationFactory(
            title=f"Talk {day}", date=datetime.date(2017, 11, day), officials=[mayor]
        )

    rows = csv_rows(client.get("/consultations/", {"export": "csv", "o": "date"}))

    assert read_alongside == ([1] if connection.vendor == "postgresql" else [])
    officials = rows[0].index("Officials met")
    assert [(row[2], row[officials]) for row in rows[1:]] == [
        (f"Talk {day}", "Mayor of Quetta") for day in range(1, 11)
    ]
    assert export_readers() == []


@pytest.mark.django_db(transaction=True)
def test_an_export_stopped_early_stops_its_reader_and_a_reader_error_reaches_the_writer(
    monkeypatch,
):
    """A client that goes away, or an export cancelled, closes the rows: the reader stops
    and leaves no connection behind. A failure while reading is raised where rows are read."""
    from django.db import DatabaseError
    from django.db.models.expressions import RawSQL

    from consultations.models import Consultation
    from scn_portal import exports

    monkeypatch.setattr(exports, "CHUNK", 2)
    for day in range(1, 11):
        ConsultationFactory(date=datetime.date(2017, 11, day))
    columns = [Column("Title", "title")]

    in_order = Consultation.objects.order_by("date")
    rows = exports.export_rows(in_order, columns)
    first = next(rows)
    rows.close()

    assert first == (in_order.first().title,)
    assert export_readers() == []
    failing = Consultation.objects.annotate(broken=RawSQL("no_such_column", ()))
    with pytest.raises(DatabaseError):
        list(exports.export_rows(failing, [Column("Broken", "broken")]))
    assert export_readers() == []


@pytest.mark.django_db(transaction=True)
def test_a_background_export_failing_while_it_writes_leaves_no_reader_or_transaction(
    monkeypatch, settings, tmp_path, roles_restored
):
    """An error in the writing (here, its progress report) left the reader waiting, its
    transaction open, until the rows were collected, however late (found by a review)."""
    from django.db import DatabaseError, connection

    from scn_portal import exports, tasks
    from scn_portal.models import ExportJob
    from scn_portal.services import export_job_start

    settings.EXPORT_FILES_ROOT = tmp_path
    monkeypatch.setattr(exports, "CHUNK", 2)
    for day in range(1, 11):
        ConsultationFactory(date=datetime.date(2017, 11, day))
    job = export_job_start(
        user=make_user_with_role("ISD staff"),
        view="consultations.views.ConsultationListView",
        path="/consultations/",
        export="consultations",
        file_format="csv",
        filters={},
        rows_total=10,
    )

    def fail(progress, rows_done):  # a database error, as Django raises it
        with connection.cursor() as cursor:
            cursor.execute("SELECT no_such_column")

    monkeypatch.setattr(tasks._Progress, "__call__", fail)
    with pytest.raises(DatabaseError):
        tasks.run_export_job.call(str(job.pk))

    assert export_readers() == []
    assert ExportJob.objects.get(pk=job.pk).status == "failed"
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE state = 'idle in transaction' "
                "AND datname = current_database() AND pid <> pg_backend_pid()"
            )
            assert cursor.fetchone()[0] == 0

"""The funders' summary: the period's and place's figures, on the page and in Excel, in scope."""

import datetime
import io
import re
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from cities.models import Official
from consultations.models import Consultation, Finding, NextStep
from scn_portal import roles
from scn_portal.models import ExportLog
from tests.auth import sign_in
from tests.conftest import make_user_with_role
from tests.factories import (
    CityFactory,
    ConsultationFactory,
    CountryFactory,
    FindingFactory,
    NextStepFactory,
    OfficialFactory,
    OrganisationFactory,
    ParticipationFactory,
    RegionalHubFactory,
    WorkshopFactory,
)
from tests.queries import assert_queries_do_not_grow, count_queries
from workshops.models import Participation

pytestmark = pytest.mark.django_db

URL = "/funders/"
TODAY = timezone.localdate()
START = TODAY - datetime.timedelta(days=200)
END = TODAY + datetime.timedelta(days=100)
PERIOD = {"start": START.isoformat(), "end": END.isoformat()}


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


BEFORE_PERIOD = START - datetime.timedelta(days=10)
PAST, FUTURE = days(-30), days(30)  # both inside the period


@pytest.fixture
def world():
    """Two cities in the South Asia hub (Pakistan), one elsewhere; records inside and outside
    the period. The expected figures in the tests are counted by hand from this."""
    south_asia = RegionalHubFactory(name="South Asia", slug="south-asia")
    pakistan = CountryFactory(name="Pakistan", code="PK")
    quetta = CityFactory(name="Quetta", hub=south_asia, country=pakistan)
    peshawar = CityFactory(name="Peshawar", hub=south_asia, country=pakistan)
    lagos = CityFactory(name="Lagos")  # another hub and country
    roles_ = Official.RoleKind
    genders = Official.Gender
    q1 = OfficialFactory(city=quetta, role_kind=roles_.MAYOR, gender=genders.FEMALE)
    q2 = OfficialFactory(city=quetta, role_kind=roles_.COUNCILLOR, gender=genders.MALE)
    q3 = OfficialFactory(city=quetta, role_kind=roles_.COUNCILLOR, gender=genders.MALE)
    q4 = OfficialFactory(city=quetta, role_kind=roles_.POLICE, gender=genders.FEMALE)
    q5 = OfficialFactory(city=quetta, role_kind=roles_.CIVIL_SERVANT)  # gender not recorded
    q6 = OfficialFactory(city=quetta, role_kind=roles_.MAYOR, gender=genders.MALE)
    l1 = OfficialFactory(city=lagos, role_kind=roles_.POLICE, gender=genders.MALE)
    l2 = OfficialFactory(city=lagos, role_kind=roles_.COUNCILLOR, gender=genders.MALE)

    # Workshops: held in the period (Quetta; Lagos; no city), planned later in the period
    # (Peshawar), and one before the period (Quetta).
    w_quetta = WorkshopFactory(start_date=PAST, end_date=PAST, cities=[quetta])
    w_lagos = WorkshopFactory(start_date=days(-100), end_date=days(-99), cities=[lagos])
    WorkshopFactory(start_date=days(-5), end_date=days(-5))
    WorkshopFactory(start_date=FUTURE, end_date=FUTURE, cities=[peshawar])
    w_old = WorkshopFactory(start_date=BEFORE_PERIOD, end_date=BEFORE_PERIOD, cities=[quetta])
    ParticipationFactory(workshop=w_quetta, official=q1)
    ParticipationFactory(workshop=w_quetta, official=q2, attendance=Participation.Attendance.ABSENT)
    ParticipationFactory(workshop=w_lagos, official=l1, attendance=Participation.Attendance.PARTLY)
    ParticipationFactory(workshop=w_old, official=q3)
    ParticipationFactory(workshop=w_quetta, official=None, name="Federal minister", city=None)

    internal = Consultation.Confidentiality.INTERNAL
    c1 = ConsultationFactory(city=quetta, date=PAST, confidentiality=internal, officials=[q1, q4])
    c2 = ConsultationFactory(
        city=quetta,
        date=days(-60),
        confidentiality=Consultation.Confidentiality.CONFIDENTIAL,
        officials=[q5],
    )
    c3 = ConsultationFactory(city=lagos, date=days(-10), confidentiality=internal, officials=[l2])
    c_old = ConsultationFactory(
        city=quetta, date=BEFORE_PERIOD, confidentiality=internal, officials=[q6]
    )
    theme = Finding.Theme
    FindingFactory.create_batch(2, consultation=c1, theme=theme.GOVERNANCE_CAPACITY)
    FindingFactory(consultation=c1, theme=theme.NEEDS)
    FindingFactory.create_batch(2, consultation=c2, theme=theme.POLICING)
    FindingFactory(consultation=c3, theme=theme.SECURITY)
    FindingFactory(consultation=c_old, theme=theme.GOVERNANCE_CAPACITY)

    status = NextStep.Status
    NextStepFactory(city=quetta, due_date=days(-50), status=status.DONE, completed_on=days(-40))
    NextStepFactory(city=quetta, due_date=days(-20))  # overdue
    NextStepFactory(city=quetta, due_date=FUTURE, status=status.IN_PROGRESS)  # open
    NextStepFactory(city=lagos, due_date=days(-20), status=status.BLOCKED)  # overdue
    NextStepFactory(city=quetta, due_date=BEFORE_PERIOD)  # overdue, but due before the period
    NextStepFactory(city=None, consultation=c2, due_date=days(-20))  # overdue, confidential
    NextStepFactory(city=quetta, due_date=FUTURE, status=status.CANCELLED)
    NextStepFactory(  # due after the period, completed in it
        city=peshawar,
        due_date=END + datetime.timedelta(days=30),
        status=status.DONE,
        completed_on=days(-1),
    )
    return {"hub": south_asia, "country": pakistan, "quetta": quetta, "lagos": lagos}


# Counted by hand from `world`, for ISD staff, without a place filter.
ALL_PLACES = {
    "headline": {
        "Workshops held": 3,
        "Workshops planned later in the period": 1,
        "Consultations": 3,
        # q1 (workshop and consultation), q4, q5 (consultations), l1 (in part), l2.
        "Officials engaged": 5,
        "Key findings": 6,
    },
    "officials_by_role": {
        "Mayor / district nazim": 1,
        "Police": 2,
        "Councillor": 1,
        "Civil servant": 1,
        "Deputy mayor": 0,
    },
    "officials_by_gender": {"Female": 2, "Male": 2, "Not recorded": 1, "Other": 0},
    "findings_by_theme": {
        "Governance capacity": 2,
        "Needs and frustrations": 1,
        "Policing": 2,
        "Security situation": 1,
        "Other": 0,
    },
    "next_steps": {"Done": 2, "Open": 1, "Overdue": 3, "Cancelled": 1},
}
# The South Asia hub: Quetta and Peshawar.
SOUTH_ASIA = {
    "headline": {
        "Workshops held": 1,
        "Workshops planned later in the period": 1,
        "Consultations": 2,
        "Officials engaged": 3,  # q1, q4, q5
        "Key findings": 5,
    },
    "officials_by_role": {
        "Mayor / district nazim": 1,
        "Police": 1,
        "Councillor": 0,
        "Civil servant": 1,
    },
    "officials_by_gender": {"Female": 2, "Male": 0, "Not recorded": 1},
    "findings_by_theme": {
        "Governance capacity": 2,
        "Needs and frustrations": 1,
        "Policing": 2,
        "Security situation": 0,
    },
    # The confidential consultation's step has no city: it counts by its consultation's.
    "next_steps": {"Done": 2, "Open": 1, "Overdue": 2, "Cancelled": 1},
}
# A viewer, without a place filter: the confidential consultation, its official, its
# findings and its next step are not counted.
VIEWER_ALL_PLACES = {
    "headline": {
        "Workshops held": 3,
        "Workshops planned later in the period": 1,
        "Consultations": 2,
        "Officials engaged": 4,
        "Key findings": 4,
    },
    "officials_by_role": {"Civil servant": 0, "Police": 2},
    "officials_by_gender": {"Not recorded": 0, "Female": 2},
    "findings_by_theme": {"Policing": 0, "Governance capacity": 2},
    "next_steps": {"Done": 2, "Open": 1, "Overdue": 2, "Cancelled": 1},
}


def page_tables(content: str) -> dict[str, dict[str, int]]:
    """Each figures table on the page, by its key, as {row label: number}."""
    tables = {}
    for key, body in re.findall(
        r'<table[^>]*id="table-(\w+)".*?<tbody>(.*?)</tbody>', content, re.DOTALL
    ):
        rows = re.findall(r'<th scope="row"[^>]*>(.*?)</th><td[^>]*>(\d+)</td>', body)
        tables[key] = {unescape(label): int(value) for label, value in rows}
    return tables


def workbook_tables(response) -> tuple[dict[str, object], dict[str, dict[str, int]]]:
    """The Excel file's "Summary" header cells and its tables, as on the page."""
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    workbook = load_workbook(io.BytesIO(response.content))
    summary, *others = workbook.worksheets
    rows = list(summary.iter_rows(values_only=True))
    blank = rows.index((None, None))
    header = {row[0]: row[1] for row in rows[1:blank]}
    tables = {"headline": dict(rows[blank + 2 :])}
    keys = ["officials_by_role", "officials_by_gender", "findings_by_theme", "next_steps"]
    for key, sheet in zip(keys, others, strict=True):
        tables[key] = dict(list(sheet.iter_rows(values_only=True))[1:])
    return header, tables


def assert_figures(tables: dict[str, dict[str, int]], expected: dict[str, dict[str, int]]):
    for key, figures in expected.items():
        for label, value in figures.items():
            assert tables[key][label] == value, f"{key}: {label}"
            assert isinstance(tables[key][label], int)


@pytest.fixture
def viewer_client(client):
    sign_in(client, make_user_with_role(roles.VIEWER, username="funder"))
    return client


def test_the_page_shows_the_periods_figures_for_every_place(staff_client, world):
    response = staff_client.get(URL, PERIOD)

    assert response.status_code == 200
    assert_figures(page_tables(response.content.decode()), ALL_PLACES)


def test_the_excel_file_holds_the_same_figures_as_numbers_and_the_period_as_dates(
    staff_client, world
):
    response = staff_client.get(URL, {**PERIOD, "export": "xlsx"})

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="scn-funders-summary-')
    header, tables = workbook_tables(response)
    assert header["From"] == datetime.datetime.combine(START, datetime.time())
    assert header["To"] == datetime.datetime.combine(END, datetime.time())
    assert_figures(tables, ALL_PLACES)


def test_a_hub_keeps_only_its_cities_records(staff_client, world):
    query = {**PERIOD, "hub": world["hub"].pk}

    page = page_tables(staff_client.get(URL, query).content.decode())
    header, workbook = workbook_tables(staff_client.get(URL, {**query, "export": "xlsx"}))

    assert_figures(page, SOUTH_ASIA)
    assert_figures(workbook, SOUTH_ASIA)
    assert header["Hub"] == "South Asia"


def test_a_country_and_its_city_narrow_the_summary_alike(staff_client, world):
    by_country = page_tables(
        staff_client.get(URL, {**PERIOD, "country": world["country"].pk}).content.decode()
    )
    by_city = page_tables(
        staff_client.get(
            URL, {**PERIOD, "country": world["country"].pk, "city": world["quetta"].pk}
        ).content.decode()
    )

    assert_figures(by_country, SOUTH_ASIA)
    # Quetta alone: the Peshawar workshop planned and the Peshawar step done drop out.
    assert by_city["headline"]["Workshops planned later in the period"] == 0
    assert by_city["next_steps"]["Done"] == 1
    assert by_city["headline"]["Officials engaged"] == 3


def test_a_viewer_never_counts_a_confidential_consultation(viewer_client, world):
    page = page_tables(viewer_client.get(URL, PERIOD).content.decode())
    _, workbook = workbook_tables(viewer_client.get(URL, {**PERIOD, "export": "xlsx"}))

    assert_figures(page, VIEWER_ALL_PLACES)
    assert_figures(workbook, VIEWER_ALL_PLACES)


def test_a_partner_editor_gets_not_found(client, world):
    partner = make_user_with_role(roles.PARTNER_EDITOR, username="partner")
    OrganisationFactory().members.add(partner)
    sign_in(client, partner)

    assert client.get(URL, PERIOD).status_code == 404
    assert client.get(URL, {**PERIOD, "export": "xlsx"}).status_code == 404
    assert not ExportLog.objects.exists()


def test_the_navbar_links_the_summary_only_for_those_who_may_open_it(client, viewer_client):
    assert reverse("funders_summary") in viewer_client.get("/dashboard/").content.decode()

    partner = make_user_with_role(roles.PARTNER_EDITOR, username="partner")
    sign_in(client, partner)
    assert reverse("funders_summary") not in client.get("/dashboard/").content.decode()


def test_without_a_period_the_summary_is_of_the_current_year(staff_client, world):
    response = staff_client.get(URL)

    content = response.content.decode()
    assert f'value="{TODAY.year}-01-01"' in content
    assert f'value="{TODAY.year}-12-31"' in content
    assert "table-headline" in content
    assert f"start={TODAY.year}-01-01" in content  # the Excel link asks for the shown period


def test_an_export_and_a_shown_summary_each_leave_an_export_log_row(staff_client, staff_user):
    query = {**PERIOD, "hub": ""}
    staff_client.get(URL, {**query, "export": "xlsx"})
    staff_client.get(URL, query)

    xlsx, html = ExportLog.objects.order_by("pk")
    assert (xlsx.user, xlsx.export, xlsx.file_format) == (staff_user, "funders-summary", "xlsx")
    assert xlsx.filters == {"start": [START.isoformat()], "end": [END.isoformat()], "hub": [""]}
    assert (
        xlsx.row_count == 5 + len(Official.RoleKind) + len(Official.Gender) + len(Finding.Theme) + 4
    )
    assert html.file_format == "html"


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"start": "2025-03-01", "end": "2025-02-01"}, "end", "cannot end before it starts"),
        ({"start": "2025-02-30", "end": "2025-03-01"}, "start", "Enter a valid date"),
        ({"start": "", "end": "2025-03-01"}, "start", "This field is required"),
        ({"start": "not a date\x00", "end": "2025-03-01"}, "start", "Enter a valid date"),
        ({"city": "999999"}, "city", "Select a valid choice"),
        ({"city": "99999999999999999999999"}, "city", "Select a valid choice"),
        ({"hub": "abc"}, "hub", "Select a valid choice"),
        ({"country": "1\x00"}, "country", "Null characters are not allowed"),
    ],
)
def test_bad_input_shows_the_forms_errors_and_no_figures(staff_client, query, field, message):
    for extra in ({}, {"export": "xlsx"}):
        response = staff_client.get(URL, {**query, **extra})

        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/html")
        content = unescape(response.content.decode())
        assert message in content
        assert f'id="id_{field}"' in content
        assert "is-invalid" in content
        assert "table-headline" not in content
    assert not ExportLog.objects.exists()


def test_a_city_outside_the_chosen_hub_is_an_error(staff_client, world):
    response = staff_client.get(URL, {**PERIOD, "hub": world["hub"].pk, "city": world["lagos"].pk})

    assert "This city is not in the chosen hub." in unescape(response.content.decode())
    assert "table-headline" not in response.content.decode()


def test_the_charts_are_svg_with_a_title_and_no_inline_style(staff_client, world):
    content = staff_client.get(URL, PERIOD).content.decode()

    charts = re.findall(r"<svg class=\"engagement-chart funders-chart\".*?</svg>", content, re.S)
    assert len(charts) == 4
    assert all('role="img"' in chart and "<title" in chart for chart in charts)
    assert "style=" not in content
    assert "<script>" not in content


def more_records(world, n: int) -> None:
    """`n` more of every kind of record the summary counts, all inside the period."""
    quetta = world["quetta"]
    for _ in range(n):
        official = OfficialFactory(city=quetta)
        workshop = WorkshopFactory(start_date=PAST, end_date=PAST, cities=[quetta])
        ParticipationFactory(workshop=workshop, official=official)
        consultation = ConsultationFactory(city=quetta, date=PAST, officials=[official])
        FindingFactory(consultation=consultation)
        NextStepFactory(city=quetta, consultation=consultation, due_date=PAST)


@pytest.mark.parametrize("export", [{}, {"export": "xlsx"}])
def test_the_query_count_does_not_grow_with_the_records(staff_client, world, export):
    query = {**PERIOD, "hub": world["hub"].pk, **export}
    more_records(world, 1)
    staff_client.get(URL, query)  # warm the session and the role cache
    few = count_queries(lambda: staff_client.get(URL, query))
    more_records(world, 6)
    many = count_queries(lambda: staff_client.get(URL, query))

    assert_queries_do_not_grow(few, many)

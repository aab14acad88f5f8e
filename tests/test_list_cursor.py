"""Keyset pagination: "Next" and "Previous" carry a signed cursor, and the page they lead to
holds exactly the rows the page number would (scn_portal.generic.ListCursor)."""

import base64
import datetime
import re
from html import unescape
from urllib.parse import unquote

import pytest
from django.core import signing
from django.db import connection
from django.urls import reverse

from cities.models import Organisation
from scn_portal.generic import EstimatingPaginator, ListCursor
from tests.factories import (
    CityFactory,
    ConsultationFactory,
    FindingFactory,
    NextStepFactory,
    OrganisationFactory,
    ParticipationFactory,
    WorkshopFactory,
)
from tests.queries import assert_queries_do_not_grow, count_queries

pytestmark = pytest.mark.django_db

PAGE = 25
DAYS = [datetime.date(2020, 1, 1), datetime.date(2021, 6, 1), datetime.date(2022, 3, 3)]


def consultations(count: int) -> None:
    city = CityFactory()
    for number in range(count):  # ties on date and title: only the key orders them
        ConsultationFactory(city=city, date=DAYS[number % 3], title=f"Visit {number % 2}")


def findings(count: int) -> None:
    consultation_list = [ConsultationFactory(date=day, title="Same") for day in DAYS]
    for number in range(count):
        FindingFactory(consultation=consultation_list[number % 3], position=number % 4)


def participants(count: int) -> None:
    workshop = WorkshopFactory()
    for number in range(count):
        ParticipationFactory(workshop=workshop, is_high_level=number % 2 == 0)


def next_steps(count: int) -> None:
    for number in range(count):  # every fourth without a due date
        due = None if number % 4 == 0 else DAYS[number % 3]
        NextStepFactory(due_date=due, title=f"Step {number % 2}")


def organisations(count: int) -> None:
    kinds = list(Organisation.Kind)
    for _ in range(count):  # ties on the kind sorted by
        OrganisationFactory(kind=kinds[count % 2])
        count -= 1


# list: (URL name, rows, filters, whether its links carry a cursor). The next steps' due
# date may be empty: a NULL compares with nothing, so that list goes by page numbers.
LISTS = {
    "consultations": ("consultations:consultation_list", consultations, {}, True),
    "findings": ("consultations:finding_list", findings, {}, True),
    "participants": ("workshops:participation_list", participants, {}, True),
    "next steps": ("consultations:next_step_list", next_steps, {}, False),
    "organisations sorted by kind": (
        "cities:organisation_list",
        organisations,
        {"o": "-kind"},
        True,
    ),
}


def rows_of(response) -> list[int]:
    assert response.status_code == 200
    return [row.pk for row in response.context["page_obj"].object_list]


def link(response, rel: str) -> str | None:
    found = re.search(rf'href="([^"]*)" rel="{rel}"', response.content.decode())
    return unescape(found.group(1)) if found else None


@pytest.mark.parametrize("name", LISTS)
def test_next_and_previous_links_lead_to_the_pages_the_numbers_show(staff_client, name):
    url_name, make, filters, keyset = LISTS[name]
    make(3 * PAGE + 7)
    url = reverse(url_name)
    pages = 4
    by_number = [
        rows_of(staff_client.get(url, {**filters, "page": page})) for page in range(1, pages + 1)
    ]

    response = staff_client.get(url, filters)
    forwards = [rows_of(response)]
    for _ in range(pages - 1):
        next_link = link(response, "next")
        assert ("after=" in next_link) is keyset
        response = staff_client.get(url + next_link)
        forwards.append(rows_of(response))
    backwards = [rows_of(response)]
    for _ in range(pages - 1):
        previous_link = link(response, "prev")
        assert ("before=" in previous_link) is keyset
        response = staff_client.get(url + previous_link)
        backwards.insert(0, rows_of(response))

    assert forwards == by_number
    assert backwards == by_number
    every_row = [key for page in by_number for key in page]
    assert len(every_row) == len(set(every_row)) == 3 * PAGE + 7


def test_a_tampered_cursor_is_ignored_and_the_page_found_by_its_number(staff_client):
    consultations(2 * PAGE + 1)
    url = reverse("consultations:consultation_list")
    second = rows_of(staff_client.get(url, {"page": 2}))
    next_link = link(staff_client.get(url), "next")

    tampered = staff_client.get(url + next_link.replace("after=", "after=x"))
    garbage = staff_client.get(url, {"page": 2, "after": "not-a-cursor", "before": "{}"})
    other_page = staff_client.get(url + next_link.replace("page=2", "page=3"))

    assert rows_of(tampered) == second
    assert rows_of(garbage) == second
    assert rows_of(other_page) == rows_of(staff_client.get(url, {"page": 3}))


def test_a_cursor_made_under_other_filters_is_ignored(staff_client):
    consultations(2 * PAGE + 1)
    url = reverse("consultations:consultation_list")
    next_link = link(staff_client.get(url), "next")

    response = staff_client.get(url + next_link + "&date_after=2021-01-01")

    expected = rows_of(staff_client.get(url, {"page": 2, "date_after": "2021-01-01"}))
    assert rows_of(response) == expected


def test_a_page_reached_by_its_cursor_makes_as_many_queries_with_more_rows(staff_client):
    url = reverse("consultations:consultation_list")

    def second_page():
        return staff_client.get(url + link(staff_client.get(url), "next"))

    consultations(2 * PAGE + 1)
    few = count_queries(second_page)
    consultations(3 * PAGE)
    many = count_queries(second_page)

    assert_queries_do_not_grow(few, many)


def test_a_cursor_names_its_row_by_key_only(staff_client):
    city = CityFactory()
    for _ in range(PAGE + 1):
        ConsultationFactory(city=city, title="Talks with the deputy mayor", date=DAYS[0])
    url = reverse("consultations:consultation_list")

    next_link = link(staff_client.get(url), "next")
    token = unquote(re.search(r"after=([^&]+)", next_link).group(1))
    payload = signing.loads(token, salt=ListCursor.SALT)

    assert set(payload) == {"page", "filters", "key"}
    assert "deputy" not in base64.urlsafe_b64decode(token.split(":")[0] + "==").decode()


def test_a_cursor_whose_row_left_the_list_falls_back_to_the_page_number(staff_client):
    consultations(2 * PAGE + 1)
    url = reverse("consultations:consultation_list")
    first = staff_client.get(url)
    next_link = link(first, "next")
    first.context["page_obj"].object_list[-1].delete()

    response = staff_client.get(url + next_link)

    assert rows_of(response) == rows_of(staff_client.get(url, {"page": 2}))


def last_link(response) -> str:
    found = re.search(r'href="([^"]*)">Last<', response.content.decode())
    return unescape(found.group(1))


@pytest.mark.parametrize("name", LISTS)
def test_last_leads_to_the_last_page_the_number_shows(staff_client, name):
    url_name, make, filters, keyset = LISTS[name]
    make(3 * PAGE + 7)
    url = reverse(url_name)
    by_number = rows_of(staff_client.get(url, {**filters, "page": 4}))

    response = staff_client.get(url + last_link(staff_client.get(url, filters)))

    assert rows_of(response) == by_number
    assert len(by_number) == 7
    assert response.context["page_obj"].is_last is keyset  # read from the end, no OFFSET
    assert link(response, "next") is None
    back = staff_client.get(url + link(response, "prev"))
    assert rows_of(back) == rows_of(staff_client.get(url, {**filters, "page": 3}))


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the count is estimated on PostgreSQL only"
)
def test_last_past_an_estimated_count_shows_the_final_full_page(staff_client, monkeypatch):
    """Beyond the exact count the page numbers are the planner's estimate; "Last" still
    shows the list's final rows, with nothing after them, and "Previous" walks back."""
    monkeypatch.setattr(EstimatingPaginator, "EXACT_UP_TO", 10)
    consultations(3 * PAGE + 7)
    with connection.cursor() as cursor:  # the planner's estimate, as autovacuum would leave it
        cursor.execute("ANALYZE consultations_consultation")
    url = reverse("consultations:consultation_list")
    every_row = [
        key
        for page in range(1, 5)
        for key in rows_of(staff_client.get(url, {"page": page, "o": "date"}))
    ]

    first = staff_client.get(url, {"o": "date"})
    assert first.context["page_obj"].paginator.estimated
    response = staff_client.get(url + last_link(first))

    assert rows_of(response) == every_row[-PAGE:]
    assert link(response, "next") is None
    back = staff_client.get(url + link(response, "prev"))
    assert rows_of(back) == every_row[-2 * PAGE : -PAGE]


def test_last_with_a_tampered_flag_is_the_page_its_number_shows(staff_client):
    consultations(2 * PAGE + 1)
    url = reverse("consultations:consultation_list")

    response = staff_client.get(url, {"page": 2, "last": "1"})
    garbage = staff_client.get(url, {"page": 3, "last": "yes"})

    assert rows_of(response) == rows_of(staff_client.get(url, {"page": 2}))
    assert rows_of(garbage) == rows_of(staff_client.get(url, {"page": 3}))


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the count is estimated on PostgreSQL only"
)
def test_last_on_a_page_past_the_estimate_shows_no_rows_of_the_last(staff_client, monkeypatch):
    """The "Last" flag serves the page its link names; a page number typed past the list's end, with
    the flag, shows that (empty) page, not the final rows under a wrong number."""
    monkeypatch.setattr(EstimatingPaginator, "EXACT_UP_TO", 10)
    consultations(2 * PAGE + 1)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE consultations_consultation")
    url = reverse("consultations:consultation_list")

    response = staff_client.get(url, {"page": 999, "last": "1"})

    assert response.status_code == 200
    assert rows_of(response) == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the count is estimated there")
def test_a_deep_page_counts_its_list_once_until_the_data_changes(
    staff_client, monkeypatch, django_capture_on_commit_callbacks
):
    from django.test.utils import CaptureQueriesContext

    from scn_portal import generic

    url_name, make, filters, _ = LISTS["consultations"]
    make(3 * PAGE + 7)
    url = reverse(url_name)
    monkeypatch.setattr(generic, "DEEP_PAGE_ROWS", 10)
    monkeypatch.setattr(EstimatingPaginator, "EXACT_UP_TO", 10)
    monkeypatch.setattr(EstimatingPaginator, "estimate", lambda self, rows: 60)

    def exact_counts(page: int) -> tuple[int, list[str]]:
        with CaptureQueriesContext(connection) as queries:
            rows = rows_of(staff_client.get(url, {**filters, "page": page}))
        # The list's own counts (not a row's count of its findings, counted in a subquery).
        counted = [
            q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT COUNT(*)")
        ]
        return len([sql for sql in counted if "LIMIT" not in sql]), rows

    assert exact_counts(4)[0] == 1
    assert exact_counts(3)[0] == 0  # the same list: counted already
    with django_capture_on_commit_callbacks(execute=True):
        make(1)
    counts, rows = exact_counts(4)
    assert counts == 1
    assert len(rows) == 8  # the new consultation is counted: the last page holds 8 rows


@pytest.mark.parametrize("estimated", [False, True])
@pytest.mark.parametrize("name", LISTS)
def test_a_deep_page_typed_by_number_is_read_from_the_nearer_end(
    staff_client, monkeypatch, name, estimated
):
    """Past the list's middle, a page reached by its number is read backwards from the list's
    end (no OFFSET over the rows before it); it holds exactly the rows, in the same order,
    that the page read from the start holds: ties on every sorted column, empty due dates."""
    from django.test.utils import CaptureQueriesContext

    from scn_portal import generic

    if estimated and connection.vendor != "postgresql":
        pytest.skip("the count is estimated on PostgreSQL only")
    url_name, make, filters, _ = LISTS[name]
    make(3 * PAGE + 7)
    url = reverse(url_name)
    from_the_start = [
        rows_of(staff_client.get(url, {**filters, "page": page})) for page in range(1, 5)
    ]
    monkeypatch.setattr(generic, "DEEP_PAGE_ROWS", 10)
    if estimated:
        monkeypatch.setattr(EstimatingPaginator, "EXACT_UP_TO", 10)
        monkeypatch.setattr(EstimatingPaginator, "estimate", lambda self, rows: 60)  # too few

    with CaptureQueriesContext(connection) as queries:
        last = staff_client.get(url, {**filters, "page": 4})
    deep = [rows_of(staff_client.get(url, {**filters, "page": page})) for page in range(1, 5)]

    assert deep == from_the_start
    assert rows_of(last) == from_the_start[3]
    assert len(rows_of(last)) == 7
    assert not any("OFFSET 75" in query["sql"] for query in queries.captured_queries)

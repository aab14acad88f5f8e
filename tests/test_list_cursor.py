"""Keyset pagination: "Next" and "Previous" carry a signed cursor, and the page they lead to
holds exactly the rows the page number would (scn_portal.generic.ListCursor)."""

import base64
import datetime
import re
from html import unescape
from urllib.parse import unquote

import pytest
from django.core import signing
from django.urls import reverse

from cities.models import Organisation
from scn_portal.generic import ListCursor
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

"""An edit form's queries do not grow with its inline rows: opening a workshop of 200
participants, or a consultation of 200 findings and next steps, reads each row's chosen
records (official, organisation, city, owner) in one query a field for all the rows, not
one a row; saving it unchanged validates them the same way."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.auth import sign_in
from tests.conftest import make_user_with_role
from tests.factories import (
    CityFactory,
    ConsultationFactory,
    FindingFactory,
    MediaCoverageFactory,
    NextStepFactory,
    OfficialFactory,
    OrganisationFactory,
    ParticipationFactory,
    WorkshopFactory,
    WorkshopSupportFactory,
)
from tests.html_forms import form_values
from tests.queries import assert_queries_do_not_grow, count_queries

pytestmark = pytest.mark.django_db


def a_workshop(rows: int, organiser=None, city=None):
    city = city or CityFactory(is_published=True)
    workshop = WorkshopFactory(cities=[city], **({"organiser": organiser} if organiser else {}))
    for _ in range(rows):
        ParticipationFactory(
            workshop=workshop,
            official=OfficialFactory(city=city),
            organisation=OrganisationFactory(is_published=True),
            city=city,
        )
        WorkshopSupportFactory(workshop=workshop, organisation=OrganisationFactory())
        MediaCoverageFactory(workshop=workshop, outlet=OrganisationFactory())
    return workshop


def a_consultation(rows: int, owner):
    consultation = ConsultationFactory()
    for _ in range(rows):
        FindingFactory(consultation=consultation)
        NextStepFactory(
            consultation=consultation,
            city=consultation.city,
            owner=owner,
            responsible_organisation=OrganisationFactory(),
        )
    return consultation


def open_and_save(client: Client, url: str):
    """Count the queries of opening the form, and of saving it unchanged (which must
    succeed: a redirect)."""

    def open_form():
        response = client.get(url)
        assert response.status_code == 200
        return response

    opened = count_queries(open_form)
    values = form_values(open_form().content.decode(), "record-form")

    def save():
        response = client.post(url, values)
        assert response.status_code == 302, response.content.decode()[:2000]

    return opened, count_queries(save)


def test_a_workshops_edit_form_makes_as_many_queries_with_many_rows_as_with_few(staff_client):
    few, many = a_workshop(2), a_workshop(12)

    (few_open, few_save), (many_open, many_save) = (
        open_and_save(staff_client, reverse("workshops:workshop_update", args=[workshop.slug]))
        for workshop in (few, many)
    )

    assert_queries_do_not_grow(few_open, many_open)
    assert_queries_do_not_grow(few_save, many_save)
    assert many.participations.count() == 12  # saved unchanged: nothing lost


def test_a_consultations_edit_form_makes_as_many_queries_with_many_rows_as_with_few(
    staff_client, staff_user
):
    few, many = a_consultation(2, staff_user), a_consultation(12, staff_user)

    (few_open, few_save), (many_open, many_save) = (
        open_and_save(staff_client, reverse("consultations:consultation_update", args=[c.pk]))
        for c in (few, many)
    )

    assert_queries_do_not_grow(few_open, many_open)
    assert_queries_do_not_grow(few_save, many_save)
    assert (many.findings.count(), many.next_steps.count()) == (12, 12)


def test_a_partners_edit_form_with_hidden_rows_makes_as_many_queries_with_many_as_with_few():
    """A partner's rows hold records outside their scope (kept, shown as "(not shown)"): each
    row's kept values are read with everyone's, in the same query."""
    partner = make_user_with_role("Partner editor", username="partner.editor")
    own = OrganisationFactory(name="Individualland", is_published=True)
    own.members.add(partner)
    client = Client()
    sign_in(client, partner)
    hidden = CityFactory(is_published=False)
    few, many = (a_workshop(rows, organiser=own, city=hidden) for rows in (2, 12))

    (few_open, few_save), (many_open, many_save) = (
        open_and_save(client, reverse("workshops:workshop_update", args=[workshop.slug]))
        for workshop in (few, many)
    )

    assert_queries_do_not_grow(few_open, many_open)
    assert_queries_do_not_grow(few_save, many_save)
    assert (
        "(not shown)"
        in client.get(reverse("workshops:workshop_update", args=[many.slug])).content.decode()
    )
    assert many.participations.filter(official__isnull=False, city=hidden).count() == 12


def test_saving_changed_rows_does_not_read_the_records_they_hold_again(staff_client, staff_user):
    """Each changed row's consultation, owner and organisation, read by the form, were read
    again to know they exist, by the form's check and then by the service's: 43 of the 151
    queries of saving six changed findings and next steps."""
    consultation = a_consultation(3, staff_user)
    url = reverse("consultations:consultation_update", args=[consultation.pk])
    values = form_values(staff_client.get(url).content.decode(), "record-form")
    for name, value in values.items():
        if re.fullmatch(r"(findings-\d+-text|next_steps-\d+-title)", name) and value[0]:
            values[name] = [f"{value[0]} (changed)"]

    def save():
        response = staff_client.post(url, values)
        assert response.status_code == 302

    _, queries = count_queries(save)

    # Django's check of a key: SELECT 1 AS "a" FROM "<the record's table>" WHERE ... LIMIT 1.
    existence_check = re.compile(r'SELECT 1 AS "a" FROM "(\w+)"')
    held = {"auth_user", "cities_organisation", "consultations_consultation"}
    read_again = [
        sql for sql in queries if (found := existence_check.match(sql)) and found[1] in held
    ]
    assert not read_again, read_again
    assert consultation.findings.filter(text__endswith="(changed)").count() == 3
    assert consultation.next_steps.filter(title__endswith="(changed)").count() == 3

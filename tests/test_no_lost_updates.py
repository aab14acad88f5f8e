"""No lost updates: a save over a newer version is refused, keeps what was typed, and says
what changed meanwhile; saving again after merging works."""

import pytest
from django.test import Client
from django.urls import reverse

from consultations.models import Consultation, NextStep
from consultations.services import consultation_create, next_step_set_status
from tests.auth import sign_in
from tests.conftest import make_user_with_role
from tests.factories import CityFactory, OfficialFactory, OrganisationFactory, WorkshopFactory
from tests.html_forms import form_values

pytestmark = pytest.mark.django_db


def signed_in(role: str, **fields) -> tuple[Client, object]:
    client = Client()
    user = make_user_with_role(role, **fields)
    sign_in(client, user)
    return client, user


@pytest.fixture
def consultation():
    quetta = CityFactory(name="Quetta")
    return consultation_create(
        actor=None,
        city=quetta,
        date="2017-11-02",
        title="Consultation with Quetta officials",
        summary="The mayor wants Quetta to join the network.",
        officials=[OfficialFactory(city=quetta)],
        findings=[{"theme": "security", "text": "The security situation is dire."}],
        next_steps=[{"title": "Onboard Quetta", "kind": "membership_onboarding"}],
    )


def open_form(client, url) -> dict[str, list[str]]:
    values = form_values(client.get(url).content.decode(), "record-form")
    assert values["_version"] != [""], "the edit form must carry the version it was opened at"
    return values


def test_the_second_of_two_concurrent_edits_is_refused_and_keeps_what_was_typed(consultation):
    url = reverse("consultations:consultation_update", args=[consultation.pk])
    first, _ = signed_in("ISD staff", username="amina", first_name="Amina", last_name="First")
    second, _ = signed_in("ISD staff", username="bilal")
    first_form, second_form = open_form(first, url), open_form(second, url)

    saved = first.post(url, {**first_form, "summary": ["Amina's summary."]})
    refused = second.post(url, {**second_form, "summary": ["Bilal's summary."]})

    assert saved.status_code == 302
    assert refused.status_code == 200
    consultation.refresh_from_db()
    assert consultation.summary == "Amina's summary."
    page = refused.content.decode()
    assert "Someone else saved this record after you opened it" in page
    assert "Amina First" in page and "summary" in page  # who changed what meanwhile
    shown = form_values(page, "record-form")
    assert shown["summary"] == ["Bilal's summary."]  # everything typed is still there
    assert shown["findings-0-text"] == ["The security situation is dire."]
    assert shown["_version"] != second_form["_version"]  # the form now carries the new one

    merged = second.post(url, {**shown, "summary": ["Amina's summary, and Bilal's."]})

    assert merged.status_code == 302
    consultation.refresh_from_db()
    assert consultation.summary == "Amina's summary, and Bilal's."


def test_a_change_to_an_inline_finding_also_refuses_a_stale_save(consultation):
    url = reverse("consultations:consultation_update", args=[consultation.pk])
    first, _ = signed_in("ISD staff", username="amina")
    second, _ = signed_in("ISD staff", username="bilal")
    first_form, second_form = open_form(first, url), open_form(second, url)

    first.post(url, {**first_form, "findings-0-text": ["Corrected finding."]})
    refused = second.post(url, {**second_form, "title": ["Bilal's title"]})

    assert refused.status_code == 200
    assert "Key finding: changed" in refused.content.decode()
    consultation.refresh_from_db()
    assert consultation.title == "Consultation with Quetta officials"
    assert consultation.findings.get().text == "Corrected finding."


def test_a_save_without_a_version_is_refused(consultation, staff_client):
    url = reverse("consultations:consultation_update", args=[consultation.pk])
    values = open_form(staff_client, url)
    del values["_version"]

    response = staff_client.post(url, {**values, "summary": ["Sent by a stale page."]})

    assert response.status_code == 200
    consultation.refresh_from_db()
    assert consultation.summary == "The mayor wants Quetta to join the network."


def test_a_simple_form_follows_the_same_rule(staff_client):
    city = CityFactory(name="Quetta", population=1000)
    url = reverse("cities:city_update", args=[city.slug])
    values = open_form(staff_client, url)
    from cities.services import city_save

    city_save(actor=None, city=city, data={"population": 2000})

    response = staff_client.post(url, {**values, "population": ["3000"]})

    assert response.status_code == 200
    assert "the system" in response.content.decode()
    city.refresh_from_db()
    assert city.population == 2000


def test_a_stale_quick_status_change_is_refused_and_can_be_sent_again(consultation):
    step = consultation.next_steps.get()
    first, _ = signed_in("ISD staff", username="amina", first_name="Amina", last_name="F")
    second, _ = signed_in("ISD staff", username="bilal")
    list_url = reverse("consultations:next_step_list")
    status_url = reverse("consultations:next_step_status", args=[step.pk])
    first_form = form_values(first.get(list_url).content.decode(), "status-form")
    second_form = form_values(second.get(list_url).content.decode(), "status-form")

    first.post(status_url, {**first_form, "status": ["in_progress"], "note": ["Dates agreed."]})
    refused = second.post(status_url, {**second_form, "status": ["done"], "note": ["All done."]})

    step.refresh_from_db()
    assert step.status == NextStep.Status.IN_PROGRESS
    assert refused.status_code == 200
    page = refused.content.decode()
    assert "Amina F" in page and "status" in page.lower()
    again = form_values(page, "status-change")
    assert again["note"] == ["All done."]

    second.post(status_url, again)

    step.refresh_from_db()
    assert step.status == NextStep.Status.DONE


def test_status_forms_on_a_list_carry_each_rows_version_in_constant_queries(staff_client):
    from tests.factories import NextStepFactory
    from tests.queries import assert_queries_do_not_grow, count_queries

    url = reverse("consultations:next_step_list")
    for _ in range(2):
        NextStepFactory()
    few = count_queries(lambda: staff_client.get(url))
    for _ in range(20):
        NextStepFactory()
    many = count_queries(lambda: staff_client.get(url))

    assert_queries_do_not_grow(few, many)
    step = NextStep.objects.order_by("due_date", "title").first()
    next_step_set_status(actor=None, next_step=step, status="in_progress", note="n")
    values = form_values(staff_client.get(url).content.decode(), "status-form")
    assert values["_version"] == [str(step.history.latest().history_id)]


def test_a_partner_is_not_told_which_internal_field_changed():
    individualland = OrganisationFactory(name="Individualland")
    partner_client, partner = signed_in("Partner editor", username="partner")
    individualland.members.add(partner)
    workshop = WorkshopFactory(organiser=individualland, internal_notes="")
    url = reverse("workshops:workshop_update", args=[workshop.slug])
    values = open_form(partner_client, url)
    from workshops.services import workshop_save

    workshop_save(
        actor=None, workshop=workshop, data={"internal_notes": "ISD only", "venue": "Serena"}
    )

    page = partner_client.post(url, {**values, "venue": ["Marriott"]}).content.decode()

    assert "Someone else saved this record" in page
    assert "venue" in page
    assert "internal notes" not in page.lower()
    assert Consultation.objects.count() == 0


def test_a_form_sent_back_for_an_error_keeps_the_version_it_was_opened_at(staff_client):
    """Opened at version 1; someone saves version 2; a typing error sends the form back: it
    must not quietly adopt version 2, or the corrected save would overwrite the other change."""
    from cities.services import city_save

    city = CityFactory(name="Quetta", population=1000)
    url = reverse("cities:city_update", args=[city.slug])
    opened = open_form(staff_client, url)
    city_save(actor=None, city=city, data={"population": 999})

    sent_back = staff_client.post(url, {**opened, "population": ["not a number"]})
    again = form_values(sent_back.content.decode(), "record-form")
    corrected = staff_client.post(url, {**again, "population": ["100"]})

    assert again["_version"] == opened["_version"]
    assert corrected.status_code == 200  # refused: someone changed the city meanwhile
    assert "the system" in corrected.content.decode()
    city.refresh_from_db()
    assert city.population == 999


def test_a_status_form_sent_back_for_an_error_keeps_its_version(consultation, staff_client):
    step = consultation.next_steps.get()
    status_url = reverse("consultations:next_step_status", args=[step.pk])
    opened = form_values(staff_client.get(status_url).content.decode(), "status-change")
    next_step_set_status(actor=None, next_step=step, status="in_progress", note="Moved.")

    sent_back = staff_client.post(status_url, {**opened, "status": ["done"], "note": [""]})
    again = form_values(sent_back.content.decode(), "status-change")
    staff_client.post(status_url, {**again, "note": ["Done now."]})

    assert again["_version"] == opened["_version"]
    step.refresh_from_db()
    assert step.status == NextStep.Status.IN_PROGRESS


def test_an_admin_save_over_a_newer_version_is_refused_on_the_form(admin_client):
    from cities.services import city_save

    city = CityFactory(name="Quetta", population=1000)
    url = reverse("admin:cities_city_change", args=[city.pk])
    opened = form_values(admin_client.get(url).content.decode(), "city_form")
    assert opened["_version"] != [""]
    city_save(actor=None, city=city, data={"population": 999})

    refused = admin_client.post(url, {**opened, "population": ["2000"]})
    again = form_values(refused.content.decode(), "city_form")
    merged = admin_client.post(url, {**again, "population": ["2000"]})

    assert refused.status_code == 200
    assert "Someone else saved this record" in refused.content.decode()
    assert again["population"] == ["2000"] and again["_version"] != opened["_version"]
    assert merged.status_code == 302
    city.refresh_from_db()
    assert city.population == 2000

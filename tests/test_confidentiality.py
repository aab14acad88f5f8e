"""Confidential records stay with those allowed to see them, whatever the page or the input."""

import pytest
from django.urls import reverse

from cities.models import City, Organisation
from consultations.models import Consultation, NextStep
from scn_portal.demo import WORKSHOP_SLUG, load_demo
from tests.auth import sign_in
from tests.conftest import make_user_with_role
from tests.factories import (
    CityFactory,
    ConsultationFactory,
    NextStepFactory,
    OrganisationFactory,
    ProgressUpdateFactory,
    WorkshopFactory,
)
from tests.html_forms import form_values
from workshops.models import Workshop

pytestmark = pytest.mark.django_db


@pytest.fixture
def partner(client):
    load_demo()
    user = make_user_with_role("Partner editor", username="il.editor")
    Organisation.objects.get(slug="individualland").members.add(user)
    sign_in(client, user)
    return user


def snapshot(workshop: Workshop) -> dict:
    return {
        "fields": {
            field.name: getattr(workshop, field.name)
            for field in Workshop._meta.concrete_fields
            if field.name != "updated_at"
        },
        "cities": set(workshop.cities.values_list("pk", flat=True)),
        "supports": set(workshop.supports.values_list("organisation", "role")),
        "participations": set(
            workshop.participations.values_list("official", "name", "role", "attendance")
        ),
        "media": set(workshop.media_coverage.values_list("headline", "language")),
    }


def test_a_partner_saving_their_workshop_unchanged_changes_nothing(client, partner):
    workshop = Workshop.objects.get(slug=WORKSHOP_SLUG)
    hidden_city = CityFactory(name="Unpublished town", is_published=False)
    workshop.cities.add(hidden_city)
    before = snapshot(workshop)
    url = reverse("workshops:workshop_update", args=[workshop.slug])

    page = client.get(url).content.decode()
    response = client.post(url, form_values(page, "record-form"))

    assert response.status_code == 302, response.content.decode()[:3000]
    workshop.refresh_from_db()
    assert snapshot(workshop) == before


def test_a_partner_cannot_add_supporters_who_would_then_edit_the_workshop(client, partner):
    workshop = Workshop.objects.get(slug=WORKSHOP_SLUG)
    other = OrganisationFactory(name="Friendly NGO", is_published=True)
    url = reverse("workshops:workshop_update", args=[workshop.slug])
    data = form_values(client.get(url).content.decode(), "record-form")
    data |= {
        "supports-TOTAL_FORMS": ["1"],
        "supports-INITIAL_FORMS": ["0"],
        "supports-0-organisation": [str(other.pk)],
        "supports-0-role": ["co_organiser"],
    }

    client.post(url, data)

    assert not workshop.supports.filter(organisation=other).exists()


def test_a_next_step_of_a_confidential_consultation_is_hidden_from_a_viewer(client):
    secret = ConsultationFactory(confidentiality=Consultation.Confidentiality.CONFIDENTIAL)
    step = NextStepFactory(consultation=secret, city=secret.city, title="Secret follow-up")
    ProgressUpdateFactory(next_step=step, note="Secret progress")
    sign_in(client, make_user_with_role("Viewer"))

    assert client.get(step.get_absolute_url()).status_code == 404
    assert (
        "Secret follow-up"
        not in client.get(reverse("consultations:next_step_list")).content.decode()
    )
    assert "Secret follow-up" not in client.get(secret.city.get_absolute_url()).content.decode()
    assert "Secret follow-up" not in client.get(reverse("dashboard")).content.decode()


def test_viewer_does_not_see_a_workshops_internal_notes(client):
    workshop = WorkshopFactory(internal_notes="Only for ISD eyes")
    sign_in(client, make_user_with_role("Viewer"))

    assert "Only for ISD eyes" not in client.get(workshop.get_absolute_url()).content.decode()


def test_filter_choices_list_only_what_the_partner_may_see(client, partner):
    CityFactory(name="Unpublished town", is_published=False)
    OrganisationFactory(name="Hidden NGO", is_published=False)

    content = client.get(reverse("workshops:workshop_list")).content.decode()

    assert "Quetta" in content
    assert "Unpublished town" not in content and "Hidden NGO" not in content


@pytest.mark.parametrize(
    "path",
    [
        "/officials/autocomplete/?city=%C2%B2",
        "/officials/autocomplete/?q=a%00b",
        "/cities/autocomplete/?q=a%00b",
        "/countries/autocomplete/?q=a%00b",
        "/organisations/autocomplete/?q=a%00b",
        "/workshops/autocomplete/?q=a%00b",
        "/accounts/users/autocomplete/?q=a%00b",
        "/consultations/new/?city=%00",
        "/officials/new/?city=%00",
        "/cities/?q=a%00b",
        "/cities/?country=99999999999999999999999",
    ],
)
def test_odd_input_gets_a_page_not_an_error(staff_client, path):
    assert staff_client.get(path).status_code == 200


def test_too_many_inline_rows_are_refused_quickly(staff_client):
    city = City.objects.create(name="Quetta", slug="quetta", country=CityFactory().country)
    data = {
        "city": city.pk,
        "date": "2018-01-01",
        "title": "Flood",
        "summary": "Rows.",
        "confidentiality": "confidential",
        "findings-TOTAL_FORMS": "100000",
        "findings-INITIAL_FORMS": "0",
        "next_steps-TOTAL_FORMS": "0",
        "next_steps-INITIAL_FORMS": "0",
    }

    response = staff_client.post(reverse("consultations:consultation_create"), data)

    assert response.status_code == 200
    assert "Please submit at most 200 forms." in response.content.decode()
    assert not Consultation.objects.exists()
    assert not NextStep.objects.exists()

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.urls import reverse

from tests.factories import (
    OfficialFactory,
    OrganisationFactory,
    ParticipationFactory,
    WorkshopFactory,
)
from workshops.models import Participation, Workshop
from workshops.services import workshop_create

pytestmark = pytest.mark.django_db


def test_workshop_ending_before_it_starts_is_refused_with_a_clear_message():
    with pytest.raises(ValidationError) as error:
        workshop_create(
            actor=None,
            title="Backwards workshop",
            slug="backwards",
            kind=Workshop.Kind.SUMMIT,
            start_date=datetime.date(2017, 11, 4),
            end_date=datetime.date(2017, 11, 1),
            organiser=OrganisationFactory(),
        )

    assert "A workshop must end on or after the day it starts." in error.value.messages
    assert not Workshop.objects.filter(slug="backwards").exists()


def test_database_refuses_a_workshop_ending_before_it_starts():
    with pytest.raises(IntegrityError):
        WorkshopFactory(start_date=datetime.date(2017, 11, 4), end_date=datetime.date(2017, 11, 1))


def test_admin_form_refuses_backwards_dates_and_keeps_what_was_typed(admin_client):
    organiser = OrganisationFactory()
    response = admin_client.post(
        reverse("admin:workshops_workshop_add"),
        {
            "title": "Backwards workshop",
            "slug": "backwards",
            "kind": Workshop.Kind.SUMMIT,
            "start_date": "2017-11-04",
            "end_date": "2017-11-01",
            "organiser": organiser.pk,
            "venue": "Islamabad",
            **_empty_inlines(),
        },
    )

    assert response.status_code == 200
    content = response.content.decode()
    assert "A workshop must end on or after the day it starts." in content
    assert 'value="Backwards workshop"' in content
    assert 'value="Islamabad"' in content
    assert not Workshop.objects.exists()


def _empty_inlines() -> dict[str, str]:
    data = {}
    for prefix in ("supports", "participations", "media_coverage"):
        data |= {
            f"{prefix}-TOTAL_FORMS": "0",
            f"{prefix}-INITIAL_FORMS": "0",
            f"{prefix}-MIN_NUM_FORMS": "0",
            f"{prefix}-MAX_NUM_FORMS": "1000",
        }
    return data


def test_same_official_twice_in_a_workshop_is_refused():
    first = ParticipationFactory()
    duplicate = Participation(workshop=first.workshop, official=first.official, role="Again")

    with pytest.raises(ValidationError) as error:
        duplicate.full_clean()

    assert "This official is already a participant of the workshop." in error.value.messages
    with pytest.raises(IntegrityError):
        duplicate.save()


def test_same_guest_name_twice_in_a_workshop_is_refused():
    workshop = WorkshopFactory()
    ParticipationFactory(workshop=workshop, official=None, city=None, name="Federal minister")

    with pytest.raises(IntegrityError):
        ParticipationFactory(workshop=workshop, official=None, city=None, name="Federal minister")


def test_same_official_may_attend_two_workshops():
    official = OfficialFactory()
    ParticipationFactory(official=official)
    ParticipationFactory(official=official)

    assert official.participations.count() == 2


def test_participation_needs_an_official_or_a_name():
    with pytest.raises(IntegrityError):
        ParticipationFactory(official=None, city=None, name="")

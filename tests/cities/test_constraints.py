import pytest
from django.core.exceptions import ValidationError
from django.db.models import ProtectedError
from django.urls import reverse

from cities.models import City, Organisation
from consultations.models import Consultation
from scn_portal.services import record_archive
from tests.factories import (
    CityFactory,
    ConsultationFactory,
    LocalMechanismFactory,
    OfficialFactory,
    OrganisationFactory,
    WorkshopFactory,
)
from workshops.models import Workshop

pytestmark = pytest.mark.django_db


def test_deleting_a_city_with_consultations_is_refused():
    consultation = ConsultationFactory()

    with pytest.raises(ProtectedError):
        consultation.city.delete()

    assert City.objects.filter(pk=consultation.city.pk).exists()
    assert Consultation.objects.filter(pk=consultation.pk).exists()


def test_admin_explains_why_a_city_with_consultations_cannot_be_deleted(admin_client, superuser):
    consultation = ConsultationFactory()
    record_archive(instance=consultation.city, actor=superuser)  # only archived ones
    url = reverse("admin:cities_city_delete_permanently", args=[consultation.city.pk])

    content = admin_client.get(url).content.decode()
    response = admin_client.post(url, follow=True)

    assert "cannot be deleted: these records still refer to it" in content
    assert consultation.title in content
    assert (
        "other records refer to it (archived ones included): 1 consultation."
        in response.content.decode()
    )
    assert City.objects.filter(pk=consultation.city.pk).exists()


def test_deleting_an_organisation_that_organised_a_workshop_is_refused():
    workshop = WorkshopFactory()

    with pytest.raises(ProtectedError):
        workshop.organiser.delete()

    assert Workshop.objects.filter(pk=workshop.pk).exists()
    assert Organisation.objects.filter(pk=workshop.organiser.pk).exists()


def test_deleting_a_city_without_engagement_removes_its_profile_records():
    mechanism = LocalMechanismFactory()
    city = mechanism.city

    city.delete()

    assert not City.objects.filter(pk=city.pk).exists()
    assert not mechanism.__class__.objects.filter(pk=mechanism.pk).exists()


def test_city_slugs_are_unique():
    from django.db import IntegrityError

    CityFactory(slug="peshawar")
    with pytest.raises(IntegrityError):
        CityFactory(slug="peshawar")


def test_organisation_slugs_are_unique():
    from django.db import IntegrityError

    OrganisationFactory(slug="individualland")
    with pytest.raises(IntegrityError):
        OrganisationFactory(slug="individualland")


def test_a_key_to_a_record_that_is_gone_is_refused_unless_its_record_is_held():
    """A record held as read from the database (a form's choice) is not read again to know
    it exists (`PortalModel.clean_fields`); a key set alone still is, and a record deleted in
    memory (loaded, with no key left) is refused as an empty city."""
    official, held = OfficialFactory(), CityFactory()
    gone = CityFactory()
    gone_key = gone.pk
    gone.delete()

    official.city = held
    official.full_clean()
    official.city_id = gone_key
    with pytest.raises(ValidationError) as by_key:
        official.full_clean()
    official.city = gone
    with pytest.raises(ValidationError) as deleted:
        official.full_clean()

    assert by_key.value.message_dict["city"] == [
        f"city instance with id {gone_key} is not a valid choice."
    ]
    assert deleted.value.message_dict["city"] == ["This field cannot be null."]

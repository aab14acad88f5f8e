"""A record's page address, built once per view and put together with the record's key."""

import pytest
from django.urls import NoReverseMatch, reverse, set_script_prefix

from scn_portal.models import record_url
from tests.factories import CityFactory, NextStepFactory, OfficialFactory, WorkshopFactory

pytestmark = pytest.mark.django_db


def test_every_records_address_is_the_one_reverse_gives():
    city, official = CityFactory(name="Quetta"), OfficialFactory()
    step, workshop = NextStepFactory(), WorkshopFactory(title="Water Council 2019")

    for _ in range(2):  # built, then taken from what was kept
        assert city.get_absolute_url() == reverse("cities:city_detail", args=[city.slug])
        assert official.get_absolute_url() == f"/officials/{official.pk}/"
        assert step.get_absolute_url() == reverse("consultations:next_step_detail", args=[step.pk])
        assert workshop.get_absolute_url() == f"/workshops/{workshop.slug}/"


def test_a_portal_served_under_a_path_prefix_links_under_it():
    set_script_prefix("/scn/")
    try:
        assert record_url("cities:official_detail", 7) == "/scn/officials/7/"
    finally:
        set_script_prefix("/")

    assert record_url("cities:official_detail", 7) == "/officials/7/"


def test_a_key_that_is_no_plain_slug_is_refused_as_reverse_refuses_it():
    for key in ("köln", "a/../../admin", "quetta?x=1"):
        with pytest.raises(NoReverseMatch):
            record_url("cities:city_detail", key)


def test_a_number_given_as_text_links_as_reverse_does():
    assert record_url("cities:official_detail", "5") == "/officials/5/"
    with pytest.raises(NoReverseMatch):
        record_url("cities:official_detail", "five")

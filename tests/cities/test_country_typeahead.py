"""Countries are chosen by typing in the lists' filters: only the chosen one is rendered."""

import pytest
from django.urls import reverse

from tests.factories import CountryFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


def test_the_country_typeahead_answers_matching_countries(staff_client):
    pakistan = CountryFactory(name="Pakistan", code="PK")
    CountryFactory(name="Kenya", code="KE")

    response = staff_client.get(reverse("cities:country_autocomplete"), {"q": "paki"})

    assert response.json() == {"results": [{"id": pakistan.pk, "text": "Pakistan"}]}


def test_a_list_filtered_by_country_shows_only_that_country_as_chosen(staff_client):
    pakistan = CountryFactory(name="Pakistan", code="PK")
    CountryFactory(name="Kenya", code="KE")
    OrganisationFactory(name="Individualland", country=pakistan)

    page = staff_client.get(reverse("cities:organisation_list"), {"country": pakistan.pk})
    content = page.content.decode()

    assert f'<option value="{pakistan.pk}" selected>Pakistan</option>' in content
    assert "Kenya" not in content
    assert 'data-typeahead="/countries/autocomplete/"' in content
    assert "Individualland" in content

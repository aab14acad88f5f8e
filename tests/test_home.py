"""The public front page shows the network's published cities and workshops, nothing else."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from tests.factories import CityFactory, WorkshopFactory
from tests.queries import assert_queries_do_not_grow, count_queries

pytestmark = pytest.mark.django_db


def test_home_shows_published_cities_and_workshops_only(client):
    quetta = CityFactory(name="Quetta", name_local="کوئٹہ", latitude=30.18, longitude=67.0)
    CityFactory(name="Hidden City", is_published=False)
    WorkshopFactory(title="Published workshop", public_summary="What happened.", cities=[quetta])
    WorkshopFactory(title="Draft workshop", is_published=False)

    content = client.get(reverse("home")).content.decode()

    assert "Quetta" in content
    assert "<title>Quetta · کوئٹہ</title>" in content  # the map's marker
    assert "Published workshop" in content
    assert "What happened." in content
    assert "Hidden City" not in content
    assert "Draft workshop" not in content


def test_home_does_not_name_an_unpublished_city_of_a_published_workshop(client):
    hidden = CityFactory(name="Hidden City", is_published=False)
    WorkshopFactory(title="Published workshop", cities=[hidden])

    content = client.get(reverse("home")).content.decode()

    assert "Published workshop" in content
    assert "Hidden City" not in content


def test_home_query_count_does_not_grow_with_rows(client):
    url = reverse("home")
    for _ in range(2):
        WorkshopFactory(cities=[CityFactory()])
    cache.clear()  # measure the page as built, not as cached
    few = count_queries(lambda: client.get(url))

    for _ in range(20):
        WorkshopFactory(cities=[CityFactory(), CityFactory()])
    cache.clear()
    many = count_queries(lambda: client.get(url))

    assert_queries_do_not_grow(few, many)

"""Every write path keeps history naming who acted: a person for forms, the admin, its bulk
actions, imports and the tasks they start; the system account for management commands."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from cities.imports import import_rows
from cities.models import City, Country, Official
from cities.tasks import run_import
from scn_portal.roles import SYSTEM_USERNAME
from tests.factories import CityFactory, CountryFactory
from tests.html_forms import form_values

pytestmark = pytest.mark.django_db


def last_change(record):
    return record.history.order_by("-history_id").first()


def test_a_portal_form_records_the_signed_in_user(staff_client, staff_user):
    country = CountryFactory()

    staff_client.post(
        reverse("cities:city_create"),
        {"name": "Quetta", "slug": "quetta", "country": country.pk, "membership_status": "member"},
    )

    assert last_change(City.objects.get(slug="quetta")).history_user == staff_user


def test_an_admin_change_records_the_admin(admin_client, superuser):
    city = CityFactory(name="Quetta", population=1000)
    url = reverse("admin:cities_city_change", args=[city.pk])
    values = form_values(admin_client.get(url).content.decode(), "city_form")

    response = admin_client.post(url, {**values, "population": ["2000"]})

    assert response.status_code == 302, response.content.decode()[:2000]
    city.refresh_from_db()
    assert city.population == 2000
    assert last_change(city).history_user == superuser


def test_an_import_records_the_importer(superuser):
    Country.objects.create(name="Pakistan", code="PK")

    import_rows(
        resource_name="cities",
        file_bytes=b"name,country\nQuetta,Pakistan\n",
        file_format="csv",
        user=superuser,
        dry_run=False,
    )

    assert last_change(City.objects.get(name="Quetta")).history_user == superuser


def test_a_background_task_records_the_user_it_acts_for(superuser, tmp_path, monkeypatch):
    from django.core.files.base import ContentFile
    from django.core.files.storage import FileSystemStorage

    from cities import tasks

    storage = FileSystemStorage(location=tmp_path)
    monkeypatch.setattr(tasks, "storages", {"exports": storage})
    city = CityFactory(name="Quetta")
    stored = storage.save(
        "officials.csv", ContentFile(f"name,city,role\nMayor,{city.name},mayor\n".encode())
    )

    run_import.call(
        resource_name="officials",
        stored_name=stored,
        file_format="csv",
        file_name="officials.csv",
        user_id=superuser.pk,
        language="en",
    )

    assert last_change(Official.objects.get(name="Mayor")).history_user == superuser


def test_a_management_command_records_the_system_account():
    call_command("load_demo", verbosity=0)

    change = last_change(City.objects.get(slug="quetta"))
    assert change.history_user.username == SYSTEM_USERNAME

"""A failure in the middle of a save leaves nothing half-written: a consultation with its
findings and next steps, a workshop with its participants, an import. Real transactions
(`transaction=True`), so a rollback is what the database really does."""

import contextlib
import datetime

import pytest
from django.test import Client
from django.urls import reverse

from cities.imports import import_rows
from cities.models import City, Country
from consultations.models import Consultation, Finding, NextStep
from consultations.services import consultation_create
from scn_portal import services
from tests.auth import sign_in
from tests.conftest import make_user_with_role
from tests.factories import CityFactory, OfficialFactory, WorkshopFactory
from workshops.models import Participation, Workshop
from workshops.services import workshop_save

pytestmark = pytest.mark.django_db(transaction=True)


class InjectedFailure(RuntimeError):
    pass


@pytest.fixture
def fail_on_write(monkeypatch):
    """Make the `n`th record write (of the shared save helper) fail, as a crash would."""

    def arm(n: int):
        calls = {"count": 0}
        real = services.record_save

        def failing(instance, **kwargs):
            calls["count"] += 1
            if calls["count"] == n:
                raise InjectedFailure(f"write {n} failed")
            return real(instance, **kwargs)

        monkeypatch.setattr(services, "record_save", failing)
        return calls

    return arm


def rows_and_history(*models) -> dict[str, int]:
    return {model.__name__: (model.objects.count(), model.history.count()) for model in models}


def test_a_consultation_failing_at_its_third_write_leaves_nothing(fail_on_write):
    quetta = CityFactory(name="Quetta")
    before = rows_and_history(Consultation, Finding, NextStep)
    calls = fail_on_write(3)  # the consultation and one finding are written, then a crash

    with pytest.raises(InjectedFailure):
        consultation_create(
            actor=None,
            city=quetta,
            date=datetime.date(2017, 11, 2),
            title="Consultation",
            summary="Notes",
            findings=[{"theme": "security", "text": "One"}, {"theme": "needs", "text": "Two"}],
            next_steps=[{"title": "Follow up", "kind": "report"}],
        )

    assert calls["count"] == 3
    assert rows_and_history(Consultation, Finding, NextStep) == before


def test_the_consultation_form_failing_half_way_leaves_nothing(fail_on_write, roles_restored):
    quetta = CityFactory(name="Quetta")
    client = Client(raise_request_exception=False)
    sign_in(client, make_user_with_role("ISD staff"))
    fail_on_write(2)

    response = client.post(
        reverse("consultations:consultation_create"),
        {
            "city": quetta.pk,
            "date": "2017-11-02",
            "title": "Consultation",
            "summary": "Notes",
            "confidentiality": "internal",
            "findings-TOTAL_FORMS": "2",
            "findings-INITIAL_FORMS": "0",
            "findings-0-theme": "security",
            "findings-0-text": "One",
            "findings-1-theme": "needs",
            "findings-1-text": "Two",
            "next_steps-TOTAL_FORMS": "0",
            "next_steps-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 500
    assert (Consultation.objects.count(), Finding.objects.count()) == (0, 0)
    assert (Consultation.history.count(), Finding.history.count()) == (0, 0)


def test_a_workshop_failing_at_its_second_participant_keeps_its_earlier_state(fail_on_write):
    workshop = WorkshopFactory(title="Islamabad 2017", venue="Serena")
    officials = [OfficialFactory(), OfficialFactory()]
    before = rows_and_history(Workshop, Participation)
    fail_on_write(3)  # the workshop, the first participant, then a crash

    with pytest.raises(InjectedFailure):
        workshop_save(
            actor=None,
            workshop=workshop,
            data={"venue": "Marriott"},
            participations=[
                (Participation(), {"official": official, "role": "Guest"}, False)
                for official in officials
            ],
        )

    workshop.refresh_from_db()
    assert workshop.venue == "Serena"
    assert rows_and_history(Workshop, Participation) == before


def test_an_import_failing_half_way_writes_nothing(monkeypatch, roles_restored):
    Country.objects.create(name="Pakistan", code="PK")
    user = make_user_with_role("ISD staff")
    real_save = City.save
    calls = {"count": 0}

    def failing_save(self, *args, **kwargs):
        calls["count"] += 1
        if calls["count"] == 2:
            raise InjectedFailure("the second city failed")
        return real_save(self, *args, **kwargs)

    monkeypatch.setattr(City, "save", failing_save)
    csv = b"name,country\nQuetta,Pakistan\nPeshawar,Pakistan\nNowshera,Pakistan\n"

    with contextlib.suppress(InjectedFailure):  # raised, or reported as the row's error
        import_rows(
            resource_name="cities", file_bytes=csv, file_format="csv", user=user, dry_run=False
        )

    assert calls["count"] >= 2  # the second city did fail (the import may go on to report)
    assert (City.objects.count(), City.history.count()) == (0, 0)

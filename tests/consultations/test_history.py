"""Creating and changing consultations and next steps leaves history naming the actor."""

import datetime

import pytest
from django.urls import reverse

from consultations.models import Consultation, Finding, NextStep
from consultations.services import (
    consultation_create,
    consultation_update,
    next_step_create,
    next_step_set_status,
)
from tests.factories import CityFactory, NextStepFactory, OfficialFactory, UserFactory
from tests.html_forms import version_of

pytestmark = pytest.mark.django_db


def test_creating_a_consultation_records_who_created_it_and_its_findings():
    staff = UserFactory()
    city = CityFactory(name="Quetta")
    mayor = OfficialFactory(city=city)

    consultation = consultation_create(
        actor=staff,
        city=city,
        date=datetime.date(2017, 11, 2),
        title="Consultation with Quetta officials",
        summary="The mayor wants to join.",
        officials=[mayor],
        findings=[
            {"theme": Finding.Theme.SECURITY, "text": "The security situation is dire."},
            {"theme": Finding.Theme.NEEDS, "text": "Officials feel powerless."},
        ],
        next_steps=[{"title": "Onboard Quetta", "kind": NextStep.Kind.MEMBERSHIP_ONBOARDING}],
    )

    created = consultation.history.earliest()
    assert created.history_type == "+"
    assert created.history_user == staff
    assert created.title == "Consultation with Quetta officials"
    assert {row.history_user for row in Finding.history.all()} == {staff}
    assert Finding.history.filter(history_type="+").count() == 2
    step = consultation.next_steps.get()
    assert step.city == city
    assert step.history.get().history_user == staff
    # Officials met are part of the record's history too.
    assert list(consultation.history.latest().officials.values_list("official", flat=True)) == [
        mayor.pk
    ]


def test_changing_a_consultation_records_the_values_before_and_after():
    author, editor = UserFactory(), UserFactory()
    consultation = consultation_create(
        actor=author,
        city=CityFactory(),
        date=datetime.date(2017, 11, 2),
        title="First title",
        summary="First summary.",
    )

    consultation_update(actor=editor, consultation=consultation, summary="Corrected summary.")

    latest, previous = consultation.history.all()[:2]
    assert latest.history_type == "~"
    assert latest.history_user == editor
    delta = latest.diff_against(previous)
    assert [(c.field, c.old, c.new) for c in delta.changes] == [
        ("summary", "First summary.", "Corrected summary.")
    ]


def test_an_update_that_changes_nothing_writes_no_history():
    consultation = consultation_create(
        actor=None, city=CityFactory(), date=datetime.date(2017, 11, 2), title="T", summary="S"
    )

    consultation_update(actor=UserFactory(), consultation=consultation, summary="S")

    assert consultation.history.count() == 1


def test_creating_a_next_step_records_its_author():
    staff = UserFactory()

    step = next_step_create(
        actor=staff, title="Detailed report", kind=NextStep.Kind.DETAILED_REPORT, city=CityFactory()
    )

    assert step.history.get().history_user == staff


def test_marking_a_next_step_done_records_the_change_the_date_and_a_progress_note():
    staff = UserFactory()
    step = NextStepFactory()

    update = next_step_set_status(
        actor=staff,
        next_step=step,
        status=NextStep.Status.DONE,
        note="Report sent to the cities.",
        on=datetime.date(2017, 12, 1),
    )

    step.refresh_from_db()
    assert step.status == NextStep.Status.DONE
    assert step.completed_on == datetime.date(2017, 12, 1)
    assert update.note == "Report sent to the cities."
    assert update.author == staff
    latest = step.history.latest()
    assert latest.history_user == staff
    assert (latest.prev_record.status, latest.status) == ("open", "done")


def test_reopening_a_next_step_clears_its_completion_date():
    step = NextStepFactory(status=NextStep.Status.DONE, completed_on=datetime.date(2017, 12, 1))

    next_step_set_status(
        actor=UserFactory(), next_step=step, status=NextStep.Status.OPEN, note="Not finished."
    )

    step.refresh_from_db()
    assert step.completed_on is None


def test_a_change_made_in_the_admin_is_recorded_with_the_signed_in_user(admin_client, superuser):
    consultation = consultation_create(
        actor=None, city=CityFactory(), date=datetime.date(2017, 11, 2), title="T", summary="S"
    )
    url = reverse("admin:consultations_consultation_change", args=[consultation.pk])
    data = {
        "city": consultation.city.pk,
        "date": "2017-11-03",
        "title": "T",
        "summary": "S, corrected in the admin.",
        "confidentiality": Consultation.Confidentiality.INTERNAL,
        **version_of(consultation),
    }
    for prefix in ("findings", "next_steps"):
        data |= {
            f"{prefix}-TOTAL_FORMS": "0",
            f"{prefix}-INITIAL_FORMS": "0",
            f"{prefix}-MIN_NUM_FORMS": "0",
            f"{prefix}-MAX_NUM_FORMS": "1000",
        }

    response = admin_client.post(url, data)

    assert response.status_code == 302, response.content.decode()[:2000]
    latest = consultation.history.latest()
    assert latest.history_user == superuser
    assert latest.summary == "S, corrected in the admin."
    assert latest.date == datetime.date(2017, 11, 3)

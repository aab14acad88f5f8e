"""Consultation and next-step lists and pages, and the quick status change."""

import datetime

import pytest
from django.urls import reverse

from consultations.models import NextStep
from tests.factories import (
    CityFactory,
    ConsultationFactory,
    FindingFactory,
    NextStepFactory,
    OfficialFactory,
    ProgressUpdateFactory,
)
from tests.html_forms import version_of
from tests.queries import assert_queries_do_not_grow, count_queries

pytestmark = pytest.mark.django_db


def test_consultation_list_filters_by_city_and_shows_finding_counts(staff_client):
    quetta = CityFactory(name="Quetta")
    consultation = ConsultationFactory(city=quetta, title="Quetta consultation")
    FindingFactory.create_batch(3, consultation=consultation)
    ConsultationFactory(title="Elsewhere")

    content = staff_client.get(
        reverse("consultations:consultation_list"), {"city": quetta.pk}
    ).content.decode()

    assert "Quetta consultation" in content and "Elsewhere" not in content
    assert '<td class="text-end">3</td>' in content


def test_consultation_list_queries_do_not_grow(staff_client):
    url = reverse("consultations:consultation_list")
    for _ in range(2):
        FindingFactory()
    few = count_queries(lambda: staff_client.get(url))
    for _ in range(20):
        FindingFactory()
    many = count_queries(lambda: staff_client.get(url))

    assert_queries_do_not_grow(few, many)


def test_consultation_page_shows_officials_findings_and_next_steps(staff_client):
    official = OfficialFactory(name="Mayor of Quetta")
    consultation = ConsultationFactory(
        city=official.city, summary="They want to join.", officials=[official]
    )
    FindingFactory(consultation=consultation, theme="security", text="The situation is dire.")
    NextStepFactory(consultation=consultation, title="Onboard Quetta")

    content = staff_client.get(consultation.get_absolute_url()).content.decode()

    for expected in (
        "Mayor of Quetta",
        "They want to join.",
        "Security situation",
        "The situation is dire.",
        "Onboard Quetta",
    ):
        assert expected in content


def test_consultation_page_queries_do_not_grow(staff_client):
    consultation = ConsultationFactory()

    def grow(times):
        for _ in range(times):
            FindingFactory(consultation=consultation)
            NextStepFactory(consultation=consultation)
            consultation.officials.add(OfficialFactory(city=consultation.city))

    grow(2)
    few = count_queries(lambda: staff_client.get(consultation.get_absolute_url()))
    grow(15)
    many = count_queries(lambda: staff_client.get(consultation.get_absolute_url()))

    assert_queries_do_not_grow(few, many)


def test_overdue_list_shows_a_late_step_until_it_is_done(staff_client):
    late = NextStepFactory(title="Late report", due_date=datetime.date(2018, 1, 1))
    NextStepFactory(title="Future exchange", due_date=datetime.date(2099, 1, 1))
    url = reverse("consultations:next_step_list")

    before = staff_client.get(url, {"overdue": "true"}).content.decode()
    staff_client.post(
        reverse("consultations:next_step_status", args=[late.pk]),
        {"status": NextStep.Status.DONE, "note": "Sent to the cities.", **version_of(late)},
        follow=True,  # shows (and consumes) the confirmation message
    )
    after = staff_client.get(url, {"overdue": "true"}).content.decode()

    assert "Late report" in before and "Overdue" in before
    assert "Future exchange" not in before
    assert "Late report" not in after


def test_quick_status_change_from_the_list_returns_to_the_list(staff_client, staff_user):
    step = NextStepFactory(title="Domestic exchange")
    back = reverse("consultations:next_step_list") + "?status=open"

    response = staff_client.post(
        reverse("consultations:next_step_status", args=[step.pk]),
        {"status": "in_progress", "note": "Dates agreed.", "next": back, **version_of(step)},
    )

    assert response["Location"] == back
    step.refresh_from_db()
    assert step.status == NextStep.Status.IN_PROGRESS
    update = step.updates.get()
    assert (update.note, update.author) == ("Dates agreed.", staff_user)


def test_quick_status_change_never_redirects_off_site(staff_client):
    step = NextStepFactory()

    response = staff_client.post(
        reverse("consultations:next_step_status", args=[step.pk]),
        {"status": "done", "note": "Done.", "next": "//evil.example.org/", **version_of(step)},
    )

    assert response["Location"] == step.get_absolute_url()


def test_quick_status_change_without_a_note_explains_and_changes_nothing(staff_client):
    step = NextStepFactory()

    response = staff_client.post(
        reverse("consultations:next_step_status", args=[step.pk]), {"status": "done", "note": ""}
    )

    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    step.refresh_from_db()
    assert step.status == NextStep.Status.OPEN


def test_next_step_page_shows_progress_and_overdue_warning(staff_client):
    step = NextStepFactory(title="Detailed report", due_date=datetime.date(2017, 11, 30))
    ProgressUpdateFactory(next_step=step, note="First draft written.")

    content = staff_client.get(step.get_absolute_url()).content.decode()

    assert "Detailed report" in content
    assert "Overdue: it was due on 30 November 2017." in content
    assert "First draft written." in content


def test_next_step_list_and_page_queries_do_not_grow(staff_client):
    url = reverse("consultations:next_step_list")
    step = NextStepFactory()
    NextStepFactory.create_batch(2)
    ProgressUpdateFactory.create_batch(2, next_step=step)
    few = (
        count_queries(lambda: staff_client.get(url)),
        count_queries(lambda: staff_client.get(step.get_absolute_url())),
    )
    NextStepFactory.create_batch(20)
    ProgressUpdateFactory.create_batch(20, next_step=step)
    many = (
        count_queries(lambda: staff_client.get(url)),
        count_queries(lambda: staff_client.get(step.get_absolute_url())),
    )

    assert_queries_do_not_grow(few[0], many[0])
    assert_queries_do_not_grow(few[1], many[1])


def test_creating_a_next_step_for_a_city(staff_client, staff_user):
    quetta = CityFactory(name="Quetta")

    response = staff_client.post(
        reverse("consultations:next_step_create"),
        {
            "title": "Invite Quetta to the summit",
            "kind": NextStep.Kind.INTERNATIONAL_EXCHANGE,
            "city": quetta.pk,
            "owner": staff_user.pk,
            "due_date": "2030-06-01",
        },
    )

    step = NextStep.objects.get()
    assert response["Location"] == step.get_absolute_url()
    assert (step.city, step.owner, step.status) == (quetta, staff_user, NextStep.Status.OPEN)


def test_a_next_step_from_nowhere_is_refused_with_a_message(staff_client):
    response = staff_client.post(
        reverse("consultations:next_step_create"),
        {"title": "Orphan", "kind": NextStep.Kind.OTHER},
    )

    assert "Say where the next step comes from" in response.content.decode()
    assert not NextStep.objects.exists()


def test_each_steps_badge_shows_its_status_and_a_late_one_is_marked_overdue(staff_client):
    NextStepFactory(title="Late", due_date=datetime.date(2018, 1, 1))
    NextStepFactory(
        title="Finished", status=NextStep.Status.DONE, completed_on=datetime.date(2024, 5, 1)
    )
    NextStepFactory(title="Stuck", status=NextStep.Status.BLOCKED)
    url = reverse("consultations:next_step_list")

    content = staff_client.get(url).content.decode()
    in_urdu = staff_client.get(url, headers={"accept-language": "ur"}).content.decode()

    assert content.count('<span class="badge badge-overdue">Overdue</span>') == 1
    assert '<span class="badge text-bg-success">Done</span>' in content
    assert '<span class="badge text-bg-warning">Blocked</span>' in content
    assert '<span class="badge text-bg-light border">Open</span>' in content
    assert "Overdue" not in in_urdu.split("<main", 1)[1]  # the badge in Urdu too

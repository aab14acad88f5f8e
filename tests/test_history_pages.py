"""History pages: who changed what and when, by name, within the reader's scope; an admin's
restore of an earlier version (scn_portal/history.py, `record_restore`)."""

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse

from cities.models import City, Official, Organisation
from cities.services import city_save, official_save
from consultations.models import Consultation, Finding, NextStep
from consultations.services import consultation_create, consultation_save, next_step_set_status
from tests.auth import sign_in
from tests.conftest import make_user_with_role
from tests.factories import (
    CityFactory,
    OfficialFactory,
    OrganisationFactory,
    RegionalHubFactory,
)
from tests.queries import assert_queries_do_not_grow, count_queries
from workshops.models import MediaCoverage, Participation, Workshop
from workshops.services import workshop_create, workshop_save, workshop_update

pytestmark = pytest.mark.django_db


def cell(text: str) -> str:
    """A value as the history's table shows it, before or after."""
    return f'<td class="history-value" dir="auto">{text}</td>'


def history_of(client: Client, record) -> str:
    name = {
        City: ("cities:city_history", "slug"),
        Official: ("cities:official_history", "pk"),
        Organisation: ("cities:organisation_history", "slug"),
        Workshop: ("workshops:workshop_history", "slug"),
        Consultation: ("consultations:consultation_history", "pk"),
        NextStep: ("consultations:next_step_history", "pk"),
    }[type(record)]
    response = client.get(reverse(name[0], kwargs={name[1]: getattr(record, name[1])}))
    assert response.status_code == 200
    return response.content.decode()


def signed_in(user) -> Client:
    client = Client()
    sign_in(client, user)
    return client


def restore_url(record, version) -> str:
    names = {City: "cities:city_history_restore", Workshop: "workshops:workshop_history_restore"}
    key = "slug"
    return reverse(names[type(record)], kwargs={key: record.slug, "history_id": version.pk})


@pytest.fixture
def portal_admin(db):
    return make_user_with_role(
        "Portal admin", username="amina", first_name="Amina", last_name="Admin"
    )


@pytest.fixture
def partner(db):
    user = make_user_with_role("Partner editor", username="il.editor")
    OrganisationFactory(name="Individualland", slug="individualland").members.add(user)
    return user


def a_workshop(actor, organiser, **fields) -> Workshop:
    return workshop_create(
        actor=actor,
        title=fields.pop("title", "Capacity-building workshop"),
        slug=fields.pop("slug", "capacity-building"),
        kind=Workshop.Kind.CAPACITY_BUILDING,
        start_date=datetime.date(2017, 11, 1),
        end_date=datetime.date(2017, 11, 4),
        organiser=organiser,
        **fields,
    )


def a_consultation(actor, **fields) -> Consultation:
    """A consultation as staff log it, in a city of its own unless `city` is given."""
    return consultation_create(
        actor=actor,
        city=fields.pop("city", None) or CityFactory(),
        date=fields.pop("date", datetime.date(2017, 11, 2)),
        title=fields.pop("title", "Consultation"),
        summary=fields.pop("summary", "Summary."),
        **fields,
    )


# --- What a history page shows ---------------------------------------------------------------


def test_a_change_shows_who_when_and_each_field_before_and_after_by_name(staff_client, staff_user):
    old_hub, new_hub = RegionalHubFactory(name="South Asia"), RegionalHubFactory(name="MENA")
    city = CityFactory(name="Peshawar", hub=old_hub, membership_status=City.Membership.MEMBER)

    city_save(
        actor=staff_user,
        city=city,
        data={"hub": new_hub, "membership_status": City.Membership.PROSPECTIVE},
    )

    page = history_of(staff_client, city)
    assert "by Sana Staff" in page
    assert re.search(r'<time datetime="\d{4}-\d\d-\d\dT', page)
    # A foreign key reads as its record's name, a choice as its label: never ids or codes.
    assert cell("South Asia") in page and cell("MENA") in page
    assert cell("Member") in page and cell("Prospective member") in page
    assert cell(str(old_hub.pk)) not in page and cell("prospective") not in page
    assert "Regional hub" in page and "SCN membership" in page


def test_many_to_many_changes_show_the_names_added_and_removed(staff_client, staff_user):
    quetta, nowshera = CityFactory(name="Quetta"), CityFactory(name="Nowshera")
    workshop = a_workshop(staff_user, OrganisationFactory(), cities=[quetta])

    workshop_update(actor=staff_user, workshop=workshop, cities=[nowshera])

    page = history_of(staff_client, workshop)
    assert '<ins dir="auto">Nowshera</ins>' in page
    assert '<del dir="auto">Quetta</del>' in page
    assert "Cities involved" in page


def test_a_consultations_history_shows_its_findings_and_next_steps_a_deleted_one_too(
    staff_client, staff_user
):
    consultation = consultation_create(
        actor=staff_user,
        city=CityFactory(name="Quetta"),
        date=datetime.date(2017, 11, 2),
        title="Consultation with Quetta officials",
        summary="The mayor wants to join.",
        findings=[
            {"theme": Finding.Theme.SECURITY, "text": "The security situation is dire."},
            {"theme": Finding.Theme.NEEDS, "text": "Officials feel powerless."},
        ],
        next_steps=[{"title": "Onboard Quetta", "kind": NextStep.Kind.MEMBERSHIP_ONBOARDING}],
    )
    security, needs = consultation.findings.order_by("position")
    step = consultation.next_steps.get()

    consultation_save(
        actor=staff_user,
        consultation=consultation,
        data={},
        findings=[
            (security, {"text": "The security situation has improved."}, False),
            (needs, {}, True),
        ],
        next_steps=[(step, {"due_date": datetime.date(2018, 3, 1)}, False)],
    )

    page = history_of(staff_client, consultation)
    assert "Key finding: Security situation" in page
    assert cell("The security situation is dire.") in page
    assert cell("The security situation has improved.") in page
    # The deleted finding: its deletion, and its creation with its text, stay on the page.
    assert "Key finding: Needs and frustrations" in page
    assert "Deleted" in page
    assert cell("Officials feel powerless.") in page
    assert "Next step: Onboard Quetta" in page
    assert cell("1 March 2018") in page


def test_a_next_steps_history_shows_its_progress_updates(staff_client, staff_user):
    step = consultation_create(
        actor=staff_user,
        city=CityFactory(),
        date=datetime.date(2017, 11, 2),
        title="Consultation",
        summary="Summary.",
        next_steps=[{"title": "Write the report", "kind": NextStep.Kind.DETAILED_REPORT}],
    ).next_steps.get()

    next_step_set_status(
        actor=staff_user,
        next_step=step,
        status=NextStep.Status.IN_PROGRESS,
        note="Drafting has begun.",
    )

    page = history_of(staff_client, step)
    assert cell("Open") in page and cell("In progress") in page
    assert "Progress update:" in page
    assert cell("Drafting has begun.") in page


def test_a_long_history_is_paginated(staff_client, staff_user):
    city = CityFactory()
    for number in range(30):
        city_save(actor=staff_user, city=city, data={"population": 1000 + number})

    first = history_of(staff_client, city)
    second = staff_client.get(reverse("cities:city_history", args=[city.slug]) + "?page=2")

    assert "Page 1 of 2" in first
    assert cell("1029") in first and cell("1001") not in first
    assert cell("1001") in second.content.decode()
    bad_page = staff_client.get(reverse("cities:city_history", args=[city.slug]) + "?page=x")
    assert bad_page.status_code == 200


# --- Confidentiality -----------------------------------------------------------------------


def test_a_partner_sees_their_workshops_history_without_its_internal_notes(staff_user, partner):
    workshop = a_workshop(staff_user, Organisation.objects.get(slug="individualland"))
    workshop_update(actor=staff_user, workshop=workshop, internal_notes="SECRET first notes")
    workshop_update(
        actor=staff_user,
        workshop=workshop,
        internal_notes="SECRET later notes",
        venue="Islamabad",
    )

    page = history_of(signed_in(partner), workshop)

    assert cell("Islamabad") in page
    assert "SECRET" not in page
    assert "Internal notes" not in page
    assert "SECRET later notes" in history_of(signed_in(staff_user), workshop)


def test_a_partner_sees_an_official_they_may_not_see_as_not_shown(staff_user, partner):
    workshop = a_workshop(staff_user, Organisation.objects.get(slug="individualland"))
    unnamed = OfficialFactory(name="Unnamed district officer", consent_to_be_named=False)
    workshop_save(
        actor=staff_user,
        workshop=workshop,
        data={},
        participations=[(Participation(), {"official": unnamed, "role": "Guest"}, False)],
    )

    page = history_of(signed_in(partner), workshop)

    assert "Unnamed district officer" not in page
    assert "Participation: (not shown)" in page
    assert "Unnamed district officer" in history_of(signed_in(staff_user), workshop)


def test_a_partner_gets_404_on_another_organisations_workshop_and_any_consultation(
    client, staff_user, partner
):
    other = a_workshop(staff_user, OrganisationFactory(name="Other NGO"), is_published=True)
    consultation = a_consultation(
        staff_user,
        title="Published consultation",
        confidentiality=Consultation.Confidentiality.PUBLISHED,
    )
    sign_in(client, partner)

    assert client.get(reverse("workshops:workshop_detail", args=[other.slug])).status_code == 200
    assert client.get(reverse("workshops:workshop_history", args=[other.slug])).status_code == 404
    assert (
        client.get(reverse("consultations:consultation_history", args=[consultation.pk]))
    ).status_code == 404
    assert client.get(
        reverse("cities:city_history", args=[consultation.city.slug])
    ).status_code == (404)


def test_a_viewer_never_sees_a_confidential_consultations_history(client, staff_user):
    city = CityFactory()
    confidential, internal = (
        a_consultation(staff_user, city=city, title=title, confidentiality=level)
        for title, level in (
            ("Confidential", Consultation.Confidentiality.CONFIDENTIAL),
            ("Internal", Consultation.Confidentiality.INTERNAL),
        )
    )
    sign_in(client, make_user_with_role("Viewer", username="funder"))

    url = "consultations:consultation_history"
    assert client.get(reverse(url, args=[confidential.pk])).status_code == 404
    assert client.get(reverse(url, args=[internal.pk])).status_code == 200


def test_what_was_written_while_confidential_stays_out_of_a_viewers_history(staff_user):
    """Made internal later, a consultation opens to viewers, its history too: but what it
    said while it was confidential (its summary, its findings, its next steps' titles), and
    what replaced those words, stays ISD staff's. What is written after is shown."""
    consultation = a_consultation(
        staff_user,
        summary="Names of our sources.",
        confidentiality=Consultation.Confidentiality.CONFIDENTIAL,
        findings=[{"theme": Finding.Theme.SECURITY, "text": "A source inside the council."}],
        next_steps=[{"title": "Meet the source", "kind": NextStep.Kind.MEMBERSHIP_ONBOARDING}],
    )
    finding = consultation.findings.get()
    consultation_save(
        actor=staff_user,
        consultation=consultation,
        data={"summary": "Sanitised summary.", "confidentiality": "internal"},
        findings=[(finding, {"text": "Council relations are strained."}, False)],
    )
    consultation_save(
        actor=staff_user,
        consultation=consultation,
        data={"summary": "Sanitised summary, with the follow-up."},
        findings=[(finding, {"text": "Council relations are improving."}, False)],
    )

    viewer_page = history_of(signed_in(make_user_with_role("Viewer", username="v")), consultation)
    staff_page = history_of(signed_in(staff_user), consultation)

    for secret in ("Names of our sources.", "A source inside the council.", "Meet the source"):
        assert secret not in viewer_page
        assert secret in staff_page
    # Withheld: the three records' creation, and the change that made it internal (the
    # consultation's and its finding's), which replaced the confidential words.
    assert viewer_page.count("Written while the consultation was confidential") == 5
    assert "Written while the consultation was confidential" not in staff_page
    # Written after: shown.
    assert cell("Sanitised summary, with the follow-up.") in viewer_page
    assert cell("Council relations are improving.") in viewer_page


def test_words_of_a_confidential_past_carried_into_later_versions_stay_hidden(staff_user):
    """A save that only makes the consultation internal leaves its summary, its title and
    its next step's title as they were: a later change shows those words as the old value,
    or as the step's name. They read "(not shown)"."""
    mayor = OfficialFactory(name="Informant official")
    consultation = a_consultation(
        staff_user,
        summary="Names of our sources.",
        confidentiality=Consultation.Confidentiality.CONFIDENTIAL,
        officials=[mayor],
        next_steps=[{"title": "Meet the source", "kind": NextStep.Kind.MEMBERSHIP_ONBOARDING}],
    )
    step = consultation.next_steps.get()
    consultation_save(
        actor=staff_user, consultation=consultation, data={"confidentiality": "internal"}
    )
    consultation_save(
        actor=staff_user,
        consultation=consultation,
        data={"summary": "Sanitised summary.", "officials": []},
        next_steps=[(step, {"due_date": datetime.date(2018, 3, 1)}, False)],
    )
    consultation_save(
        actor=staff_user,
        consultation=consultation,
        data={},
        next_steps=[(step, {"title": "Follow-up"}, False)],
    )

    viewer = signed_in(make_user_with_role("Viewer", username="v"))
    pages = [history_of(viewer, consultation), history_of(viewer, step)]
    staff_page = history_of(signed_in(staff_user), consultation)

    for page in pages:
        for secret in ("Names of our sources.", "Meet the source", "Informant official"):
            assert secret not in page
    assert cell("Sanitised summary.") in pages[0]  # written after: shown
    assert cell("Follow-up") in pages[0]
    assert "(not shown)" in pages[0]
    for secret in ("Names of our sources.", "Meet the source", "Informant official"):
        assert secret in staff_page


def test_an_officials_contact_details_stay_out_of_a_viewers_history(staff_user):
    official = OfficialFactory(email="first@example.org", phone="")
    official_save(
        actor=staff_user,
        official=official,
        data={"email": "second@example.org", "phone": "+92 300", "title": "District Nazim"},
    )
    viewer = make_user_with_role("Viewer", username="funder")

    page = history_of(signed_in(viewer), official)

    assert cell("District Nazim") in page
    assert "example.org" not in page and "+92 300" not in page
    assert cell("second@example.org") in history_of(signed_in(staff_user), official)


def test_the_history_link_shows_only_where_the_history_opens(staff_user, partner):
    own = a_workshop(staff_user, Organisation.objects.get(slug="individualland"))
    other = a_workshop(
        staff_user, OrganisationFactory(), slug="other", title="Other", is_published=True
    )
    client = signed_in(partner)

    def detail(workshop):
        return client.get(reverse("workshops:workshop_detail", args=[workshop.slug])).content

    assert reverse("workshops:workshop_history", args=[own.slug]).encode() in detail(own)
    assert b"/history/" not in detail(other)
    city_page = client.get(reverse("cities:city_detail", args=[CityFactory().slug])).content
    assert b"/history/" not in city_page


# --- Restore -------------------------------------------------------------------------------


def test_an_admin_restores_an_earlier_version_and_the_restore_is_recorded(staff_user, portal_admin):
    hub = RegionalHubFactory(name="South Asia")
    city = city_save(
        actor=staff_user,
        city=City(),
        data={
            "name": "Peshawar",
            "slug": "peshawar",
            "country": CityFactory().country,
            "hub": hub,
            "population": 1970000,
        },
    )
    original = city.history.latest()
    city_save(
        actor=staff_user,
        city=city,
        data={"name": "Peshawar (typo)", "hub": None, "population": 5},
    )
    client = signed_in(portal_admin)
    history = history_of(client, city)
    assert restore_url(city, original) in history

    confirm = client.post(restore_url(city, original))
    assert confirm.status_code == 200
    assert cell("Peshawar (typo)") in confirm.content.decode()
    assert cell("South Asia") in confirm.content.decode()
    city.refresh_from_db()
    assert city.name == "Peshawar (typo)", "the first step only asks"

    response = client.post(restore_url(city, original), {"confirm": "yes"}, follow=True)

    city.refresh_from_db()
    assert (city.name, city.hub, city.population) == ("Peshawar", hub, 1970000)
    latest = city.history.latest()
    assert latest.history_user == portal_admin
    assert latest.history_change_reason.startswith("Restored the version of ")
    assert city.history.count() == 3
    page = response.content.decode()
    assert "back to its version of" in page
    assert "by Amina Admin" in page and "Restored the version of" in page


def test_a_restore_brings_many_to_many_members_back(staff_user, superuser):
    quetta, nowshera = CityFactory(name="Quetta"), CityFactory(name="Nowshera")
    workshop = a_workshop(staff_user, OrganisationFactory(), cities=[quetta])
    version = workshop.history.latest()  # after its cities were set
    workshop_update(actor=staff_user, workshop=workshop, cities=[nowshera], title="Renamed")

    response = signed_in(superuser).post(restore_url(workshop, version), {"confirm": "yes"})

    assert response.status_code == 302
    workshop.refresh_from_db()
    assert list(workshop.cities.all()) == [quetta]
    assert workshop.title == "Capacity-building workshop"
    latest = workshop.history.latest()
    assert list(latest.cities.values_list("city", flat=True)) == [quetta.pk]
    assert latest.history_user == superuser


@pytest.mark.parametrize("role", ["ISD staff", "Viewer", "Partner editor"])
def test_only_an_admin_may_restore(role, staff_user):
    city = CityFactory(name="Original")
    city_save(actor=staff_user, city=city, data={"name": "Original"})  # a first history row
    version = city.history.latest()
    city_save(actor=staff_user, city=city, data={"name": "Changed"})
    rows = city.history.count()
    client = signed_in(make_user_with_role(role, username="someone"))

    assert client.post(restore_url(city, version), {"confirm": "yes"}).status_code == 404
    assert client.post(restore_url(city, version)).status_code == 404
    assert client.get(restore_url(city, version)).status_code == 405
    assert (
        b"Restore this version"
        not in client.get(reverse("cities:city_history", args=[city.slug])).content
    )

    city.refresh_from_db()
    assert city.name == "Changed"
    assert city.history.count() == rows


def test_a_restore_that_breaks_a_rule_is_refused_with_a_message(staff_user, superuser):
    city = CityFactory(name="Alpha", slug="alpha")
    city_save(actor=staff_user, city=city, data={"population": 1})
    version = city.history.latest()
    city_save(actor=staff_user, city=city, data={"slug": "beta"})
    CityFactory(name="Someone else", slug="alpha")  # the slug is taken meanwhile
    rows = city.history.count()
    client = signed_in(superuser)

    response = client.post(restore_url(city, version), {"confirm": "yes"}, follow=True)

    assert response.status_code == 200
    page = response.content.decode()
    assert "This version could not be restored" in page
    assert "Slug: City with this Slug already exists." in page
    city.refresh_from_db()
    assert city.slug == "beta"
    assert city.history.count() == rows


def test_an_unknown_or_foreign_version_is_a_404(staff_user, superuser):
    city, other = CityFactory(), CityFactory()
    city_save(actor=staff_user, city=other, data={"population": 3})
    client = signed_in(superuser)

    assert client.post(restore_url(city, other.history.latest())).status_code == 404
    missing = reverse("cities:city_history_restore", args=[city.slug, 999999])
    assert client.post(missing, {"confirm": "yes"}).status_code == 404


# --- Query counts --------------------------------------------------------------------------


def test_a_workshops_history_page_makes_as_many_queries_with_many_rows_as_with_few(
    staff_user, partner
):
    organiser = Organisation.objects.get(slug="individualland")
    few = a_workshop(staff_user, organiser, slug="few", title="Few")
    many = a_workshop(staff_user, organiser, slug="many", title="Many")
    cities = [CityFactory(name=f"City {n}") for n in range(2)]
    outlet = OrganisationFactory(kind=Organisation.Kind.MEDIA)

    def change(workshop, rounds):
        for number in range(rounds):
            workshop_update(
                actor=staff_user,
                workshop=workshop,
                title=f"{workshop.title} {number}",
                cities=[cities[number % 2]],
            )
            workshop_save(
                actor=staff_user,
                workshop=workshop,
                data={},
                participations=[
                    (Participation(), {"name": f"Guest {number}", "city": cities[0]}, False)
                ],
                media_coverage=[
                    (
                        MediaCoverage(),
                        {
                            "outlet": outlet,
                            "language": MediaCoverage.Language.URDU,
                            "headline": f"Headline {number}",
                        },
                        False,
                    )
                ],
            )

    change(few, 1)
    change(many, 10)
    assert Workshop.history.filter(id=many.pk).count() > 25
    for user in (staff_user, partner):
        client = signed_in(user)

        def page(workshop, client=client):
            return lambda: history_of(client, workshop)

        assert_queries_do_not_grow(count_queries(page(few)), count_queries(page(many)))


def test_a_consultations_history_page_makes_as_many_queries_with_many_findings_as_with_few(
    staff_user,
):
    """A finding's row is named from the history row itself: `row.instance` would fetch the
    live finding's columns the history leaves out, one query per row."""

    def consultation_with_findings(count: int) -> Consultation:
        return consultation_create(
            actor=staff_user,
            city=CityFactory(),
            date=datetime.date(2017, 11, 2),
            title=f"Consultation with {count} findings",
            summary="What was discussed.",
            findings=[
                {"theme": Finding.Theme.NEEDS, "text": f"Finding {number}"}
                for number in range(count)
            ],
            next_steps=[
                {"title": f"Step {number}", "kind": NextStep.Kind.MEMBERSHIP_ONBOARDING}
                for number in range(count)
            ],
        )

    few, many = consultation_with_findings(1), consultation_with_findings(12)
    client = signed_in(staff_user)
    assert "Key finding: Needs and frustrations" in history_of(client, many)

    def page(consultation):
        return lambda: history_of(client, consultation)

    assert_queries_do_not_grow(count_queries(page(few)), count_queries(page(many)))

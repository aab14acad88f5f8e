"""The city, official and organisation pages of the staff portal."""

import datetime

import pytest
from django.urls import reverse

from cities.models import City, Official, Organisation
from consultations.models import Consultation, NextStep
from tests.auth import sign_in
from tests.factories import (
    CityFactory,
    ConsultationFactory,
    FindingFactory,
    LocalMechanismFactory,
    NextStepFactory,
    OfficialFactory,
    OrganisationFactory,
    ParticipationFactory,
    WorkshopFactory,
)
from tests.queries import assert_queries_do_not_grow, count_queries

pytestmark = pytest.mark.django_db


def test_city_list_shows_cities_with_their_membership_and_last_contact(staff_client):
    quetta = CityFactory(
        name="Quetta", name_local="کوئٹہ", membership_status=City.Membership.PROSPECTIVE
    )
    ConsultationFactory(city=quetta, date=datetime.date(2017, 11, 2))
    CityFactory(name="Peshawar")

    content = staff_client.get(reverse("cities:city_list")).content.decode()

    assert "Quetta" in content and "کوئٹہ" in content
    assert "Prospective member" in content
    assert "2 Nov 2017" in content
    assert "Peshawar" in content
    assert "never" in content


def test_city_list_filters_search_and_sorts_in_the_url(staff_client):
    CityFactory(name="Quetta", province="Balochistan", membership_status="prospective")
    CityFactory(name="Peshawar", province="Khyber Pakhtunkhwa")
    url = reverse("cities:city_list")

    prospective = staff_client.get(url, {"membership_status": "prospective"}).content.decode()
    searched = staff_client.get(url, {"q": "khyber"}).content.decode()
    descending = staff_client.get(url, {"o": "-name"}).content.decode()

    assert "Quetta" in prospective and "Peshawar" not in prospective
    assert "Peshawar" in searched and "Quetta" not in searched
    assert descending.index("Quetta") < descending.index("Peshawar")


def test_a_bad_filter_value_shows_a_message_not_an_error(staff_client):
    response = staff_client.get(reverse("cities:city_list"), {"membership_status": "nonsense"})

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_city_list_paginates_keeping_the_filters(staff_client):
    for number in range(30):
        CityFactory(name=f"Town {number:02}", province="Sindh")

    content = staff_client.get(reverse("cities:city_list"), {"q": "Town"}).content.decode()

    assert "Page 1 of 2" in content
    assert "?q=Town&amp;page=2" in content


def test_city_list_queries_do_not_grow_with_rows(staff_client):
    url = reverse("cities:city_list")
    CityFactory.create_batch(2)
    few = count_queries(lambda: staff_client.get(url))
    for city in CityFactory.create_batch(20):
        ConsultationFactory(city=city)
        OfficialFactory(city=city)
    many = count_queries(lambda: staff_client.get(url))

    assert_queries_do_not_grow(few, many)


def test_city_page_is_the_engagement_timeline_of_that_city_only(staff_client):
    quetta = CityFactory(name="Quetta")
    peshawar = CityFactory(name="Peshawar")
    workshop = WorkshopFactory(
        title="Capacity workshop", start_date=datetime.date(2017, 11, 1), cities=[quetta]
    )
    consultation = ConsultationFactory(
        city=quetta, title="Quetta consultation", date=datetime.date(2017, 11, 3)
    )
    FindingFactory(consultation=consultation, text="The security situation is dire.")
    later = ConsultationFactory(city=quetta, title="Follow-up call", date=datetime.date(2018, 3, 1))
    ConsultationFactory(city=peshawar, title="Peshawar consultation")
    LocalMechanismFactory(city=quetta, name="Public Safety Committee")
    OfficialFactory(city=quetta, name="Mayor of Quetta")

    content = staff_client.get(quetta.get_absolute_url()).content.decode()

    assert "Peshawar consultation" not in content
    assert "Public Safety Committee" in content
    assert "Mayor of Quetta" in content
    assert "The security situation is dire." in content
    timeline = content[content.index("Engagement timeline") :]
    positions = [
        timeline.index(title) for title in (later.title, consultation.title, workshop.title)
    ]
    assert positions == sorted(positions), "timeline is not most recent first"


def test_city_page_puts_open_and_overdue_next_steps_on_top(staff_client):
    quetta = CityFactory(name="Quetta")
    NextStepFactory(city=quetta, title="Late report", due_date=datetime.date(2018, 1, 1))
    NextStepFactory(
        city=quetta,
        title="Finished exchange",
        status=NextStep.Status.DONE,
        completed_on=datetime.date(2018, 2, 1),
    )

    content = staff_client.get(quetta.get_absolute_url()).content.decode()

    open_section = content[content.index("Open next steps") : content.index("Profile")]
    assert "Late report" in open_section
    assert "1 overdue" in open_section
    assert "Finished exchange" not in open_section
    assert "Finished exchange" in content  # still on the timeline


def test_city_page_queries_do_not_grow_with_engagement(staff_client):
    quetta = CityFactory()

    def engage(times):
        for _ in range(times):
            consultation = ConsultationFactory(
                city=quetta, officials=[OfficialFactory(city=quetta)]
            )
            FindingFactory(consultation=consultation)
            NextStepFactory(city=quetta, consultation=consultation)
            WorkshopFactory(cities=[quetta])
            LocalMechanismFactory(city=quetta)

    engage(2)
    few = count_queries(lambda: staff_client.get(quetta.get_absolute_url()))
    engage(15)
    many = count_queries(lambda: staff_client.get(quetta.get_absolute_url()))

    assert_queries_do_not_grow(few, many)


def test_a_city_with_many_officials_shows_the_first_and_links_to_all(staff_client):
    from cities.views import OFFICIALS_SHOWN

    quetta = CityFactory(name="Quetta")
    names = [f"Official {number:03d}" for number in range(OFFICIALS_SHOWN + 2)]
    for name in reversed(names):
        OfficialFactory(city=quetta, name=name)
    OfficialFactory(name="Official of elsewhere")

    page = staff_client.get(quetta.get_absolute_url()).content.decode()
    every = reverse("cities:official_list") + f"?city={quetta.pk}"
    listing = staff_client.get(every).content.decode()

    officials = page[page.index('id="officials-heading"') : page.index("Engagement timeline")]
    assert [name for name in names if f">{name}</a>" in officials] == names[:OFFICIALS_SHOWN]
    assert f'<a href="{every}">All {OFFICIALS_SHOWN + 2} officials of the city</a>' in officials
    assert f"{OFFICIALS_SHOWN + 2} results" in listing
    assert "Official of elsewhere" not in listing


def test_a_partner_is_not_offered_the_officials_list_they_cannot_open(client):
    from cities.views import OFFICIALS_SHOWN
    from tests.conftest import make_user_with_role

    partner = make_user_with_role("Partner editor", username="partner")
    OrganisationFactory().members.add(partner)
    sign_in(client, partner)
    city = CityFactory(is_published=True)
    for number in range(OFFICIALS_SHOWN + 2):
        OfficialFactory(
            city=city,
            name=f"Official {number:03d}",
            consent_to_be_named=True,
            consent_recorded_on=datetime.date(2024, 1, 1),
        )

    page = client.get(city.get_absolute_url()).content.decode()

    assert "Official 000" in page
    assert "officials of the city" not in page
    assert client.get(reverse("cities:official_list"), {"city": city.pk}).status_code == 404


def test_official_list_and_page_show_role_city_and_private_contact_to_staff(staff_client):
    official = OfficialFactory(
        name="Asim Khan", title="District Nazim", email="asim@example.org", phone="+92 1"
    )
    ParticipationFactory(official=official, workshop=WorkshopFactory(title="Nov workshop"))

    listing = staff_client.get(reverse("cities:official_list"), {"q": "Khan"}).content.decode()
    page = staff_client.get(official.get_absolute_url()).content.decode()

    assert "Asim Khan" in listing and "District Nazim" in listing
    assert official.city.name in page
    assert "asim@example.org" in page and "+92 1" in page
    assert "Nov workshop" in page


def test_official_and_organisation_lists_queries_do_not_grow(staff_client):
    for url, factory in (
        (reverse("cities:official_list"), OfficialFactory),
        (reverse("cities:organisation_list"), OrganisationFactory),
    ):
        factory.create_batch(2)
        few = count_queries(lambda url=url: staff_client.get(url))
        factory.create_batch(20)
        many = count_queries(lambda url=url: staff_client.get(url))
        assert_queries_do_not_grow(few, many)


def test_detail_pages_queries_do_not_grow(staff_client):
    official = OfficialFactory()
    organisation = OrganisationFactory()

    def grow(times):
        for _ in range(times):
            ParticipationFactory(official=official)
            ConsultationFactory(city=official.city, officials=[official])
            WorkshopFactory(organiser=organisation)
            OfficialFactory(organisation=organisation)

    urls = [official.get_absolute_url(), organisation.get_absolute_url()]
    grow(2)
    few = [count_queries(lambda url=url: staff_client.get(url)) for url in urls]
    grow(15)
    many = [count_queries(lambda url=url: staff_client.get(url)) for url in urls]

    for before, after in zip(few, many, strict=True):
        assert_queries_do_not_grow(before, after)


def test_organisation_page_lists_its_workshops(staff_client):
    individualland = OrganisationFactory(name="Individualland")
    WorkshopFactory(title="Peshawar workshop", organiser=individualland)

    content = staff_client.get(individualland.get_absolute_url()).content.decode()

    assert "Individualland" in content and "Peshawar workshop" in content


def test_creating_a_city_through_the_form(staff_client, staff_user):
    pakistan = CityFactory().country
    response = staff_client.post(
        reverse("cities:city_create"),
        {
            "name": "Lahore",
            "name_local": "لاہور",
            "slug": "lahore",
            "country": pakistan.pk,
            "province": "Punjab",
            "membership_status": City.Membership.PROSPECTIVE,
            "membership_changed_on": "2019-05-01",
        },
    )

    city = City.objects.get(slug="lahore")
    assert response["Location"] == city.get_absolute_url()
    assert (city.name_local, city.province) == ("لاہور", "Punjab")
    assert city.history.get().history_user == staff_user


def test_city_form_error_keeps_what_was_typed(staff_client):
    existing = CityFactory(slug="lahore")
    response = staff_client.post(
        reverse("cities:city_create"),
        {
            "name": "Lahore",
            "slug": "lahore",
            "country": existing.country.pk,
            "province": "Punjab",
            "membership_status": City.Membership.MEMBER,
            "latitude": "123",
        },
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert "City with this Slug already exists." in content
    assert 'value="Punjab"' in content
    assert City.objects.count() == 1


def test_creating_an_official_and_an_organisation(staff_client):
    quetta = CityFactory(slug="quetta")
    staff_client.post(
        reverse("cities:organisation_create"),
        {"name": "Balochistan Times", "slug": "balochistan-times", "kind": "media"},
    )
    response = staff_client.post(
        reverse("cities:official_create"),
        {
            "name": "Dr Kakar",
            "city": quetta.pk,
            "role_kind": Official.RoleKind.MAYOR,
            "gender": Official.Gender.MALE,
            "consent_to_be_named": "on",
        },
    )

    assert Organisation.objects.filter(name="Balochistan Times").exists()
    assert "Record the date on which consent to be named was given." in response.content.decode()
    assert not Official.objects.exists()


def test_a_viewer_is_refused_the_new_city_form_as_not_found(client):
    from tests.conftest import make_user_with_role

    sign_in(client, make_user_with_role("Viewer"))

    assert client.get(reverse("cities:city_create")).status_code == 404
    assert client.get(reverse("cities:city_list")).status_code == 200


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse("cities:city_list"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_next_step_without_dates_stands_on_the_timeline_at_its_consultation(staff_client):
    quetta = CityFactory(name="Quetta")
    consultation = ConsultationFactory(city=quetta, date=datetime.date(2017, 11, 1))
    NextStepFactory(city=quetta, consultation=consultation, title="Onboard", due_date=None)

    content = staff_client.get(quetta.get_absolute_url()).content.decode()

    timeline = content[content.index("Engagement timeline") :]
    step_line = timeline[: timeline.index("Onboard")]
    assert step_line.rindex('datetime="2017-11-01"') > step_line.rfind("<li")


def test_a_busy_citys_timeline_shows_its_latest_engagement_and_links_to_the_rest(
    staff_client, monkeypatch
):
    import datetime

    from cities import selectors

    monkeypatch.setattr(selectors, "TIMELINE_LIMIT", 3)
    city = CityFactory(name="Busy City")
    for day in range(1, 6):
        ConsultationFactory(city=city, title=f"Talk {day}", date=datetime.date(2020, 1, day))

    page = staff_client.get(city.get_absolute_url()).content.decode()

    assert all(f"Talk {day}" in page for day in (5, 4, 3))
    assert "Talk 2" not in page and "Talk 1" not in page
    assert "all 5 consultations" in page
    assert f"/consultations/?city={city.pk}" in page


def test_a_step_filed_apart_from_its_consultations_city_shows_on_both_cities_pages(staff_user):
    """A step moved to another city, or whose consultation moved, is on the page of its
    consultation's city as well as its own; moved back, on its own city's only."""
    from cities.selectors import city_timeline
    from consultations.services import consultation_update, next_step_save

    quetta, peshawar, lahore = (CityFactory(name=n) for n in ("Quetta", "Peshawar", "Lahore"))
    talk = ConsultationFactory(city=quetta)
    step = NextStepFactory(city=quetta, consultation=talk, title="Send the pack")

    def pages_showing() -> set[str]:
        return {
            city.name
            for city in (quetta, peshawar, lahore)
            if "Send the pack"
            in [
                entry.record.title
                for entry in city_timeline(city=city, user=staff_user)["timeline"]
                if entry.kind == "next_step"
            ]
        }

    assert pages_showing() == {"Quetta"}
    next_step_save(actor=staff_user, next_step=step, data={"city": peshawar})
    assert pages_showing() == {"Quetta", "Peshawar"}
    consultation_update(actor=staff_user, consultation=Consultation.objects.get(pk=talk.pk),
                        city=lahore)  # fmt: skip
    assert NextStep.objects.get(pk=step.pk).filed_apart
    assert pages_showing() == {"Lahore", "Peshawar"}
    consultation_update(actor=staff_user, consultation=Consultation.objects.get(pk=talk.pk),
                        city=peshawar)  # fmt: skip
    assert not NextStep.objects.get(pk=step.pk).filed_apart
    assert pages_showing() == {"Peshawar"}
    next_step_save(
        actor=staff_user, next_step=NextStep.objects.get(pk=step.pk), data={"city": None}
    )
    assert pages_showing() == {"Peshawar"}  # country-wide, from its consultation's city


def test_a_consultation_moved_back_by_an_earlier_version_takes_its_steps_flags_along(
    staff_user,
):
    """The admin's revert saves an instance built from a history row, not read from the
    database: the stored city is read to see the move."""
    from cities.selectors import city_timeline
    from consultations.services import consultation_update

    quetta, peshawar = CityFactory(name="Quetta"), CityFactory(name="Peshawar")
    talk = ConsultationFactory(city=quetta)
    step = NextStepFactory(city=quetta, consultation=talk, title="Send the pack")
    consultation_update(actor=staff_user, consultation=talk, city=peshawar)
    assert NextStep.objects.get(pk=step.pk).filed_apart

    talk.history.earliest().instance.save()  # what the admin's revert does

    assert Consultation.objects.get(pk=talk.pk).city == quetta
    assert not NextStep.objects.get(pk=step.pk).filed_apart
    timeline = city_timeline(city=quetta, user=staff_user)["timeline"]
    assert [e.record.title for e in timeline if e.kind == "next_step"] == ["Send the pack"]


def test_a_citys_newest_steps_are_those_one_sort_of_all_its_steps_gives(staff_user, monkeypatch):
    """Read in parts (dated by themselves; undated, at their consultation; filed under another
    city), then merged: the same steps, in the same order, as sorting all the city's steps."""
    from cities import selectors

    monkeypatch.setattr(selectors, "TIMELINE_LIMIT", 5)
    quetta, other = CityFactory(name="Quetta"), CityFactory()
    talk = ConsultationFactory(city=quetta, date=datetime.date(2017, 11, 20))
    for title, day in (("Due 3", 3), ("Due 9", 9), ("Due 15 a", 15), ("Due 15 b", 15)):
        NextStepFactory(city=quetta, title=title, due_date=datetime.date(2017, 11, day))
    NextStepFactory(city=quetta, consultation=talk, title="Undated", due_date=None)
    NextStepFactory(
        city=other, consultation=talk, title="Filed elsewhere", due_date=datetime.date(2017, 11, 18)
    )
    NextStepFactory(city=other, title="Another city's", due_date=datetime.date(2017, 12, 1))

    timeline = selectors.city_timeline(city=quetta, user=staff_user)["timeline"]

    steps = [entry.record.title for entry in timeline if entry.kind == "next_step"]
    assert steps == ["Undated", "Filed elsewhere", "Due 15 b", "Due 15 a"]

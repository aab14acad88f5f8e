"""The workshop list, page and form (with participants and media coverage)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import translation

from tests.auth import sign_in
from tests.factories import (
    CityFactory,
    MediaCoverageFactory,
    OfficialFactory,
    OrganisationFactory,
    ParticipationFactory,
    WorkshopFactory,
)
from tests.html_forms import form_values, version_of
from tests.queries import assert_queries_do_not_grow, count_queries
from workshops.models import MediaCoverage, Participation, Workshop

pytestmark = pytest.mark.django_db


def management(prefix: str, total: int, initial: int = 0) -> dict[str, str]:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def test_workshop_list_filters_by_city_and_date_range(staff_client):
    quetta = CityFactory(name="Quetta")
    WorkshopFactory(title="Quetta workshop", cities=[quetta], start_date=datetime.date(2017, 11, 1))
    WorkshopFactory(
        title="Lahore exchange",
        start_date=datetime.date(2019, 5, 1),
        end_date=datetime.date(2019, 5, 2),
    )
    url = reverse("workshops:workshop_list")

    by_city = staff_client.get(url, {"city": quetta.pk}).content.decode()
    by_date = staff_client.get(
        url, {"start_date_after": "2019-01-01", "start_date_before": "2019-12-31"}
    ).content.decode()

    assert "Quetta workshop" in by_city and "Lahore exchange" not in by_city
    assert "Lahore exchange" in by_date and "Quetta workshop" not in by_date


def test_workshop_list_queries_do_not_grow(staff_client):
    url = reverse("workshops:workshop_list")
    for _ in range(2):
        ParticipationFactory(workshop=WorkshopFactory(cities=[CityFactory()]))
    few = count_queries(lambda: staff_client.get(url))
    for _ in range(20):
        ParticipationFactory(workshop=WorkshopFactory(cities=[CityFactory(), CityFactory()]))
    many = count_queries(lambda: staff_client.get(url))

    assert_queries_do_not_grow(few, many)


def test_workshop_page_shows_participants_media_and_supporters(staff_client):
    workshop = WorkshopFactory(title="Capacity-building workshop", venue="Islamabad")
    ParticipationFactory(
        workshop=workshop,
        official=None,
        city=None,
        name="Federal minister",
        role="Minister",
        is_high_level=True,
    )
    MediaCoverageFactory(
        workshop=workshop, headline="Mayors meet in Islamabad", language=MediaCoverage.Language.URDU
    )

    content = staff_client.get(workshop.get_absolute_url()).content.decode()

    assert "Capacity-building workshop" in content and "Islamabad" in content
    assert "Federal minister" in content and "High-level" in content
    assert "Mayors meet in Islamabad" in content and "Urdu" in content
    assert workshop.organiser.name in content


def test_workshop_page_queries_do_not_grow(staff_client):
    workshop = WorkshopFactory()

    def grow(times):
        for _ in range(times):
            ParticipationFactory(workshop=workshop)
            MediaCoverageFactory(workshop=workshop)
            workshop.cities.add(CityFactory())

    grow(2)
    few = count_queries(lambda: staff_client.get(workshop.get_absolute_url()))
    grow(15)
    many = count_queries(lambda: staff_client.get(workshop.get_absolute_url()))

    assert_queries_do_not_grow(few, many)


def test_workshop_form_stores_participants_and_media_coverage(staff_client, staff_user):
    organiser = OrganisationFactory(name="Individualland")
    quetta = CityFactory(name="Quetta")
    mayor = OfficialFactory(city=quetta)
    data = {
        "title": "National workshop on local government",
        "slug": "national-workshop-2018",
        "kind": Workshop.Kind.NATIONAL_WORKSHOP,
        "start_date": "2018-03-01",
        "end_date": "2018-03-02",
        "venue": "Islamabad",
        "organiser": organiser.pk,
        "cities": [quetta.pk],
        **management("supports", 0),
        **management("participations", 2),
        "participations-0-official": mayor.pk,
        "participations-0-role": "Mayor",
        "participations-0-city": quetta.pk,
        "participations-0-attendance": Participation.Attendance.ATTENDED,
        "participations-1-name": "Federal minister",
        "participations-1-role": "Guest of honour",
        "participations-1-attendance": Participation.Attendance.ATTENDED,
        "participations-1-is_high_level": "on",
        **management("media_coverage", 1),
        "media_coverage-0-outlet_name": "Dawn",
        "media_coverage-0-language": "en",
        "media_coverage-0-headline": "Mayors discuss prevention",
        "media_coverage-0-url": "https://example.org/article",
        "media_coverage-0-published_on": "2018-03-03",
        "media_coverage-0-is_published": "on",
    }

    response = staff_client.post(reverse("workshops:workshop_create"), data)

    workshop = Workshop.objects.get(slug="national-workshop-2018")
    assert response["Location"] == workshop.get_absolute_url()
    assert list(workshop.cities.all()) == [quetta]
    guests = {(p.official_id, p.name, p.is_high_level) for p in workshop.participations.all()}
    assert guests == {(mayor.pk, "", False), (None, "Federal minister", True)}
    media = workshop.media_coverage.get()
    assert (media.outlet_name, media.headline, str(media.published_on)) == (
        "Dawn",
        "Mayors discuss prevention",
        "2018-03-03",
    )
    assert workshop.history.earliest().history_user == staff_user


def test_workshop_form_refuses_backwards_dates_and_a_participant_twice(staff_client):
    organiser = OrganisationFactory()
    mayor = OfficialFactory()
    data = {
        "title": "Backwards",
        "slug": "backwards",
        "kind": Workshop.Kind.SUMMIT,
        "start_date": "2018-03-02",
        "end_date": "2018-03-01",
        "organiser": organiser.pk,
        **management("supports", 0),
        **management("participations", 2),
        "participations-0-official": mayor.pk,
        "participations-0-attendance": "attended",
        "participations-1-official": mayor.pk,
        "participations-1-attendance": "attended",
        **management("media_coverage", 0),
    }

    content = staff_client.post(reverse("workshops:workshop_create"), data).content.decode()

    assert "A workshop must end on or after the day it starts." in content
    assert "This person is already listed as a participant." in content
    assert 'value="Backwards"' in content
    assert not Workshop.objects.exists()


def test_partner_edits_own_workshop_but_not_its_owner_or_publication(client):
    from tests.conftest import make_user_with_role

    individualland = OrganisationFactory(name="Individualland")
    other = OrganisationFactory(name="Other NGO")
    partner = make_user_with_role("Partner editor")
    individualland.members.add(partner)
    own = WorkshopFactory(organiser=individualland, is_published=False, title="Own workshop")
    foreign = WorkshopFactory(organiser=other, is_published=False, title="Foreign workshop")
    sign_in(client, partner)
    data = {
        "title": "Own workshop, renamed",
        "slug": own.slug,
        "kind": own.kind,
        "start_date": "2017-11-01",
        "end_date": "2017-11-04",
        "venue": "Islamabad",
        "organiser": other.pk,
        "is_published": "on",
        **management("supports", 0),
        **management("participations", 0),
        **management("media_coverage", 0),
    }

    response = client.post(
        reverse("workshops:workshop_update", args=[own.slug]), {**data, **version_of(own)}
    )
    refused = client.post(
        reverse("workshops:workshop_update", args=[foreign.slug]), {**data, **version_of(foreign)}
    )

    assert response.status_code == 302
    own.refresh_from_db()
    assert (own.title, own.venue) == ("Own workshop, renamed", "Islamabad")
    assert (own.organiser, own.is_published) == (individualland, False)
    assert refused.status_code == 404
    foreign.refresh_from_db()
    assert foreign.title == "Foreign workshop"


def test_an_official_listed_twice_reads_one_message_not_two(staff_client):
    """A participant already stored, added again in a new row: the row said both "already a
    participant of the workshop" (the database's rule) and "already listed above" (the
    form's), the same thing twice (a helper's browser walk-through)."""
    mayor = OfficialFactory()
    workshop = WorkshopFactory()
    ParticipationFactory(workshop=workshop, official=mayor)
    url = reverse("workshops:workshop_update", args=[workshop.slug])
    values = form_values(staff_client.get(url).content.decode(), "record-form")
    values |= {
        "participations-0-role": ["Mayor, speaking"],  # the stored row changed too
        "participations-TOTAL_FORMS": ["2"],
        "participations-1-official": [str(mayor.pk)],
        "participations-1-attendance": ["attended"],
    }

    content = staff_client.post(url, values).content.decode()

    said = content.count("This official is already a participant of the workshop.")
    said += content.count("This person is already listed as a participant.")
    assert said == 1
    assert workshop.participations.count() == 1


def test_a_new_guest_may_not_repeat_a_stored_guests_name_in_another_case(staff_client):
    """The database's rule tells "A Guest" from "a guest"; the form's does not, and now
    checks a new row against the rows left as they are too (found by a helper's review)."""
    workshop = WorkshopFactory()
    ParticipationFactory(workshop=workshop, official=None, city=None, name="A Guest")
    url = reverse("workshops:workshop_update", args=[workshop.slug])
    values = form_values(staff_client.get(url).content.decode(), "record-form")
    values |= {
        "participations-TOTAL_FORMS": ["2"],
        "participations-1-name": ["a guest"],
        "participations-1-attendance": ["attended"],
    }

    content = staff_client.post(url, values).content.decode()

    assert "This person is already listed as a participant." in content
    assert 'value="a guest"' in content
    assert workshop.participations.count() == 1


def test_a_chosen_official_and_workshop_read_as_their_type_ahead_suggestion(staff_client):
    """The type-ahead suggests "Asma Khan (District Nazim, Lahore)"; once chosen, the forms
    read "Asma Khan" alone, and two officials of one name could not be told apart (seen in
    the tenth session). A chosen workshop reads with its date, in a form and in a filter."""
    lahore = CityFactory(name="Lahore")
    nazim = OfficialFactory(name="Asma Khan", title="District Nazim", city=lahore)
    councillor = OfficialFactory(name="Asma Khan", city=CityFactory(name="Multan"))
    march = datetime.date(2025, 3, 4)
    workshop = WorkshopFactory(title="Youth and trust", start_date=march, end_date=march)
    for official in (nazim, councillor):
        ParticipationFactory(workshop=workshop, official=official)
    suggested = staff_client.get(
        reverse("cities:official_autocomplete"), {"q": "Asma"}, headers={"accept": "json"}
    ).json()["results"]

    page = staff_client.get(reverse("workshops:workshop_update", args=[workshop.slug]))
    filtered = staff_client.get(
        reverse("consultations:consultation_list"), {"workshop": workshop.pk}
    )

    labels = {result["text"] for result in suggested}
    assert labels == {"Asma Khan (District Nazim, Lahore)", "Asma Khan (District official, Multan)"}
    content = page.content.decode()
    for official in (nazim, councillor):
        label = next(text for text in labels if text.endswith(f"{official.city.name})"))
        assert f'<option value="{official.pk}" selected>{label}</option>' in content
    assert f'<option value="{workshop.pk}" selected>Youth and trust (4 Mar 2025)</option>' in (
        filtered.content.decode()
    )


def test_on_an_urdu_page_a_chosen_labels_date_role_and_city_keep_their_order(staff_client):
    """Beside a Latin title, the Urdu date "4 مارچ 2025" read "4 2025 مارچ" (a helper's
    walk-through): on a right-to-left page each part of a label is isolated (U+2068..U+2069,
    invisible), and an English page's labels are as they were."""
    march = datetime.date(2025, 3, 4)
    workshop = WorkshopFactory(title="Youth and trust", start_date=march, end_date=march)
    nazim = OfficialFactory(
        name="Asma Khan", title="District Nazim", city=CityFactory(name="Lahore")
    )
    url = reverse("consultations:consultation_list")

    with translation.override("ur"):
        urdu = (workshop.choice_label(), nazim.choice_label())
    staff_client.cookies["django_language"] = "ur"
    content = staff_client.get(url, {"workshop": workshop.pk}).content.decode()

    assert urdu == (
        "Youth and trust (\u20684 مارچ 2025\u2069)",
        "Asma Khan (\u2068District Nazim\u2069, \u2068Lahore\u2069)",
    )
    assert f'<option value="{workshop.pk}" selected>{urdu[0]}</option>' in content
    with translation.override("en"):
        english = (workshop.choice_label(), nazim.choice_label())
    assert english == (
        "Youth and trust (4 Mar 2025)",
        "Asma Khan (District Nazim, Lahore)",
    )

"""The public site shows the network and its published work, and nothing else."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from cities.models import City
from consultations.models import Consultation, Finding
from scn_portal.demo import WORKSHOP_SLUG, load_demo
from tests.factories import (
    CityFactory,
    ConsultationFactory,
    FindingFactory,
    MediaCoverageFactory,
    NextStepFactory,
    OfficialFactory,
    WorkshopFactory,
)
from tests.queries import assert_queries_do_not_grow, count_queries
from workshops.models import Workshop

pytestmark = pytest.mark.django_db
STORY = reverse("public:story", args=[WORKSHOP_SLUG])
WORKSHOP = reverse("public:workshop", args=[WORKSHOP_SLUG])


@pytest.fixture
def demo():
    """The demo data, plus what must never show: internal notes, drafts, unconsenting people."""
    load_demo()
    quetta = City.objects.get(slug="quetta")
    Workshop.objects.filter(slug=WORKSHOP_SLUG).update(internal_notes="INTERNAL workshop notes")
    Consultation.objects.filter(city=quetta).update(summary="INTERNAL consultation summary")
    OfficialFactory(city=quetta, name="Unconsenting Official", consent_to_be_named=False)
    OfficialFactory(
        city=quetta,
        name="Consenting Councillor",
        title="Councillor",
        consent_to_be_named=True,
        consent_recorded_on=datetime.date(2018, 1, 1),
    )
    WorkshopFactory(title="Draft exchange", is_published=False, cities=[quetta])
    CityFactory(name="Unpublished town", is_published=False)
    secret = ConsultationFactory(
        city=quetta,
        workshop=Workshop.objects.get(slug=WORKSHOP_SLUG),
        confidentiality=Consultation.Confidentiality.CONFIDENTIAL,
        title="Secret consultation",
    )
    FindingFactory(consultation=secret, text="Confidential finding", is_published=True)
    Finding.objects.filter(consultation__city__slug="nowshera").filter(position=0).update(
        is_published=False, text="Unpublished Nowshera finding"
    )
    NextStepFactory(city=quetta, title="Internal next step", is_published=False)
    return quetta


NEVER = [
    "INTERNAL workshop notes",
    "INTERNAL consultation summary",
    "Unconsenting Official",
    "Draft exchange",
    "Unpublished town",
    "Secret consultation",
    "Confidential finding",
    "Unpublished Nowshera finding",
    "Internal next step",
    "@",  # no e-mail address anywhere
]


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/", ["Peshawar", "Nowshera", "Quetta", "Capacity-building workshop", "member cities"]),
        ("/network/", ["Peshawar", "Nowshera", "Quetta", "Khyber Pakhtunkhwa", "Balochistan"]),
        ("/network/quetta/", ["Quetta", "کوئٹہ", "Prospective member", "Consenting Councillor"]),
        (WORKSHOP, ["Individualland", "US Embassy Islamabad", "Quetta", "Urdu"]),
        (STORY, ["Key findings from SCN consultations", "Next steps"]),
    ],
)
def test_public_pages_show_published_items_and_nothing_internal(client, demo, path, expected):
    response = client.get(path)

    content = response.content.decode()
    assert response.status_code == 200
    for text in expected:
        assert text in content, text
    for text in NEVER:
        assert text not in content, text


def test_public_pages_show_the_public_view_even_to_signed_in_staff(staff_client, demo):
    content = staff_client.get("/network/quetta/").content.decode()

    assert "Unconsenting Official" not in content
    assert "Draft exchange" not in content


def test_the_story_reproduces_the_seed_report(client, demo):
    content = client.get(STORY).content.decode()

    for fact in (
        "1 November 2017",
        "4 November 2017",
        "Individualland",
        "US Embassy Islamabad, Community Engagement Office",
        "Peshawar",
        "Nowshera",
        "Quetta",
        "devolved jurisdiction over education and health",
        "Police-Community Liaison, Dispute Resolution and Public Safety",
        "The security situation in Quetta is dire.",
        "desire to join the SCN",
        "Produce the detailed report on the consultations",
        "Outline domestic city exchanges",
        "Outline international city exchanges",
        "National-level workshops on strengthening local government capabilities",
        "Measures to strengthen prevention capacities",
        "Onboard Quetta as an SCN member",
        "Federal minister",
    ):
        assert fact in content, fact
    findings = content[content.index("Key findings") : content.index("Next steps")]
    assert findings.index("Nowshera") < findings.index("Peshawar") < findings.index("Quetta")


def test_unpublished_and_unknown_pages_are_not_found(client, demo):
    draft = Workshop.objects.get(title="Draft exchange")

    assert client.get(reverse("public:workshop", args=[draft.slug])).status_code == 404
    assert client.get(reverse("public:story", args=[draft.slug])).status_code == 404
    assert client.get("/network/unpublished-town-x/").status_code == 404


def test_city_directory_filters_by_province_and_membership(client, demo):
    url = reverse("public:directory")

    kp = client.get(url, {"province": "Khyber Pakhtunkhwa"}).content.decode()
    prospective = client.get(url, {"membership_status": "prospective"}).content.decode()
    nonsense = client.get(url, {"country": "abc"})

    table = kp[kp.index("<tbody>") :]
    assert "Peshawar" in table and "Quetta" not in table
    table = prospective[prospective.index("<tbody>") :]
    assert "Quetta" in table and "Peshawar" not in table
    assert nonsense.status_code == 200


def test_the_map_places_the_cities_and_links_their_pages(client, demo):
    content = client.get("/").content.decode()

    svg = content[content.index("<svg") : content.index("</svg>")]
    assert svg.count('class="map-city') == 3
    assert 'href="/network/quetta/"' in svg
    assert "map-country" in svg


def test_past_so_many_cities_the_home_map_draws_a_marker_per_country_that_leads_to_its_list(
    client, demo, monkeypatch
):
    monkeypatch.setattr("scn_portal.public.HOME_MAP_CITIES", 3)
    turkey = CityFactory(name="Izmir", country__name="Türkiye", country__code="TR").country
    for name in ("Ankara", "Bursa"):
        CityFactory(name=name, country=turkey, latitude=39.9, longitude=32.9)
    CityFactory(name="Unpublished Turkish town", country=turkey, is_published=False)

    content = client.get("/").content.decode()

    svg = content[content.index("<svg") : content.index("</svg>")]
    assert svg.count('class="map-city') == 2  # Pakistan and Türkiye
    assert f'href="/network/?country={turkey.pk}"' in svg
    assert "Türkiye: 3 cities" in svg and "Pakistan: 3 cities" in svg
    assert "Quetta" not in svg and "Unpublished" not in svg
    assert "s cities: the marker leads to their list" in content
    listed = client.get(f"/network/?country={turkey.pk}").content.decode()
    assert all(name in listed for name in ("Izmir", "Ankara", "Bursa"))
    assert "Quetta" not in listed and "Unpublished Turkish town" not in listed


def test_calendar_feed_lists_only_upcoming_published_workshops(client, demo):
    today = timezone.localdate()
    WorkshopFactory(
        title="Upcoming exchange",
        start_date=today + datetime.timedelta(days=30),
        end_date=today + datetime.timedelta(days=31),
        venue="Lahore",
    )
    WorkshopFactory(
        title="Upcoming draft",
        is_published=False,
        start_date=today + datetime.timedelta(days=30),
        end_date=today + datetime.timedelta(days=31),
    )

    response = client.get(reverse("public:calendar"))

    assert response["Content-Type"].startswith("text/calendar")
    events = Calendar.from_ical(response.content).walk("VEVENT")
    assert [str(event["summary"]) for event in events] == ["Upcoming exchange"]
    assert events[0].decoded("dtstart") == today + datetime.timedelta(days=30)
    assert str(events[0]["location"]) == "Lahore"
    assert "Subscribe" in client.get("/").content.decode()


def test_the_cached_calendar_shows_a_new_workshop_once_it_is_saved(
    client, demo, django_capture_on_commit_callbacks
):
    today = timezone.localdate()
    soon = {
        "start_date": today + datetime.timedelta(days=3),
        "end_date": today + datetime.timedelta(days=4),
    }

    def summaries():
        events = Calendar.from_ical(client.get(reverse("public:calendar")).content)
        return {str(event["summary"]) for event in events.walk("VEVENT")}

    with django_capture_on_commit_callbacks(execute=True):
        WorkshopFactory(title="First exchange", **soon)
    assert "First exchange" in summaries()
    WorkshopFactory(title="Not committed", **soon)  # the cached feed, until a commit
    assert "Not committed" not in summaries()
    with django_capture_on_commit_callbacks(execute=True):
        WorkshopFactory(title="Second exchange", **soon)

    assert {"First exchange", "Second exchange"} <= summaries()


def test_sitemap_lists_only_public_urls(client, demo):
    content = client.get("/sitemap.xml").content.decode()

    assert "/network/quetta/" in content
    assert f"/events/{WORKSHOP_SLUG}/story/" in content
    assert "draft-exchange" not in content.lower()
    assert Workshop.objects.get(title="Draft exchange").slug not in content
    for private in ("/cities/", "/consultations/", "/admin/", "/dashboard/"):
        assert private not in content


def test_robots_txt_points_to_the_sitemap_and_keeps_crawlers_out_of_the_portal(client):
    content = client.get("/robots.txt").content.decode()

    assert "Sitemap: http://testserver/sitemap.xml" in content
    assert "Allow: /network/" in content and "Disallow: /" in content


def test_favicon_ico_leads_to_the_icon_the_pages_name(client):
    """Django's admin names no icon, so browsers asked for /favicon.ico and got a 404."""
    response = client.get("/favicon.ico")

    assert response.status_code == 302
    assert response["Location"] == "/static/favicon.svg"


def test_city_and_workshop_pages_have_open_graph_tags(client, demo):
    city = client.get("/network/quetta/").content.decode()
    workshop = client.get(WORKSHOP).content.decode()

    assert '<meta property="og:title" content="Quetta">' in city
    assert '<meta property="og:type" content="article">' in workshop
    assert '<meta name="description" content="On 1-4 November 2017' in workshop


def test_a_cached_page_shows_a_change_at_once(client, demo, django_capture_on_commit_callbacks):
    assert "A new summit" not in client.get("/").content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        WorkshopFactory(
            title="A new summit",
            start_date=datetime.date(2019, 1, 1),
            end_date=datetime.date(2019, 1, 2),
        )
    # Any committed change moves the public version on.

    assert "A new summit" in client.get("/").content.decode()


def test_unpublishing_removes_a_workshop_from_the_cached_pages(
    client, demo, django_capture_on_commit_callbacks
):
    assert "Capacity-building workshop" in client.get("/").content.decode()

    workshop = Workshop.objects.get(slug=WORKSHOP_SLUG)
    workshop.is_published = False
    with django_capture_on_commit_callbacks(execute=True):
        workshop.save()

    assert "Capacity-building workshop" not in client.get("/").content.decode()
    assert client.get(STORY).status_code == 404


def test_public_pages_queries_do_not_grow_with_rows(client):
    hub_city = CityFactory(latitude=30, longitude=70)

    def grow(times):
        for number in range(times):
            city = CityFactory(latitude=30 + number / 10, longitude=70)
            workshop = WorkshopFactory(cities=[city, hub_city])
            MediaCoverageFactory(workshop=workshop)
            consultation = ConsultationFactory(
                city=city, workshop=workshop, confidentiality="published"
            )
            FindingFactory(consultation=consultation, is_published=True)
            NextStepFactory(workshop=workshop, is_published=True)
            OfficialFactory(
                city=hub_city, consent_to_be_named=True, consent_recorded_on="2018-01-01"
            )

    grow(2)
    workshop = Workshop.objects.first()
    pages = [
        "/",
        "/network/",
        hub_city and f"/network/{hub_city.slug}/",
        f"/events/{workshop.slug}/",
        f"/events/{workshop.slug}/story/",
    ]
    from django.core.cache import cache

    cache.clear()
    few = [count_queries(lambda page=page: client.get(page)) for page in pages]
    grow(15)
    cache.clear()
    many = [count_queries(lambda page=page: client.get(page)) for page in pages]

    for before, after in zip(few, many, strict=True):
        assert_queries_do_not_grow(before, after)


def test_nothing_of_an_unpublished_city_organiser_or_outlet_shows(client, demo):
    """Published records that hang on unpublished ones do not bring those into view."""
    from cities.models import Organisation

    workshop = Workshop.objects.get(slug=WORKSHOP_SLUG)
    hidden_city = CityFactory(name="Hidden town", is_published=False)
    workshop.cities.add(hidden_city)
    consultation = ConsultationFactory(
        city=hidden_city,
        workshop=workshop,
        confidentiality=Consultation.Confidentiality.PUBLISHED,
        public_summary="Hidden town summary",
    )
    FindingFactory(consultation=consultation, text="Hidden town finding", is_published=True)
    NextStepFactory(city=hidden_city, workshop=workshop, title="Hidden step", is_published=True)
    Organisation.objects.filter(pk=workshop.organiser_id).update(is_published=False)
    outlet = Organisation.objects.create(
        name="Hidden outlet", slug="hidden-outlet", kind="media", is_published=False
    )
    MediaCoverageFactory(workshop=workshop, outlet=outlet, headline="A visible headline")
    from django.core.cache import cache

    cache.clear()

    pages = "".join(client.get(path).content.decode() for path in ["/", WORKSHOP, STORY])

    assert "A visible headline" in pages
    for hidden in ("Hidden town", "Hidden step", "Hidden outlet"):
        assert hidden not in pages, hidden
    # The organiser, now unpublished, is no longer named as such (the typed summary aside).
    assert "convened by individualland" not in pages.lower()


def test_the_calendar_survives_the_last_possible_date(client):
    WorkshopFactory(start_date=datetime.date(9999, 12, 30), end_date=datetime.date(9999, 12, 31))

    assert client.get(reverse("public:calendar")).status_code == 200


def test_a_crowded_map_keeps_every_dot_and_only_labels_that_do_not_overlap():
    from types import SimpleNamespace

    from scn_portal.maps import LABEL_HEIGHT, LABEL_WIDTH, network_map

    cities = [
        SimpleNamespace(
            latitude=30 + (number % 40) * 0.05,
            longitude=70 + (number // 40) * 0.05,
            name=f"Town {number}",
            name_local="",
            membership_status="member",
        )
        for number in range(2000)
    ]

    drawing = network_map(cities, url=lambda city: "/network/")

    labels = [(m.x, m.y + m.label_dy) for m in drawing.markers if m.label]
    assert len(drawing.markers) == 2000
    assert 0 < len(labels) < 2000
    assert not any(
        abs(x - other_x) < LABEL_WIDTH and abs(y - other_y) < LABEL_HEIGHT
        for index, (x, y) in enumerate(labels)
        for other_x, other_y in labels[index + 1 :]
    )


def test_city_directory_counts_each_citys_published_workshops_only(client):
    busy, quiet = CityFactory(name="Busytown"), CityFactory(name="Quietville")
    for published in (True, True, False):
        WorkshopFactory(is_published=published).cities.add(busy)
    WorkshopFactory(is_published=False).cities.add(quiet)

    content = client.get(reverse("public:directory")).content.decode()

    rows = {
        name: re.search(rf">{name}</a>.*?<td class=\"text-end\">(\d+)</td>", content, re.S)[1]
        for name in ("Busytown", "Quietville")
    }
    assert rows == {"Busytown": "2", "Quietville": "0"}


def test_a_busy_city_page_lists_the_latest_and_links_to_everything(client):
    """The most recent workshops (and first officials, latest coverage) by default; all of
    them behind a link; nothing unpublished either way, nor in the counts."""
    from scn_portal.public import CITY_PAGE_SHOWS

    city = CityFactory(is_published=True, slug="lahore")
    shown = CITY_PAGE_SHOWS["workshops"]
    workshops = [
        WorkshopFactory(
            cities=[city],
            title=f"Exchange {number:02d}",
            start_date=datetime.date(2015, 1, 1) + datetime.timedelta(days=30 * number),
        )
        for number in range(shown + 2)
    ]
    WorkshopFactory(cities=[city], title="Draft exchange", is_published=False)

    first = client.get("/network/lahore/").content.decode()
    every = client.get("/network/lahore/", {"all": "1"}).content.decode()

    def titles(page):
        return re.findall(r">(Exchange \d\d)</a>", page)

    newest_first = [workshop.title for workshop in reversed(workshops)]
    assert titles(first) == newest_first[:shown]
    assert f'<a href="?all=1#workshops-heading">All {shown + 2} workshops</a>' in first
    assert titles(every) == newest_first
    assert "All " not in every.split('id="workshops-heading"')[1].split("</section>")[0]
    assert "Draft exchange" not in first + every


def test_the_public_never_names_an_archived_organisation(client):
    from django.utils import timezone

    from tests.factories import OrganisationFactory

    archived = {"is_published": True, "archived_at": timezone.now()}
    convenor = OrganisationFactory(name="Archived convenor", **archived)
    outlet = OrganisationFactory(name="Archived outlet", kind="media", **archived)
    workshop = WorkshopFactory(title="Open forum", organiser=convenor, is_published=True)
    MediaCoverageFactory(workshop=workshop, outlet=outlet, headline="Forum news", is_published=True)

    home = client.get("/").content.decode()
    story = client.get(reverse("public:workshop", args=[workshop.slug])).content.decode()

    assert "Open forum" in home and "Forum news" in story
    for page in (home, story):
        assert "Archived convenor" not in page and "Archived outlet" not in page

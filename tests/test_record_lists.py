"""The lists of participants, media coverage and key findings: filtered, scoped, exported."""

import datetime

import pytest
from django.db import connection
from django.test import Client

from consultations.models import Consultation, Finding
from scn_portal.models import ExportLog
from tests.auth import sign_in
from tests.conftest import make_user_with_role
from tests.factories import (
    CityFactory,
    ConsultationFactory,
    FindingFactory,
    MediaCoverageFactory,
    OfficialFactory,
    OrganisationFactory,
    ParticipationFactory,
    WorkshopFactory,
)
from tests.queries import assert_queries_do_not_grow, count_queries
from tests.test_exports import csv_rows, xlsx_rows

pytestmark = pytest.mark.django_db


def test_participant_list_shows_and_filters_participants(staff_client):
    quetta = CityFactory(name="Quetta")
    workshop = WorkshopFactory(title="Islamabad 2017", start_date=datetime.date(2017, 11, 2))
    ParticipationFactory(
        workshop=workshop, official=OfficialFactory(city=quetta, name="Mayor of Quetta")
    )
    ParticipationFactory(workshop=workshop, official=None, name="Federal minister", city=None)

    everyone = staff_client.get("/participants/").content.decode()
    from_quetta = staff_client.get("/participants/", {"city": quetta.pk}).content.decode()

    assert "Mayor of Quetta" in everyone and "Federal minister" in everyone
    assert "Mayor of Quetta" in from_quetta and "Federal minister" not in from_quetta


def test_participant_export_names_guests_and_officials_alike(staff_client):
    workshop = WorkshopFactory(title="Islamabad 2017", start_date=datetime.date(2017, 11, 2))
    ParticipationFactory(workshop=workshop, official=OfficialFactory(name="Mayor of Quetta"))
    ParticipationFactory(
        workshop=workshop, official=None, name="Federal minister", is_high_level=True, city=None
    )

    rows = csv_rows(staff_client.get("/participants/", {"export": "csv", "o": "name"}))

    assert rows[0][:3] == ["Workshop", "Workshop date", "Participant"]
    by_name = {row[2]: row for row in rows[1:]}
    assert set(by_name) == {"Mayor of Quetta", "Federal minister"}
    assert by_name["Federal minister"][1] == "2017-11-02"
    assert by_name["Federal minister"][7] == "yes"
    assert ExportLog.objects.get(export="participants").row_count == 2


def test_a_partner_sees_and_exports_participants_of_their_own_and_published_workshops(client):
    individualland = OrganisationFactory(name="Individualland")
    partner = make_user_with_role("Partner editor")
    individualland.members.add(partner)
    ParticipationFactory(
        workshop=WorkshopFactory(organiser=individualland, is_published=False),
        official=None,
        city=None,
        name="Own guest",
    )
    ParticipationFactory(
        workshop=WorkshopFactory(is_published=False), official=None, city=None, name="Hidden guest"
    )
    sign_in(client, partner)

    page = client.get("/participants/").content.decode()
    rows = csv_rows(client.get("/participants/", {"export": "csv"}))

    assert "Own guest" in page and "Hidden guest" not in page
    assert [row[2] for row in rows[1:]] == ["Own guest"]


def test_media_coverage_list_and_excel_export_hold_the_filtered_items(staff_client):
    workshop = WorkshopFactory(title="Islamabad 2017")
    MediaCoverageFactory(
        workshop=workshop, headline="Mayors meet", published_on=datetime.date(2017, 11, 4)
    )
    MediaCoverageFactory(
        workshop=workshop,
        headline="میئرز کا اجلاس",
        language="ur",
        outlet=None,
        outlet_name="Daily Jang",
        published_on=datetime.date(2017, 11, 5),
    )
    MediaCoverageFactory(headline="Elsewhere")

    page = staff_client.get("/media-coverage/", {"workshop": workshop.pk}).content.decode()
    rows = xlsx_rows(
        staff_client.get(
            "/media-coverage/", {"workshop": workshop.pk, "o": "date", "export": "xlsx"}
        )
    )

    assert "Mayors meet" in page and "Elsewhere" not in page
    assert [row[1] for row in rows[1:]] == ["Mayors meet", "میئرز کا اجلاس"]
    assert isinstance(rows[2][0], datetime.datetime)  # a real date cell, not text
    assert rows[2][0].date() == datetime.date(2017, 11, 5)
    assert rows[2][2:4] == ("Daily Jang", "Urdu")


def test_finding_list_filters_by_theme_and_a_viewer_never_sees_confidential_ones(staff_client):
    quetta = CityFactory(name="Quetta")
    FindingFactory(
        consultation=ConsultationFactory(
            city=quetta, confidentiality=Consultation.Confidentiality.INTERNAL
        ),
        theme=Finding.Theme.POLICING,
        text="Police need training",
        is_published=True,
    )
    FindingFactory(
        consultation=ConsultationFactory(
            city=quetta, confidentiality=Consultation.Confidentiality.CONFIDENTIAL
        ),
        theme=Finding.Theme.SECURITY,
        text="Secret finding",
        is_published=True,
    )
    viewer = Client()
    sign_in(viewer, make_user_with_role("Viewer"))

    policing = staff_client.get("/findings/", {"theme": "policing"}).content.decode()
    staff_rows = csv_rows(staff_client.get("/findings/", {"export": "csv"}))
    viewer_page = viewer.get("/findings/").content.decode()
    viewer_rows = csv_rows(viewer.get("/findings/", {"export": "csv"}))

    assert "Police need training" in policing and "Secret finding" not in policing
    assert {row[5] for row in staff_rows[1:]} == {"Police need training", "Secret finding"}
    assert "Secret finding" not in viewer_page
    assert [row[5] for row in viewer_rows[1:]] == ["Police need training"]
    assert [row[4] for row in viewer_rows[1:]] == ["Policing"]


def test_a_partner_cannot_open_the_finding_list(client):
    partner = make_user_with_role("Partner editor")
    sign_in(client, partner)
    FindingFactory(text="Internal")

    assert client.get("/findings/").status_code == 404
    assert client.get("/findings/", {"export": "csv"}).status_code == 404


@pytest.mark.parametrize(
    ("url", "make_row"),
    [
        ("/participants/", lambda: ParticipationFactory()),
        ("/media-coverage/", lambda: MediaCoverageFactory()),
        ("/findings/", lambda: FindingFactory()),
    ],
)
def test_list_and_export_queries_do_not_grow_with_rows(staff_client, url, make_row):
    def page_and_exports():
        staff_client.get(url)
        b"".join(staff_client.get(url, {"export": "csv"}).streaming_content)
        b"".join(staff_client.get(url, {"export": "xlsx"}).streaming_content)

    for _ in range(2):
        make_row()
    few = count_queries(page_and_exports)
    for _ in range(20):
        make_row()
    many = count_queries(page_and_exports)

    assert_queries_do_not_grow(few, many)


def test_a_partner_never_reads_the_name_of_an_official_who_has_not_consented(client):
    individualland = OrganisationFactory(name="Individualland")
    partner = make_user_with_role("Partner editor")
    individualland.members.add(partner)
    hidden_city = CityFactory(name="Hidden City", is_published=False)
    workshop = WorkshopFactory(organiser=individualland, title="Own workshop")
    ParticipationFactory(
        workshop=workshop,
        official=OfficialFactory(
            name="Secret Official", city=hidden_city, consent_to_be_named=False
        ),
        city=hidden_city,
        organisation=OrganisationFactory(name="Unpublished NGO", is_published=False),
    )
    ParticipationFactory(
        workshop=workshop,
        official=OfficialFactory(
            name="Named Official",
            consent_to_be_named=True,
            consent_recorded_on=datetime.date(2017, 11, 1),
        ),
    )
    sign_in(client, partner)

    pages = [
        client.get("/participants/").content.decode(),
        client.get(workshop.get_absolute_url()).content.decode(),
    ]
    rows = csv_rows(client.get("/participants/", {"export": "csv"}))
    found_by_name = client.get("/participants/", {"q": "Secret"}).content.decode()

    for page in pages:
        assert "Named Official" in page
        assert "Secret Official" not in page and "Name not shown" in page
        assert "Hidden City" not in page and "Unpublished NGO" not in page
    assert {row[2] for row in rows[1:]} == {"Named Official", "Name not shown"}
    assert not any("Secret" in cell or "Hidden City" in cell for row in rows for cell in row)
    assert "Name not shown" not in found_by_name  # the hidden name finds nothing


def test_a_long_list_counts_exactly_up_to_a_cap_then_says_about(staff_client, monkeypatch):
    """Counting every row of a 100,000-row list is the cost the cap avoids: up to the cap the
    count is exact; beyond it (PostgreSQL) the planner's estimate is shown as "about"."""
    from django.db import connection

    from scn_portal.generic import EstimatingPaginator

    monkeypatch.setattr(EstimatingPaginator, "EXACT_UP_TO", 3)
    for _ in range(3):
        FindingFactory()
    exact = staff_client.get("/findings/").content.decode()
    FindingFactory()
    beyond = staff_client.get("/findings/").content.decode()

    assert "3 results" in exact and "About" not in exact
    if connection.vendor == "postgresql":
        assert "About" in beyond
    else:
        assert "4 results" in beyond


def test_a_deep_page_shows_the_same_rows_in_the_same_order(staff_client, monkeypatch):
    """Deep pages are read in two steps (keys, then rows): the rows must be those, in that
    order, that one query would give."""
    from scn_portal import generic

    for day in range(1, 31):
        ConsultationFactory(
            title=f"Talk {day:02d}",
            date=datetime.date(2017, 11, day),
            confidentiality=Consultation.Confidentiality.INTERNAL,
        )
    one_query = staff_client.get("/consultations/", {"page": 2}).content.decode()
    monkeypatch.setattr(generic, "DEEP_PAGE_ROWS", 10)
    two_steps = staff_client.get("/consultations/", {"page": 2}).content.decode()

    def titles(page):
        return [line.split("Talk ")[1][:2] for line in page.splitlines() if ">Talk " in line]

    assert titles(two_steps) == titles(one_query) == ["05", "04", "03", "02", "01"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="estimates: PostgreSQL")
def test_rows_past_a_short_estimate_are_still_reached(staff_client, monkeypatch):
    from scn_portal.generic import EstimatingPaginator

    monkeypatch.setattr(EstimatingPaginator, "EXACT_UP_TO", 3)
    monkeypatch.setattr(EstimatingPaginator, "estimate", lambda self, rows: 4)  # far too few
    for day in range(1, 31):
        ConsultationFactory(date=datetime.date(2017, 11, day))

    first = staff_client.get("/consultations/")
    second = staff_client.get("/consultations/", {"page": 2})

    assert 'rel="next"' in first.content.decode()  # a full page: there may be more
    assert second.status_code == 200
    assert len(second.context["page_obj"].object_list) == 5
    assert 'rel="next"' not in second.content.decode()


def _people_to_sort():
    """Guests and officials whose names tie, sort around each other, or may not be shown."""
    from django.utils import timezone

    hidden_city = CityFactory(is_published=False)
    archived = OfficialFactory(
        name="Aaron Archived", consent_to_be_named=True, consent_recorded_on=TODAY
    )
    archived.archived_at = timezone.now()
    archived.save()
    officials = [
        OfficialFactory(name="Bano", consent_to_be_named=True, consent_recorded_on=TODAY),
        OfficialFactory(name="Bano", consent_to_be_named=False),
        OfficialFactory(name="Aamir", consent_to_be_named=False),
        OfficialFactory(
            name="Dawood", city=hidden_city, consent_to_be_named=True, consent_recorded_on=TODAY
        ),
        OfficialFactory(name="Zara", consent_to_be_named=True, consent_recorded_on=TODAY),
        archived,
    ]
    for index in range(3):
        workshop = WorkshopFactory(is_published=index != 1)
        for official in officials:
            ParticipationFactory(workshop=workshop, official=official)
        for name in ("Bano", "Chaudhry", "Aamir", "Yusuf"):
            ParticipationFactory(workshop=workshop, official=None, name=name, city=None)


TODAY = datetime.date(2017, 11, 1)


def test_hidden_officials_are_every_official_the_user_may_not_see():
    from cities.models import Official

    _people_to_sort()
    partner = make_user_with_role("Partner editor")
    for user in (make_user_with_role("ISD staff"), make_user_with_role("Viewer"), partner):
        shown = set(Official.objects.for_user(user).values_list("pk", flat=True))
        hidden = set(Official.objects.hidden_from(user).values_list("pk", flat=True))
        assert not shown & hidden
        assert shown | hidden == set(Official.objects.values_list("pk", flat=True))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the walk needs PostgreSQL")
def test_sorting_by_name_walks_to_the_rows_one_sort_gives():
    """`keys_by_shown_name` (three index walks, merged) gives the rows, in the order, that
    sorting every row by `shown_name` gives: for every role, both ways, page after page."""
    from workshops.models import Participation

    _people_to_sort()
    partner = make_user_with_role("Partner editor")
    for user in (make_user_with_role("ISD staff"), make_user_with_role("Viewer"), partner):
        rows = Participation.objects.for_user(user).with_shown_names(user)
        for descending in (False, True):
            order = ("-shown_name" if descending else "shown_name", "pk")
            for low in range(0, rows.count() + 4, 4):
                walked = rows.keys_by_shown_name(user, descending=descending, low=low, high=low + 4)
                one_sort = rows.order_by(*order)[low : low + 4].values_list("pk", flat=True)
                assert walked == list(one_sort)


def test_a_partner_sorting_by_name_never_sorts_by_a_hidden_name(client):
    """The names a partner may not see are all '' for the sort: they come first, in key
    order, wherever their real names would fall."""
    _people_to_sort()
    partner = make_user_with_role("Partner editor")
    sign_in(client, partner)

    page = client.get("/participants/", {"o": "name"}).content.decode()
    reverse = client.get("/participants/", {"o": "-name"}).content.decode()

    for text in (page, reverse):
        assert "Aaron Archived" not in text and "Dawood" not in text
    assert page.index("Name not shown") < page.index("Aamir") < page.index("Zara")
    assert reverse.index("Yusuf") < reverse.index("Aamir") < reverse.index("Name not shown")

"""Global search finds records of every kind by name and text, and only what the user may open."""

import datetime
import itertools

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from consultations.models import Consultation
from scn_portal import roles
from scn_portal import search as search_module
from scn_portal.search import SEARCH_KINDS, search_portal
from scn_portal.text import MAX_QUERY_LENGTH, clean_query
from tests.auth import sign_in
from tests.factories import (
    CityFactory,
    ConsultationFactory,
    CountryFactory,
    FindingFactory,
    OfficialFactory,
    OrganisationFactory,
    UserFactory,
    WorkshopFactory,
)
from tests.queries import assert_queries_do_not_grow, count_queries

pytestmark = pytest.mark.django_db

URL = reverse("search")


def user_in(group_name: str):
    user = UserFactory()
    user.groups.add(Group.objects.get(name=group_name))
    return user


@pytest.fixture
def staff(client):
    user = user_in(roles.ISD_STAFF)
    sign_in(client, user)
    return user


@pytest.fixture
def partner(client):
    user = user_in(roles.PARTNER_EDITOR)
    organisation = OrganisationFactory(name="Individualland")
    organisation.members.add(user)
    sign_in(client, user)
    return user


def search(client, query: str) -> str:
    response = client.get(URL, {"q": query})
    assert response.status_code == 200
    return response.content.decode()


def test_anonymous_user_is_sent_to_login(client):
    response = client.get(URL, {"q": "Peshawar"})

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_empty_query_shows_a_prompt_and_no_results(client, staff):
    CityFactory(name="Peshawar")

    content = search(client, "   ")

    assert "<title>Search" in content
    assert "Type a city's name" in content
    assert "Peshawar" not in content


def test_finds_a_city_by_its_name_with_its_country_province_and_membership(client, staff):
    peshawar = CityFactory(
        name="Peshawar",
        name_local="پشاور",
        province="Khyber Pakhtunkhwa",
        country=CountryFactory(name="Pakistan", code="PK"),
    )
    CityFactory(name="Quetta")

    content = search(client, "peshawar")

    assert f'href="{peshawar.get_absolute_url()}">Peshawar</a>' in content
    assert "پشاور" in content
    assert "Pakistan · Khyber Pakhtunkhwa · Member" in content
    assert "Quetta" not in content


def test_finds_a_city_by_its_urdu_name(client, staff):
    peshawar = CityFactory(name="Peshawar", name_local="پشاور")
    CityFactory(name="Quetta", name_local="کوئٹہ")

    content = search(client, "پشاور")

    assert f'href="{peshawar.get_absolute_url()}"' in content
    assert "Quetta" not in content


def test_finds_a_city_by_the_first_letters_of_its_name(client, staff):
    peshawar = CityFactory(name="Peshawar")

    content = search(client, "Pesh")

    assert f'href="{peshawar.get_absolute_url()}"' in content


def test_city_named_like_the_query_comes_before_one_that_only_lies_in_its_province(client, staff):
    CityFactory(name="Mastung", province="Quetta Division")
    CityFactory(name="Quetta", province="Balochistan")

    content = search(client, "Quetta")

    assert content.index(">Quetta</a>") < content.index(">Mastung</a>")


def test_finds_an_official_by_part_of_the_name_without_contact_details(client, staff):
    official = OfficialFactory(
        name="Asim Khan",
        title="District Nazim",
        city=CityFactory(name="Nowshera"),
        email="asim.khan@example.org",
        phone="+92 300 0000000",
    )
    OfficialFactory(name="Someone Else")

    content = search(client, "Khan")

    assert f'href="{official.get_absolute_url()}"' in content
    assert "District Nazim · Nowshera" in content
    assert "asim.khan@example.org" not in content
    assert "+92 300" not in content
    assert "Someone Else" not in content


def test_finds_an_organisation_by_its_short_name(client, staff):
    organisation = OrganisationFactory(name="Individualland", short_name="IL")

    content = search(client, "IL")

    assert f'href="{organisation.get_absolute_url()}"' in content


def test_finds_a_workshop_by_a_word_of_its_title_with_its_dates(client, staff):
    workshop = WorkshopFactory(title="Capacity-building workshop for mayors", venue="Islamabad")
    WorkshopFactory(title="National summit")

    content = search(client, "mayors")

    assert f'href="{workshop.get_absolute_url()}"' in content
    assert "1 Nov 2017 – 4 Nov 2017 · Islamabad" in content
    assert "National summit" not in content


def test_finds_a_consultation_by_a_word_of_its_summary_with_its_city_and_date(client, staff):
    consultation = ConsultationFactory(
        title="Meeting the district government",
        city=CityFactory(name="Quetta"),
        summary="The nazim described the dispute resolution councils.",
    )
    ConsultationFactory(title="Another meeting", summary="Nothing about that.")

    content = search(client, "councils")

    assert f'href="{consultation.get_absolute_url()}"' in content
    assert "Quetta · 2 Nov 2017" in content
    assert "Another meeting" not in content


def test_finds_a_consultation_by_a_word_of_its_key_findings(client, staff):
    consultation = ConsultationFactory(title="Meeting in Nowshera")
    FindingFactory(consultation=consultation, text="Frustration with provincial oversight.")

    content = search(client, "oversight")

    assert f'href="{consultation.get_absolute_url()}"' in content


def test_no_results_says_so(client, staff):
    CityFactory(name="Peshawar")

    content = search(client, "Timbuktu")

    assert "Nothing found for" in content
    assert "Timbuktu" in content
    assert "Peshawar" not in content


def test_results_are_grouped_by_kind_with_counts_and_limited(client, staff):
    for number in range(25):
        CityFactory(name=f"Nowshera {number:02}")
    WorkshopFactory(title="Nowshera exchange")

    content = search(client, "Nowshera")

    assert '<h2 class="h5" id="results-cities">Cities <span class="badge text-bg-secondary">25' in (
        content
    )
    assert '<h2 class="h5" id="results-workshops">Workshops' in content
    assert "Showing the first 20 of 25." in content
    assert "Nowshera 19" in content
    assert "Nowshera 20" not in content
    assert "26 results" in content


def test_partner_editor_does_not_find_consultations(client, partner):
    ConsultationFactory(
        title="Consultation in Peshawar",
        summary="Peshawar officials on policing.",
        public_summary="Peshawar",
        confidentiality=Consultation.Confidentiality.PUBLISHED,
    )

    content = search(client, "Peshawar")

    assert "Consultation in Peshawar" not in content
    assert "Nothing found" in content


def test_partner_editor_does_not_find_another_organisations_unpublished_workshop(client, partner):
    own = WorkshopFactory(
        title="Peshawar workshop draft",
        organiser=partner.organisations.get(),
        is_published=False,
    )
    WorkshopFactory(title="Peshawar workshop of others", is_published=False)

    content = search(client, "Peshawar workshop")

    assert f'href="{own.get_absolute_url()}"' in content
    assert "Peshawar workshop of others" not in content


def test_partner_editor_does_not_find_unpublished_cities_or_unnamed_officials(client, partner):
    CityFactory(name="Hidden Peshawar", is_published=False)
    OfficialFactory(name="Peshawar official", consent_to_be_named=False)

    content = search(client, "Peshawar")

    assert "Hidden Peshawar" not in content
    assert "Peshawar official" not in content


def test_user_without_a_role_does_not_find_a_consultation_by_its_internal_summary(client):
    sign_in(client, UserFactory())
    ConsultationFactory(
        title="Published consultation",
        summary="Confidential remark about zakat.",
        public_summary="A public account.",
        confidentiality=Consultation.Confidentiality.PUBLISHED,
    )

    assert "Published consultation" not in search(client, "zakat")
    assert "Published consultation" in search(client, "public account")


def test_query_is_echoed_escaped(client, staff):
    content = search(client, "<script>alert(1)</script>")

    assert "<script>alert(1)</script>" not in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content


@pytest.mark.parametrize(
    "query",
    [
        "' OR 1=1 --",
        "&|!:*()",
        '"unclosed phrase',
        "-",
        "a" * 1000,
        "پشاور کوئٹہ",
        "50% _off_ \\",
        "nul\x00byte",
        "   ",
    ],
)
def test_hostile_input_answers_a_page(client, staff, query):
    CityFactory(name="Peshawar", name_local="پشاور")

    content = search(client, query)

    assert "<h1" in content


def test_long_query_is_cut_to_the_maximum_length(client, staff):
    response = client.get(URL, {"q": "x" * 1000})

    assert response.context["search_query"] == "x" * MAX_QUERY_LENGTH


def test_clean_query_drops_control_characters_and_extra_spaces():
    assert clean_query("  Pesh\x00awar \t\n Quetta  ") == "Pesh awar Quetta"
    assert clean_query(None) == ""


def test_search_portal_finds_nothing_for_an_empty_query(staff):
    CityFactory(name="Peshawar")

    results = search_portal(user=staff, query="  ")

    assert results == {
        "cities": [],
        "officials": [],
        "organisations": [],
        "workshops": [],
        "consultations": [],
    }


def test_search_portal_limits_each_kind_and_counts_all(staff):
    for number in range(5):
        CityFactory(name=f"Quetta {number}")

    cities = search_portal(user=staff, query="quetta", limit_per_kind=3)["cities"]

    assert [city.name for city in cities] == ["Quetta 0", "Quetta 1", "Quetta 2"]
    assert cities[0].search_total == 5


def test_result_page_query_count_does_not_grow_with_rows(client, staff):
    numbers = itertools.count()

    def add_matching_records(count: int) -> None:
        for _ in range(count):
            city = CityFactory(name=f"Sample {next(numbers)}")
            OfficialFactory(name="Sample official", city=city)
            OrganisationFactory(name=f"Sample {next(numbers)}")
            WorkshopFactory(title="Sample workshop", cities=[city])
            FindingFactory(consultation=ConsultationFactory(title="Sample", city=city))

    add_matching_records(2)
    few = count_queries(lambda: search(client, "Sample"))

    add_matching_records(20)
    many = count_queries(lambda: search(client, "Sample"))

    assert_queries_do_not_grow(few, many)


def test_records_named_by_every_word_come_first_then_the_newest(client, staff):
    older = ConsultationFactory(title="Market traders", summary="On the council.")
    newer = ConsultationFactory(title="Youth outreach", summary="Council budget.")
    newer.date = older.date.replace(year=2020)
    newer.save()
    named = ConsultationFactory(title="Council elections", summary="Turnout.")

    content = search(client, "council")

    positions = [content.index(f">{record.title}</a>") for record in (named, newer, older)]
    assert positions == sorted(positions)


def test_a_word_with_punctuation_finds_the_name_it_is_part_of(client, staff):
    official = OfficialFactory(name="Aoife O'Brien")

    content = search(client, "O'Brien")

    assert f'href="{official.get_absolute_url()}"' in content


@pytest.mark.parametrize("query", ['"security situation"', "dire*", "(dire)", "“dire”"])
def test_quotes_and_marks_around_words_find_what_the_bare_words_find(client, staff, query):
    finding = FindingFactory(text="The security situation is dire.")

    content = search(client, query)

    assert f'href="{finding.consultation.get_absolute_url()}"' in content


def test_a_query_of_marks_alone_finds_nothing(client, staff):
    ConsultationFactory(title="Marks", summary="'\":*&|!() and more")

    content = search(client, "'\":*&|!()")

    assert "Nothing found for" in content


def test_beyond_the_count_limit_the_page_says_more_than(client, staff, monkeypatch):
    monkeypatch.setattr(search_module, "COUNT_UP_TO", 3)
    for number in range(5):
        CityFactory(name=f"Mardan {number}")

    content = search(client, "Mardan")

    assert '<span class="badge text-bg-secondary">3+</span>' in content
    assert "Showing the first 5 of more than 3: add a word to narrow the search." in content
    assert "More than 3 results for" in content
    assert all(f">Mardan {number}</a>" in content for number in range(5))


def test_a_common_word_walks_the_list_in_steps_and_keeps_the_order(staff, monkeypatch):
    monkeypatch.setattr(search_module, "COUNT_UP_TO", 2)
    monkeypatch.setattr(search_module, "WALK_STEPS", (1, 2))
    dates = [datetime.date(2018 + year, 1, 1) for year in range(6)]
    matching = [ConsultationFactory(summary="Hospital referral", date=day) for day in dates]
    for day in dates:
        ConsultationFactory(summary="Nothing of the kind", date=day)

    found = search_portal(user=staff, query="referral", limit_per_kind=4)["consultations"]

    newest_first = sorted(matching, key=lambda record: record.date, reverse=True)
    assert [record.pk for record in found] == [record.pk for record in newest_first[:4]]
    assert (found[0].search_total, found[0].search_capped) == (2, True)  # "more than 2"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="full-text indexes: PostgreSQL")
@pytest.mark.parametrize("kind", SEARCH_KINDS, ids=lambda kind: kind.key)
@pytest.mark.parametrize("user_fixture", ["staff", "partner"])
def test_each_kind_is_matched_through_its_full_text_index(kind, user_fixture, request):
    """The expressions searched are exactly those indexed (consultations/migrations/0007,
    0008): with no other index to turn to, the planner reads the full-text index."""
    user = request.getfixturevalue(user_fixture)
    words = ["peshawar"]
    conditions = [kind.own_match(user, words), search_module.words_match(kind.name_fields, words)]

    with search_module._through_full_text_indexes():
        plans = [kind.model._base_manager.filter(c).order_by().explain() for c in conditions]

    for plan in plans:
        assert "Bitmap Index Scan on" in plan, plan
        assert "_search" in plan.split("Bitmap Index Scan on ")[1].split()[0], plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="planner settings: PostgreSQL")
def test_the_planner_settings_are_set_back_after_a_search(staff):
    def settings() -> list[str]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT current_setting('enable_seqscan'), current_setting('enable_indexscan'), "
                "current_setting('cpu_operator_cost')"
            )
            return list(cursor.fetchone())

    before = settings()
    CityFactory(name="Peshawar")

    search_portal(user=staff, query="Peshawar")

    assert settings() == before == ["on", "on", "0.0025"]


def test_a_city_is_found_by_its_name_and_its_country_together(client, staff):
    city = CityFactory(name="Peshawar", country=CountryFactory(name="Pakistan", code="PK"))

    content = search(client, "Peshawar Pakistan")

    assert f'href="{city.get_absolute_url()}"' in content


def test_an_urdu_word_with_its_vowel_signs_finds_the_city(client, staff):
    city = CityFactory(name="Peshawar", name_local="پِشاور")

    content = search(client, "پِشاور")

    assert f'href="{city.get_absolute_url()}"' in content


def test_many_matching_findings_of_one_consultation_count_it_once(staff, monkeypatch):
    monkeypatch.setattr(search_module, "COUNT_UP_TO", 3)
    busy, quiet = ConsultationFactory(), ConsultationFactory()
    for _ in range(5):
        FindingFactory(consultation=busy, text="Drainage works")
    FindingFactory(consultation=quiet, text="Drainage plans")

    found = search_portal(user=staff, query="drainage")["consultations"]

    assert {record.pk for record in found} == {busy.pk, quiet.pk}
    assert found[0].search_capped  # the findings' count stopped: "more than"
    assert found[0].search_total <= 2  # never more consultations than there are


def test_findings_are_not_counted_once_a_consultation_s_own_text_is_common(staff, monkeypatch):
    """Past the count limit by their own text, consultations are not counted again through
    their findings (the count says "more than" either way); a consultation found by a
    finding alone still takes its place in the list's order."""
    monkeypatch.setattr(search_module, "COUNT_UP_TO", 2)
    monkeypatch.setattr(search_module, "WALK_STEPS", (1, 2))
    by_text = [
        ConsultationFactory(summary="Drainage survey", date=datetime.date(2019, 1, day))
        for day in (1, 2, 3)
    ]
    by_finding = ConsultationFactory(summary="Nothing of the kind", date=datetime.date(2019, 1, 5))
    FindingFactory(consultation=by_finding, text="Drainage plans")
    ConsultationFactory(summary="Nothing either", date=datetime.date(2019, 1, 4))

    with CaptureQueriesContext(connection) as queries:
        found = search_portal(user=staff, query="drainage", limit_per_kind=3)["consultations"]

    assert [record.pk for record in found] == [by_finding.pk, by_text[2].pk, by_text[1].pk]
    assert (found[0].search_total, found[0].search_capped) == (2, True)
    keys_of_findings = 'SELECT "consultations_finding"."consultation_id" AS "consultation" FROM'
    assert not any(query["sql"].startswith(keys_of_findings) for query in queries.captured_queries)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="planner statistics: PostgreSQL")
def test_a_word_the_statistics_call_common_is_not_counted_but_its_rows_are_found(
    staff, monkeypatch
):
    """Far more expected matches than are counted: the page says "more than" without reading
    every match from the full-text index, and still lists the first ones in order."""
    monkeypatch.setattr(search_module, "COMMON_ESTIMATE", 5)
    dates = [datetime.date(2018, 1, day) for day in range(1, 21)]
    matching = [ConsultationFactory(summary="Irrigation canal", date=day) for day in dates]
    ConsultationFactory(summary="Nothing of the kind", date=datetime.date(2018, 2, 1))
    with connection.cursor() as cursor:  # statistics, as autovacuum would leave them
        cursor.execute("ANALYZE consultations_consultation")

    with CaptureQueriesContext(connection) as queries:
        found = search_portal(user=staff, query="irrigation", limit_per_kind=3)["consultations"]

    assert [record.pk for record in found] == [record.pk for record in matching[::-1][:3]]
    assert (found[0].search_total, found[0].search_capped) == (1000, True)
    counted = [q["sql"] for q in queries.captured_queries if q["sql"].endswith("LIMIT 1001")]
    assert counted  # other kinds, and consultations' titles, still counted
    # The consultations' own text (stored document, or its expression) is not counted.
    own_text = ('"search_internal"', '"search_public"', '"consultations_consultation"."summary"')
    assert not any(text in sql for sql in counted for text in own_text)

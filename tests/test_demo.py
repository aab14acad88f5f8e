"""The demo data set: the seed report's facts, loaded idempotently."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from cities.models import City, LocalMechanism, Organisation
from consultations.models import Consultation, Finding, NextStep
from scn_portal.demo import DEMO_MODELS, WORKSHOP_SLUG, load_demo
from scn_portal.roles import SYSTEM_USERNAME
from workshops.models import Workshop, WorkshopSupport

pytestmark = pytest.mark.django_db


def _counts_with_history() -> dict[str, int]:
    counts = {}
    for model in DEMO_MODELS:
        counts[model._meta.label] = model.objects.count()
        counts[f"{model._meta.label} history"] = model.history.count()
    return counts


def test_loading_twice_changes_nothing():
    load_demo()
    first = _counts_with_history()
    workshop_changed = Workshop.objects.get(slug=WORKSHOP_SLUG).updated_at

    load_demo()

    assert _counts_with_history() == first
    assert Workshop.objects.get(slug=WORKSHOP_SLUG).updated_at == workshop_changed


def test_loading_again_repairs_a_changed_fact():
    load_demo()
    City.objects.filter(slug="quetta").update(province="Somewhere else")

    load_demo()

    assert City.objects.get(slug="quetta").province == "Balochistan"


def test_the_three_cities_with_their_provinces_and_statuses():
    load_demo()

    cities = {
        city.name: (city.province, city.membership_status, city.name_local)
        for city in City.objects.all()
    }
    assert cities == {
        "Peshawar": ("Khyber Pakhtunkhwa", City.Membership.MEMBER, "پشاور"),
        "Nowshera": ("Khyber Pakhtunkhwa", City.Membership.MEMBER, "نوشہرہ"),
        "Quetta": ("Balochistan", City.Membership.PROSPECTIVE, "کوئٹہ"),
    }


def test_the_workshop_dates_organiser_supporter_and_cities():
    load_demo()

    workshop = Workshop.objects.get(slug=WORKSHOP_SLUG)
    assert (workshop.start_date, workshop.end_date) == (
        datetime.date(2017, 11, 1),
        datetime.date(2017, 11, 4),
    )
    assert workshop.organiser.name == "Individualland"
    support = WorkshopSupport.objects.get(workshop=workshop)
    assert support.organisation.name == "US Embassy Islamabad, Community Engagement Office"
    assert support.role == WorkshopSupport.Role.SUPPORTER
    assert sorted(workshop.cities.values_list("name", flat=True)) == [
        "Nowshera",
        "Peshawar",
        "Quetta",
    ]
    assert workshop.participations.filter(is_high_level=True, role="Federal minister").exists()
    assert set(Organisation.objects.values_list("short_name", flat=True)) >= {"IL", "ISD"}


def test_the_committees_of_the_kp_cities():
    load_demo()

    for city in ("Peshawar", "Nowshera"):
        names = set(LocalMechanism.objects.filter(city__name=city).values_list("name", flat=True))
        assert names == {
            "Police-Community Liaison Committee",
            "Dispute Resolution Committee",
            "Public Safety Committee",
        }
    assert not LocalMechanism.objects.filter(city__name="Quetta").exists()


def test_a_consultation_per_city_with_its_key_findings():
    load_demo()

    assert Consultation.objects.count() == 3
    peshawar = Finding.objects.filter(consultation__city__name="Peshawar")
    assert peshawar.filter(theme=Finding.Theme.LEGISLATION, text__contains="2013 and 2015").exists()
    assert peshawar.filter(theme=Finding.Theme.MECHANISMS, text__contains="Dispute").exists()
    quetta = Finding.objects.filter(consultation__city__name="Quetta")
    assert quetta.filter(theme=Finding.Theme.SECURITY, text__contains="dire").exists()
    assert quetta.filter(text__contains="desire to join").exists()


def test_the_next_steps_of_the_report():
    load_demo()

    kinds = set(NextStep.objects.values_list("kind", flat=True))
    assert kinds == {
        NextStep.Kind.DETAILED_REPORT,
        NextStep.Kind.DOMESTIC_EXCHANGE,
        NextStep.Kind.INTERNATIONAL_EXCHANGE,
        NextStep.Kind.NATIONAL_WORKSHOP,
        NextStep.Kind.PREVENTION_CAPACITY,
        NextStep.Kind.MEMBERSHIP_ONBOARDING,
    }
    onboarding = NextStep.objects.get(kind=NextStep.Kind.MEMBERSHIP_ONBOARDING)
    assert onboarding.city.name == "Quetta"


def test_invented_records_are_marked_as_sample_data():
    load_demo()

    from cities.models import Official
    from workshops.models import MediaCoverage

    assert MediaCoverage.objects.exists()
    assert not MediaCoverage.objects.filter(is_sample=False).exists()
    invented = Official.objects.filter(name__startswith="Sample")
    assert invented.exists()
    assert not invented.filter(is_sample=False).exists()


def test_demo_users_are_refused_outside_local_mode(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="only created in local mode"):
        call_command("load_demo", "--with-users")

    assert not get_user_model().objects.exists()


def test_demo_users_one_per_role_in_local_mode(settings, capsys):
    settings.DEBUG = True

    call_command("load_demo", "--with-users")
    call_command("load_demo", "--with-users")

    users = {user.username: user for user in get_user_model().objects.all()}
    assert set(users) == {"demo.admin", "demo.staff", "demo.partner", SYSTEM_USERNAME}
    assert not users[SYSTEM_USERNAME].is_active  # the system account cannot sign in
    assert not users[SYSTEM_USERNAME].has_usable_password()
    assert users["demo.admin"].is_superuser
    assert users["demo.staff"].groups.get().name == "ISD staff"
    partner = users["demo.partner"]
    assert partner.groups.get().name == "Partner editor"
    assert list(partner.organisations.values_list("name", flat=True)) == ["Individualland"]
    assert partner.check_password("scn-demo-partner-2017")
    assert "demo.partner" in capsys.readouterr().out


def test_the_demo_data_is_recorded_as_written_by_the_system_account():
    load_demo()

    city = City.objects.get(slug="quetta")
    assert city.history.get().history_user.username == SYSTEM_USERNAME

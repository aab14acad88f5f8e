"""The scale data generator (scn_portal/scale.py) and the page benchmark's smoke run.

The data is generated once for the module (scale 0.01, about 10,000 rows) inside a transaction
rolled back at the end; each test runs in its own savepoint within it.
"""

import datetime
import io
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone

from bench import pages_bench
from cities.models import City, Country
from consultations.models import Consultation, NextStep, ProgressUpdate
from scn_portal.scale import COUNTED_MODELS, YEARS, ScaleCounts
from workshops.models import Participation, Workshop

SCALE = 0.01


@pytest.fixture(scope="module")
def generated(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("generate_scale_data", scale=SCALE, seed=7, stdout=io.StringIO())
        yield ScaleCounts.at(SCALE)
        transaction.set_rollback(True)


def test_counts_scale_linearly_with_at_least_one_of_each():
    counts = ScaleCounts.at(0.01)
    assert counts.consultations == 1_000
    assert counts.findings == 3_000
    assert counts.participations == 1_000
    assert counts.hubs == 1  # 0.06 rounds to none: one at least
    assert ScaleCounts.at(1).cities == 2_000


def test_at_scale_10_countries_and_hubs_stop_where_the_world_does():
    counts = ScaleCounts.at(10)

    assert counts.consultations == 1_000_000
    assert counts.cities == 20_000
    assert counts.countries == 200  # not 800: there are not enough country codes, nor countries
    assert counts.hubs == 12


@pytest.mark.django_db
def test_generator_makes_the_requested_number_of_each_record(generated):
    made = {
        name: model.objects.filter(is_sample=True).count() for name, model in COUNTED_MODELS.items()
    }

    assert made == {name: getattr(generated, name) for name in COUNTED_MODELS}


@pytest.mark.django_db
def test_every_generated_record_is_marked_sample_and_has_a_creation_history_row(generated):
    for model in COUNTED_MODELS.values():
        assert not model.objects.filter(is_sample=False).exists(), model
        history = model.history.filter(history_type="+")
        assert history.count() == model.objects.count(), model
        assert history.filter(history_user__username="scale-data-generator").count() == (
            history.count()
        )
    workshop = Workshop.objects.first()
    assert {city.city_id for city in workshop.history.earliest().cities.all()} == set(
        workshop.cities.values_list("pk", flat=True)
    )


@pytest.mark.django_db
def test_a_participating_official_belongs_to_a_city_of_the_workshop(generated):
    in_workshop_city = Workshop.cities.through.objects.filter(
        workshop=OuterRef("workshop"), city=OuterRef("official__city")
    )
    official_rows = Participation.objects.filter(official__isnull=False)
    outside = official_rows.exclude(Exists(in_workshop_city))

    assert official_rows.exists()
    assert not outside.exists()
    assert not official_rows.exclude(city=F("official__city")).exists()


@pytest.mark.django_db
def test_generated_dates_are_ordered_and_within_ten_years(generated):
    today = timezone.localdate()
    first_day = today - datetime.timedelta(days=round(365.25 * YEARS))
    assert not Workshop.objects.filter(end_date__lt=F("start_date")).exists()
    assert not Consultation.objects.filter(date__gt=today).exists()
    assert not Consultation.objects.filter(date__lt=first_day).exists()
    done = NextStep.objects.filter(status=NextStep.Status.DONE)
    assert done.exists()
    assert not done.filter(completed_on__isnull=True).exists()
    assert all(step.completed_on >= step.created_at.date() for step in done)
    assert all(step.due_date > step.created_at.date() for step in NextStep.objects.all())
    updates = ProgressUpdate.objects.select_related("next_step")
    assert all(update.date >= update.next_step.created_at.date() for update in updates)
    assert all(update.date <= today for update in updates)


@pytest.mark.django_db
def test_generated_data_is_varied_like_real_records(generated):
    assert NextStep.objects.overdue().exists()
    assert NextStep.objects.filter(is_published=True).exists()
    assert Consultation.objects.published().exists()
    assert City.objects.published().exists()
    statuses = set(NextStep.objects.values_list("status", flat=True))
    assert statuses >= {NextStep.Status.OPEN, NextStep.Status.DONE, NextStep.Status.IN_PROGRESS}
    years = {date.year for date in Consultation.objects.values_list("date", flat=True)}
    assert len(years) >= YEARS


@pytest.mark.django_db
def test_generator_refuses_a_database_with_real_records_unless_forced(generated):
    Country.objects.create(name="Pakistan", code="PK")

    with pytest.raises(CommandError, match="real records"):
        call_command("generate_scale_data", scale=SCALE, stdout=io.StringIO())
    assert City.objects.count() == generated.cities

    call_command("generate_scale_data", scale=SCALE, force=True, stdout=io.StringIO())
    assert City.objects.count() == 2 * generated.cities


@pytest.mark.django_db
def test_benchmark_smoke_run_prints_a_row_per_page(generated):
    out = io.StringIO()

    results, checks = pages_bench.run_benchmark(warmup=0, repeat=1, out=out)

    table = out.getvalue()
    for result in results:
        assert re.search(rf"^\| {re.escape(result.page.name)} \|", table, re.MULTILINE)
    names = [result.page.name for result in results]
    assert "dashboard" in names
    assert any(name.startswith("consultations page ") for name in names)
    assert "consultations last page" in names
    assert all(result.floor is not None for result in results if result.page.staff_list)
    assert any(n.startswith("busiest city's timeline") for n in names)
    assert "| csv | 1000 |" in table
    assert "| xlsx | 1000 |" in table
    assert all(check > 0 for check in checks)
    assert "Machine check (bench/pages_bench.py machine_check" in table
    assert all(result.sql > 0 for result in results if not result.page.public)
    assert "of its SQL floor, instead of its whole time: " in table

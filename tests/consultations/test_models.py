import pytest


def test_the_owners_open_steps_index_covers_exactly_the_open_statuses():
    """The dashboard's "my open next steps" filters on NextStep.OPEN_STATUSES: the partial
    index serves it only while its condition names the same statuses."""
    from consultations.models import NextStep

    (index,) = [i for i in NextStep._meta.indexes if i.name == "next_step_owner_open"]

    assert index.condition.children == [("status__in", list(NextStep.OPEN_STATUSES))]


@pytest.mark.django_db(transaction=True)
def test_the_migration_flags_the_steps_already_filed_apart_from_their_consultations_city():
    """Steps recorded before `filed_apart` existed: those under another city than their
    consultation's, or under none, are flagged; the others, and steps of no consultation,
    are not."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before = [("consultations", "0013_next_step_status_scope_index")]
    after = [("consultations", "0014_next_step_filed_apart")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    apps = executor.loader.project_state(before).apps
    Country, Hub, City = (apps.get_model("cities", m) for m in ("Country", "RegionalHub", "City"))
    Consultation, NextStep = (
        apps.get_model("consultations", m) for m in ("Consultation", "NextStep")
    )
    country = Country.objects.create(name="Pakistan", code="PK")
    hub = Hub.objects.create(name="South Asia", slug="south-asia")
    quetta, peshawar = (
        City.objects.create(name=name, slug=name.lower(), country=country, hub=hub)
        for name in ("Quetta", "Peshawar")
    )
    talk = Consultation.objects.create(city=quetta, date="2018-02-14", title="Talk", summary="s")
    for title, city, consultation in (
        ("Same city", quetta, talk),
        ("Another city", peshawar, talk),
        ("No city", None, talk),
        ("No consultation", peshawar, None),
    ):
        NextStep.objects.create(title=title, kind="other", city=city, consultation=consultation)

    executor = MigrationExecutor(connection)
    executor.migrate(after)
    apps = executor.loader.project_state(after).apps
    flagged = apps.get_model("consultations", "NextStep").objects.filter(filed_apart=True)
    assert sorted(flagged.values_list("title", flat=True)) == ["Another city", "No city"]

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

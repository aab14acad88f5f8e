"""Backup and restore: a backup restored into an empty database, or over the live one, gives
back the same tables with the same rows, on PostgreSQL (pg_dump / pg_restore) and on SQLite
(the online backup API).

Transactional tests: pg_dump is another process and only sees committed rows.
"""

import os
import re
from collections.abc import Iterator
from pathlib import Path

import psycopg2
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.utils import load_backend

from cities.models import City, Organisation
from consultations.models import Finding
from scn_portal import backups
from scn_portal.backups import (
    BackupError,
    backup_database,
    restore_database,
    table_fingerprints,
)
from scn_portal.demo import load_demo

pytestmark = pytest.mark.django_db(transaction=True)

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL backups (DATABASE_URL is SQLite)"
)
on_sqlite = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="SQLite backups (DATABASE_URL is PostgreSQL)"
)


@pytest.fixture
def demo_data() -> None:
    load_demo()


@pytest.fixture
def empty_database(tmp_path: Path) -> Iterator[BaseDatabaseWrapper]:
    """A new, empty database of the configured kind, outside Django's list of connections:
    a scratch PostgreSQL database (dropped afterwards) or a new SQLite file."""
    if connection.vendor == "postgresql":
        name = f"scn_restore_check_{os.getpid()}"
        _postgres_maintenance(f'CREATE DATABASE "{name}"')
    else:
        name = str(tmp_path / "restored.sqlite3")
    settings_dict = {**connection.settings_dict, "NAME": name}
    database = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, "restored")
    yield database
    database.close()
    if connection.vendor == "postgresql":
        _postgres_maintenance(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _postgres_maintenance(sql: str) -> None:
    """Run CREATE/DROP DATABASE from the server's maintenance database."""
    database = connection.settings_dict
    parameters = {"HOST": "host", "PORT": "port", "USER": "user", "PASSWORD": "password"}
    maintenance = psycopg2.connect(
        dbname="postgres",
        **{keyword: database[key] for key, keyword in parameters.items() if database.get(key)},
    )
    maintenance.autocommit = True
    try:
        with maintenance.cursor() as cursor:
            cursor.execute(sql)
    finally:
        maintenance.close()


def _assert_same_tables(restored: dict, original: dict) -> None:
    assert restored.keys() == original.keys()
    assert {table: found.rows for table, found in restored.items()} == {
        table: found.rows for table, found in original.items()
    }
    assert restored == original


def _restore_into_empty_database_gives_the_same_tables(tmp_path, empty_database):
    original = table_fingerprints()
    assert original["cities_city"].rows == 3
    assert original["consultations_finding"].rows > 0

    backup = backup_database(tmp_path / "backup")
    restore_database(backup, connection=empty_database)

    _assert_same_tables(table_fingerprints(empty_database), original)


@on_postgresql
def test_pg_dump_restored_into_an_empty_database_has_identical_counts_and_checksums(
    demo_data, tmp_path, empty_database
):
    _restore_into_empty_database_gives_the_same_tables(tmp_path, empty_database)


@on_sqlite
def test_sqlite_backup_restored_into_an_empty_file_has_identical_counts_and_checksums(
    demo_data, tmp_path, empty_database
):
    _restore_into_empty_database_gives_the_same_tables(tmp_path, empty_database)


def test_restoring_over_the_live_database_brings_back_the_backed_up_content(demo_data, tmp_path):
    backed_up = table_fingerprints()
    backup = backup_database(tmp_path / "backup")

    Finding.objects.filter(pk=Finding.objects.order_by("pk").first().pk).delete()
    City.objects.filter(slug="quetta").update(name="Changed after the backup")
    Organisation.objects.create(name="Created after the backup")
    changed = table_fingerprints()
    assert changed["consultations_finding"].rows == backed_up["consultations_finding"].rows - 1
    assert changed["cities_city"].rows == backed_up["cities_city"].rows
    assert changed["cities_city"].checksum != backed_up["cities_city"].checksum

    restore_database(backup)

    _assert_same_tables(table_fingerprints(), backed_up)
    assert City.objects.get(slug="quetta").name == "Quetta"
    assert not Organisation.objects.filter(name="Created after the backup").exists()


def test_backup_command_writes_a_timestamped_owner_only_file_in_backups(settings, tmp_path):
    settings.BASE_DIR = tmp_path

    call_command("backup_db", "--verify")

    written = list((tmp_path / "backups").iterdir())
    assert len(written) == 1
    suffix = {"postgresql": "dump", "sqlite": "sqlite3"}[connection.vendor]
    assert re.fullmatch(rf"scn-\d{{8}}-\d{{6}}\.{suffix}", written[0].name)
    assert written[0].stat().st_mode & 0o777 == 0o600
    assert backups.backup_kind(written[0]) == connection.vendor


def test_backup_never_overwrites_an_existing_file(tmp_path):
    existing = tmp_path / "backup"
    existing.write_text("an older backup")

    with pytest.raises(BackupError, match="already exists"):
        backup_database(existing)

    assert existing.read_text() == "an older backup"


@pytest.mark.parametrize(
    ("kind", "content", "described_as"),
    [
        ("postgresql", b"PGDMP\x01\x0e\x00", "a PostgreSQL dump"),
        ("sqlite", b"SQLite format 3\x00" + bytes(100), "a SQLite backup"),
        ("plain SQL", b"-- plain SQL\nCREATE TABLE x ();\n", "neither"),
    ],
)
def test_restore_refuses_a_file_of_the_wrong_kind_and_changes_nothing(
    demo_data, tmp_path, kind, content, described_as
):
    if kind == connection.vendor:
        pytest.skip("a file of the configured database's kind")
    before = table_fingerprints()
    wrong = tmp_path / "wrong-kind"
    wrong.write_bytes(content)

    with pytest.raises(CommandError, match=f"is {described_as}.*configured database is"):
        call_command("restore_db", str(wrong), "--noinput")

    assert table_fingerprints() == before


def test_restore_command_asks_first_and_changes_nothing_without_a_yes(
    demo_data, tmp_path, monkeypatch
):
    backup = backup_database(tmp_path / "backup")
    City.objects.filter(slug="quetta").update(name="Changed after the backup")
    questions = []
    monkeypatch.setattr("builtins.input", lambda question: questions.append(question) or "y")

    with pytest.raises(CommandError, match="cancelled"):
        call_command("restore_db", str(backup))

    assert "replaces every table" in questions[0]
    assert City.objects.get(slug="quetta").name == "Changed after the backup"

    monkeypatch.setattr("builtins.input", lambda question: "yes")
    call_command("restore_db", str(backup))

    assert City.objects.get(slug="quetta").name == "Quetta"


@on_postgresql
def test_pg_dump_older_than_the_server_is_refused_with_the_version_to_install(
    tmp_path, monkeypatch
):
    monkeypatch.setattr(backups, "_tool_major_version", lambda tool: 9)

    with pytest.raises(BackupError, match=r"pg_dump is version 9 but the server is PostgreSQL"):
        backup_database(tmp_path / "backup")

    assert list(tmp_path.iterdir()) == []

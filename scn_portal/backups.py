"""Backups of the portal's database, and their restore.

PostgreSQL: `pg_dump --format=custom` (one consistent snapshot, even while the portal writes)
and `pg_restore --clean --if-exists --no-owner --single-transaction` (all or nothing). The
password goes to the tools through PGPASSWORD, never on their command line.

SQLite: the sqlite3 module's online backup API, page by page under SQLite's own locking, so the
copy is consistent even while the server writes; a restore copies the backup back the same way
into the configured database.

`table_fingerprints()` gives each table's row count and a checksum of its content, so that two
databases (the live one and a restored backup) can be compared table by table.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import sqlite3
import subprocess
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone

PG_DUMP_MAGIC = b"PGDMP"
SQLITE_MAGIC = b"SQLite format 3\x00"
SUFFIXES = {"postgresql": ".dump", "sqlite": ".sqlite3"}


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why and what to do."""


@dataclass(frozen=True)
class TableFingerprint:
    rows: int
    checksum: str


def default_backup_dir() -> Path:
    return Path(settings.BASE_DIR) / "backups"


def backup_database(
    path: Path | None = None, *, connection: BaseDatabaseWrapper | None = None
) -> Path:
    """Write a consistent copy of the database to `path` (default
    `backups/scn-YYYYmmdd-HHMMSS.dump` or `.sqlite3`) and return where it went.

    The copy is written under a temporary name, readable by its owner only, and renamed when
    complete: a failed backup never leaves a file that looks like a good one.
    """
    connection = connection or connections[DEFAULT_DB_ALIAS]
    vendor = _vendor(connection)
    if path is None:
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
        path = default_backup_dir() / f"scn-{stamp}{SUFFIXES[vendor]}"
    path = Path(path)
    if path.exists():
        raise BackupError(f"{path} already exists; a backup never overwrites a file.")
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    # Backups hold personal data (officials' contact details): owner only.
    partial.unlink(missing_ok=True)
    partial.touch(mode=0o600)
    try:
        if vendor == "postgresql":
            _pg_dump(connection, partial)
        else:
            _sqlite_backup(connection, partial)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    partial.rename(path)
    return path


def restore_database(path: Path, *, connection: BaseDatabaseWrapper | None = None) -> None:
    """Replace the database's tables and their content with the backup at `path`.

    Refuses a file that is not a backup of the configured database's kind.
    """
    connection = connection or connections[DEFAULT_DB_ALIAS]
    vendor = check_backup_file(path, connection=connection)
    if connection.in_atomic_block:
        raise BackupError("A restore cannot run inside a transaction.")
    if vendor == "postgresql":
        _pg_restore(connection, path)
    else:
        _sqlite_restore(connection, path)
    # Content types may have other ids in the restored data.
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()


def check_backup_file(path: Path, *, connection: BaseDatabaseWrapper | None = None) -> str:
    """Refuse a file that is not a backup of the configured database's kind; return the kind."""
    connection = connection or connections[DEFAULT_DB_ALIAS]
    vendor = _vendor(connection)
    kind = backup_kind(path)
    if kind != vendor:
        found = {"postgresql": "a PostgreSQL dump", "sqlite": "a SQLite backup"}.get(
            kind or "", "neither a PostgreSQL custom-format dump nor a SQLite database"
        )
        raise BackupError(
            f"{path} is {found}, but the configured database is {_describe(connection)}: "
            f"restore a {SUFFIXES[vendor]} file made by `make backup` against this kind of "
            "database."
        )
    return vendor


def verify_backup(path: Path) -> str:
    """Check that a backup file can be read back; return a one-line description."""
    path = Path(path)
    kind = backup_kind(path)
    if kind == "postgresql":
        listing = _run([_tool("pg_restore"), "--list", str(path)], env=None).stdout
        tables = sum(1 for line in listing.splitlines() if " TABLE DATA " in line)
        return f"readable PostgreSQL archive with {tables} tables of data"
    if kind == "sqlite":
        with closing(_sqlite_read_only(path)) as backup:
            result = backup.execute("PRAGMA integrity_check").fetchone()[0]
            tables = backup.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
            ).fetchone()[0]
        if result != "ok":
            raise BackupError(f"{path} fails SQLite's integrity check: {result}")
        return f"SQLite database passing its integrity check, {tables} tables"
    raise BackupError(f"{path} is not a backup made by `make backup`.")


def backup_kind(path: Path) -> str | None:
    """ "postgresql" for a pg_dump custom-format archive, "sqlite" for a SQLite database file,
    None for anything else."""
    try:
        with Path(path).open("rb") as file:
            head = file.read(len(SQLITE_MAGIC))
    except FileNotFoundError:
        raise BackupError(f"{path}: no such file.") from None
    if head.startswith(PG_DUMP_MAGIC):
        return "postgresql"
    if head == SQLITE_MAGIC:
        return "sqlite"
    return None


def table_fingerprints(
    connection: BaseDatabaseWrapper | None = None,
) -> dict[str, TableFingerprint]:
    """Each table's row count and a SHA-256 of its rows' values, read in primary-key order.

    Values are read through Django's database layer and normalised (aware datetimes in UTC,
    binary as bytes), so two databases of the same kind compare equal when their content is.
    """
    connection = connection or connections[DEFAULT_DB_ALIAS]
    quote = connection.ops.quote_name
    fingerprints = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            order = connection.introspection.get_primary_key_columns(cursor, table) or [
                column.name
                for column in connection.introspection.get_table_description(cursor, table)
            ]
            # Table and column names come from the database's own catalogue, quoted.
            cursor.execute(
                f"SELECT * FROM {quote(table)} ORDER BY {', '.join(map(quote, order))}"  # noqa: S608
            )
            digest = hashlib.sha256(repr([column[0] for column in cursor.description]).encode())
            rows = 0
            while batch := cursor.fetchmany(1000):
                rows += len(batch)
                for row in batch:
                    digest.update(repr(tuple(map(_canonical, row))).encode() + b"\n")
            fingerprints[table] = TableFingerprint(rows=rows, checksum=digest.hexdigest())
    return fingerprints


def _canonical(value: Any) -> Any:
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC)
    if isinstance(value, memoryview | bytearray):
        return bytes(value)
    return value


def _vendor(connection: BaseDatabaseWrapper) -> str:
    if connection.vendor not in SUFFIXES:
        raise BackupError(
            f"Backups support PostgreSQL and SQLite, not {connection.vendor} "
            f"({connection.settings_dict['ENGINE']})."
        )
    return connection.vendor


def _describe(connection: BaseDatabaseWrapper) -> str:
    name = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}.get(connection.vendor)
    return f"{name} ({connection.settings_dict['NAME']})"


# PostgreSQL


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} is not installed: install PostgreSQL's client tools of the server's "
            "version (Debian: `apt-get install postgresql-client`)."
        )
    return found


def _pg_environment(connection: BaseDatabaseWrapper) -> dict[str, str]:
    """The process environment plus the connection's password and SSL mode, if any."""
    environment = dict(os.environ)
    database = connection.settings_dict
    if database.get("PASSWORD"):
        environment["PGPASSWORD"] = str(database["PASSWORD"])
    if sslmode := database.get("OPTIONS", {}).get("sslmode"):
        environment["PGSSLMODE"] = str(sslmode)
    return environment


def _pg_connection_arguments(connection: BaseDatabaseWrapper) -> list[str]:
    database = connection.settings_dict
    arguments = []
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if database.get(key):
            arguments.append(f"{option}={database[key]}")
    return [*arguments, f"--dbname={database['NAME']}"]


def _tool_major_version(tool: str) -> int:
    version = _run([tool, "--version"], env=None).stdout
    match = re.search(r"\)\s+(\d+)", version) or re.search(r"(\d+)", version)
    if match is None:
        raise BackupError(f"Cannot read the version of {tool}: {version.strip()!r}")
    return int(match.group(1))


def _check_tool_version(connection: BaseDatabaseWrapper, tool: str) -> None:
    """pg_dump and pg_restore refuse (or fail half-way on) a server newer than themselves."""
    connection.ensure_connection()
    server = connection.pg_version // 10000
    client = _tool_major_version(tool)
    if client < server:
        raise BackupError(
            f"{Path(tool).name} is version {client} but the server is PostgreSQL {server}: "
            f"install the client tools of version {server} (Debian: postgresql-client-{server})."
        )


def _pg_dump(connection: BaseDatabaseWrapper, path: Path) -> None:
    pg_dump = _tool("pg_dump")
    _check_tool_version(connection, pg_dump)
    _run(
        [pg_dump, "--format=custom", f"--file={path}", *_pg_connection_arguments(connection)],
        env=_pg_environment(connection),
    )


def _pg_restore(connection: BaseDatabaseWrapper, path: Path) -> None:
    pg_restore = _tool("pg_restore")
    _check_tool_version(connection, pg_restore)
    _run(
        [
            pg_restore,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            *_pg_connection_arguments(connection),
            str(path),
        ],
        env=_pg_environment(connection),
    )


def _run(command: list[str], *, env: dict[str, str] | None) -> subprocess.CompletedProcess:
    # A fixed list of arguments, no shell; the password travels in the environment.
    result = subprocess.run(  # noqa: S603
        command, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise BackupError(
            f"{Path(command[0]).name} failed (exit {result.returncode}):\n{result.stderr.strip()}"
        )
    return result


# SQLite


def _sqlite_backup(connection: BaseDatabaseWrapper, path: Path) -> None:
    connection.ensure_connection()
    target = sqlite3.connect(path)
    try:
        connection.connection.backup(target)
    finally:
        target.close()


def _sqlite_read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)


def _sqlite_restore(connection: BaseDatabaseWrapper, path: Path) -> None:
    source = _sqlite_read_only(path)
    try:
        found = source.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'django_migrations'"
        ).fetchone()
        if found is None:
            raise BackupError(f"{path} is a SQLite database, but not one of this portal.")
        connection.ensure_connection()
        source.backup(connection.connection)
    finally:
        source.close()

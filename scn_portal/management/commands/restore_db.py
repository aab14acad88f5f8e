from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from scn_portal.backups import BackupError, check_backup_file, restore_database


class Command(BaseCommand):
    help = (
        "Replace the database (DATABASE_URL) with a backup made by backup_db: pg_restore on "
        "PostgreSQL, SQLite's backup API on SQLite. Asks first unless --noinput."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="The backup file (.dump or .sqlite3).")
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help="Do not ask for confirmation.",
        )

    def handle(self, *args, file: Path, interactive: bool = True, **options):
        try:
            check_backup_file(file)
        except BackupError as error:
            raise CommandError(str(error)) from error
        if interactive:
            answer = input(
                f"This replaces every table of the {connection.vendor} database "
                f"{connection.settings_dict['NAME']} with the content of {file}.\n"
                "Type 'yes' to continue, or anything else to cancel: "
            )
            if answer.strip() != "yes":
                raise CommandError("Restore cancelled; nothing was changed.")
        try:
            restore_database(file)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Restored {file}. If the backup is older than the code, run `manage.py migrate` next."
        )

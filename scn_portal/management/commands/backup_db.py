from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from scn_portal.backups import BackupError, backup_database, verify_backup


class Command(BaseCommand):
    help = (
        "Write a consistent copy of the database (DATABASE_URL) to "
        "backups/scn-YYYYmmdd-HHMMSS.dump (PostgreSQL, pg_dump) or .sqlite3 (SQLite)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output", type=Path, help="Write the backup to this file instead of backups/."
        )
        parser.add_argument(
            "--verify", action="store_true", help="Read the backup back and check it."
        )

    def handle(self, *args, output: Path | None = None, verify: bool = False, **options):
        try:
            path = backup_database(output)
            self.stdout.write(f"Backup written to {path}")
            if verify:
                self.stdout.write(f"Verified: {verify_backup(path)}")
        except BackupError as error:
            raise CommandError(str(error)) from error

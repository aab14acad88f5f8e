"""Delete the files of background exports whose time is up, and the uploads of imports
previewed but never confirmed (run it daily, e.g. from cron).

The worker also prunes as it takes each export; this covers quiet weeks.
"""

from django.core.management.base import BaseCommand

from scn_portal.services import export_jobs_prune, import_uploads_prune


class Command(BaseCommand):
    help = "Delete expired background export files and their jobs, and abandoned import uploads."

    def handle(self, *args, **options):
        count = export_jobs_prune()
        self.stdout.write(f"{count} expired export(s) deleted.")
        count = import_uploads_prune()
        self.stdout.write(f"{count} unconfirmed import upload(s) deleted.")

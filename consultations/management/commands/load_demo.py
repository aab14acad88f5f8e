from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from scn_portal.demo import load_demo, load_demo_users


class Command(BaseCommand):
    help = (
        "Load the demo data set built from the seed report (idempotent). With --with-users, "
        "also create one demo user per role: only in local mode (DJANGO_DEBUG=true)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--with-users",
            action="store_true",
            help="Create the demo users (refused unless DJANGO_DEBUG is on).",
        )

    def handle(self, *args, with_users: bool = False, **options):
        if with_users and not settings.DEBUG:
            raise CommandError(
                "Demo users are only created in local mode: they have published passwords. "
                "Run with DJANGO_DEBUG=true (as `make run` does), never in production."
            )
        counts = load_demo()
        self.stdout.write(
            "Demo data loaded: "
            + ", ".join(f"{count} {label.split('.')[-1]}" for label, count in counts.items())
        )
        if with_users:
            self.stdout.write("\nDemo users (local only), with their authenticator keys:")
            for user in load_demo_users():
                self.stdout.write(
                    f"  {user.role:<15} {user.username:<14} {user.password:<23} "
                    f"TOTP key {user.totp_secret}"
                )
            self.stdout.write(
                "The second factor: add the key to an authenticator app, or print the current "
                "code with\n  make otp USER=demo.staff"
            )

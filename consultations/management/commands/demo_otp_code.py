from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice


class Command(BaseCommand):
    help = "Print the current two-factor code of a demo user (local mode only)."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username: str, **options):
        if not settings.DEBUG:
            raise CommandError("Only in local mode (DJANGO_DEBUG=true): it reveals codes.")
        device = TOTPDevice.objects.filter(
            user__username=username, name="Demo authenticator", confirmed=True
        ).first()
        if device is None:
            raise CommandError(f"{username} has no demo authenticator: run make run first.")
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        self.stdout.write(f"{totp.token():0{device.digits}d}")

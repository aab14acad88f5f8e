"""Signing test users in as the portal requires: password session plus a verified second factor."""

import time

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from scn_portal.security import SessionIdleMiddleware


def totp_device(user) -> TOTPDevice:
    """The user's confirmed authenticator device (made once)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="test", confirmed=True)


def current_code(device: TOTPDevice) -> str:
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    return f"{code:0{device.digits}d}"


def sign_in(client, user) -> None:
    """Like `client.force_login`, with the session also marked two-factor verified."""
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = totp_device(user).persistent_id
    # As a real sign-in's response leaves it: the idle time-out counted from now.
    session[SessionIdleMiddleware.KEY] = int(time.time())
    session.save()

"""Sign-in protection and security headers."""

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.urls import reverse

from scn_portal import security
from tests.auth import current_code, sign_in, totp_device
from tests.conftest import make_user_with_role

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "a-long-test-password"


def attempt(client, username: str, password: str, **headers):
    return client.post(
        reverse("login"), {"username": username, "password": password}, headers=headers
    )


def test_lockout_after_the_configured_failures(client, settings):
    make_user_with_role("ISD staff", username="sana")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert attempt(client, "sana", "wrong-password").status_code == 200
    assert attempt(client, "sana", "wrong-password").status_code == 429

    locked = attempt(client, "sana", PASSWORD)  # the right password, too late

    assert locked.status_code == 429
    assert "Too many failed sign-ins" in locked.content.decode()
    assert SESSION_KEY not in client.session


def test_a_spoofed_forwarded_for_header_does_not_dodge_the_lockout(client, settings):
    make_user_with_role("ISD staff", username="sana")
    for number in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "sana", "wrong-password", x_forwarded_for=f"203.0.113.{number}")

    locked = attempt(client, "sana", PASSWORD, x_forwarded_for="198.51.100.7")

    assert locked.status_code == 429


def test_behind_a_trusted_proxy_the_lockout_is_per_forwarded_address(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    make_user_with_role("ISD staff", username="sana")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "sana", "wrong-password", x_forwarded_for="203.0.113.9")

    from_attacker = attempt(client, "sana", PASSWORD, x_forwarded_for="203.0.113.9")
    from_colleague = attempt(client, "sana", PASSWORD, x_forwarded_for="198.51.100.7")

    assert from_attacker.status_code == 429
    assert from_colleague.status_code == 302


def test_the_lockout_is_per_user_name(client, settings):
    make_user_with_role("ISD staff", username="sana")
    make_user_with_role("ISD staff", username="omar")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "sana", "wrong-password")

    assert attempt(client, "omar", PASSWORD).status_code == 302


@pytest.mark.parametrize("path", ["/dashboard/", "/cities/", "/admin/", "/consultations/new/"])
def test_without_a_verified_second_factor_no_staff_page_or_admin_opens(client, path):
    user = make_user_with_role("Portal admin", username="root", is_staff=True, is_superuser=True)
    client.force_login(user)

    first = client.get(path)
    totp_device(user)
    second = client.get(path)

    assert first.status_code == 302
    assert first["Location"].startswith(reverse("two_factor_setup"))
    assert second.status_code == 302
    assert second["Location"].startswith(reverse("two_factor_verify"))


def test_sign_in_with_password_then_code_and_a_used_code_is_refused_the_second_time(client):
    user = make_user_with_role("ISD staff", username="sana")
    device = totp_device(user)

    attempt(client, "sana", PASSWORD)
    code = current_code(device)
    verified = client.post(reverse("two_factor_verify"), {"token": code, "next": "/cities/"})
    client.post(reverse("logout"))
    attempt(client, "sana", PASSWORD)
    replayed = client.post(reverse("two_factor_verify"), {"token": code})

    assert verified.status_code == 302 and verified["Location"] == "/cities/"
    assert replayed.status_code == 200
    assert "That code is not valid (or was already used)" in replayed.content.decode()
    assert client.get("/dashboard/").status_code == 302


def test_enrolment_shows_the_key_and_confirms_with_a_first_code(client):
    user = make_user_with_role("ISD staff", username="sana")
    attempt(client, "sana", PASSWORD)

    page = client.get(reverse("two_factor_setup"))
    device = user.totpdevice_set.get(confirmed=False)
    confirmed = client.post(reverse("two_factor_setup"), {"token": current_code(device)})

    assert "<svg" in page.content.decode() and 'id="totp-secret"' in page.content.decode()
    assert confirmed.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/dashboard/").status_code == 200


def test_the_verify_page_never_redirects_off_site(client):
    user = make_user_with_role("ISD staff", username="sana")
    device = totp_device(user)
    attempt(client, "sana", PASSWORD)

    response = client.post(
        reverse("two_factor_verify"),
        {"token": current_code(device), "next": "https://evil.example.org/"},
    )

    assert response["Location"] == "/dashboard/"


@pytest.mark.parametrize(
    "engine",
    [
        "django.contrib.sessions.backends.db",
        "django.contrib.sessions.backends.cached_db",  # with REDIS_URL
    ],
)
def test_sign_in_rotates_the_session_and_sign_out_ends_it(client, settings, engine):
    settings.SESSION_ENGINE = engine
    make_user_with_role("ISD staff", username="sana")
    client.get(reverse("login"))
    client.session.save()
    before = client.session.session_key

    attempt(client, "sana", PASSWORD)
    during = client.session.session_key
    client.post(reverse("logout"))

    assert during != before
    assert not Session.objects.filter(session_key=during).exists()


@pytest.mark.parametrize(
    "engine",
    ["django.contrib.sessions.backends.db", "django.contrib.sessions.backends.cached_db"],
)
def test_a_signed_out_sessions_cookie_opens_nothing_again(client, settings, engine):
    settings.SESSION_ENGINE = engine
    sign_in(client, make_user_with_role("ISD staff"))
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert client.get(reverse("dashboard")).status_code == 200

    client.post(reverse("logout"))
    client.cookies[settings.SESSION_COOKIE_NAME] = cookie  # the old cookie, replayed
    replayed = client.get(reverse("dashboard"))

    assert replayed.status_code == 302
    assert replayed["Location"].startswith(reverse("login"))


def test_sessions_time_out_when_idle(settings):
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert "scn_portal.security.SessionIdleMiddleware" in settings.MIDDLEWARE


def test_an_active_session_is_pushed_back_at_most_once_a_minute(client, monkeypatch):
    user = make_user_with_role("ISD staff")
    sign_in(client, user)
    dashboard = reverse("dashboard")
    clock = [time.time() + 120]  # two minutes after signing in
    monkeypatch.setattr(security.time, "time", lambda: clock[0])
    client.get(dashboard)

    def expiry():
        return Session.objects.get(session_key=client.session.session_key).expire_date

    first = expiry()
    clock[0] += 30
    client.get(dashboard)
    within_the_minute = expiry()
    clock[0] += 31
    client.get(dashboard)

    assert within_the_minute == first  # not written again
    assert expiry() > first  # a minute later: the idle time-out counts from now


def test_passwords_need_twelve_characters_and_not_a_common_one():
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="at least 12 characters"):
        validate_password("Xk9#short")
    with pytest.raises(ValidationError, match="too common"):
        validate_password("password1234")


def test_csp_header_with_a_fresh_nonce_that_the_scripts_carry(client):
    first, second = client.get("/"), client.get("/")

    policies = [response["Content-Security-Policy"] for response in (first, second)]
    nonces = [re.search(r"'nonce-([^']+)'", policy).group(1) for policy in policies]
    assert nonces[0] != nonces[1]
    for response, nonce in zip((first, second), nonces, strict=True):
        scripts = re.findall(r"<script[^>]*>", response.content.decode())
        assert scripts and all(f'nonce="{nonce}"' in tag for tag in scripts)
    policy = policies[0]
    assert "default-src 'self'" in policy
    assert "style-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy


def test_signed_in_pages_are_not_stored_and_public_ones_may_be(client):
    public = client.get("/")
    sign_in(client, make_user_with_role("ISD staff"))
    private = client.get("/dashboard/")

    assert "no-store" in private["Cache-Control"]
    assert "no-store" not in public.get("Cache-Control", "")
    assert private["X-Frame-Options"] == "DENY"
    assert private["X-Content-Type-Options"] == "nosniff"


def test_check_deploy_is_clean_with_production_settings():
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("DJANGO_") and key != "DATABASE_URL"
    }
    environment |= {
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "p" + "r0duct10n-Secret_key-with-enough-entropy-" * 2,
        "DJANGO_ALLOWED_HOSTS": "portal.example.org",
        "EMAIL_URL": "smtp+tls://portal:secret@smtp.example.org:587",
    }

    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr

"""Sign-in protection the whole portal relies on: client addresses, two-factor, caching."""

from __future__ import annotations

import time
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django_otp import user_has_device

# Pages a signed-in user reaches before their second factor is verified.
TWO_FACTOR_EXEMPT_URL_NAMES = {"two_factor_setup", "two_factor_verify", "logout"}


def client_ip(request: HttpRequest) -> str:
    """The client's address for lockouts, trusting X-Forwarded-For only as far as the
    configured number of proxies (DJANGO_TRUSTED_PROXY_COUNT) that append to it.

    With no trusted proxy the header is ignored entirely, so it cannot be spoofed to dodge a
    lockout; with N proxies, the address N entries from the right is the one the outermost
    trusted proxy saw.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < count:
        return remote
    return forwarded[-count]


class TwoFactorRequiredMiddleware:
    """Every signed-in user must have passed a one-time-password check in this session
    before any page (portal and admin alike): otherwise they go to enrol or verify."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        match = request.resolver_match
        if match and match.url_name in TWO_FACTOR_EXEMPT_URL_NAMES and not match.namespace:
            return None
        target = "two_factor_verify" if user_has_device(user) else "two_factor_setup"
        return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")


class NoStoreForSignedInMiddleware:
    """Pages shown to a signed-in user are never kept by a browser or a shared cache."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.user.is_authenticated:
            response["Cache-Control"] = "no-store, private"
        return response


# How often a signed-in session's idle time-out is pushed back (see SessionIdleMiddleware).
SESSION_TOUCH_SECONDS = 60


class SessionIdleMiddleware:
    """The idle time-out (SESSION_COOKIE_AGE) counts from the last request, give or take a
    minute: a signed-in session is saved with a new expiry at most once a minute, instead of
    on every request (SESSION_SAVE_EVERY_REQUEST wrote the session row on each page: an UPDATE
    and its transaction, 1-2 ms a page and a write per request under load)."""

    KEY = "_touched"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and session.session_key and not session.is_empty():
            now = int(time.time())
            if now - session.get(self.KEY, 0) >= SESSION_TOUCH_SECONDS:
                session[self.KEY] = now  # modified: SessionMiddleware saves it, new expiry
        return response

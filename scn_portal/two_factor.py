"""Two-factor sign-in: enrol an authenticator app (TOTP), then verify a code each session."""

from __future__ import annotations

import base64

import segno
from django import forms
from django.contrib import messages
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView
from django_otp import devices_for_user
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from scn_portal.services import totp_device_confirm, totp_device_pending


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("Code from your authenticator app"),
        min_length=6,
        max_length=8,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


class TwoFactorMixin:
    form_class = TokenForm

    def success_url_or_dashboard(self) -> str:
        target = self.request.POST.get("next") or self.request.GET.get("next", "")
        if url_has_allowed_host_and_scheme(
            target, allowed_hosts={self.request.get_host()}, require_https=self.request.is_secure()
        ):
            return target
        return "/dashboard/"

    def get_context_data(self, **kwargs):
        return super().get_context_data(next=self.request.GET.get("next", ""), **kwargs)


class TwoFactorVerifyView(TwoFactorMixin, FormView):
    """Ask for the current code of one of the user's confirmed devices."""

    template_name = "registration/two_factor_verify.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect("login")
        if not list(devices_for_user(request.user, confirmed=True)):
            return redirect("two_factor_setup")
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        token = form.cleaned_data["token"]
        for device in devices_for_user(self.request.user, confirmed=True):
            # verify_token refuses a code already used (and throttles repeated failures).
            if device.verify_token(token):
                otp_login(self.request, device)
                return redirect(self.success_url_or_dashboard())
        form.add_error(
            "token", gettext("That code is not valid (or was already used). Try the next one.")
        )
        return self.form_invalid(form)


class TwoFactorSetupView(TwoFactorMixin, FormView):
    """Enrol an authenticator app: show its secret (and QR code), confirm with a first code."""

    template_name = "registration/two_factor_setup.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect("login")
        if list(devices_for_user(request.user, confirmed=True)):
            return redirect("two_factor_verify")
        self.device = totp_device_pending(user=request.user)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        qr = segno.make(self.device.config_url, error="m")
        return super().get_context_data(
            secret=secret_for_display(self.device),
            qr_svg=qr.svg_inline(scale=4, dark="#000", light="#fff", omitsize=True),
            **kwargs,
        )

    def form_valid(self, form):
        if not self.device.verify_token(form.cleaned_data["token"]):
            form.add_error(
                "token", gettext("That code does not match: check the time on your phone.")
            )
            return self.form_invalid(form)
        totp_device_confirm(device=self.device)
        otp_login(self.request, self.device)
        messages.success(self.request, gettext("Two-factor sign-in is set up."))
        return redirect(self.success_url_or_dashboard())


def secret_for_display(device: TOTPDevice) -> str:
    """The device's key in base32, in groups of four, as authenticator apps ask for it."""
    secret = base64.b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))

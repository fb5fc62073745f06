"""The second log-in step: set up an authenticator app (TOTP), then give its code at each log-in."""

from __future__ import annotations

import base64
from urllib.parse import urlencode

import segno
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django_otp import devices_for_user, match_token, user_has_device
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from processes.access import staff_of
from processes.services import audit_record

from .forms import TokenForm
from .second_factor import PENDING

WRONG_CODE = "That code is not right, or it has expired. Type the code your app shows now."
THROTTLED = "Too many wrong codes in a row: wait a minute, then type the code your app shows."


def _wrong_code(devices) -> str:
    # django-otp doubles the wait after each wrong code (1 s, 2 s, 4 s…); while it lasts even the right code is
    # refused. The first waits are shorter than retyping takes, so only a run of wrong codes is worth a mention.
    throttled = any(
        device.throttling_failure_count >= 3 and not device.verify_is_allowed()[0] for device in devices
    )
    return THROTTLED if throttled else WRONG_CODE


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                       require_https=request.is_secure()):
        return target
    return "/"


def _done(request, device, *, action: str, summary: str):
    otp_login(request, device)
    request.session.pop(PENDING, None)
    audit_record(actor=request.user, action=action, record=request.user, record_type="auth.User", summary=summary)
    return redirect(_next(request))


def _refused(request, *, action: str, summary: str) -> None:
    audit_record(actor=request.user, action=action, record=request.user, record_type="auth.User",
                 summary=summary, outcome="refused")


@never_cache
def two_factor_setup(request):
    if user_has_device(request.user, confirmed=True) and not request.user.is_verified():
        # Adding a second app needs the first one's code: a password alone must not be enough.
        return redirect(f"{reverse('two-factor-verify')}?{urlencode({'next': _next(request)})}")
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=request.user, name="Authenticator app", confirmed=False)
    form = TokenForm(request.POST or None)
    if form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            messages.success(request, "Two-factor log-in is on: Keyflow will ask for a code each time you log in.")
            return _done(request, device, action="two_factor_setup", summary="Set up two-factor log-in")
        _refused(request, action="two_factor_setup", summary="Wrong code while setting up two-factor log-in")
        form.add_error("token", _wrong_code([device]))
    secret = base64.b32encode(device.bin_key).decode()
    return render(request, "accounts/two_factor_setup.html", {
        "form": form,
        "qr_svg": segno.make(device.config_url, error="m").svg_inline(scale=4, dark="#000", light="#fff"),
        "secret": " ".join(secret[i:i + 4] for i in range(0, len(secret), 4)),
        "next": _next(request),
    }, status=400 if form.errors else 200)


@never_cache
def two_factor_verify(request):
    form = TokenForm(request.POST or None)
    if form.is_valid():
        device = match_token(request.user, form.cleaned_data["token"])
        if device is not None:
            return _done(request, device, action="two_factor", summary="Logged in with a two-factor code")
        _refused(request, action="two_factor", summary="Wrong two-factor code at log-in")
        form.add_error("token", _wrong_code(devices_for_user(request.user)))
    return render(request, "accounts/two_factor_verify.html", {"form": form, "next": _next(request)},
                  status=400 if form.errors else 200)


def locked_out(request, original_response=None, credentials=None):
    """django-axes' answer to a locked-out log-in: what happened and how long to wait (HTTP 429)."""
    from axes.helpers import get_client_username, get_cool_off, get_failure_limit

    cool_off = get_cool_off(request)
    return render(request, "registration/locked_out.html", {
        "username": get_client_username(request, credentials) or "",
        "failure_limit": get_failure_limit(request, credentials),
        "minutes": max(1, int(cool_off.total_seconds() // 60)) if cool_off else 0,
    }, status=429)


class PasswordResetConfirm(auth_views.PasswordResetConfirmView):
    """The page a reset link opens (accounts.password_reset). Saving the new password also lifts a lock-out
    from wrong guesses, ends the user's other sessions (Django's session hash) and is audited."""

    template_name = "registration/password_reset_confirm.html"
    success_url = reverse_lazy("password-reset-complete")

    def form_valid(self, form):
        from axes.utils import reset as axes_reset

        response = super().form_valid(form)
        axes_reset(username=form.user.get_username())
        staff = staff_of(form.user)
        audit_record(actor=form.user, action="password_reset", record=form.user, record_type="auth.User",
                     setting_id=staff.setting_id if staff else None,
                     summary=f"{form.user.get_username()} chose a new password with a reset link")
        return response

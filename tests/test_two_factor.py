"""Two-factor log-in (TOTP): required for managers and SENCOs when KEYFLOW_REQUIRE_2FA_FOR_MANAGERS is on,
available to anyone, and asked for at every log-in once set up. Codes are computed here as an app would."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from processes.models import AuditEvent

LOGIN = reverse("login")
SETUP = reverse("two-factor-setup")
VERIFY = reverse("two-factor-verify")
CHILDREN = reverse("child-list")


def code_for(device: TOTPDevice, *, offset: int = 0) -> str:
    """What the user's authenticator app shows now (RFC 6238, the device's own key and step)."""
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=offset):06d}"


def log_in(client, user, next_url: str = ""):
    return client.post(LOGIN + (f"?next={next_url}" if next_url else ""),
                       {"username": user.username, "password": "pass-word-123"})


@pytest.fixture
def required(settings):
    settings.KEYFLOW_REQUIRE_2FA_FOR_MANAGERS = True


def confirmed_device(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Phone", confirmed=True)


@pytest.mark.parametrize("role", ["manager", "senco"])
def test_a_manager_or_senco_without_an_app_is_sent_to_set_one_up(client, request, required, role):
    user = request.getfixturevalue(role).user
    log_in(client, user)
    response = client.get(CHILDREN)
    assert response.status_code == 302 and response["Location"].startswith(SETUP)
    # Every page, not just the first one.
    assert client.get(reverse("inbox"))["Location"].startswith(SETUP)


def test_setting_up_the_app_with_a_real_code_lets_the_manager_in(client, manager, required):
    log_in(client, manager.user)
    page = client.get(SETUP + "?next=" + CHILDREN)
    assert page.status_code == 200 and b"<svg" in page.content
    device = TOTPDevice.objects.get(user=manager.user, confirmed=False)
    assert page.context["secret"].replace(" ", "")  # the key, for typing in by hand

    wrong = client.post(SETUP, {"token": "000000" if code_for(device) != "000000" else "111111",
                                "next": CHILDREN})
    assert wrong.status_code == 400 and "not right" in wrong.content.decode()

    device.refresh_from_db()
    device.throttling_failure_count, device.throttling_failure_timestamp = 0, None  # as after a short wait
    device.save()
    done = client.post(SETUP, {"token": code_for(device), "next": CHILDREN})
    assert done.status_code == 302 and done["Location"] == CHILDREN
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
    assert client.get(CHILDREN).status_code == 200
    assert AuditEvent.objects.filter(action="two_factor_setup", actor=manager.user, outcome="ok").exists()
    assert AuditEvent.objects.filter(action="two_factor_setup", actor=manager.user, outcome="refused").exists()


def test_at_the_next_log_in_the_code_is_asked_for_and_checked(manager, required):
    device = confirmed_device(manager.user)
    client = Client()
    log_in(client, manager.user)
    assert client.get(CHILDREN)["Location"].startswith(VERIFY)
    assert client.get(SETUP)["Location"].startswith(VERIFY)  # a password alone cannot add another app

    refused = client.post(VERIFY, {"token": "12345x"})
    assert refused.status_code == 400 and client.get(CHILDREN).status_code == 302

    assert client.post(VERIFY, {"token": code_for(device), "next": CHILDREN})["Location"] == CHILDREN
    assert client.get(CHILDREN).status_code == 200


def test_a_code_cannot_be_used_twice(manager, required):
    device = confirmed_device(manager.user)
    first, second = Client(), Client()
    for client in (first, second):
        log_in(client, manager.user)
    token = code_for(device)
    assert first.post(VERIFY, {"token": token}).status_code == 302
    assert second.post(VERIFY, {"token": token}).status_code == 400


def test_the_api_refuses_a_manager_who_has_not_given_the_code(client, manager, required):
    confirmed_device(manager.user)
    log_in(client, manager.user)
    response = client.get(reverse("api-task-list"))
    assert response.status_code == 403 and "authenticator" in response.json()["detail"]


def test_basic_authentication_cannot_skip_the_second_factor(client, manager, key_person, required):
    import base64

    def basic(user):
        return "Basic " + base64.b64encode(f"{user.username}:pass-word-123".encode()).decode()

    assert client.get(reverse("api-task-list"), HTTP_AUTHORIZATION=basic(manager.user)).status_code == 403
    assert client.get(reverse("api-task-list"), HTTP_AUTHORIZATION=basic(key_person.user)).status_code == 200


def test_a_key_person_is_not_forced_but_may_turn_it_on(client, key_person, required):
    log_in(client, key_person.user)
    assert client.get(CHILDREN).status_code == 200
    assert client.get(SETUP).status_code == 200


def test_nobody_is_forced_when_the_setting_is_off(client, manager, settings):
    settings.KEYFLOW_REQUIRE_2FA_FOR_MANAGERS = False
    log_in(client, manager.user)
    assert client.get(CHILDREN).status_code == 200


def test_whoever_has_an_app_is_asked_for_its_code_even_when_not_required(client, key_person, settings):
    settings.KEYFLOW_REQUIRE_2FA_FOR_MANAGERS = False
    device = confirmed_device(key_person.user)
    log_in(client, key_person.user)
    assert client.get(CHILDREN)["Location"].startswith(VERIFY)
    client.post(VERIFY, {"token": code_for(device)})
    assert client.get(CHILDREN).status_code == 200


def test_a_manager_may_still_log_out_before_giving_the_code(client, manager, required):
    log_in(client, manager.user)
    response = client.post(reverse("logout"))
    assert response.status_code == 302 and response["Location"] == LOGIN


def test_the_two_factor_redirect_keeps_only_local_next_addresses(client, manager, required):
    device = confirmed_device(manager.user)
    log_in(client, manager.user)
    response = client.post(VERIFY, {"token": code_for(device), "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_the_production_default_requires_two_factor_log_in():
    import os
    import subprocess
    import sys
    from pathlib import Path

    base = Path(__file__).resolve().parent.parent
    env = {k: v for k, v in os.environ.items() if k not in ("KEYFLOW_REQUIRE_2FA_FOR_MANAGERS", "DEBUG")}
    env.update(KEYFLOW_PRODUCTION="1", SECRET_KEY="x" * 60, ALLOWED_HOSTS="keyflow.example.org",
               DJANGO_SETTINGS_MODULE="keyflow.settings")
    code = ("import django; django.setup(); from django.conf import settings; "
            "print(settings.KEYFLOW_REQUIRE_2FA_FOR_MANAGERS)")
    out = subprocess.run([sys.executable, "-c", code], cwd=base, env=env, capture_output=True, text=True, timeout=60)
    assert out.stdout.strip().splitlines()[-1] == "True", out.stderr[-2000:]
    env["KEYFLOW_PRODUCTION"] = "0"
    out = subprocess.run([sys.executable, "-c", code], cwd=base, env=env, capture_output=True, text=True, timeout=60)
    assert out.stdout.strip().splitlines()[-1] == "False", out.stderr[-2000:]


def test_guessing_codes_is_throttled(client, manager, required):
    device = confirmed_device(manager.user)
    log_in(client, manager.user)
    right = code_for(device)
    wrong = "000000" if right != "000000" else "111111"
    for _ in range(3):
        assert client.post(VERIFY, {"token": wrong}).status_code == 400
        # As if the user waited before the next guess: the failures add up.
        TOTPDevice.objects.filter(pk=device.pk).update(
            throttling_failure_timestamp=timezone.now() - dt.timedelta(hours=1))
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_timestamp=timezone.now())
    assert TOTPDevice.objects.get(pk=device.pk).throttling_failure_count == 3
    # Each wrong code doubles the wait (django-otp's throttling): the right one is refused during it.
    refused = client.post(VERIFY, {"token": right})
    assert refused.status_code == 400 and "Too many wrong codes" in refused.content.decode()
    assert AuditEvent.objects.filter(action="two_factor", outcome="refused", actor=manager.user).count() == 4


def test_the_manager_resets_a_lost_phone_from_the_admin(client, manager, key_person, required):
    device = confirmed_device(key_person.user)
    phone = Client()
    log_in(phone, key_person.user)
    phone.post(VERIFY, {"token": code_for(device)})
    manager.user.is_staff = True
    manager.user.save()
    confirmed_device(manager.user)
    client.force_login(manager.user)
    session = client.session
    session.pop("keyflow_second_factor", None)  # the manager has given their own code
    session.save()

    response = client.post(reverse("admin:processes_staff_changelist"),
                           {"action": "reset_second_factor", "_selected_action": [key_person.pk]})

    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=key_person.user).exists()
    assert TOTPDevice.objects.filter(user=manager.user).exists()
    assert phone.get(CHILDREN)["Location"].startswith(LOGIN)  # the lost phone's session is over
    assert AuditEvent.objects.filter(action="two_factor_reset", actor=manager.user,
                                     record_id=str(key_person.user.pk)).exists()


def test_only_their_manager_may_reset_someones_two_factor_log_in(key_person, senco):
    from accounts.second_factor import second_factor_reset
    from processes.errors import NotPermitted

    from .factories import SettingFactory, StaffFactory

    confirmed_device(key_person.user)
    for outsider in (senco.user, StaffFactory(setting=SettingFactory(), manager=True).user):
        with pytest.raises(NotPermitted):
            second_factor_reset(user=key_person.user, by=outsider)
    assert TOTPDevice.objects.filter(user=key_person.user).exists()

"""Sessions, log-in and the browser-facing protections: idle timeout, log-out everywhere on deactivation,
log-in lock-out, CSRF on every form and the API, security headers with a content security policy."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from processes.models import AuditEvent

from .flowkit import allocate, register, the_task

LOGIN = reverse("login")
PASSWORD = "pass-word-123"


def _log_in(client, username, password=PASSWORD, **extra):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


# --- idle timeout ------------------------------------------------------------------------------------------


def test_a_session_ends_after_the_idle_time_and_each_request_extends_it(client, key_person, settings):
    settings.SESSION_COOKIE_AGE = 600
    _log_in(client, key_person.user.username)
    session = Session.objects.get()
    first_expiry = session.expire_date
    assert first_expiry - timezone.now() <= dt.timedelta(seconds=600)

    # Active within the idle time: each request pushes the end back (SESSION_SAVE_EVERY_REQUEST).
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() + dt.timedelta(seconds=60))
    assert client.get(reverse("child-list")).status_code == 200
    assert Session.objects.get(pk=session.pk).expire_date > timezone.now() + dt.timedelta(seconds=500)

    # Idle past it: the next request is a stranger's.
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    response = client.get(reverse("child-list"))
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


def test_the_session_cookie_dies_with_the_browser_and_hides_from_scripts(client, key_person, settings):
    response = _log_in(client, key_person.user.username)
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] and not cookie["expires"] and not cookie["max-age"]
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE and settings.SESSION_SAVE_EVERY_REQUEST


# --- log-out everywhere when deactivated -------------------------------------------------------------------


def test_deactivating_a_user_logs_them_out_on_every_device(key_person, manager, django_capture_on_commit_callbacks):
    tablet, phone, colleague = Client(), Client(), Client()
    for client in (tablet, phone):
        assert _log_in(client, key_person.user.username).status_code == 302
    assert _log_in(colleague, manager.user.username).status_code == 302
    assert Session.objects.count() == 3

    with django_capture_on_commit_callbacks(execute=True):
        key_person.user.is_active = False
        key_person.user.save()

    assert Session.objects.count() == 1  # only the colleague's
    for client in (tablet, phone):
        response = client.get(reverse("child-list"))
        assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    assert colleague.get(reverse("child-list")).status_code == 200
    assert AuditEvent.objects.filter(action="logout", record_id=str(key_person.user.pk)).exists()


def test_a_deactivated_user_cannot_log_in_again(client, key_person):
    key_person.user.is_active = False
    key_person.user.save()
    response = _log_in(client, key_person.user.username)
    assert response.status_code == 200 and not response.wsgi_request.user.is_authenticated


# --- log-in lock-out (django-axes) -------------------------------------------------------------------------


def test_repeated_wrong_passwords_lock_the_log_in_with_a_clear_message(client, key_person, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(2):
        assert _log_in(client, key_person.user.username, "wrong").status_code == 200
    locked = _log_in(client, key_person.user.username, "wrong")
    assert locked.status_code == 429
    text = locked.content.decode()
    assert "Log-in locked" in text and "15 minutes" in text and key_person.user.username in text

    # Even the right password is refused while locked.
    assert _log_in(client, key_person.user.username).status_code == 429
    assert not Client().get(reverse("child-list")).wsgi_request.user.is_authenticated


def test_the_lock_out_is_per_user_and_address_and_ends_after_the_cool_off(client, key_person, manager, settings):
    settings.AXES_FAILURE_LIMIT = 2
    for _ in range(2):
        _log_in(client, key_person.user.username, "wrong")
    assert _log_in(client, key_person.user.username).status_code == 429
    # A colleague on the same tablet still logs in; so does the same user from another address.
    assert _log_in(Client(), manager.user.username).status_code == 302
    assert _log_in(Client(REMOTE_ADDR="10.0.0.9"), key_person.user.username).status_code == 302

    from axes.models import AccessAttempt

    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=16))
    assert _log_in(client, key_person.user.username).status_code == 302


def test_the_api_basic_log_in_is_locked_out_too(client, key_person, settings):
    import base64

    settings.AXES_FAILURE_LIMIT = 2
    wrong = "Basic " + base64.b64encode(f"{key_person.user.username}:wrong".encode()).decode()
    right = "Basic " + base64.b64encode(f"{key_person.user.username}:{PASSWORD}".encode()).decode()
    assert client.get(reverse("api-task-list"), HTTP_AUTHORIZATION=right).status_code == 200
    for _ in range(2):
        client.get(reverse("api-task-list"), HTTP_AUTHORIZATION=wrong)
    assert client.get(reverse("api-task-list"), HTTP_AUTHORIZATION=right).status_code in (403, 429)


# --- CSRF ---------------------------------------------------------------------------------------------------


@pytest.fixture
def csrf_client(db):
    return Client(enforce_csrf_checks=True)


@pytest.fixture
def meeting_task(setting, room, manager, key_person, other_key_person):
    child = register(setting=setting, room=room, manager=manager)
    allocate(child, manager, key_person, other_key_person)
    return the_task(child, "arrange_meeting")


def test_the_log_in_form_refuses_a_post_without_its_token(csrf_client, key_person):
    assert _log_in(csrf_client, key_person.user.username).status_code == 403
    page = csrf_client.get(LOGIN)
    token = page.context["csrf_token"]
    response = csrf_client.post(LOGIN, {"username": key_person.user.username, "password": PASSWORD,
                                        "csrfmiddlewaretoken": str(token)})
    assert response.status_code == 302


def test_task_forms_and_the_api_refuse_a_post_without_a_token(csrf_client, key_person, meeting_task):
    csrf_client.force_login(key_person.user)
    args = [meeting_task.process_id, meeting_task.pk]
    when = (timezone.localtime() + dt.timedelta(days=2)).strftime("%Y-%m-%d %H:%M")
    for url in (reverse("task-detail", args=args), reverse("task-claim", args=args),
                reverse("task-release", args=args), reverse("logout")):
        assert csrf_client.post(url, {"starts_at": when, "duration_minutes": 30}).status_code == 403, url
    for name in ("api-task-claim", "api-task-release", "api-task-complete"):
        response = csrf_client.post(reverse(name, args=args), {"starts_at": when, "duration_minutes": 30},
                                    content_type="application/json")
        assert response.status_code == 403 and "CSRF" in response.json()["detail"], name
    meeting_task.refresh_from_db()
    assert meeting_task.status != "DONE"


def test_the_admin_and_two_factor_forms_refuse_a_post_without_a_token(csrf_client, manager, child):
    manager.user.is_staff = True
    manager.user.save()
    csrf_client.force_login(manager.user)
    for url in (reverse("admin:processes_child_change", args=[child.pk]), reverse("two-factor-verify"),
                reverse("two-factor-setup")):
        assert csrf_client.post(url, {"first_name": "Changed", "token": "123456"}).status_code == 403, url


# --- security headers ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [LOGIN, reverse("child-list"), reverse("admin:index"), reverse("audit-search")])
def test_every_page_carries_a_content_security_policy_and_the_security_headers(client, manager, url):
    manager.user.is_staff = True
    manager.user.save()
    client.force_login(manager.user)
    response = client.get(url)
    assert response.status_code == 200
    policy = dict(
        part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";") if part.strip()
    )
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'" and "unsafe-inline" not in response["Content-Security-Policy"]
    assert policy["style-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'" and policy["object-src"] == "'none'"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert "no-store" in response.get("Cache-Control", "") or url in (LOGIN, reverse("admin:index"))


def test_no_template_has_inline_script_or_style(settings):
    """The policy allows no inline script or style: one slipped into a template would be silently blocked."""
    import re
    from pathlib import Path

    offenders = []
    for path in Path(settings.BASE_DIR, "templates").rglob("*.html"):
        # Documents read elsewhere, never served as pages under the policy: the layout of HTML e-mails (a mail
        # client) and the subject access export's records.html (a file inside the downloaded zip).
        if path.name in ("_email.html", "subject_access.html"):
            continue
        text = path.read_text()
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle=\"|\son[a-z]+=\"", text):
            offenders.append(str(path))
    assert offenders == []

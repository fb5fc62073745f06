"""A forgotten password: the manager e-mails a colleague a one-time link; the colleague chooses a new one."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

from accounts.password_reset import password_reset_send
from processes.errors import NotPermitted, RuleViolation
from processes.models import AuditEvent

from .factories import SettingFactory, StaffFactory

NEW_PASSWORD = "a-long-new-pass-phrase-42"


def _link_in(message) -> str:
    return re.search(r"http://\S+", message.body).group(0)


def _path(link: str) -> str:
    return "/" + link.split("/", 3)[3]


def _set_password(client, link: str, password: str = NEW_PASSWORD):
    landing = client.get(_path(link))  # Django swaps the token for a session key and redirects
    assert landing.status_code == 302
    return client.post(landing.url, {"new_password1": password, "new_password2": password})


def test_the_manager_sends_a_link_from_the_admin_and_the_colleague_chooses_a_new_password(
        client, manager, key_person, django_capture_on_commit_callbacks):
    manager.user.is_staff = True
    manager.user.save()
    client.force_login(manager.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:processes_staff_changelist"),
                               {"action": "send_password_reset", "_selected_action": [key_person.pk]}, follow=True)
    assert any("on its way to keyperson@example.org" in str(m) for m in response.context["messages"])
    [message] = mail.outbox
    assert message.to == ["keyperson@example.org"] and "keyperson" in message.body
    assert AuditEvent.objects.filter(action="password_reset_sent", actor=manager.user,
                                     record_id=str(key_person.user.pk)).exists()

    client.logout()
    response = _set_password(client, _link_in(message))
    assert response.status_code == 302 and response.url == reverse("password-reset-complete")
    assert client.login(username="keyperson", password=NEW_PASSWORD)
    assert AuditEvent.objects.filter(action="password_reset", actor=key_person.user).exists()


def test_a_link_works_once(client, manager, key_person, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        password_reset_send(user=key_person.user, by=manager.user)
    link = _link_in(mail.outbox[0])
    _set_password(client, link)

    page = client.get(_path(link))
    assert page.status_code == 200 and "already been used or has expired" in page.content.decode()
    assert "new_password1" not in page.content.decode()
    assert client.login(username="keyperson", password=NEW_PASSWORD)


def test_a_weak_password_is_refused_on_the_page_and_the_old_one_still_works(client, manager, key_person,
                                                                             django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        password_reset_send(user=key_person.user, by=manager.user)
    response = _set_password(client, _link_in(mail.outbox[0]), password="password")
    assert response.status_code == 200 and "too common" in response.content.decode()
    assert client.login(username="keyperson", password="pass-word-123")


def test_a_new_password_lifts_a_lock_out_from_wrong_guesses(client, manager, key_person,
                                                           django_capture_on_commit_callbacks):
    from axes.models import AccessAttempt

    for _ in range(6):
        client.post(reverse("login"), {"username": "keyperson", "password": "wrong guess"})
    assert AccessAttempt.objects.filter(username="keyperson").exists()
    with django_capture_on_commit_callbacks(execute=True):
        password_reset_send(user=key_person.user, by=manager.user)
    _set_password(client, _link_in(mail.outbox[0]))
    assert not AccessAttempt.objects.filter(username="keyperson").exists()
    response = client.post(reverse("login"), {"username": "keyperson", "password": NEW_PASSWORD})
    assert response.status_code == 302


def test_only_the_colleagues_own_manager_may_send_a_link(manager, key_person, other_key_person,
                                                        django_capture_on_commit_callbacks):
    elsewhere = StaffFactory(setting=SettingFactory(), manager=True)
    for by in (other_key_person.user, elsewhere.user):
        with pytest.raises(NotPermitted), django_capture_on_commit_callbacks(execute=True):
            password_reset_send(user=key_person.user, by=by)
    assert mail.outbox == [] and not AuditEvent.objects.filter(action="password_reset_sent").exists()


def test_a_colleague_without_an_e_mail_address_is_told_to_get_one_first(manager, key_person,
                                                                         django_capture_on_commit_callbacks):
    key_person.user.email = ""
    key_person.user.save()
    with pytest.raises(RuleViolation, match="has no e-mail address"), \
            django_capture_on_commit_callbacks(execute=True):
        password_reset_send(user=key_person.user, by=manager.user)
    assert mail.outbox == []

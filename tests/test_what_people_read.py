"""What people read: e-mails' plain text, notification states, dates and ages, in their own words."""

from __future__ import annotations

from django.core import mail
from django.urls import reverse

from notifications.models import Channel, Kind, Notification
from processes.models import AssignmentRole
from processes import services as domain

from .factories import ChildGuardianFactory, ChildFactory
from .flowkit import allocate, register, the_task


def test_the_plain_text_email_shows_names_and_words_as_typed_not_html_escapes(
    setting, room, manager, key_person, other_key_person, django_capture_on_commit_callbacks
):
    child = ChildFactory(setting=setting, room=room, first_name="D'Arcy", last_name="O'Connor")
    link = ChildGuardianFactory(child=child, guardian__first_name="Siobhán <b>", guardian__last_name="O'Connor")
    with django_capture_on_commit_callbacks(execute=True):
        domain.key_person_assign(child=child, staff=key_person, role=AssignmentRole.PRIMARY, by=manager.user)
    [letter] = [m for m in mail.outbox if m.to == [link.guardian.email]]
    assert "D'Arcy" in letter.body and "Siobhán <b>" in letter.body
    assert "&#x27;" not in letter.body and "&lt;" not in letter.body
    assert "Siobhán &lt;b&gt;" in letter.alternatives[0][0]  # the HTML part still escapes


def test_a_new_task_notice_reads_once_as_new_and_is_done_once_the_task_is(
    client, setting, room, manager, key_person, other_key_person
):
    child = register(setting=setting, room=room, manager=manager)
    client.force_login(manager.user)
    page = client.get(reverse("my-notifications")).content.decode()
    assert "New task" in page and ">New</span>" not in page
    assert ">Unread</span>" in page
    allocate(child, manager, key_person, other_key_person)
    notice = Notification.objects.get(recipient_user=manager.user, channel=Channel.IN_APP, kind=Kind.TASK_ASSIGNED)
    assert notice.read_at is None  # never opened, yet the task is done
    page = client.get(reverse("my-notifications")).content.decode()
    assert ">Done</span>" in page
    assert ">Unread</span>" not in page and "Mark read</button>" not in page

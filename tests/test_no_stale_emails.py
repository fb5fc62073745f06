"""E-mails that ask nothing of their reader are not sent: an invitation to a meeting already begun, a task
already done by the time its e-mail leaves. The demo, which records whole histories at once, sends neither
(issue 16: "the demo e-mails hundreds of invitations to past meetings into the worker log")."""

from __future__ import annotations

import datetime as dt
from io import StringIO

from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from notifications.models import Channel, Kind, Notification
from processes.models import ParentMeeting
from workflows.models import InboxEntry

from .flowkit import allocate, complete, register, the_task


def arrange(child, by, starts_at: dt.datetime, **extra) -> None:
    complete(the_task(child, "arrange_meeting"), by, starts_at=timezone.localtime(starts_at).strftime("%Y-%m-%d %H:%M"),
             duration_minutes=30, **extra)


def test_a_meeting_recorded_after_it_began_sends_the_parents_no_invitation(
    setting, room, manager, key_person, other_key_person, django_capture_on_commit_callbacks
):
    child = register(setting=setting, room=room, manager=manager, start_in_days=1)
    allocate(child, manager, key_person, other_key_person)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        # A meeting in the past is recorded as held (the introduction's service refuses to invite to it).
        arrange(child, key_person.user, timezone.now() - dt.timedelta(hours=3), already_held="on")

    assert ParentMeeting.objects.filter(child=child).exists()
    assert not Notification.objects.filter(kind=Kind.MEETING_ARRANGED).exists()
    assert not [m for m in mail.outbox if m.attachments]


def test_a_meeting_still_to_come_is_still_an_invitation(
    setting, room, manager, key_person, other_key_person, django_capture_on_commit_callbacks
):
    child = register(setting=setting, room=room, manager=manager)
    allocate(child, manager, key_person, other_key_person)

    with django_capture_on_commit_callbacks(execute=True):
        arrange(child, key_person.user, timezone.now() + dt.timedelta(days=2))

    assert Notification.objects.filter(kind=Kind.MEETING_ARRANGED).count() == 1


def test_an_email_about_a_task_done_before_it_left_is_dropped_and_the_app_keeps_the_notice(
    setting, room, manager, key_person, other_key_person, django_capture_on_commit_callbacks
):
    # The allocation task lands in the manager's inbox and is done in the same transaction, before its
    # e-mail would leave (after commit).
    with django_capture_on_commit_callbacks(execute=True):
        child = register(setting=setting, room=room, manager=manager)
        allocation = the_task(child, "allocate")
        allocate(child, manager, key_person, other_key_person)

    assert not InboxEntry.objects.get(task_id=allocation.pk).is_open
    about_it = Notification.objects.filter(task_id=allocation.pk)
    assert list(about_it.values_list("channel", flat=True)) == [Channel.IN_APP]
    assert not [m for m in mail.outbox if m.to == [manager.user.email]]
    # The key person's new tasks, still open, are e-mailed as before.
    assert [m for m in mail.outbox if m.to == [key_person.user.email]]


def test_the_demo_sends_no_invitation_to_a_past_meeting_and_no_email_about_a_finished_task(
    db, settings, django_capture_on_commit_callbacks
):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo", stdout=StringIO())

    now = timezone.now()
    invited = ParentMeeting.objects.filter(
        pk__in=[int(n.refs["meeting_id"]) for n in Notification.objects.filter(kind=Kind.MEETING_ARRANGED)
                if "meeting_id" in n.refs])  # drop-in times name no meeting until one is booked
    assert not invited.filter(starts_at__lte=now).exists()
    assert ParentMeeting.objects.filter(starts_at__lte=now).count() > 20  # the demo's history has them
    closed = InboxEntry.objects.filter(is_open=False).values("task_id")
    assert not Notification.objects.filter(channel=Channel.EMAIL, task_id__in=closed).exists()

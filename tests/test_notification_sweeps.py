"""The periodic sweeps: reminders, escalations, digests and lifecycle dates; each safe to run twice."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from notifications import services
from notifications.models import Channel, EmailPreference, Kind, Notification, NotificationPolicy
from notifications.sweeps import digests_sweep, escalations_sweep, lifecycle_sweep, reminders_sweep
from processes import deadlines
from processes import services as domain
from processes.models import AssignmentRole
from workflows.models import InboxEntry

from .factories import ChildFactory, RoomFactory
from .flowkit import allocate, register, the_task


def _notified(user, kind, channel=Channel.IN_APP) -> int:
    return Notification.objects.filter(recipient_user=user, kind=kind, channel=channel).count()


def test_a_task_is_reminded_within_the_lead_time_once_however_often_the_sweep_runs(
    setting, room, manager, django_capture_on_commit_callbacks
):
    child = register(setting=setting, room=room, manager=manager)
    due = InboxEntry.objects.get(task=the_task(child, "allocate")).due_at
    assert reminders_sweep(now=due - deadlines.REMINDER_LEAD - dt.timedelta(minutes=1)) == 0  # too early
    with django_capture_on_commit_callbacks(execute=True):
        reminders_sweep(now=due - dt.timedelta(hours=3))
    with django_capture_on_commit_callbacks(execute=True):
        reminders_sweep(now=due - dt.timedelta(hours=2))  # the next beat
    assert _notified(manager.user, Kind.TASK_REMINDER) == 1
    assert len([m for m in mail.outbox if m.subject.startswith("Due soon")]) == 1


def test_a_settings_own_lead_time_is_used(setting, room, manager):
    NotificationPolicy.objects.create(setting=setting, reminder_lead_hours=72)
    child = register(setting=setting, room=room, manager=manager)
    due = InboxEntry.objects.get(task=the_task(child, "allocate")).due_at
    reminders_sweep(now=due - dt.timedelta(hours=70))
    assert _notified(manager.user, Kind.TASK_REMINDER) == 1


def test_a_task_overdue_by_the_margin_is_escalated_to_the_managers_once(
    setting, room, manager, key_person, other_key_person, django_capture_on_commit_callbacks
):
    child = register(setting=setting, room=room, manager=manager)
    allocate(child, manager, key_person, other_key_person)
    due = InboxEntry.objects.get(task=the_task(child, "arrange_meeting")).due_at
    assert escalations_sweep(now=due + dt.timedelta(hours=47)) == 0  # late, within the margin
    with django_capture_on_commit_callbacks(execute=True):
        escalations_sweep(now=due + dt.timedelta(hours=49))
        escalations_sweep(now=due + dt.timedelta(hours=50))
    assert _notified(manager.user, Kind.TASK_ESCALATION) == 2  # two overdue tasks: meeting, all about me
    assert _notified(key_person.user, Kind.TASK_ESCALATION) == 0
    escalations = [m for m in mail.outbox if m.subject.startswith("Overdue")]
    assert len(escalations) == 2 and key_person.user.get_full_name() in escalations[0].body


def test_the_daily_digest_lists_the_days_notifications_in_one_email(
    setting, room, manager, django_capture_on_commit_callbacks
):
    services.notification_preference_set(user=manager.user, email=EmailPreference.DIGEST)
    with django_capture_on_commit_callbacks(execute=True):
        register(setting=setting, room=room, manager=manager, first_name="Ava")
        register(setting=setting, room=room, manager=manager, first_name="Ben")
    assert mail.outbox == []  # not one by one
    with django_capture_on_commit_callbacks(execute=True):
        digests_sweep()
        digests_sweep()
    [digest] = mail.outbox
    assert digest.to == [manager.user.email] and "Ava Jones" in digest.body and "Ben Jones" in digest.body


def test_lifecycle_dates_are_announced_once(setting, manager, key_person, other_key_person):
    today = timezone.localdate()
    babies = RoomFactory(setting=setting, name="Babies", min_age_months=0, max_age_months=24)
    two = ChildFactory(setting=setting, room=None, date_of_birth=deadlines.months_after(today, -25),
                       start_date=today - dt.timedelta(days=30))
    outgrowing = ChildFactory(setting=setting, room=babies, date_of_birth=deadlines.months_after(today, -24) +
                              dt.timedelta(days=10), start_date=today - dt.timedelta(days=200))
    leaving = ChildFactory(setting=setting, room=None, date_of_birth=deadlines.months_after(today, -50),
                           start_date=today - dt.timedelta(days=400),
                           expected_leaving_date=today + dt.timedelta(days=14))
    for child in (two, outgrowing, leaving):
        domain.key_person_assign(child=child, staff=key_person, role=AssignmentRole.PRIMARY, by=manager.user)
    lifecycle_sweep(today=today)
    lifecycle_sweep(today=today)
    assert _notified(key_person.user, Kind.TWO_YEAR_CHECK) == 1 and _notified(manager.user, Kind.TWO_YEAR_CHECK) == 0
    assert _notified(key_person.user, Kind.ROOM_MOVE) == 1 and _notified(manager.user, Kind.ROOM_MOVE) == 1
    assert _notified(key_person.user, Kind.LEAVING) == 1 and _notified(manager.user, Kind.LEAVING) == 1
    assert _notified(other_key_person.user, Kind.TWO_YEAR_CHECK) == 0


@pytest.mark.parametrize("tasks", [3, 12])
def test_the_reminder_sweep_runs_a_fixed_number_of_queries_per_batch(setting, room, manager, tasks):
    for i in range(tasks):
        register(setting=setting, room=room, manager=manager, first_name=f"Child{i}", start_in_days=10)
    due = InboxEntry.objects.first().due_at
    batches = []
    with CaptureQueriesContext(connection) as queries:
        written = reminders_sweep(now=due - dt.timedelta(hours=1), batch_size=3, on_batch=batches.append)
    assert written == 2 * tasks  # in the app and by e-mail to the manager
    assert batches == [6] * (tasks // 3)
    # The policies once, then per batch: the page, who may take unowned tasks, the insert; in a test the batch's
    # transaction is a savepoint (two more statements). The walk ends on an empty page.
    assert len(queries) == 1 + 5 * len(batches) + 1

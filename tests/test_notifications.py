"""Who is told what, and when: tasks landing in an inbox or passed on, and letters to parents."""

from __future__ import annotations

import datetime as dt

from django.core import mail
from django.utils import timezone

from notifications import services
from notifications.models import Channel, EmailPreference, Kind, Notification, Status
from processes import services as domain
from processes.models import AssignmentRole, ConsentPurpose
from processes.signals import consent_requested

from .factories import ChildGuardianFactory
from .flowkit import allocate, introduce, register, the_task


def _kinds(user, channel=Channel.IN_APP) -> list[str]:
    return list(Notification.objects.filter(recipient_user=user, channel=channel).values_list("kind", flat=True))


def test_a_new_task_nobody_owns_is_notified_to_those_who_may_take_it(
    setting, room, manager, key_person, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        child = register(setting=setting, room=room, manager=manager)
    task = the_task(child, "allocate")
    notice = Notification.objects.get(recipient_user=manager.user, channel=Channel.IN_APP)
    assert notice.kind == Kind.TASK_ASSIGNED and notice.task_id == task.pk and notice.status == Status.SENT
    assert "Allocate a key person" in notice.subject and notice.refs["url"].endswith(f"/tasks/{task.pk}/")
    assert [m.to for m in mail.outbox] == [[manager.user.email]]
    assert "Allocate a key person" in mail.outbox[0].body and mail.outbox[0].alternatives
    assert _kinds(key_person.user) == []  # a key person cannot take a manager's task


def test_a_key_persons_new_tasks_are_notified_to_them(setting, room, manager, key_person, other_key_person):
    child = register(setting=setting, room=room, manager=manager)
    allocate(child, manager, key_person, other_key_person)
    assert sorted(_kinds(key_person.user)) == [Kind.TASK_ASSIGNED, Kind.TASK_ASSIGNED]
    assert _kinds(other_key_person.user) == []


def test_someone_who_wants_no_email_is_told_in_the_app_only(
    setting, room, manager, django_capture_on_commit_callbacks
):
    services.notification_preference_set(user=manager.user, email=EmailPreference.NONE)
    with django_capture_on_commit_callbacks(execute=True):
        register(setting=setting, room=room, manager=manager)
    assert _kinds(manager.user) == [Kind.TASK_ASSIGNED]
    assert _kinds(manager.user, Channel.EMAIL) == [] and mail.outbox == []


def test_a_task_passed_to_the_secondary_tells_them_and_again_when_it_comes_back(
    setting, room, manager, key_person, other_key_person
):
    from notifications.tasks import reroute_key_person_tasks
    from processes.models import StaffAbsence

    child = register(setting=setting, room=room, manager=manager)
    allocate(child, manager, key_person, other_key_person)
    today = timezone.localdate()
    domain.staff_absence_record(staff=key_person, by=manager.user, starts_on=today - dt.timedelta(days=1),
                                ends_on=today + dt.timedelta(days=60), reason="Annual leave")
    assert _kinds(other_key_person.user).count(Kind.TASK_REROUTED) == 2
    StaffAbsence.objects.filter(staff=key_person).update(ends_on=today - dt.timedelta(days=1))
    reroute_key_person_tasks.delay().get()
    assert _kinds(key_person.user).count(Kind.TASK_REROUTED) == 2


def test_parents_get_one_letter_per_change_of_key_persons(
    allocated_child, guardian_link, manager, key_person, django_capture_on_commit_callbacks
):
    from .factories import StaffFactory

    newcomer = StaffFactory(setting=allocated_child.setting)
    with django_capture_on_commit_callbacks(execute=True):
        domain.key_person_assign(child=allocated_child, staff=newcomer, role=AssignmentRole.SECONDARY,
                                 by=manager.user)
    with django_capture_on_commit_callbacks(execute=True):
        from notifications.tasks import email_parents_key_persons

        email_parents_key_persons.delay(child_id=allocated_child.pk)  # asked again: nothing new to say
    letters = [m for m in mail.outbox if m.to == [guardian_link.guardian.email]]
    assert len(letters) == 1
    assert newcomer.name in letters[0].body and key_person.name in letters[0].body
    assert Notification.objects.get(recipient_guardian=guardian_link.guardian).status == Status.SENT


def test_parents_are_invited_to_the_introduction_with_a_calendar_invitation(
    setting, room, manager, key_person, other_key_person, django_capture_on_commit_callbacks
):
    child = register(setting=setting, room=room, manager=manager)
    guardian = child.guardian_links.get().guardian
    allocate(child, manager, key_person, other_key_person)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        introduce(child, key_person.user)
    [invitation] = [m for m in mail.outbox if m.to == [guardian.email]]
    assert "Introduction" in invitation.subject
    [(name, ics, mimetype)] = invitation.attachments
    assert name == "invitation.ics" and mimetype.startswith("text/calendar")
    from icalendar import Calendar

    event = Calendar.from_ical(ics).walk("VEVENT")[0]
    meeting = child.meetings.get()
    assert event["uid"] == f"parent-meeting-{meeting.pk}@keyflow"
    assert event.decoded("dtstart") == meeting.starts_at


def test_asking_for_consent_emails_each_parent_with_parental_responsibility(
    child, manager, django_capture_on_commit_callbacks
):
    mum = ChildGuardianFactory(child=child)
    ChildGuardianFactory(child=child, has_parental_responsibility=False, relationship="Childminder")
    with django_capture_on_commit_callbacks(execute=True):
        consent_requested.send(sender=None, child=child, purpose=ConsentPurpose.SHARE_PROFESSIONAL,
                               recipient="Speech and language therapy", by=manager.user)
    assert [m.to for m in mail.outbox] == [[mum.guardian.email]]
    assert "Speech and language therapy" in mail.outbox[0].body
    assert "withdraw" in mail.outbox[0].alternatives[0][0]

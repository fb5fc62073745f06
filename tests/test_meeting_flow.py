"""Parent meetings through the flow layer: arranged, prepared, held or not, rearranged, followed up."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone
from icalendar import Calendar

from processes import services
from processes.errors import RuleViolation
from processes.models import MeetingKind, MeetingStatus
from workflows.models import MeetingProcess

from .flowkit import complete, open_tasks, the_task
from .meetingkit import settled_child, when

pytestmark = pytest.mark.django_db


@pytest.fixture
def child(setting, room, manager, key_person, other_key_person):
    return settled_child(setting, room, manager, key_person, other_key_person)


def _arrange(child, by, kind=MeetingKind.PROGRESS, days=3, capture=None):
    starts = timezone.localtime() + dt.timedelta(days=days)
    with capture(execute=True):
        return services.meeting_arrange(child=child, by=by, kind=kind, starts_at=starts, asked_by="key_person")


def _backdate(meeting, days=1):
    # The meeting's day has come: it is recorded once it has begun.
    type(meeting).objects.filter(pk=meeting.pk).update(starts_at=timezone.now() - dt.timedelta(days=days))


def test_a_progress_meeting_has_a_preparation_task_then_a_record_task(child, key_person,
                                                                      django_capture_on_commit_callbacks):
    meeting = _arrange(child, key_person.user, capture=django_capture_on_commit_callbacks)
    assert MeetingProcess.objects.get(meeting=meeting)
    prepare = the_task(child, "prepare")
    assert prepare.owner == key_person.user
    complete(prepare, key_person.user, notes="Share the new words list")
    _backdate(meeting)
    complete(the_task(child, "record"), key_person.user, held="held", parents_present="on",
             discussed="Progress in talking", next_steps="More books")
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD and "new words" in meeting.notes
    assert MeetingProcess.objects.get(meeting=meeting).status == "DONE"


def test_a_requested_meeting_goes_straight_to_its_record(child, key_person, django_capture_on_commit_callbacks):
    _arrange(child, key_person.user, kind=MeetingKind.REQUESTED, capture=django_capture_on_commit_callbacks)
    assert not open_tasks(child, "prepare") and the_task(child, "record")


def test_parents_absent_means_a_task_to_tell_them_then_the_agreed_steps_for_who_does_them(
        child, key_person, other_key_person, django_capture_on_commit_callbacks):
    meeting = _arrange(child, key_person.user, kind=MeetingKind.REQUESTED, capture=django_capture_on_commit_callbacks)
    _backdate(meeting)
    complete(the_task(child, "record"), key_person.user, held="held", parents_present="",
             discussed="Speech therapist's visit", setting_actions="Send the leaflet\nBook the room",
             action_by=other_key_person.pk, parents_actions="Bring the red book")
    complete(the_task(child, "tell_parents"), key_person.user, how="Phoned mum on Tuesday")
    task = the_task(child, "do_actions")
    assert task.owner == other_key_person.user
    complete(task, other_key_person.user, notes="Leaflet sent")
    meeting.refresh_from_db()
    assert meeting.parents_told_at and [a.what for a in meeting.actions.all()] == [
        "Send the leaflet", "Book the room", "Bring the red book"]
    assert all(a.done_at for a in meeting.actions.filter(staff__isnull=False))


def test_not_held_is_rearranged_with_an_update_then_held(child, key_person, django_capture_on_commit_callbacks):
    meeting = _arrange(child, key_person.user, kind=MeetingKind.REQUESTED, capture=django_capture_on_commit_callbacks)
    _backdate(meeting)
    complete(the_task(child, "record"), key_person.user, held="not_held", discussed="Dad was ill")
    complete(the_task(child, "rearrange"), key_person.user, next="move", starts_at=when(4))
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.ARRANGED and meeting.sequence == 1
    assert the_task(child, "record")


def test_not_held_and_called_off_ends_with_a_cancellation(child, key_person, django_capture_on_commit_callbacks):
    meeting = _arrange(child, key_person.user, kind=MeetingKind.REQUESTED, capture=django_capture_on_commit_callbacks)
    _backdate(meeting)
    complete(the_task(child, "record"), key_person.user, held="not_held", discussed="Nobody came")
    complete(the_task(child, "rearrange"), key_person.user, next="cancel", reason="Parents will drop in instead")
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CANCELLED
    assert MeetingProcess.objects.get(meeting=meeting).status == "DONE"


def test_a_meeting_called_off_from_its_page_closes_its_tasks(child, key_person, django_capture_on_commit_callbacks):
    meeting = _arrange(child, key_person.user, kind=MeetingKind.REQUESTED, capture=django_capture_on_commit_callbacks)
    services.meeting_cancel(meeting=meeting, by=key_person.user, reason="Setting closed (snow)")
    assert not open_tasks(child, "record")
    assert MeetingProcess.objects.get(meeting=meeting).status == "CANCELED"


def test_a_meeting_to_come_cannot_be_recorded_as_held(child, key_person, django_capture_on_commit_callbacks):
    meeting = _arrange(child, key_person.user, kind=MeetingKind.REQUESTED, capture=django_capture_on_commit_callbacks)
    with pytest.raises(RuleViolation, match="recorded once held"), transaction.atomic():
        services.meeting_outcome_record(meeting=meeting, by=key_person.user, held=True, discussed="x")
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.ARRANGED


def test_the_introduction_is_followed_as_held_or_missed(setting, room, manager, key_person, other_key_person,
                                                        django_capture_on_commit_callbacks):
    from .flowkit import allocate, register

    child = register(setting=setting, room=room, manager=manager, start_in_days=14)
    allocate(child, manager, key_person, other_key_person)
    with django_capture_on_commit_callbacks(execute=True):
        complete(the_task(child, "arrange_meeting"), key_person.user, starts_at=when(2), duration_minutes=30)
    meeting = child.meetings.get(kind=MeetingKind.INTRODUCTION)
    _backdate(meeting, days=0)
    complete(the_task(child, "record"), key_person.user, held="not_held", discussed="Missed the bus")
    assert the_task(child, "rearrange")


def test_drop_in_slots_offered_and_one_taken_becomes_a_meeting(child, key_person, django_capture_on_commit_callbacks):
    starts = (timezone.localtime() + dt.timedelta(days=5)).replace(hour=15, minute=0, second=0, microsecond=0)
    slots = services.drop_ins_offer(host=key_person, by=key_person.user, starts_at=starts, count=3)
    assert [s.starts_at for s in slots] == [starts + dt.timedelta(minutes=20 * i) for i in range(3)]
    with django_capture_on_commit_callbacks(execute=True):
        meeting = services.drop_in_take(slot_id=slots[1].pk, child=child, by=key_person.user)
    assert meeting.kind == MeetingKind.DROP_IN and meeting.host == key_person
    assert the_task(child, "record")
    from processes.errors import Conflict

    with pytest.raises(Conflict):
        services.drop_in_take(slot_id=slots[1].pk, child=child, by=key_person.user)


def test_an_update_and_a_cancellation_keep_the_uid_and_raise_the_sequence(child, key_person, mailoutbox,
                                                                        django_capture_on_commit_callbacks):
    meeting = _arrange(child, key_person.user, kind=MeetingKind.REQUESTED, capture=django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_reschedule(meeting=meeting, by=key_person.user,
                                    starts_at=timezone.now() + dt.timedelta(days=6))
        services.meeting_cancel(meeting=meeting, by=key_person.user, reason="Key person ill")
    calendars = []
    for message in mailoutbox:
        for _name, content, mimetype in message.attachments:
            calendars.append((mimetype, Calendar.from_ical(content)))
    assert len(calendars) == 3, [m.subject for m in mailoutbox]
    events = [c.walk("VEVENT")[0] for _, c in calendars]
    assert len({str(e["UID"]) for e in events}) == 1
    assert [int(e["SEQUENCE"]) for e in events] == [0, 1, 2]
    assert [str(c["METHOD"]) for _, c in calendars] == ["REQUEST", "REQUEST", "CANCEL"]
    assert str(events[2]["STATUS"]) == "CANCELLED"
    assert events[1].decoded("DTSTART") != events[0].decoded("DTSTART")
    assert "method=CANCEL" in calendars[2][0]

"""The room move, driven through the flow layer: each step by the person it belongs to, and the edge cases."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.db import transaction

from processes import services
from processes.errors import RuleViolation
from processes.models import (
    AllAboutMe,
    AssignmentRole,
    Handover,
    HandoverSource,
    LearningArea,
    LifecycleState,
    ParentMeeting,
    RoomMove,
    TransitionStatus,
)
from workflows.models import ChildProcess, ProcessKind, RoomMoveProcess

from .flowkit import complete, open_tasks, the_task, visit_rows
from .transitionkit import (
    HANDOVER,
    TODAY,
    choose,
    meeting_data,
    plan_and_record_visits,
    plan_move,
    visits_today,
)

pytestmark = pytest.mark.django_db


def test_a_room_move_runs_from_the_plan_to_the_new_room(settled, manager, key_person, other_key_person, preschool,
                                                        new_key_person, new_secondary, room):
    move = plan_move(settled, manager, preschool)
    settled.refresh_from_db()
    assert settled.state == LifecycleState.IN_TRANSITION
    process = RoomMoveProcess.objects.get(move=move)
    assert the_task(settled, "choose_key_persons").owner is None  # the manager's to take

    choose(settled, manager, new_key_person, new_secondary)
    plan = the_task(settled, "plan_visits")
    assert plan.owner == new_key_person.user  # the new key person's step, not the key person's now
    plan_and_record_visits(settled, new_key_person.user)
    assert process.coerced.visits_done_and_planned() == (2, 2)
    complete(the_task(settled, "ready"), new_key_person.user, ready="yes", notes="Happy in the new room")

    mail.outbox.clear()
    complete(the_task(settled, "meet_parents"), new_key_person.user, **meeting_data())
    meeting = ParentMeeting.objects.get(child=settled)
    assert meeting.kind == "new_key_person"
    assert the_task(settled, "handover").owner == key_person.user  # the key person now hands over
    complete(the_task(settled, "handover"), key_person.user, **HANDOVER)
    handover = Handover.objects.get(child=settled)
    assert handover.source == HandoverSource.KEY_PERSON and handover.to_staff == new_key_person
    assert AllAboutMe.objects.get(child=settled).comforters == "Blue blanket"  # "all about me" brought up to date

    complete(the_task(settled, "move_day"), manager.user, confirm="on")
    settled.refresh_from_db()
    assert settled.room == preschool and settled.state == LifecycleState.SETTLED
    current = {a.role: a.staff for a in settled.assignments.current()}
    assert current == {AssignmentRole.PRIMARY: new_key_person, AssignmentRole.SECONDARY: new_secondary}
    ended = settled.assignments.filter(ends_on__isnull=False)
    assert {a.staff for a in ended} == {key_person, other_key_person}  # history kept
    move.refresh_from_db()
    assert move.status == TransitionStatus.DONE and move.moved_on == TODAY()
    assert ChildProcess.objects.get(pk=process.pk).status == "DONE"


def test_the_invitation_to_meet_the_new_key_person_carries_an_icalendar(settled, manager, preschool, new_key_person,
                                                                        new_secondary,
                                                                        django_capture_on_commit_callbacks):
    plan_move(settled, manager, preschool)
    choose(settled, manager, new_key_person, new_secondary)
    plan_and_record_visits(settled, new_key_person.user, 1)
    complete(the_task(settled, "ready"), new_key_person.user, ready="yes")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        complete(the_task(settled, "meet_parents"), new_key_person.user, **meeting_data())
    guardian = settled.guardian_links.get().guardian
    [invitation] = [m for m in mail.outbox if m.to == [guardian.email]]
    assert "Meeting the new key person" in invitation.subject
    [(name, ics, mimetype)] = invitation.attachments
    ics = ics.decode() if isinstance(ics, bytes) else ics
    assert name == "invitation.ics" and "BEGIN:VEVENT" in ics and mimetype.startswith("text/calendar")


def test_the_old_key_persons_tasks_for_the_child_go_to_the_new_key_person(settled, manager, key_person, preschool,
                                                                          new_key_person, new_secondary):
    move = plan_move(settled, manager, preschool)
    choose(settled, manager, new_key_person, new_secondary)
    plan_and_record_visits(settled, new_key_person.user, 1)
    complete(the_task(settled, "ready"), new_key_person.user, ready="yes")
    complete(the_task(settled, "meet_parents"), new_key_person.user, **meeting_data())
    complete(the_task(settled, "handover"), key_person.user, **HANDOVER)
    # An open key-person task of another process, held by the key person now.
    services.sen_concern_raise(child=settled, by=key_person.user, areas=[LearningArea.values[0]], observed="Few words",
                               since=TODAY() - dt.timedelta(days=30))
    [task] = [t for t in open_tasks(settled) if t.flow_task.name != "move_day"]
    assert task.owner == key_person.user
    complete(the_task(settled, "move_day"), manager.user, confirm="on")
    task.refresh_from_db()
    assert task.owner == new_key_person.user
    assert RoomMoveProcess.objects.get(move=move).status == "DONE"


def test_a_child_not_ready_gets_more_visits_and_the_date_moves_with_a_reason(settled, manager, preschool,
                                                                             new_key_person, new_secondary):
    move = plan_move(settled, manager, preschool, on=TODAY() + dt.timedelta(days=7))
    choose(settled, manager, new_key_person, new_secondary)
    plan_and_record_visits(settled, new_key_person.user, 1)
    later = TODAY() + dt.timedelta(days=21)
    extra = visit_rows(f"{TODAY() + dt.timedelta(days=14)} 09:00 120", prefix="extra")
    # A visit after the day of the move needs the date moved, with the reason.
    with pytest.raises(RuleViolation, match="after the day of the move"):
        complete(the_task(settled, "ready"), new_key_person.user, ready="no", **extra)
    complete(the_task(settled, "ready"), new_key_person.user, ready="no", new_date=str(later),
             reason="Still upset at drop-off", **extra)
    move.refresh_from_db()
    assert move.planned_on == later and move.ready_on is None
    assert move.postponements.get().reason == "Still upset at drop-off"
    assert the_task(settled, "record_visit")  # back to the visits


def test_a_move_whose_date_has_come_with_visits_open_cannot_be_made(settled, manager, preschool, new_key_person,
                                                                    new_secondary):
    move = plan_move(settled, manager, preschool)
    choose(settled, manager, new_key_person, new_secondary)
    complete(the_task(settled, "plan_visits"), new_key_person.user, **visits_today(2))
    move.refresh_from_db()
    with pytest.raises(RuleViolation, match="not recorded yet"), transaction.atomic():
        services.room_move_complete(move=move, by=manager.user)
    settled.refresh_from_db()
    assert settled.room != preschool and settled.state == LifecycleState.IN_TRANSITION


def test_a_cancelled_move_leaves_the_child_settled_where_they_were(settled, manager, room, key_person, preschool,
                                                                   new_key_person, new_secondary):
    move = plan_move(settled, manager, preschool)
    choose(settled, manager, new_key_person, new_secondary)
    services.room_move_cancel(move=move, by=manager.user, reason="Parents moving house")
    settled.refresh_from_db()
    assert settled.state == LifecycleState.SETTLED and settled.room == room
    assert not open_tasks(settled)
    assert not ChildProcess.objects.filter(child=settled, open_kind=ProcessKind.ROOM_MOVE).exists()
    move.refresh_from_db()
    assert move.status == TransitionStatus.CANCELLED and move.end_reason == "Parents moving house"
    # A new move may be planned afterwards.
    plan_move(settled, manager, preschool)


def test_a_child_who_leaves_mid_move_ends_the_move(settled, manager, preschool, new_key_person, new_secondary):
    move = plan_move(settled, manager, preschool)
    choose(settled, manager, new_key_person, new_secondary)
    services.child_transition(child=settled, transition="withdraw", by=manager.user, reason="Moved away")
    move.refresh_from_db()
    assert move.status == TransitionStatus.CANCELLED and "withdrawn" in move.end_reason
    assert not open_tasks(settled)


def test_a_child_preparing_to_leave_mid_move_ends_the_move(settled, manager, preschool, new_key_person,
                                                           new_secondary):
    move = plan_move(settled, manager, preschool)
    settled.refresh_from_db()
    services.child_update(child=settled, by=manager.user, expected_leaving_date=TODAY() + dt.timedelta(days=30))
    services.child_transition(child=settled, transition="prepare_to_leave", by=manager.user)
    move.refresh_from_db()
    assert move.status == TransitionStatus.CANCELLED
    assert not open_tasks(settled)


def test_a_move_is_planned_only_for_a_settled_child_to_another_room(settled, manager, room, preschool):
    with pytest.raises(RuleViolation, match="already in"):
        plan_move(settled, manager, room)
    with pytest.raises(RuleViolation, match="before today"):
        plan_move(settled, manager, preschool, on=TODAY() - dt.timedelta(days=1))
    plan_move(settled, manager, preschool)
    with pytest.raises(RuleViolation, match="moving room"):
        plan_move(settled, manager, preschool)
    assert RoomMove.objects.count() == 1


def test_the_old_key_person_can_stay_secondary_for_a_settling_period(settled, setting, manager, key_person, preschool,
                                                                     new_key_person, new_secondary):
    setting.room_move_old_key_person_weeks = 2
    setting.save()
    move = plan_move(settled, manager, preschool)
    choose(settled, manager, new_key_person, new_secondary)
    plan_and_record_visits(settled, new_key_person.user, 1)
    complete(the_task(settled, "ready"), new_key_person.user, ready="yes")
    complete(the_task(settled, "meet_parents"), new_key_person.user, **meeting_data())
    complete(the_task(settled, "handover"), key_person.user, **HANDOVER)
    complete(the_task(settled, "move_day"), manager.user, confirm="on")
    assert {a.role: a.staff for a in settled.assignments.current()}[AssignmentRole.SECONDARY] == key_person
    assert services.room_move_settling_periods_end(today=TODAY() + dt.timedelta(weeks=1)) == 0
    assert services.room_move_settling_periods_end(today=TODAY() + dt.timedelta(weeks=2)) == 1
    assert {a.role: a.staff for a in settled.assignments.current()}[AssignmentRole.SECONDARY] == new_secondary
    move.refresh_from_db()
    assert move.old_key_person_secondary_until is None

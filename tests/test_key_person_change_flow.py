"""The change of key person, through the flow layer and the services: one child, a leaver's ten, a long absence."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction

from processes import services
from processes.errors import RuleViolation
from processes.models import AssignmentRole, Handover, HandoverSource, KeyPersonChange, StaffAbsence, TransitionStatus
from workflows.models import ChildProcess, KeyPersonChangeProcess, ProcessKind

from .factories import StaffFactory
from .flowkit import complete, open_tasks, the_task
from .transitionkit import HANDOVER, TODAY, settled_child

pytestmark = pytest.mark.django_db


@pytest.fixture
def successor(setting, room):
    return StaffFactory(setting=setting, room=room, user__username="successor", user__first_name="Sam")


def _start(child, manager, to, secondary, **extra):
    return services.key_person_change_start(child=child, to_staff=to, to_secondary=secondary,
                                            reason=extra.pop("reason", "parents_ask"), by=manager.user, **extra)


def test_a_change_for_one_child_hands_over_introduces_and_tells_the_parents(setting, room, manager, key_person,
                                                                           other_key_person, successor, mailoutbox,
                                                                           django_capture_on_commit_callbacks):
    # The first letter is sent (after commit) before the change: the parents' second letter names the new one.
    with django_capture_on_commit_callbacks(execute=True):
        settled = settled_child(setting, room, manager, key_person, other_key_person, first_name="Maya")
    # As a commit would: the callbacks run above leave the connection's list (the capture only copies them).
    transaction.get_connection().run_on_commit.clear()
    change = _start(settled, manager, successor, other_key_person)
    process = KeyPersonChangeProcess.objects.get(change=change)
    assert the_task(settled, "handover").owner == key_person.user  # the key person now hands over
    assert the_task(settled, "introduce").owner == successor.user  # the new one introduces themselves
    complete(the_task(settled, "handover"), key_person.user, **HANDOVER)
    assert Handover.objects.get(child=settled).source == HandoverSource.KEY_PERSON
    complete(the_task(settled, "introduce"), successor.user, introduced_on=str(TODAY()),
             notes="Played together at drop-off with mum")
    with django_capture_on_commit_callbacks(execute=True):
        complete(the_task(settled, "take_over"), manager.user, confirm="on")
    current = {a.role: a.staff for a in settled.assignments.current()}
    assert current == {AssignmentRole.PRIMARY: successor, AssignmentRole.SECONDARY: other_key_person}
    change.refresh_from_db()
    assert change.status == TransitionStatus.DONE
    assert ChildProcess.objects.get(pk=process.pk).status == "DONE"
    guardian = settled.guardian_links.get().guardian
    [letter] = [m for m in mailoutbox if m.to == [guardian.email] and successor.name in m.body]
    assert other_key_person.name in letter.body


def test_the_change_waits_for_its_day(settled, manager, key_person, other_key_person, successor):
    change = _start(settled, manager, successor, other_key_person, change_on=TODAY() + dt.timedelta(days=5))
    with pytest.raises(RuleViolation, match="happens on the day"), transaction.atomic():
        services.key_person_change_complete(change=change, by=manager.user)
    assert {a.role: a.staff for a in settled.assignments.current()}[AssignmentRole.PRIMARY] == key_person


def test_a_leavers_ten_key_children_are_reassigned_in_one_go(setting, room, manager, key_person, other_key_person,
                                                             successor):
    key_person.max_caseload = 12
    key_person.save()
    children = [settled_child(setting, room, manager, key_person, other_key_person, first_name=f"Child{i}")
                for i in range(10)]
    leaving_on = TODAY()
    changes = services.key_person_changes_for_leaver(
        staff=key_person, leaving_on=leaving_on, by=manager.user,
        rows=[(c, successor if i % 2 else other_key_person, other_key_person if i % 2 else successor)
              for i, c in enumerate(children)])
    assert len(changes) == 10
    for child in children:
        assert the_task(child, "handover").owner == key_person.user
        complete(the_task(child, "handover"), key_person.user, **HANDOVER)
        complete(the_task(child, "introduce"), the_task(child, "introduce").owner, introduced_on=str(TODAY()),
                 notes="Gradual introduction over the week")
        complete(the_task(child, "take_over"), manager.user, confirm="on")
    assert Handover.objects.filter(child__in=children).count() == 10
    from processes.services.keyperson import caseload_of

    assert caseload_of(key_person) == 0


def test_a_leaver_gone_before_the_handover_is_handed_over_by_the_secondary_from_the_records(
        settled, manager, key_person, other_key_person, successor):
    _start(settled, manager, successor, other_key_person, reason="caseload_review")
    key_person.user.is_active = False  # their account closed: they have left
    key_person.user.save()
    task = the_task(settled, "handover")
    assert task.owner == other_key_person.user
    complete(task, other_key_person.user, **HANDOVER)
    assert Handover.objects.get(child=settled).source == HandoverSource.SECONDARY_AND_RECORDS


def test_one_refused_row_changes_none_of_the_leavers_children(setting, room, manager, key_person, other_key_person,
                                                              successor):
    a = settled_child(setting, room, manager, key_person, other_key_person, first_name="Ada")
    b = settled_child(setting, room, manager, key_person, other_key_person, first_name="Ben")
    with pytest.raises(RuleViolation, match="someone other"):
        services.key_person_changes_for_leaver(staff=key_person, leaving_on=TODAY(), by=manager.user,
                                               rows=[(a, successor, other_key_person), (b, successor, successor)])
    assert not KeyPersonChange.objects.exists()
    assert not ChildProcess.objects.filter(kind=ProcessKind.KEY_PERSON_CHANGE).exists()


def test_a_cancelled_change_closes_its_steps(settled, manager, other_key_person, successor):
    change = _start(settled, manager, successor, other_key_person, reason="not_clicked")
    services.key_person_change_cancel(change=change, by=manager.user, reason="Parents changed their mind")
    assert not open_tasks(settled)
    change.refresh_from_db()
    assert change.status == TransitionStatus.CANCELLED


def test_only_long_absences_offer_a_change(setting, manager, key_person):
    short = StaffAbsence(staff=key_person, starts_on=TODAY(), ends_on=TODAY() + dt.timedelta(days=13), reason="Flu")
    long = StaffAbsence(staff=key_person, starts_on=TODAY(), ends_on=TODAY() + dt.timedelta(weeks=6), reason="Leave")
    assert not services.absence_is_long(short, setting) and services.absence_is_long(long, setting)
    setting.long_absence_weeks = 8
    assert not services.absence_is_long(long, setting)

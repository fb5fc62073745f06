"""The process that follows a finished one (the introduction after the allocation, the settling-in after the
introduction) starts after the step commits, once, and a lost start strands no child (workflows.follow_on)."""

from __future__ import annotations

import pytest
from django.db import transaction

from processes.services import child_transition
from workflows.follow_on import follow_on_start, follow_ons_missing, follow_ons_sweep
from workflows.health import workflow_anomalies
from workflows.models import ChildProcess, ProcessKind

from .flowkit import complete_step, introduce, open_tasks, register, the_task


@pytest.fixture
def child(setting, room, manager):
    return register(setting=setting, room=room, manager=manager)


def _allocate_step(child, manager, key_person, other_key_person):
    complete_step(the_task(child, "allocate"), manager.user, primary=key_person.pk, secondary=other_key_person.pk)
    return ChildProcess.objects.get(child=child, kind=ProcessKind.ALLOCATION)


def _kinds(child) -> list[str]:
    return sorted(ChildProcess.objects.filter(child=child).values_list("kind", flat=True))


def test_the_introduction_starts_once_the_allocation_has_committed(child, manager, key_person, other_key_person,
                                                                   django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as queued:
        _allocate_step(child, manager, key_person, other_key_person)
    assert _kinds(child) == [ProcessKind.ALLOCATION]  # nothing yet: the step has not committed
    for callback in queued:
        callback()  # the commit: the start is queued (eager in tests) and runs in its own transaction
    assert _kinds(child) == [ProcessKind.ALLOCATION, ProcessKind.INTRODUCTION]
    assert {t.flow_task.name for t in open_tasks(child)} == {"arrange_meeting", "all_about_me"}


def test_a_step_that_rolls_back_queues_no_start(child, manager, key_person, other_key_person,
                                               django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as queued:
        with pytest.raises(RuntimeError), transaction.atomic():
            _allocate_step(child, manager, key_person, other_key_person)
            raise RuntimeError("the step fails after the flow moved on")
    assert not [c for c in queued if "follow" in getattr(c, "__qualname__", "")]
    assert _kinds(child) == [ProcessKind.ALLOCATION]
    assert the_task(child, "allocate")


def test_starting_twice_starts_one_process(child, manager, key_person, other_key_person):
    allocation = _allocate_step(child, manager, key_person, other_key_person)
    assert follow_on_start(process_id=allocation.pk) is not None
    assert follow_on_start(process_id=allocation.pk) is None  # a second worker, a retry, the sweep
    assert _kinds(child) == [ProcessKind.ALLOCATION, ProcessKind.INTRODUCTION]


def test_a_finished_introduction_is_not_started_again(child, manager, key_person, other_key_person):
    allocation = _allocate_step(child, manager, key_person, other_key_person)
    follow_on_start(process_id=allocation.pk)
    introduce(child, key_person.user)  # flowkit's complete: the settling-in follows
    assert follow_on_start(process_id=allocation.pk) is None
    assert _kinds(child) == [ProcessKind.ALLOCATION, ProcessKind.INTRODUCTION, ProcessKind.SETTLING]


def test_a_lost_start_is_reported_and_the_sweep_starts_it(child, manager, key_person, other_key_person):
    allocation = _allocate_step(child, manager, key_person, other_key_person)  # its start never ran
    assert workflow_anomalies()["missing_follow_ons"] == [allocation.pk]
    assert follow_ons_sweep() == 1
    assert {t.flow_task.name for t in open_tasks(child)} == {"arrange_meeting", "all_about_me"}
    assert follow_ons_sweep() == 0
    assert workflow_anomalies()["missing_follow_ons"] == []


def test_a_lost_settling_in_start_is_found_too(child, manager, key_person, other_key_person):
    follow_on_start(process_id=_allocate_step(child, manager, key_person, other_key_person).pk)
    introduction = ChildProcess.objects.get(child=child, kind=ProcessKind.INTRODUCTION)
    complete_step(the_task(child, "all_about_me"), key_person.user, routines="Naps", likes="Trains")
    when = child.start_date.isoformat() + " 10:00"
    complete_step(the_task(child, "arrange_meeting"), key_person.user, starts_at=when, duration_minutes=30)
    assert list(follow_ons_missing(child_id=child.pk).values_list("pk", flat=True)) == [introduction.pk]
    assert follow_ons_sweep() == 1
    assert the_task(child, "plan")


def test_a_child_who_has_gone_gets_no_next_process(child, manager, key_person, other_key_person):
    allocation = _allocate_step(child, manager, key_person, other_key_person)
    child_transition(child=child, transition="withdraw", by=manager.user, reason="Family moved away")
    assert follow_ons_missing().count() == 0
    assert follow_on_start(process_id=allocation.pk) is None
    assert _kinds(child) == [ProcessKind.ALLOCATION]

"""Supervision and caseload review (seed 003 §6, seed 001, seed 000): a session per key person with the manager
every term by default; their key children one by one, their own feedback and training needs, actions agreed as
tasks in the right inbox; the next session scheduled once, after the session commits."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from processes import deadlines, services
from processes.errors import NotPermitted, RuleViolation
from processes.models import AuditEvent, Supervision, SupervisionAction
from workflows.models import SupervisionActionProcess

from .factories import ChildFactory
from .flowkit import complete, complete_step, open_tasks

TODAY = timezone.localdate


@pytest.fixture
def due(key_person, manager):
    return services.supervision_schedule(staff=key_person, by=manager.user, due_on=TODAY())


def _hold(due, manager, **extra):
    by = getattr(manager, "user", manager)
    return services.supervision_hold(supervision=due, by=by, held_on=TODAY(), **extra)


def test_every_key_person_gets_one_supervision_due_however_often_the_sweep_runs(key_person, other_key_person,
                                                                               manager):
    assert services.supervisions_schedule_missing() == 2
    assert services.supervisions_schedule_missing() == 0
    assert Supervision.objects.filter(held_on__isnull=True).count() == 2  # the manager is not a key person


def test_holding_one_schedules_the_next_a_term_later_once_after_commit(due, manager, key_person, setting,
                                                                      django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _hold(due, manager, feedback="Enjoying the room", training_needs="Makaton")
    assert not Supervision.objects.filter(held_on__isnull=True).exists()  # nothing inside the step
    for callback in callbacks:
        callback()
    for callback in callbacks:
        callback()  # run twice: still one
    [following] = Supervision.objects.filter(held_on__isnull=True)
    assert following.due_on == deadlines.supervision_next_on(setting, after=TODAY())
    assert following.due_on >= TODAY() + dt.timedelta(weeks=12)


def test_the_key_children_are_talked_through_one_by_one_and_only_theirs(allocated_child, due, manager, key_person,
                                                                        setting):
    stranger = ChildFactory(setting=setting)
    with pytest.raises(RuleViolation):
        _hold(due, manager, children={stranger.pk: {"to_raise": "?"}})
    held = _hold(due, manager, children={allocated_child.pk: {"to_raise": "Biting", "transitions_due": "Pre-school",
                                                              "sen_concerns": ""}})
    [note] = held.child_notes.all()
    assert (note.child, note.to_raise, note.transitions_due) == (allocated_child, "Biting", "Pre-school")
    assert AuditEvent.objects.filter(record_type="processes.Supervision", action="update").exists()


def test_a_key_person_cannot_hold_their_own_supervision_nor_hold_it_twice(due, manager, key_person):
    with pytest.raises(NotPermitted):
        services.supervision_hold(supervision=due, by=key_person.user, held_on=TODAY())
    _hold(due, manager)
    with pytest.raises(RuleViolation, match="was held"):
        _hold(due, manager)


def test_actions_about_a_key_child_become_tasks_in_the_right_inbox(allocated_child, due, manager, key_person,
                                                                  django_capture_on_commit_callbacks):
    in_a_week = TODAY() + dt.timedelta(days=7)
    with django_capture_on_commit_callbacks(execute=True):
        _hold(due, manager, actions=[
            {"what": "Talk to parents about biting", "for_staff": key_person, "due_on": in_a_week,
             "child": allocated_child},
            {"what": "Ask the SENCO to observe", "for_staff": manager, "due_on": in_a_week, "child": allocated_child},
            {"what": "Book Makaton training", "for_staff": manager, "due_on": in_a_week},
        ])
    tasks = {t.flow_task.name: t for t in open_tasks(allocated_child)
             if t.flow_task.flow_class.__name__ == "SupervisionActionFlow"}
    assert tasks["key_person_does"].owner == key_person.user
    assert tasks["manager_does"].owner is None and tasks["manager_does"].inbox.role == "manager"
    assert SupervisionActionProcess.objects.count() == 2  # the training is listed on the supervision page

    complete(tasks["key_person_does"], key_person.user, notes="Spoke to mum")
    assert SupervisionAction.objects.get(what__startswith="Talk").done_at is not None


def test_an_action_without_a_date_or_for_a_child_not_theirs_is_refused(allocated_child, due, manager, setting):
    with pytest.raises(RuleViolation):
        _hold(due, manager, actions=[{"what": "Something", "for_staff": manager, "due_on": None}])
    with pytest.raises(RuleViolation):
        _hold(due, manager, actions=[{"what": "Something", "for_staff": manager, "due_on": TODAY(),
                                      "child": ChildFactory(setting=setting)}])
    assert not SupervisionAction.objects.exists()


def test_holding_a_supervision_costs_6_statements(allocated_child, due, manager, key_person,
                                                 django_assert_num_queries):
    by = type(manager.user).objects.select_related("staff").get(pk=manager.user.pk)
    with django_assert_num_queries(8):  # 6, and the two savepoints of its transaction inside the test's
        _hold(due, by, feedback="Fine", children={allocated_child.pk: {"to_raise": "Biting"}},
              actions=[{"what": "Talk to parents", "for_staff": key_person, "due_on": TODAY(),
                        "child": allocated_child}])


def test_doing_an_agreed_action_costs_16_statements(allocated_child, due, manager, key_person,
                                                          django_capture_on_commit_callbacks,
                                                          django_assert_num_queries):
    with django_capture_on_commit_callbacks(execute=True):
        _hold(due, manager, actions=[{"what": "Talk to parents", "for_staff": key_person,
                                      "due_on": TODAY() + dt.timedelta(days=3), "child": allocated_child}])
    [task] = [t for t in open_tasks(allocated_child) if t.flow_task.name == "key_person_does"]
    by = type(key_person.user).objects.select_related("staff").get(pk=key_person.user.pk)
    with django_assert_num_queries(18):  # 16, and the test's two savepoints
        complete_step(task, by, notes="Done")

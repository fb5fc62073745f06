"""What a task completion costs in SQL, pinned so it cannot creep back; and the inbox's mirror of each task
stays true after every kind of flow operation."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from viewflow.workflow.models import Task

from processes import services
from processes.models import AssignmentRole, AuditEvent
from workflows import services as wf
from workflows.base import process_start
from workflows.models import OPEN, InboxEntry

from .factories import ChildFactory
from .flowkit import allocate, complete_step, introduce, open_tasks, register, the_task
from .probe.flows import ProbeFlow


def _probe_for(child, manager, key_person, other_key_person):
    services.key_person_assign(child=child, staff=key_person, role=AssignmentRole.PRIMARY, by=manager.user)
    services.key_person_assign(child=child, staff=other_key_person, role=AssignmentRole.SECONDARY, by=manager.user)
    process = process_start(flow_class=ProbeFlow, child=child)
    return process


def _statements(fn) -> list[str]:
    """The statements `fn` sends; the test's own transaction turns BEGIN/COMMIT into savepoints: not counted."""
    with CaptureQueriesContext(connection) as captured:
        fn()
    return [q["sql"] for q in captured.captured_queries if "SAVEPOINT" not in q["sql"]]


@pytest.mark.parametrize("children", [1, 6])
def test_a_step_costs_a_fixed_number_of_statements_including_its_audit_row_and_notice(setting, room, manager,
                                                                                      key_person,
                                                             other_key_person, children):
    for _ in range(children):
        process = _probe_for(ChildFactory(setting=setting, room=room), manager, key_person, other_key_person)
    user = type(key_person.user).objects.select_related("staff").get(pk=key_person.user.pk)
    task = Task.objects.get(process=process, status="ASSIGNED")
    statements = _statements(lambda: complete_step(task, user))
    # lock and read (process, task, child, room in one statement), finish the task, mirror it on its inbox row,
    # the next task's owner (with their e-mail choice), the next task, its link to this one, its inbox row,
    # its notices (in the app, by e-mail), the audit row: nine, within the ten. The notices are
    # written in the step's transaction so they exist exactly when the task does.
    assert len(statements) == 9, "\n".join(statements)
    assert AuditEvent.objects.filter(action="complete", record_id=str(task.pk)).exists()
    following = Task.objects.get(process=process, status="ASSIGNED")
    assert following.owner == key_person.user and following.inbox.is_open


def _assert_inbox_mirrors_tasks() -> None:
    for entry in InboxEntry.objects.select_related("task"):
        assert (entry.owner_id, entry.is_open) == (entry.task.owner_id, entry.task.status in OPEN), entry.task


def test_the_inbox_mirrors_every_task_after_every_flow_operation(setting, room, manager, key_person,
                                                                 other_key_person):
    child = register(setting=setting, room=room, manager=manager)
    gone = register(setting=setting, room=room, manager=manager, first_name="Gone")
    elsewhere = register(setting=setting, room=room, manager=manager, first_name="Elsewhere")
    _assert_inbox_mirrors_tasks()
    task = the_task(child, "allocate")
    wf.task_claim(process_id=task.process_id, task_id=task.pk, by=manager.user)
    _assert_inbox_mirrors_tasks()
    wf.task_release(process_id=task.process_id, task_id=task.pk, by=manager.user)
    _assert_inbox_mirrors_tasks()
    allocate(child, manager, key_person, other_key_person)  # completes, starts the introduction
    _assert_inbox_mirrors_tasks()
    services.staff_absence_record(staff=key_person, starts_on=timezone.localdate(),
                                  ends_on=timezone.localdate() + dt.timedelta(days=30), reason="Leave",
                                  by=manager.user)  # reroutes to the secondary
    assert {t.owner for t in open_tasks(child)} == {other_key_person.user}
    _assert_inbox_mirrors_tasks()
    introduce(child, other_key_person.user)  # a join, then the settling flow starts
    _assert_inbox_mirrors_tasks()
    services.child_transition(child=gone, transition="withdraw", by=manager.user, reason="Moved away")
    assert not open_tasks(gone)  # cancelled
    _assert_inbox_mirrors_tasks()
    services.key_person_assign(child=elsewhere, staff=key_person, role=AssignmentRole.PRIMARY, by=manager.user)
    services.key_person_assign(child=elsewhere, staff=other_key_person, role=AssignmentRole.SECONDARY,
                               by=manager.user)
    services.child_transition(child=elsewhere, transition="allocate", by=manager.user)  # closes the task
    _assert_inbox_mirrors_tasks()
    assert InboxEntry.objects.filter(is_open=False).count() >= 5


def test_approvals_come_first_in_the_inbox_then_the_oldest(setting, room, manager, key_person, other_key_person):
    from workflows.inbox import inbox_entries

    processes = [_probe_for(ChildFactory(setting=setting, room=room), manager, key_person, other_key_person)
                 for _ in range(3)]
    entries = InboxEntry.objects.filter(task__process__in=processes).order_by("task_id")
    now = timezone.now()
    for i, entry in enumerate(entries):  # the first is an ordinary task due soonest; the others approvals
        InboxEntry.objects.filter(pk=entry.pk).update(priority=0 if i == 0 else 1,
                                                      due_at=now + dt.timedelta(days=i))
    listed = [e["task_id"] for e in inbox_entries(key_person.user)]
    ids = [e.task_id for e in entries]
    assert listed == [ids[1], ids[2], ids[0]]


def test_an_approval_tasks_inbox_row_has_the_higher_priority(setting, room, manager, key_person, other_key_person,
                                                            monkeypatch):
    ordinary = _probe_for(ChildFactory(setting=setting, room=room), manager, key_person, other_key_person)
    monkeypatch.setattr(ProbeFlow.step, "approval", True)
    approval = _probe_for(ChildFactory(setting=setting, room=room), manager, key_person, other_key_person)
    assert InboxEntry.objects.get(task__process=ordinary).priority == 0
    assert InboxEntry.objects.get(task__process=approval).priority == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")
def test_postgresql_keeps_the_plan_of_an_inbox_query_run_often_on_a_connection(setting, room, manager):
    from workflows.inbox import inbox_entries

    register(setting=setting, room=room, manager=manager)
    for _ in range(6):  # psycopg prepares a statement on its fifth run (KEYFLOW_DB_PREPARED)
        assert len(inbox_entries(manager.user)[:50]) == 1
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any("workflows_inboxentry" in statement and "LIMIT" in statement for statement in prepared), prepared

"""The hot reads written as SQL by hand give what the querysets they stand for give.

A step's locked read (workflows.locking) and who a new key-person task goes to (workflows.routing), each
compared with its queryset, value by value, on SQLite and on PostgreSQL; the inbox's is in test_inbox.py.
"""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import DatabaseError, connection, connections, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from viewflow.workflow.models import Process, Task

from notifications.models import EmailPreference
from notifications.services import email_preference_of, notification_preference_set
from processes import services, sessions
from processes.models import AssignmentRole, KeyPersonAssignment, StaffAbsence, StaffAttendance
from workflows.locking import task_read_locked
from workflows.routing import current_key_persons, key_person_user_for

from .factories import ChildFactory, StaffFactory
from .flowkit import allocate, introduce, register


def _fields(instance) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


# -- the locked read of a step ----------------------------------------------------------------------------------

def _locked_by_the_orm(task_id: int, process_id: int):
    """The queryset the locked read stands for."""
    found = list(Task.objects.select_related("process__childprocess__child__room")
                 .select_for_update(of=("process", "self")).filter(pk=task_id, process_id=process_id))
    return found[0] if found else None


def _flows_at_every_stage(setting, room, manager, key_person, other_key_person) -> list[Task]:
    """Tasks new and unowned, assigned, done (finished, with form data) and cancelled, of three flows, for
    children with a room and without one."""
    waiting = register(setting=setting, room=room, manager=manager, first_name="Waiting")
    roomless = register(setting=setting, room=None, manager=manager, first_name="Roomless")
    introduced = register(setting=setting, room=room, manager=manager, first_name="Introduced")
    allocate(introduced, manager, key_person, other_key_person)
    introduce(introduced, key_person.user)
    withdrawn = register(setting=setting, room=room, manager=manager, first_name="Withdrawn")
    services.child_transition(child=withdrawn, transition="withdraw", by=manager.user, reason="Moved away")
    tasks = list(Task.objects.filter(process__childprocess__child__in=[waiting, roomless, introduced, withdrawn],
                                     flow_task_type="HUMAN").order_by("pk"))
    assert {t.status for t in tasks} >= {"NEW", "ASSIGNED", "DONE", "CANCELED"}
    return tasks


def test_the_locked_read_gives_the_task_process_child_and_room_the_queryset_gives(
        setting, room, manager, key_person, other_key_person, django_assert_num_queries):
    tasks = _flows_at_every_stage(setting, room, manager, key_person, other_key_person)
    for task in tasks:
        with transaction.atomic():
            expected = _locked_by_the_orm(task.pk, task.process_id)
            with django_assert_num_queries(1):
                got = task_read_locked(task_id=task.pk, process_id=task.process_id)
                process = got.process
                child_process = process.childprocess
                child = child_process.child
                room_read = child.room
                node, coerced = got.flow_task, process.coerced  # what the services read next
        assert type(got) is Task and type(process) is Process and coerced is child_process
        assert _fields(got) == _fields(expected) and node is expected.flow_task
        assert _fields(process) == _fields(expected.process)
        assert _fields(child_process) == _fields(expected.process.childprocess)
        assert _fields(child) == _fields(expected.process.childprocess.child)
        assert (room_read and _fields(room_read)) == (expected.process.childprocess.child.room
                                                      and _fields(expected.process.childprocess.child.room))
    assert any(t.process.childprocess.child.room_id is None for t in tasks)
    assert any(t.finished and t.data.get("form") for t in tasks)  # a datetime and JSON survive the trip


def test_the_locked_read_finds_nothing_for_a_task_of_another_process_or_none_at_all(setting, room, manager):
    task = Task.objects.get(process__childprocess__child=register(setting=setting, room=room, manager=manager),
                            status="NEW")
    with transaction.atomic():
        assert task_read_locked(task_id=task.pk, process_id=task.process_id + 1000) is None
        assert _locked_by_the_orm(task.pk, task.process_id + 1000) is None
        assert task_read_locked(task_id=task.pk + 1000, process_id=task.process_id) is None


def test_a_saved_task_from_the_locked_read_changes_only_what_was_changed(setting, room, manager):
    task = Task.objects.get(process__childprocess__child=register(setting=setting, room=room, manager=manager),
                            status="NEW")
    before = _fields(Task.objects.get(pk=task.pk))
    with transaction.atomic():
        got = task_read_locked(task_id=task.pk, process_id=task.process_id)
        got.external_task_id = "checked"
        got.save()
    assert _fields(Task.objects.get(pk=task.pk)) == {**before, "external_task_id": "checked"}


@pytest.mark.django_db(transaction=True)
def test_a_locked_read_outside_a_transaction_is_refused_as_the_orm_refuses_it(setting, room, manager):
    task = Task.objects.get(process__childprocess__child=register(setting=setting, room=room, manager=manager),
                            status="NEW")
    with pytest.raises(transaction.TransactionManagementError):
        task_read_locked(task_id=task.pk, process_id=task.process_id)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_locked_read_holds_the_process_and_task_rows_until_its_transaction_ends(setting, room, manager):
    task = Task.objects.get(process__childprocess__child=register(setting=setting, room=room, manager=manager),
                            status="NEW")
    held, release, outcomes = threading.Event(), threading.Event(), []

    def holder():
        try:
            with transaction.atomic():
                task_read_locked(task_id=task.pk, process_id=task.process_id)
                held.set()
                release.wait(10)
        finally:
            connections.close_all()

    thread = threading.Thread(target=holder)
    thread.start()
    try:
        assert held.wait(10)
        for model, pk in ((Process, task.process_id), (Task, task.pk)):
            with transaction.atomic():
                try:
                    model.objects.select_for_update(nowait=True).get(pk=pk)
                    outcomes.append("taken")
                except DatabaseError:
                    outcomes.append("locked")
    finally:
        release.set()
        thread.join(10)
    assert outcomes == ["locked", "locked"]
    with transaction.atomic():
        Process.objects.select_for_update(nowait=True).get(pk=task.process_id)  # free once it committed


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")
def test_postgresql_keeps_the_plan_of_the_locked_read(setting, room, manager):
    task = Task.objects.get(process__childprocess__child=register(setting=setting, room=room, manager=manager),
                            status="NEW")
    for _ in range(6):  # psycopg prepares a statement on its fifth run (KEYFLOW_DB_PREPARED)
        with transaction.atomic():
            assert task_read_locked(task_id=task.pk, process_id=task.process_id).pk == task.pk
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any("FOR UPDATE OF task, process" in statement for statement in prepared), prepared


# -- who a new key-person task goes to ---------------------------------------------------------------------------

def _assignments_by_the_orm(child_id: int, on: dt.date) -> dict:
    """The queryset the routing read stands for: {role: (user, away on `on`)}."""
    away = StaffAbsence.objects.filter(staff_id=OuterRef("staff_id"), starts_on__lte=on, ends_on__gte=on)
    found = (KeyPersonAssignment.objects.current().filter(child_id=child_id)
             .select_related("staff__user__notification_preference", "staff__setting").annotate(away=Exists(away)))
    mask = sessions.day_mask(on)
    now = timezone.localtime()

    def not_in(staff) -> bool:
        kept = StaffAttendance.objects.filter(setting_id=staff.setting_id, day=on)
        return (on == now.date() and now.time() >= staff.setting.absence_check_at and kept.exists()
                and not kept.filter(staff=staff).exists())

    return {a.role: (a.staff.user, a.away or bool(mask and not a.staff.working_sessions & mask) or not_in(a.staff))
            for a in found}


USER_FIELDS = ("id", "username", "first_name", "last_name", "email", "is_active")


def _as_compared(current: dict) -> dict:
    return {role: (tuple(getattr(user, name) for name in USER_FIELDS), away, email_preference_of(user))
            for role, (user, away) in current.items()}


def test_the_routing_read_gives_each_current_assignment_its_user_absence_and_email_choice_as_the_orm_does(
        setting, room, manager, key_person, other_key_person, django_assert_num_queries):
    today = timezone.localdate()
    third = StaffFactory(setting=setting, room=room, user__username="thirdkp")
    both, primary_only, nobody, changed = (ChildFactory(setting=setting, room=room) for _ in range(4))
    for child in (both, changed):
        services.key_person_assign(child=child, staff=key_person, role=AssignmentRole.PRIMARY, by=manager.user)
        services.key_person_assign(child=child, staff=other_key_person, role=AssignmentRole.SECONDARY,
                                   by=manager.user)
    services.key_person_assign(child=primary_only, staff=other_key_person, role=AssignmentRole.PRIMARY,
                               by=manager.user)
    services.key_person_assign(child=changed, staff=third, role=AssignmentRole.PRIMARY, by=manager.user,
                               reason="Moved rooms")  # the earlier primary's row is ended, not current
    services.staff_absence_record(staff=key_person, starts_on=today + dt.timedelta(days=2),
                                  ends_on=today + dt.timedelta(days=4), reason="Leave", by=manager.user)
    notification_preference_set(user=other_key_person.user, email=EmailPreference.DIGEST)
    third.user.is_active = False
    third.user.save()
    # A different shift (no sessions on the day after tomorrow), and today's register kept without key_person.
    other_key_person.working_sessions = sessions.ALL & ~sessions.day_mask(today + dt.timedelta(days=2))
    other_key_person.save(update_fields=["working_sessions"])
    setting.absence_check_at = dt.time(0, 0)
    setting.save(update_fields=["absence_check_at"])
    services.staff_sign_in(staff=other_key_person, by=other_key_person.user, room=room,
                           at=timezone.now() - dt.timedelta(seconds=1))
    for child in (both, primary_only, nobody, changed):
        for on in (today, today + dt.timedelta(days=2), today + dt.timedelta(days=4), today + dt.timedelta(days=5)):
            expected = _as_compared(_assignments_by_the_orm(child.pk, on))
            with django_assert_num_queries(1):  # the e-mail choice, present or not, comes with the user
                got = _as_compared(current_key_persons(child_id=child.pk, on=on))
            assert got == expected, (child, on)
    assert _as_compared(current_key_persons(child_id=both.pk, on=today + dt.timedelta(days=3))) == {
        AssignmentRole.PRIMARY: (tuple(getattr(key_person.user, n) for n in USER_FIELDS), True, EmailPreference.EACH),
        AssignmentRole.SECONDARY: (tuple(getattr(other_key_person.user, n) for n in USER_FIELDS), False,
                                   EmailPreference.DIGEST),
    }
    assert not current_key_persons(child_id=changed.pk, on=today)[AssignmentRole.PRIMARY][0].is_active
    # Today the register is kept and key_person has not signed in; other_key_person has, but works no sessions
    # the day after tomorrow.
    assert current_key_persons(child_id=both.pk, on=today)[AssignmentRole.PRIMARY][1] is True
    assert current_key_persons(child_id=primary_only.pk, on=today)[AssignmentRole.PRIMARY][1] is False
    in_two_days = current_key_persons(child_id=primary_only.pk, on=today + dt.timedelta(days=2))
    assert in_two_days[AssignmentRole.PRIMARY][1] is bool(sessions.day_mask(today + dt.timedelta(days=2)))
    assert current_key_persons(child_id=nobody.pk, on=today) == {}


def test_who_acts_as_key_person_follows_the_day_asked_about(setting, room, manager, key_person, other_key_person):
    child = ChildFactory(setting=setting, room=room)
    services.key_person_assign(child=child, staff=key_person, role=AssignmentRole.PRIMARY, by=manager.user)
    services.key_person_assign(child=child, staff=other_key_person, role=AssignmentRole.SECONDARY, by=manager.user)
    today = timezone.localdate()
    services.staff_absence_record(staff=key_person, starts_on=today + dt.timedelta(days=1),
                                  ends_on=today + dt.timedelta(days=1), reason="Course", by=manager.user)
    assert [key_person_user_for(child.pk, on=today + dt.timedelta(days=d)) for d in (0, 1, 2, 1)] == [
        key_person.user, other_key_person.user, key_person.user, other_key_person.user]
    assert key_person_user_for(ChildFactory(setting=setting, room=room).pk) is None

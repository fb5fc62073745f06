"""Queries compiled once (workflows.compiled) give what the queryset they stand for gives, call after call."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL
from django.utils import timezone
from viewflow.workflow.models import Task

from processes import services
from processes.models import AssignmentRole, KeyPersonAssignment
from workflows.compiled import CompiledQuery
from workflows.routing import ACTING_COLUMNS, AWAY_ON, key_person_user_for

from .factories import ChildFactory, StaffFactory
from .flowkit import register


def _assignments_by_the_orm(child_id, on):
    return list(KeyPersonAssignment.objects.current().filter(child_id=child_id).order_by("role")
                .select_related("staff__user__notification_preference").only(*ACTING_COLUMNS)
                .annotate(away=RawSQL(AWAY_ON, (on, on), output_field=BooleanField())))


def test_instances_carry_the_same_fields_relations_and_annotations_as_the_querysets(setting, room, manager,
                                                                                   key_person, other_key_person):
    compiled = CompiledQuery(KeyPersonAssignment, lambda *, child_id, on: (
        KeyPersonAssignment.objects.current().filter(child_id=child_id).order_by("role")
        .select_related("staff__user__notification_preference").only(*ACTING_COLUMNS)
        .annotate(away=RawSQL(AWAY_ON, (on, on), output_field=BooleanField()))))
    today = timezone.localdate()
    children = [ChildFactory(setting=setting, room=room) for _ in range(3)]
    for child in children[:2]:
        services.key_person_assign(child=child, staff=key_person, role=AssignmentRole.PRIMARY, by=manager.user)
        services.key_person_assign(child=child, staff=other_key_person, role=AssignmentRole.SECONDARY,
                                   by=manager.user)
    services.staff_absence_record(staff=key_person, starts_on=today + dt.timedelta(days=2),
                                  ends_on=today + dt.timedelta(days=4), reason="Leave", by=manager.user)
    for child in children:
        for on in (today, today + dt.timedelta(days=3)):
            expected = _assignments_by_the_orm(child.pk, on)
            got = compiled.instances(child_id=child.pk, on=on)
            assert [(a.pk, a.role, a.away, a.staff.pk, a.staff.user.username, a.staff.user.email)
                    for a in got] == [(a.pk, a.role, a.away, a.staff.pk, a.staff.user.username, a.staff.user.email)
                                      for a in expected]
    assert [a.away for a in compiled.instances(child_id=children[0].pk, on=today + dt.timedelta(days=3))] == [
        True, False]  # primary away that day, secondary in


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


def test_a_locked_read_gives_the_task_with_its_process_child_and_room(setting, room, manager):
    from workflows.services import _TASK_UNDER_LOCK

    children = [register(setting=setting, room=room, manager=manager, first_name=f"C{i}") for i in range(2)]
    for child in children:
        task = Task.objects.get(process__childprocess__child=child, status="NEW")
        with transaction.atomic():
            [got] = _TASK_UNDER_LOCK.instances(task_id=task.pk, process_id=task.process_id)
        cp = got.process.childprocess
        assert (got.pk, got.status, got.flow_task, cp.child.pk, cp.child.first_name, cp.child.room.name) == (
            task.pk, "NEW", task.flow_task, child.pk, child.first_name, room.name)
    with transaction.atomic():
        assert _TASK_UNDER_LOCK.instances(task_id=task.pk, process_id=task.process_id + 1000) == []


@pytest.mark.django_db(transaction=True)
def test_a_locking_read_outside_a_transaction_is_refused_as_the_orm_refuses_it(setting, room, manager):
    from workflows.services import _TASK_UNDER_LOCK

    child = register(setting=setting, room=room, manager=manager)
    task = Task.objects.get(process__childprocess__child=child, status="NEW")
    with transaction.atomic():
        _TASK_UNDER_LOCK.instances(task_id=task.pk, process_id=task.process_id)  # compiled in a transaction
    with pytest.raises(transaction.TransactionManagementError):
        _TASK_UNDER_LOCK.instances(task_id=task.pk, process_id=task.process_id)


def test_a_value_that_would_change_the_sql_or_that_the_query_ignores_is_refused(setting):
    compiled = CompiledQuery(StaffFactory._meta.model, lambda *, setting_id: (
        StaffFactory._meta.model.objects.filter(setting_id=setting_id)))
    with pytest.raises(TypeError, match="shape"):
        compiled.rows(setting_id=None)
    ignoring = CompiledQuery(StaffFactory._meta.model, lambda *, setting_id: StaffFactory._meta.model.objects.all())
    with pytest.raises(ValueError, match="setting_id"):
        ignoring.rows(setting_id=setting.pk)

"""Someone who leaves the setting has their account closed: no task waits in an inbox nobody can open."""

from __future__ import annotations

from django.urls import reverse

from processes import services
from processes.models import AssignmentRole, AuditEvent
from workflows.models import InboxEntry
from workflows.routing import key_person_user_for

from .flowkit import allocate, open_tasks, register, the_task


def _close(user) -> None:
    user.is_active = False
    user.save()


def test_a_closed_key_persons_tasks_go_to_the_secondary_with_their_inbox_rows(setting, room, manager, key_person,
                                                                             other_key_person):
    child = register(setting=setting, room=room, manager=manager)
    allocate(child, manager, key_person, other_key_person)
    assert {t.owner for t in open_tasks(child)} == {key_person.user}

    _close(key_person.user)

    tasks = open_tasks(child)
    assert tasks and {t.owner for t in tasks} == {other_key_person.user}
    assert set(InboxEntry.objects.filter(task__in=tasks).values_list("owner_id", flat=True)) == {
        other_key_person.user.pk}
    assert AuditEvent.objects.filter(action="reroute", child_id=child.pk).count() == len(tasks)
    assert key_person_user_for(child.pk) == other_key_person.user  # and so do the tasks still to come


def test_with_nobody_left_to_act_the_tasks_wait_unowned_for_the_manager(client, setting, room, manager, key_person,
                                                                        other_key_person):
    child = register(setting=setting, room=room, manager=manager, first_name="Nadia")
    allocate(child, manager, key_person, other_key_person)
    _close(other_key_person.user)
    _close(key_person.user)

    tasks = open_tasks(child)
    assert tasks and all(t.owner is None and t.status == "NEW" for t in tasks)
    assert AuditEvent.objects.filter(action="release", child_id=child.pk).count() == len(tasks)
    assert key_person_user_for(child.pk) is None
    client.force_login(manager.user)
    page = client.get(reverse("inbox")).content.decode()
    assert "Nadia Jones" in page  # the manager may take them


def test_a_task_the_closed_account_had_taken_goes_back_to_those_who_may_take_it(setting, room, manager):
    from workflows import services as wf

    from .factories import StaffFactory

    deputy = StaffFactory(setting=setting, manager=True, user__username="deputy")
    child = register(setting=setting, room=room, manager=manager)
    task = the_task(child, "allocate")
    wf.task_claim(process_id=task.process_id, task_id=task.pk, by=deputy.user)

    _close(deputy.user)

    task.refresh_from_db()
    assert (task.owner, task.status) == (None, "NEW")
    assert InboxEntry.objects.get(task=task).owner_id is None
    wf.task_claim(process_id=task.process_id, task_id=task.pk, by=manager.user)  # and the manager can take it


def test_an_absent_key_person_without_an_active_secondary_keeps_their_tasks(setting, room, manager, key_person,
                                                                           other_key_person):
    import datetime as dt

    from django.utils import timezone

    child = register(setting=setting, room=room, manager=manager)
    allocate(child, manager, key_person, other_key_person)
    _close(other_key_person.user)
    services.staff_absence_record(staff=key_person, starts_on=timezone.localdate(),
                                  ends_on=timezone.localdate() + dt.timedelta(days=3), reason="Leave",
                                  by=manager.user)
    assert {t.owner for t in open_tasks(child)} == {key_person.user}
    assert child.assignments.get(role=AssignmentRole.PRIMARY).staff == key_person

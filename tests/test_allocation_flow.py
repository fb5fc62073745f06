from __future__ import annotations

import pytest
from django.core import mail

from processes import sessions
from processes.allocation import allocation_candidates
from processes.errors import NotPermitted
from processes.models import AssignmentRole, LifecycleState
from workflows.models import ChildProcess, InboxEntry, ProcessKind, TaskRole
from workflows.services import FormInvalid

from .factories import ChildFactory, ChildGuardianFactory, StaffFactory
from .flowkit import allocate, open_tasks, register, the_task


def test_registering_a_child_with_a_start_date_gives_the_manager_an_allocation_task_due_before_it(
    setting, room, manager
):
    child = register(setting=setting, room=room, manager=manager)
    task = the_task(child, "allocate")
    assert task.owner is None and task.inbox.role == TaskRole.MANAGER
    assert task.inbox.due_at.date() < child.start_date


def test_a_child_without_a_start_date_waits_for_one(setting, room, manager):
    import datetime as dt

    from processes import services

    child = services.child_register(setting=setting, by=manager.user, first_name="A", last_name="B",
                                    date_of_birth=dt.date(2024, 1, 1))
    assert not ChildProcess.objects.filter(child=child).exists()


def test_completing_the_allocation_assigns_both_allocates_the_child_tells_the_parents_and_starts_the_introduction(
    setting, room, manager, key_person, other_key_person, django_capture_on_commit_callbacks
):
    child = register(setting=setting, room=room, manager=manager)
    with django_capture_on_commit_callbacks(execute=True):
        allocate(child, manager, key_person, other_key_person, notes="Mum asked for Sam")
    child.refresh_from_db()
    assert child.state == LifecycleState.ALLOCATED
    current = {a.role: a.staff for a in child.assignments.current()}
    assert current == {AssignmentRole.PRIMARY: key_person, AssignmentRole.SECONDARY: other_key_person}
    assert {t.flow_task.name for t in open_tasks(child)} == {"arrange_meeting", "all_about_me"}
    assert all(t.owner == key_person.user for t in open_tasks(child))
    # One letter to the parents (staff are told of their new tasks too, separately).
    letters = [m for m in mail.outbox if "key person at" in m.subject]
    assert len(letters) == 1 and key_person.name in letters[0].body and other_key_person.name in letters[0].body
    kinds = dict(ChildProcess.objects.filter(child=child).values_list("kind", "status"))
    assert kinds == {ProcessKind.ALLOCATION: "DONE", ProcessKind.INTRODUCTION: "NEW"}


def test_going_over_a_caseload_maximum_needs_a_written_reason(setting, room, manager, other_key_person):
    full = StaffFactory(setting=setting, room=room, max_caseload=1)
    child = register(setting=setting, room=room, manager=manager)
    earlier = ChildFactory(setting=setting, room=room)
    from processes import services

    services.key_person_assign(child=earlier, staff=full, role=AssignmentRole.PRIMARY, by=manager.user)
    with pytest.raises(Exception) as refused:
        allocate(child, manager, full, other_key_person)
    assert "reason to go over their caseload" in str(refused.value)
    assert not child.assignments.exists()
    assert the_task(child, "allocate").status == "NEW"  # nothing written, the task still waits

    allocate(child, manager, full, other_key_person, over_caseload_reason="Sibling's key person; cover agreed")
    assert child.assignments.current().get(role=AssignmentRole.PRIMARY).over_caseload_reason


def test_the_same_person_cannot_be_key_person_and_secondary(setting, room, manager, key_person):
    child = register(setting=setting, room=room, manager=manager)
    with pytest.raises(FormInvalid) as refused:
        allocate(child, manager, key_person, key_person)
    assert "secondary" in refused.value.errors


def test_a_key_person_cannot_take_the_managers_allocation_task(setting, room, manager, key_person, other_key_person):
    child = register(setting=setting, room=room, manager=manager)
    with pytest.raises(NotPermitted):
        allocate(child, key_person, key_person, other_key_person)


def test_the_ranking_orders_candidates_and_says_why(setting, room, manager):
    setting.weight_room = 0  # Little Caterpillars does not allocate by age or stage
    setting.save()
    mornings = sessions.mask_of(["mon_am", "tue_am", "wed_am"])
    child = register(setting=setting, room=room, manager=manager, known_needs="Speech delay")
    best = StaffFactory(setting=setting, working_sessions=mornings, sen_experience="Makaton, speech and language",
                        user__first_name="Best", user__last_name="Fit")
    part = StaffFactory(setting=setting, working_sessions=sessions.mask_of(["mon_am"]),
                        user__first_name="Part", user__last_name="Time")
    busy = StaffFactory(setting=setting, working_sessions=mornings, max_caseload=1,
                        user__first_name="Busy", user__last_name="Bee")
    from processes import services

    services.key_person_assign(child=ChildFactory(setting=setting, room=room), staff=busy,
                               role=AssignmentRole.PRIMARY, by=manager.user)
    child.preferred_key_person = part
    child.save()
    ranked = allocation_candidates(child=child)
    names = [c.staff for c in ranked]
    assert names.index(best) < names.index(busy)
    top = ranked[0]
    assert top.staff == best
    assert "works 3 of Amelia's 3 sessions" in top.reasons
    assert any(r.startswith("SEN experience") for r in top.reasons)
    part_c = next(c for c in ranked if c.staff == part)
    assert "works 1 of Amelia's 3 sessions" in part_c.reasons and "the parents' preference" in part_c.reasons
    busy_c = next(c for c in ranked if c.staff == busy)
    assert any("maximum caseload" in w for w in busy_c.warnings)
    assert not any(r.startswith("works in") for c in ranked for r in c.reasons)  # weight 0: factor off


def test_the_secondary_suggestions_favour_who_works_the_sessions_the_key_person_does_not(setting, room, manager):
    child = register(setting=setting, room=room, manager=manager, sessions=("mon_am", "mon_pm", "tue_am", "tue_pm"))
    primary = StaffFactory(setting=setting, working_sessions=sessions.mask_of(["mon_am", "tue_am"]))
    afternoons = StaffFactory(setting=setting, working_sessions=sessions.mask_of(["mon_pm", "tue_pm"]))
    mornings = StaffFactory(setting=setting, working_sessions=sessions.mask_of(["mon_am", "tue_am"]))
    ranked = allocation_candidates(child=child, role=AssignmentRole.SECONDARY, primary=primary)
    assert ranked[0].staff == afternoons
    assert primary not in [c.staff for c in ranked]
    assert "works 2 of Amelia's 2 sessions the key person does not work" in ranked[0].reasons
    assert ranked.index(next(c for c in ranked if c.staff == mornings)) > 0


def test_a_siblings_key_person_is_suggested(setting, room, manager, key_person):
    from processes import services

    sibling = ChildFactory(setting=setting, room=room, first_name="Oliver")
    link = ChildGuardianFactory(child=sibling)
    services.key_person_assign(child=sibling, staff=key_person, role=AssignmentRole.PRIMARY, by=manager.user)
    child = register(setting=setting, room=room, manager=manager)
    ChildGuardianFactory(child=child, guardian=link.guardian)
    top = allocation_candidates(child=child)
    candidate = next(c for c in top if c.staff == key_person)
    assert "key person of Oliver, a sibling" in candidate.reasons


def test_a_second_open_allocation_for_the_same_child_is_refused(setting, room, manager):
    from processes.errors import Conflict
    from workflows.allocation import AllocationFlow
    from workflows.base import process_start

    child = register(setting=setting, room=room, manager=manager)
    with pytest.raises(Conflict, match="already has an open key person allocation"):
        process_start(flow_class=AllocationFlow, child=child)
    assert InboxEntry.objects.filter(child=child).count() == 1


def test_withdrawing_a_child_closes_their_open_workflows(setting, room, manager):
    from processes import services

    child = register(setting=setting, room=room, manager=manager)
    task = the_task(child, "allocate")
    services.child_transition(child=child, transition="withdraw", by=manager.user, reason="Moved away")
    task.refresh_from_db()
    assert task.status == "CANCELED" and "withdrawn" in task.data["cancelled_because"]
    assert ChildProcess.objects.get(child=child).status == "CANCELED"
    assert open_tasks(child) == []


def test_allocating_outside_the_task_closes_it_and_starts_the_introduction(setting, room, manager, key_person,
                                                                          other_key_person):
    from processes import services

    child = register(setting=setting, room=room, manager=manager)
    task = the_task(child, "allocate")
    services.key_person_assign(child=child, staff=key_person, role=AssignmentRole.PRIMARY, by=manager.user)
    services.key_person_assign(child=child, staff=other_key_person, role=AssignmentRole.SECONDARY, by=manager.user)
    services.child_transition(child=child, transition="allocate", by=manager.user)
    task.refresh_from_db()
    assert task.status == "CANCELED"
    assert {t.flow_task.name for t in open_tasks(child)} == {"arrange_meeting", "all_about_me"}

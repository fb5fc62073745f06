"""key_person_assign: who may allocate, to whom, and how the history of a child's key persons is kept."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from processes import services
from processes.errors import NotPermitted, RuleViolation
from processes.models import AssignmentRole, AuditEvent, KeyPersonAssignment

from .factories import ChildFactory, StaffFactory

PRIMARY, SECONDARY = AssignmentRole.PRIMARY, AssignmentRole.SECONDARY


def assign(child, staff, role, by, **kwargs) -> KeyPersonAssignment:
    return services.key_person_assign(child=child, staff=staff, role=role, by=by.user, **kwargs)


@pytest.fixture
def third_key_person(setting, room):
    return StaffFactory(setting=setting, room=room, user__username="thirdkp")


def test_it_makes_a_key_person_the_childs_primary(child, manager, key_person):
    assignment = assign(child, key_person, PRIMARY, manager, reason="Works the child's sessions")

    assert assignment.is_current
    assert assignment.starts_on == timezone.localdate()
    assert assignment.created_by == manager.user
    assert child.assignments.current().get(role=PRIMARY).staff == key_person


def test_replacing_a_key_person_ends_the_old_row_and_keeps_it_as_history(
    child, manager, key_person, other_key_person
):
    old = assign(child, key_person, PRIMARY, manager)

    new = assign(child, other_key_person, PRIMARY, manager, reason="Moved to the baby room")

    old = KeyPersonAssignment.objects.get(pk=old.pk)
    assert old.ends_on == timezone.localdate()
    assert old.end_reason == "Moved to the baby room"
    assert old.staff == key_person  # the row is ended, never overwritten
    assert new.is_current and new.staff == other_key_person
    assert list(child.assignments.filter(role=PRIMARY).order_by("id")) == [old, new]
    assert child.assignments.current().filter(role=PRIMARY).count() == 1


def test_replacing_without_a_reason_says_who_replaced_them(child, manager, key_person, other_key_person):
    old = assign(child, key_person, PRIMARY, manager)

    assign(child, other_key_person, PRIMARY, manager)

    assert str(other_key_person) in KeyPersonAssignment.objects.get(pk=old.pk).end_reason


def test_a_replacement_from_a_future_date_ends_the_old_row_that_day(child, manager, key_person, other_key_person):
    old = assign(child, key_person, PRIMARY, manager)
    from_monday = timezone.localdate() + dt.timedelta(days=7)

    new = assign(child, other_key_person, PRIMARY, manager, starts_on=from_monday)

    assert KeyPersonAssignment.objects.get(pk=old.pk).ends_on == from_monday
    assert new.starts_on == from_monday


def test_a_secondary_who_becomes_primary_gives_up_the_secondary_role(
    child, manager, key_person, other_key_person
):
    assign(child, key_person, PRIMARY, manager)
    secondary = assign(child, other_key_person, SECONDARY, manager)

    assign(child, other_key_person, PRIMARY, manager, reason="Key person left")

    assert KeyPersonAssignment.objects.get(pk=secondary.pk).ends_on == timezone.localdate()
    current = {a.role: a.staff for a in child.assignments.current()}
    assert current == {PRIMARY: other_key_person}
    assert child.assignments.count() == 3


def test_it_refuses_the_key_person_as_their_own_secondary(child, manager, key_person):
    assign(child, key_person, PRIMARY, manager)

    with pytest.raises(RuleViolation, match="the secondary must be someone else"):
        assign(child, key_person, SECONDARY, manager)

    assert child.assignments.count() == 1


def test_it_refuses_to_assign_someone_to_the_role_they_already_hold(child, manager, key_person):
    assign(child, key_person, PRIMARY, manager)

    with pytest.raises(RuleViolation, match="already"):
        assign(child, key_person, PRIMARY, manager)

    assert child.assignments.count() == 1


class TestCaseload:
    @pytest.fixture
    def full_key_person(self, setting, room, manager):
        staff = StaffFactory(setting=setting, room=room, max_caseload=2, user__username="fullkp")
        for _ in range(2):
            assign(ChildFactory(setting=setting, room=room), staff, PRIMARY, manager)
        return staff

    def test_it_refuses_to_go_over_the_maximum_caseload_without_a_written_reason(
        self, child, manager, full_key_person
    ):
        audits = AuditEvent.objects.count()

        with pytest.raises(RuleViolation) as refused:
            assign(child, full_key_person, PRIMARY, manager)

        assert "already has 2 key children" in refused.value.message
        assert "maximum 2" in refused.value.message
        assert refused.value.field == "over_caseload_reason"
        assert not child.assignments.exists()
        assert AuditEvent.objects.count() == audits

    def test_a_blank_reason_does_not_count_as_a_written_reason(self, child, manager, full_key_person):
        with pytest.raises(RuleViolation, match="maximum 2"):
            assign(child, full_key_person, PRIMARY, manager, over_caseload_reason="   ")

    def test_it_goes_over_the_maximum_caseload_with_a_written_reason(self, child, manager, full_key_person):
        assignment = assign(
            child, full_key_person, PRIMARY, manager, over_caseload_reason="Sibling of one of her key children"
        )

        assert assignment.over_caseload_reason == "Sibling of one of her key children"
        audit = AuditEvent.objects.get(action="assign", record_id=str(assignment.pk))
        assert audit.changes["over_caseload_reason"] == "Sibling of one of her key children"

    def test_being_a_secondary_does_not_count_towards_the_caseload(self, child, manager, full_key_person, key_person):
        assign(child, key_person, PRIMARY, manager)

        assert assign(child, full_key_person, SECONDARY, manager).is_current

    def test_ended_assignments_free_a_place_in_the_caseload(self, setting, child, manager, full_key_person):
        services.key_person_end(
            assignment=full_key_person.assignments.current().first(), by=manager.user, reason="Family moved away"
        )

        assert assign(child, full_key_person, PRIMARY, manager).is_current


def test_it_refuses_staff_of_another_setting(child, manager):
    stranger = StaffFactory(user__username="elsewhere")

    with pytest.raises(RuleViolation, match="another setting") as refused:
        assign(child, stranger, PRIMARY, manager)

    assert refused.value.field == "staff"
    assert not child.assignments.exists()


def test_it_refuses_staff_who_are_not_key_persons(setting, child, manager):
    cook = StaffFactory(setting=setting, is_key_person=False, job_title="Cook", user__username="cook")

    with pytest.raises(RuleViolation, match="not a key person"):
        assign(child, cook, PRIMARY, manager)

    assert not child.assignments.exists()


def test_it_refuses_staff_whose_account_is_inactive(setting, child, manager):
    gone = StaffFactory(setting=setting, user__username="gone", user__is_active=False)

    with pytest.raises(RuleViolation, match="no longer has an active account"):
        assign(child, gone, PRIMARY, manager)


def test_it_refuses_a_role_that_does_not_exist(child, manager, key_person):
    with pytest.raises(RuleViolation):
        assign(child, key_person, "tertiary", manager)

    assert not child.assignments.exists()


def test_only_a_manager_may_assign_a_key_person(child, key_person, other_key_person):
    with pytest.raises(NotPermitted, match="Only the setting's manager"):
        assign(child, other_key_person, PRIMARY, key_person)

    assert not child.assignments.exists()
    assert not AuditEvent.objects.exists()


def test_the_senco_may_not_assign_a_key_person(child, senco, key_person):
    with pytest.raises(NotPermitted):
        assign(child, key_person, PRIMARY, senco)


def test_a_manager_of_another_setting_may_not_assign_a_key_person(child, key_person):
    elsewhere = StaffFactory(manager=True, user__username="othermanager")

    with pytest.raises(NotPermitted):
        assign(child, key_person, PRIMARY, elsewhere)


def test_it_refuses_a_child_who_has_left(allocated_child, manager, third_key_person):
    services.child_transition(child=allocated_child, transition="withdraw", by=manager.user, reason="Moved away")

    with pytest.raises(RuleViolation, match="has left"):
        assign(allocated_child, third_key_person, PRIMARY, manager)


def test_every_assignment_writes_an_audit_event(child, manager, key_person, other_key_person, third_key_person):
    first = assign(child, key_person, PRIMARY, manager)
    secondary = assign(child, other_key_person, SECONDARY, manager)
    replacement = assign(child, third_key_person, PRIMARY, manager)

    events = AuditEvent.objects.filter(action="assign").order_by("id")
    assert [e.record_id for e in events] == [str(first.pk), str(secondary.pk), str(replacement.pk)]
    for event in events:
        assert event.actor == manager.user
        assert event.child_id == child.pk
        assert event.setting_id == child.setting_id
        assert event.record_type == "processes.KeyPersonAssignment"
    last = events.last()
    assert last.changes["previous"] == key_person.pk
    assert last.changes["staff"] == third_key_person.pk
    assert str(key_person) in last.summary


def test_ending_an_assignment_needs_a_reason_and_is_audited(child, manager, key_person):
    assignment = assign(child, key_person, PRIMARY, manager)

    with pytest.raises(RuleViolation, match="Say why"):
        services.key_person_end(assignment=assignment, by=manager.user, reason=" ")
    services.key_person_end(assignment=assignment, by=manager.user, reason="Long-term sick leave")

    assignment = KeyPersonAssignment.objects.get(pk=assignment.pk)
    assert assignment.ends_on == timezone.localdate()
    assert assignment.end_reason == "Long-term sick leave"
    assert AuditEvent.objects.filter(action="end", record_id=str(assignment.pk), actor=manager.user).exists()
    with pytest.raises(RuleViolation, match="already ended"):
        services.key_person_end(assignment=assignment, by=manager.user, reason="Again")


def test_only_a_manager_may_end_an_assignment(child, manager, key_person):
    assignment = assign(child, key_person, PRIMARY, manager)

    with pytest.raises(NotPermitted):
        services.key_person_end(assignment=assignment, by=key_person.user, reason="I'd rather not")

    assert KeyPersonAssignment.objects.get(pk=assignment.pk).is_current

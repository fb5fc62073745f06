"""child_register, child_update and guardian_link: the manager's changes to a child's core record."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from processes import services, sessions
from processes.errors import NotPermitted, RuleViolation
from processes.models import AuditEvent, Child, ChildGuardian, Guardian, LifecycleState

from .factories import ChildFactory, GuardianFactory, RoomFactory, StaffFactory

TODAY = timezone.localdate()
BORN = TODAY - dt.timedelta(days=2 * 365 + 40)


class Unchanged:
    def __init__(self) -> None:
        self.counts = (
            Child.objects.count(), Guardian.objects.count(), ChildGuardian.objects.count(), AuditEvent.objects.count()
        )

    def assert_unchanged(self) -> None:
        assert (
            Child.objects.count(), Guardian.objects.count(), ChildGuardian.objects.count(), AuditEvent.objects.count()
        ) == self.counts


def register(setting, by, **kwargs) -> Child:
    values = dict(
        first_name="Amara", last_name="Okafor", date_of_birth=BORN, start_date=TODAY + dt.timedelta(days=14),
        sessions_attended=["mon_am", "mon_pm", "wed_am"],
    ) | kwargs
    return services.child_register(setting=setting, by=by.user, **values)


# child_register -----------------------------------------------------------------------------------------


def test_a_manager_registers_a_child_and_it_is_audited(setting, room, manager):
    child = register(setting, manager, room=room, first_name=" Amara ", allergies="Sesame", home_language="Yoruba")

    child = Child.objects.get(pk=child.pk)
    assert child.setting == setting and child.room == room
    assert child.first_name == "Amara"
    assert child.state == LifecycleState.REGISTERED
    assert child.attending_sessions == sessions.mask_of(["mon_am", "mon_pm", "wed_am"])
    assert (child.allergies, child.home_language) == ("Sesame", "Yoruba")
    audit = AuditEvent.objects.get(action="create", record_type="processes.Child")
    assert audit.actor == manager.user
    assert (audit.child_id, audit.setting_id, audit.record_id) == (child.pk, setting.pk, str(child.pk))


def test_a_key_person_may_not_register_a_child(setting, key_person):
    unchanged = Unchanged()

    with pytest.raises(NotPermitted, match="Only the setting's manager can register a child"):
        register(setting, key_person)

    unchanged.assert_unchanged()


def test_a_manager_of_another_setting_may_not_register_a_child_here(setting):
    elsewhere = StaffFactory(manager=True, user__username="othermanager")

    with pytest.raises(NotPermitted):
        register(setting, elsewhere)


def test_a_room_of_another_setting_is_refused(setting, manager):
    their_room = RoomFactory(name="Their toddlers")
    unchanged = Unchanged()

    with pytest.raises(RuleViolation, match="That room belongs to another setting") as refused:
        register(setting, manager, room=their_room)

    assert refused.value.field == "room"
    unchanged.assert_unchanged()


def test_an_unknown_session_code_is_refused_with_a_clear_message(setting, manager):
    unchanged = Unchanged()

    with pytest.raises(RuleViolation) as refused:
        register(setting, manager, sessions_attended=["mon_am", "sat_am"])

    assert refused.value.message == "Unknown session(s): sat_am"
    assert refused.value.field == "attending_sessions"
    unchanged.assert_unchanged()


def test_a_start_date_before_birth_is_refused(setting, manager):
    unchanged = Unchanged()

    with pytest.raises(RuleViolation, match="before the date of birth"):
        register(setting, manager, start_date=BORN - dt.timedelta(days=1))

    unchanged.assert_unchanged()


def test_a_leaving_date_before_the_start_is_refused(setting, manager):
    unchanged = Unchanged()

    with pytest.raises(RuleViolation, match="leaving date must be after the start date"):
        register(setting, manager, expected_leaving_date=TODAY)

    unchanged.assert_unchanged()


def test_an_unknown_field_is_refused(setting, manager):
    unchanged = Unchanged()

    with pytest.raises(RuleViolation, match="Unknown child field"):
        register(setting, manager, state=LifecycleState.SETTLED)

    unchanged.assert_unchanged()


# child_update -------------------------------------------------------------------------------------------


def test_an_update_records_what_changed_in_the_audit_row(child, manager):
    leaving = child.start_date + dt.timedelta(days=600)

    services.child_update(
        child=child, by=manager.user, allergies="Peanuts", expected_leaving_date=leaving,
        first_name=child.first_name,  # unchanged: not part of the diff
    )

    fresh = Child.objects.get(pk=child.pk)
    assert (fresh.allergies, fresh.expected_leaving_date) == ("Peanuts", leaving)
    audit = AuditEvent.objects.get(action="update", child_id=child.pk)
    assert audit.actor == manager.user
    assert audit.changes == {"allergies": ["", "Peanuts"], "expected_leaving_date": ["None", str(leaving)]}
    assert "allergies" in audit.summary and "first_name" not in audit.summary


def test_an_update_that_changes_nothing_writes_no_audit_row(child, manager):
    services.child_update(child=child, by=manager.user, home_language=child.home_language)

    assert not AuditEvent.objects.filter(action="update").exists()


def test_moving_a_child_to_another_room_is_audited_by_room_name(setting, child, manager):
    preschool = RoomFactory(setting=setting, name="Pre-school", min_age_months=36, max_age_months=60)
    old_room = child.room.name

    services.child_update(child=child, by=manager.user, room=preschool)

    assert Child.objects.get(pk=child.pk).room == preschool
    assert AuditEvent.objects.get(action="update").changes == {"room": [old_room, "Pre-school"]}


def test_an_update_to_a_room_of_another_setting_is_refused(child, manager):
    room_before = child.room
    unchanged = Unchanged()

    with pytest.raises(RuleViolation, match="another setting"):
        services.child_update(child=child, by=manager.user, room=RoomFactory(name="Elsewhere"))

    assert Child.objects.get(pk=child.pk).room == room_before
    unchanged.assert_unchanged()


def test_a_key_person_may_not_update_a_childs_record(allocated_child, key_person):
    unchanged = Unchanged()

    with pytest.raises(NotPermitted):
        services.child_update(child=allocated_child, by=key_person.user, allergies="Milk")

    assert Child.objects.get(pk=allocated_child.pk).allergies == ""
    unchanged.assert_unchanged()


def test_the_lifecycle_state_cannot_be_changed_by_an_update(child, manager):
    with pytest.raises(RuleViolation, match="cannot be changed here: state"):
        services.child_update(child=child, by=manager.user, state=LifecycleState.LEFT)

    assert Child.objects.get(pk=child.pk).state == LifecycleState.REGISTERED


def test_an_update_that_breaks_the_dates_is_refused_with_a_clear_message_and_changes_nothing(child, manager):
    unchanged = Unchanged()

    with pytest.raises(RuleViolation) as refused:
        services.child_update(child=child, by=manager.user, expected_leaving_date=child.start_date)

    assert refused.value.message == "The expected leaving date must be after the start date."
    assert refused.value.field == "expected_leaving_date"
    assert Child.objects.get(pk=child.pk).expected_leaving_date is None
    unchanged.assert_unchanged()


def test_an_update_moving_the_start_before_birth_is_refused(child, manager):
    with pytest.raises(RuleViolation, match="before the date of birth"):
        services.child_update(child=child, by=manager.user, start_date=child.date_of_birth - dt.timedelta(days=1))


def test_an_update_with_an_invalid_value_is_refused_with_the_field_named(child, manager):
    unchanged = Unchanged()

    with pytest.raises(RuleViolation) as refused:
        services.child_update(child=child, by=manager.user, first_name="")

    assert refused.value.field == "first_name"
    assert refused.value.message.startswith("First name:")
    unchanged.assert_unchanged()


# guardian_link ------------------------------------------------------------------------------------------


def test_a_manager_links_a_new_parent_from_their_details(child, manager):
    link = services.guardian_link(
        child=child, by=manager.user, relationship="Father", first_name="Tunde", last_name="Okafor",
        email="tunde@example.org", is_primary_contact=True,
    )

    assert link.guardian.setting == child.setting
    assert (link.relationship, link.has_parental_responsibility, link.is_primary_contact) == ("Father", True, True)
    audit = AuditEvent.objects.get(record_type="processes.ChildGuardian")
    assert (audit.actor, audit.child_id, audit.setting_id) == (manager.user, child.pk, child.setting_id)


def test_a_parent_already_known_can_be_linked_to_a_sibling(setting, child, manager, guardian_link):
    sibling = ChildFactory(setting=setting, room=child.room)

    link = services.guardian_link(child=sibling, by=manager.user, relationship="Mother",
                                  guardian=guardian_link.guardian)

    assert link.guardian.children.count() == 2


def test_linking_the_same_parent_twice_is_refused(child, manager, guardian_link):
    unchanged = Unchanged()

    with pytest.raises(RuleViolation, match="is already linked to"):
        services.guardian_link(child=child, by=manager.user, relationship="Mother", guardian=guardian_link.guardian)

    unchanged.assert_unchanged()


def test_a_parent_of_another_setting_is_refused(child, manager):
    stranger = GuardianFactory()
    unchanged = Unchanged()

    with pytest.raises(RuleViolation, match="belongs to another setting"):
        services.guardian_link(child=child, by=manager.user, relationship="Aunt", guardian=stranger)

    unchanged.assert_unchanged()


def test_a_key_person_may_not_link_a_parent(allocated_child, key_person):
    unchanged = Unchanged()

    with pytest.raises(NotPermitted):
        services.guardian_link(
            child=allocated_child, by=key_person.user, relationship="Father", first_name="A", last_name="B"
        )

    unchanged.assert_unchanged()

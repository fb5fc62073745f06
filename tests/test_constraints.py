"""The rules the database itself enforces, whatever the entry point (a bug, a shell, a bulk import).

These tests bypass the services on purpose: each proves the constraint holds even when the Python rules
are skipped. Each raw write sits in its own atomic block so the refused statement rolls back cleanly.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from processes import services, sessions
from processes.models import (
    AssignmentRole,
    Child,
    ChildGuardian,
    Consent,
    ConsentMethod,
    ConsentPurpose,
    ConsentStatus,
    KeyPersonAssignment,
    Room,
    Staff,
    StaffAbsence,
)

from .factories import ChildFactory, StaffFactory

TODAY = timezone.localdate()


def _raw_assignment(child, staff, role, *, by, starts_on=TODAY, ends_on=None) -> KeyPersonAssignment:
    return KeyPersonAssignment.objects.create(
        child=child, staff=staff, role=role, starts_on=starts_on, ends_on=ends_on, created_by=by.user,
    )


@pytest.fixture
def third_key_person(setting, room):
    return StaffFactory(setting=setting, room=room, user__username="thirdkp")


# Key person assignments ---------------------------------------------------------------------------------


def test_the_database_refuses_a_second_current_primary_key_person(child, manager, key_person, other_key_person):
    _raw_assignment(child, key_person, AssignmentRole.PRIMARY, by=manager)

    with pytest.raises(IntegrityError), transaction.atomic():
        _raw_assignment(child, other_key_person, AssignmentRole.PRIMARY, by=manager)

    assert child.assignments.current().filter(role=AssignmentRole.PRIMARY).count() == 1


def test_the_database_refuses_a_second_current_secondary_key_person(child, manager, key_person, other_key_person):
    _raw_assignment(child, key_person, AssignmentRole.SECONDARY, by=manager)

    with pytest.raises(IntegrityError), transaction.atomic():
        _raw_assignment(child, other_key_person, AssignmentRole.SECONDARY, by=manager)

    assert child.assignments.current().filter(role=AssignmentRole.SECONDARY).count() == 1


def test_the_database_refuses_the_same_person_as_primary_and_secondary(child, manager, key_person):
    _raw_assignment(child, key_person, AssignmentRole.PRIMARY, by=manager)

    with pytest.raises(IntegrityError), transaction.atomic():
        _raw_assignment(child, key_person, AssignmentRole.SECONDARY, by=manager)

    assert child.assignments.count() == 1


def test_the_database_refuses_an_assignment_that_ends_before_it_starts(child, manager, key_person):
    with pytest.raises(IntegrityError), transaction.atomic():
        _raw_assignment(
            child, key_person, AssignmentRole.PRIMARY, by=manager,
            starts_on=TODAY, ends_on=TODAY - dt.timedelta(days=1),
        )

    assert not KeyPersonAssignment.objects.exists()


def test_the_database_allows_an_assignment_that_starts_and_ends_on_the_same_day(child, manager, key_person):
    _raw_assignment(child, key_person, AssignmentRole.PRIMARY, by=manager, starts_on=TODAY, ends_on=TODAY)

    assert child.assignments.count() == 1


def test_ended_assignments_do_not_count_so_a_role_can_be_held_again(
    child, manager, key_person, other_key_person, third_key_person
):
    first = _raw_assignment(child, key_person, AssignmentRole.PRIMARY, by=manager,
                            starts_on=TODAY - dt.timedelta(days=30))
    KeyPersonAssignment.objects.filter(pk=first.pk).update(ends_on=TODAY - dt.timedelta(days=10))
    second = _raw_assignment(
        child, other_key_person, AssignmentRole.PRIMARY, by=manager, starts_on=TODAY - dt.timedelta(days=10)
    )
    KeyPersonAssignment.objects.filter(pk=second.pk).update(ends_on=TODAY)

    _raw_assignment(child, third_key_person, AssignmentRole.PRIMARY, by=manager)
    # An ended primary may come back as the secondary, too: only current rows are unique.
    _raw_assignment(child, key_person, AssignmentRole.SECONDARY, by=manager)

    assert child.assignments.count() == 4
    assert set(child.assignments.current().values_list("staff", "role")) == {
        (third_key_person.pk, AssignmentRole.PRIMARY),
        (key_person.pk, AssignmentRole.SECONDARY),
    }


def test_the_constraint_applies_to_each_child_separately(setting, room, manager, key_person, other_key_person):
    first, second = ChildFactory(setting=setting, room=room), ChildFactory(setting=setting, room=room)

    _raw_assignment(first, key_person, AssignmentRole.PRIMARY, by=manager)
    _raw_assignment(second, key_person, AssignmentRole.PRIMARY, by=manager)
    _raw_assignment(first, other_key_person, AssignmentRole.SECONDARY, by=manager)
    _raw_assignment(second, other_key_person, AssignmentRole.SECONDARY, by=manager)

    assert KeyPersonAssignment.objects.current().count() == 4


# Rooms, absences, sessions ------------------------------------------------------------------------------


@pytest.mark.parametrize(("min_age", "max_age"), [(36, 36), (60, 36)], ids=["equal", "inverted"])
def test_the_database_refuses_a_room_whose_minimum_age_is_not_below_its_maximum(setting, min_age, max_age):
    with pytest.raises(IntegrityError), transaction.atomic():
        Room.objects.create(
            setting=setting, name="Upside down", min_age_months=min_age, max_age_months=max_age, children_per_adult=8
        )

    assert not Room.objects.filter(name="Upside down").exists()


def test_the_database_refuses_a_room_with_no_adults_in_its_ratio(setting):
    with pytest.raises(IntegrityError), transaction.atomic():
        Room.objects.create(setting=setting, name="Nobody", min_age_months=0, max_age_months=24, children_per_adult=0)


def test_the_database_refuses_two_rooms_with_the_same_name_in_one_setting(setting, room):
    with pytest.raises(IntegrityError), transaction.atomic():
        Room.objects.create(setting=setting, name=room.name, min_age_months=0, max_age_months=24, children_per_adult=3)


def test_the_database_refuses_a_staff_absence_that_ends_before_it_starts(key_person, manager):
    with pytest.raises(IntegrityError), transaction.atomic():
        StaffAbsence.objects.create(
            staff=key_person, starts_on=TODAY, ends_on=TODAY - dt.timedelta(days=1), reason="Leave",
            recorded_by=manager.user,
        )

    assert not StaffAbsence.objects.exists()


def test_the_database_refuses_a_child_attending_sessions_outside_the_week(child):
    with pytest.raises(IntegrityError), transaction.atomic():
        Child.objects.filter(pk=child.pk).update(attending_sessions=sessions.ALL + 1)

    assert Child.objects.get(pk=child.pk).attending_sessions == child.attending_sessions


def test_the_database_accepts_a_child_attending_every_session(child):
    Child.objects.filter(pk=child.pk).update(attending_sessions=sessions.ALL)

    assert Child.objects.get(pk=child.pk).attending_sessions == sessions.ALL


def test_the_database_refuses_a_staff_working_pattern_outside_the_week(key_person):
    with pytest.raises(IntegrityError), transaction.atomic():
        Staff.objects.filter(pk=key_person.pk).update(working_sessions=sessions.ALL + 1)


def test_the_database_refuses_a_child_who_starts_before_being_born(child):
    with pytest.raises(IntegrityError), transaction.atomic():
        Child.objects.filter(pk=child.pk).update(start_date=child.date_of_birth - dt.timedelta(days=1))


def test_the_database_refuses_a_child_who_leaves_before_starting(child):
    with pytest.raises(IntegrityError), transaction.atomic():
        Child.objects.filter(pk=child.pk).update(expected_leaving_date=child.start_date)


# Consent ------------------------------------------------------------------------------------------------


def _raw_consent(child, guardian, manager, **fields) -> Consent:
    values = dict(
        child=child, guardian=guardian, purpose=ConsentPurpose.PHOTOGRAPHS, status=ConsentStatus.GRANTED,
        method=ConsentMethod.SIGNED_FORM, recorded_by=manager.user,
    )
    values.update(fields)
    return Consent.objects.create(**values)


def test_the_database_refuses_sharing_consent_without_a_named_recipient(child, guardian_link, manager):
    with pytest.raises(IntegrityError), transaction.atomic():
        _raw_consent(child, guardian_link.guardian, manager, purpose=ConsentPurpose.SHARE_PROFESSIONAL, recipient="")

    assert not Consent.objects.exists()


def test_the_database_accepts_sharing_consent_that_names_its_recipient(child, guardian_link, manager):
    _raw_consent(
        child, guardian_link.guardian, manager,
        purpose=ConsentPurpose.SHARE_PROFESSIONAL, recipient="Speech and language therapy",
    )

    assert Consent.objects.count() == 1


def test_other_purposes_need_no_recipient(child, guardian_link, manager):
    _raw_consent(child, guardian_link.guardian, manager, purpose=ConsentPurpose.SENCO_OBSERVATION, recipient="")

    assert Consent.objects.count() == 1


def test_the_database_refuses_linking_the_same_guardian_to_a_child_twice(child, guardian_link):
    with pytest.raises(IntegrityError), transaction.atomic():
        ChildGuardian.objects.create(child=child, guardian=guardian_link.guardian, relationship="Mother")


def test_the_service_path_and_the_database_agree_on_one_current_primary(child, manager, key_person, other_key_person):
    """The service replaces; only a raw write can try to add a second current primary, and that is refused."""
    services.key_person_assign(child=child, staff=key_person, role=AssignmentRole.PRIMARY, by=manager.user)
    services.key_person_assign(child=child, staff=other_key_person, role=AssignmentRole.PRIMARY, by=manager.user)

    with pytest.raises(IntegrityError), transaction.atomic():
        _raw_assignment(child, key_person, AssignmentRole.PRIMARY, by=manager)

    assert child.assignments.current().get(role=AssignmentRole.PRIMARY).staff == other_key_person

"""staff_absence_record and staff_absent_on: while a key person is away their children's work goes to the
secondary, so the absence dates must be right and never double-booked."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from processes import services
from processes.errors import NotPermitted, RuleViolation
from processes.models import AuditEvent, StaffAbsence

from .factories import StaffFactory

MONDAY = timezone.localdate() + dt.timedelta(days=7 - timezone.localdate().weekday())
FRIDAY = MONDAY + dt.timedelta(days=4)


def days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


def record(staff, by, starts_on=MONDAY, ends_on=FRIDAY, reason="Annual leave") -> StaffAbsence:
    return services.staff_absence_record(staff=staff, by=by.user, starts_on=starts_on, ends_on=ends_on, reason=reason)


class Unchanged:
    def __init__(self) -> None:
        self.counts = (StaffAbsence.objects.count(), AuditEvent.objects.count())

    def assert_unchanged(self) -> None:
        assert (StaffAbsence.objects.count(), AuditEvent.objects.count()) == self.counts


def test_it_records_an_absence_and_audits_it(key_person, manager):
    absence = record(key_person, manager, reason="  Annual leave ")

    assert (absence.staff, absence.starts_on, absence.ends_on) == (key_person, MONDAY, FRIDAY)
    assert absence.reason == "Annual leave"
    assert absence.recorded_by == manager.user
    audit = AuditEvent.objects.get(record_type="processes.StaffAbsence", record_id=str(absence.pk))
    assert audit.actor == manager.user
    assert audit.action == "create"
    assert audit.setting_id == key_person.setting_id


def test_a_one_day_absence_is_allowed(key_person, manager):
    assert record(key_person, manager, starts_on=MONDAY, ends_on=MONDAY).ends_on == MONDAY


def test_an_absence_that_ends_before_it_starts_is_refused(key_person, manager):
    unchanged = Unchanged()

    with pytest.raises(RuleViolation, match="ends before it starts") as refused:
        record(key_person, manager, starts_on=FRIDAY, ends_on=MONDAY)

    assert refused.value.field == "ends_on"
    unchanged.assert_unchanged()


def test_an_absence_without_a_reason_is_refused(key_person, manager):
    unchanged = Unchanged()

    with pytest.raises(RuleViolation, match="Give a reason"):
        record(key_person, manager, reason="   ")

    unchanged.assert_unchanged()


@pytest.mark.parametrize(
    ("starts", "ends"),
    [
        (MONDAY, FRIDAY),
        (MONDAY - days(3), MONDAY),
        (FRIDAY, FRIDAY + days(3)),
        (MONDAY + days(1), MONDAY + days(2)),
        (MONDAY - days(7), FRIDAY + days(7)),
    ],
    ids=["same dates", "ends on the first day", "starts on the last day", "inside", "around"],
)
def test_an_overlapping_absence_is_refused(key_person, manager, starts, ends):
    record(key_person, manager)
    unchanged = Unchanged()

    with pytest.raises(RuleViolation, match="already has an absence recorded in those dates"):
        record(key_person, manager, starts_on=starts, ends_on=ends, reason="Training")

    unchanged.assert_unchanged()


def test_back_to_back_absences_are_allowed(key_person, manager):
    record(key_person, manager)

    record(key_person, manager, starts_on=FRIDAY + days(1), ends_on=FRIDAY + days(10), reason="Sick")

    assert key_person.absences.count() == 2


def test_colleagues_may_be_absent_on_the_same_days(key_person, other_key_person, manager):
    record(key_person, manager)

    record(other_key_person, manager)

    assert StaffAbsence.objects.count() == 2


def test_only_the_manager_records_an_absence(key_person, other_key_person):
    unchanged = Unchanged()

    with pytest.raises(NotPermitted, match="Only the setting's manager"):
        record(other_key_person, key_person)

    unchanged.assert_unchanged()


def test_a_manager_of_another_setting_may_not_record_an_absence(key_person):
    elsewhere = StaffFactory(manager=True, user__username="othermanager")

    with pytest.raises(NotPermitted):
        record(key_person, elsewhere)


@pytest.mark.parametrize(
    ("day", "absent"),
    [
        (MONDAY - days(1), False),
        (MONDAY, True),
        (MONDAY + days(2), True),
        (FRIDAY, True),
        (FRIDAY + days(1), False),
    ],
    ids=["day before", "first day", "middle", "last day", "day after"],
)
def test_staff_absent_on_is_true_inside_the_absence_only(key_person, manager, day, absent):
    record(key_person, manager)

    assert services.staff_absent_on(staff=key_person, day=day) is absent


def test_staff_absent_on_is_about_that_member_of_staff_only(key_person, other_key_person, manager):
    record(key_person, manager)

    assert services.staff_absent_on(staff=other_key_person, day=MONDAY) is False

"""The services behind the manager's everyday pages: ending a staff absence, a parent's details, their link to a
child, unlinking. Each holds its rule, writes its audit row, and on refusal changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from processes import services
from processes.errors import NotPermitted, RuleViolation
from processes.models import AuditEvent, ChildGuardian, Guardian, StaffAbsence

from .factories import ChildFactory, ChildGuardianFactory, SettingFactory, StaffFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def absent(staff, manager, start: int, end: int) -> StaffAbsence:
    return services.staff_absence_record(staff=staff, by=manager.user, starts_on=TODAY() + dt.timedelta(days=start),
                                         ends_on=TODAY() + dt.timedelta(days=end), reason="Leave")


def test_only_the_manager_ends_an_absence(key_person, other_key_person, manager):
    absence = absent(key_person, manager, -1, 3)
    with pytest.raises(NotPermitted):
        services.staff_absence_end(absence=absence, by=other_key_person.user, back_on=TODAY())
    absence.refresh_from_db()
    assert absence.ends_on == TODAY() + dt.timedelta(days=3)


def test_ending_an_absence_after_its_last_day_is_refused(key_person, manager):
    absence = absent(key_person, manager, 0, 2)
    audits = AuditEvent.objects.count()
    with pytest.raises(RuleViolation, match="nothing to end early") as refused:
        services.staff_absence_end(absence=absence, by=manager.user, back_on=TODAY() + dt.timedelta(days=5))
    assert refused.value.field == "back_on" and AuditEvent.objects.count() == audits


def test_an_absence_not_yet_begun_is_cancelled_and_audited(key_person, manager):
    absence = absent(key_person, manager, 3, 5)
    assert services.staff_absence_end(absence=absence, by=manager.user, back_on=TODAY()) is None
    assert not StaffAbsence.objects.exists()
    assert AuditEvent.objects.filter(action="delete", record_type="processes.StaffAbsence").exists()
    assert not services.staff_absent_on(staff=key_person, day=TODAY() + dt.timedelta(days=4))


def test_a_parent_needs_a_name_and_a_valid_email(manager, guardian_link):
    with pytest.raises(RuleViolation, match="first name"):
        services.guardian_update(guardian=guardian_link.guardian, by=manager.user, first_name="  ")
    with pytest.raises(RuleViolation) as refused:
        services.guardian_update(guardian=guardian_link.guardian, by=manager.user, email="nope")
    assert refused.value.field == "email"
    guardian_link.guardian.refresh_from_db()
    assert guardian_link.guardian.email != "nope"


def test_another_settings_manager_cannot_change_a_parent(guardian_link):
    elsewhere = StaffFactory(setting=SettingFactory(), manager=True)
    with pytest.raises(NotPermitted):
        services.guardian_update(guardian=guardian_link.guardian, by=elsewhere.user, first_name="X")
    with pytest.raises(NotPermitted):
        services.guardian_unlink(link=guardian_link, by=elsewhere.user, reason="x")
    assert ChildGuardian.objects.filter(pk=guardian_link.pk).exists()


def test_naming_a_primary_contact_replaces_the_other(manager, child, guardian_link):
    second = ChildGuardianFactory(child=child, is_primary_contact=False)
    services.guardian_link_update(link=second, by=manager.user, relationship="Father",
                                  has_parental_responsibility=True, is_primary_contact=True)
    assert list(child.guardian_links.filter(is_primary_contact=True)) == [second]


def test_unlinking_keeps_the_parents_consent_history(manager, child, guardian_link):
    ChildGuardianFactory(child=child, relationship="Father")
    services.consent_record(child=child, guardian=guardian_link.guardian, purpose="photographs", status="granted",
                            method="in_person", by=manager.user)
    services.guardian_unlink(link=guardian_link, by=manager.user, reason="Moved abroad")
    assert Guardian.objects.filter(pk=guardian_link.guardian_id).exists()
    assert child.consents.filter(guardian=guardian_link.guardian).count() == 1


def test_the_last_parent_cannot_be_unlinked(manager, child, guardian_link):
    with pytest.raises(RuleViolation, match="only parent or carer"):
        services.guardian_unlink(link=guardian_link, by=manager.user, reason="Mistake")
    assert ChildGuardian.objects.filter(pk=guardian_link.pk).exists()


def test_a_new_parent_with_a_bad_email_is_a_rule_violation_not_a_crash(manager, child):
    with pytest.raises(RuleViolation) as refused:
        services.guardian_link(child=child, by=manager.user, relationship="Aunt", first_name="A", last_name="B",
                               email="not-an-email")
    assert refused.value.field == "email" and not Guardian.objects.filter(first_name="A").exists()


def test_a_sibling_shares_the_parent(manager, setting, room, guardian_link):
    sibling = ChildFactory(setting=setting, room=room)
    services.guardian_link(child=sibling, by=manager.user, relationship="Mother", guardian=guardian_link.guardian)
    assert list(guardian_link.guardian.children.order_by("pk")) == [guardian_link.child, sibling]

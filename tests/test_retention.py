"""Retention: each kind of record is kept to the end of its period and purged the day after; a legal hold
stops the purge; every purge is audited without personal data, and the audit trail itself is kept."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from notifications import tasks
from processes import services
from processes.errors import NotPermitted
from processes.models import (
    AccidentRecord,
    AuditEvent,
    Child,
    Consent,
    ConsentMethod,
    ConsentPurpose,
    ConsentStatus,
    Guardian,
    KeyPersonAssignment,
    LifecycleState,
)
from processes.retention import add_months, retain_until

from .factories import ChildFactory, ChildGuardianFactory

BORN = dt.date(2020, 5, 31)
LEFT_ON = dt.date(2024, 7, 19)
ONE_DAY = dt.timedelta(days=1)


@pytest.fixture
def gone_child(setting, room, manager, key_person):
    """A child who left on LEFT_ON, with a parent, a key person and a photographs consent."""
    child = ChildFactory(setting=setting, room=room, date_of_birth=BORN, start_date=dt.date(2021, 9, 1),
                         allergies="Peanuts", known_needs="Speech delay")
    link = ChildGuardianFactory(child=child)
    services.key_person_assign(child=child, staff=key_person, role="primary", by=manager.user,
                               starts_on=dt.date(2021, 9, 1))
    _consent(child, link.guardian, manager, ConsentPurpose.PHOTOGRAPHS)
    Child.objects.filter(pk=child.pk).update(state=LifecycleState.LEFT, left_on=LEFT_ON)
    child.refresh_from_db()
    return child


def _consent(child, guardian, manager, purpose, recipient=""):
    return services.consent_record(child=child, guardian=guardian, purpose=purpose, status=ConsentStatus.GRANTED,
                                   method=ConsentMethod.SIGNED_FORM, by=manager.user, recipient=recipient)


def _accident(child, manager):
    return AccidentRecord.objects.create(child=child, occurred_at=timezone.now(), what_happened="Fell off the slide",
                                         first_aid="Cold compress", recorded_by=manager.user)


def test_the_periods_are_the_documented_defaults(gone_child):
    assert retain_until(gone_child, "general") == dt.date(2027, 7, 19)  # three years after leaving
    assert retain_until(gone_child, "accident") == dt.date(2041, 8, 31)  # 21 years and 3 months old
    assert retain_until(gone_child, "sen") == dt.date(2045, 5, 31)  # 25 years old
    assert add_months(dt.date(2024, 2, 29), 12) == dt.date(2025, 2, 28)


def test_a_child_who_has_not_left_has_no_general_purge_date(child):
    assert retain_until(child, "general") is None


@pytest.mark.parametrize("offset,kept", [(-1, True), (0, True), (1, False)])
def test_general_records_are_kept_three_years_after_leaving_and_purged_the_day_after(gone_child, offset, kept):
    last_day = retain_until(gone_child, "general")
    guardian = gone_child.guardian_links.get().guardian
    services.retention_purge(today=last_day + offset * ONE_DAY)
    assert Child.objects.filter(pk=gone_child.pk).exists() is kept
    assert KeyPersonAssignment.objects.filter(child_id=gone_child.pk).exists() is kept
    assert Consent.objects.filter(child_id=gone_child.pk).exists() is kept
    assert Guardian.objects.filter(pk=guardian.pk).exists() is kept
    assert AuditEvent.objects.filter(action="purge", child_id=gone_child.pk).exists() is not kept


@pytest.mark.parametrize("offset,kept", [(-1, True), (0, True), (1, False)])
def test_accident_records_are_kept_until_the_child_is_21_years_3_months(gone_child, manager, offset, kept):
    accident = _accident(gone_child, manager)
    services.retention_purge(today=retain_until(gone_child, "accident") + offset * ONE_DAY)
    assert AccidentRecord.objects.filter(pk=accident.pk).exists() is kept
    assert Child.objects.filter(pk=gone_child.pk).exists() is kept


@pytest.mark.parametrize("offset,kept", [(-1, True), (0, True), (1, False)])
def test_sen_records_are_kept_until_the_child_is_25(gone_child, manager, offset, kept):
    guardian = gone_child.guardian_links.get().guardian
    sen = _consent(gone_child, guardian, manager, ConsentPurpose.SENCO_OBSERVATION)
    services.retention_purge(today=retain_until(gone_child, "sen") + offset * ONE_DAY)
    assert Consent.objects.filter(pk=sen.pk).exists() is kept


def test_an_sen_concern_and_its_workflow_outlive_the_general_records_and_go_at_25(
    setting, room, manager, key_person, senco
):
    from processes.models import SenConcern, SenObservation
    from workflows.models import ChildProcess, InboxEntry

    from . import senkit as sk

    child = ChildFactory(setting=setting, room=room, date_of_birth=BORN, start_date=dt.date(2021, 9, 1),
                         preferred_name="Mimi")
    ChildGuardianFactory(child=child)
    services.key_person_assign(child=child, staff=key_person, role="primary", by=manager.user)
    sk.raise_concern(child, key_person.user)
    sk.tell_parents(child, key_person.user)
    sk.answer_consent(child, senco.user)
    sk.observe(child, senco.user)
    services.child_transition(child=child, transition="withdraw", by=manager.user, reason="Moved away")
    Child.objects.filter(pk=child.pk).update(left_on=LEFT_ON)
    child.refresh_from_db()

    services.retention_purge(today=retain_until(child, "general") + ONE_DAY)
    assert SenConcern.objects.filter(child=child).exists() and SenObservation.objects.exists()
    assert ChildProcess.objects.filter(child=child, kind="sen").exists()
    assert not ChildProcess.objects.filter(child=child).exclude(kind="sen").exists()
    # The kept workflow's inbox rows lose the cleared preferred name with the child's record.
    assert set(InboxEntry.objects.filter(child=child).values_list("child_name", flat=True)) == {
        f"{child.first_name} {child.last_name}"}

    services.retention_purge(today=retain_until(child, "sen") + ONE_DAY)
    assert not Child.objects.filter(pk=child.pk).exists()
    assert not SenConcern.objects.exists() and not SenObservation.objects.exists()


def test_after_the_general_period_only_who_the_child_is_stays_beside_a_kept_accident_record(gone_child, manager):
    _accident(gone_child, manager)
    services.retention_purge(today=retain_until(gone_child, "general") + ONE_DAY)
    gone_child.refresh_from_db()
    assert gone_child.accidents.count() == 1
    assert (gone_child.allergies, gone_child.known_needs) == ("", "")
    assert not gone_child.assignments.exists() and not gone_child.guardian_links.exists()
    assert not Consent.objects.filter(child=gone_child).exists()


def test_a_legal_hold_stops_the_purge_until_it_is_lifted(gone_child, manager):
    after = retain_until(gone_child, "general") + ONE_DAY
    hold = services.legal_hold_place(child=gone_child, by=manager.user, reason="Claim notified by the insurer")
    assert services.retention_purge(today=after) == []
    assert Child.objects.filter(pk=gone_child.pk).exists()
    services.legal_hold_lift(hold=hold, by=manager.user, reason="Claim settled")
    [report] = services.retention_purge(today=after)
    assert report.child_deleted and not Child.objects.filter(pk=gone_child.pk).exists()


def test_only_the_manager_places_a_legal_hold(gone_child, key_person):
    with pytest.raises(NotPermitted):
        services.legal_hold_place(child=gone_child, by=key_person.user, reason="Because")


def test_the_purge_is_audited_without_personal_data_and_keeps_the_audit_trail(gone_child):
    before = AuditEvent.objects.filter(child_id=gone_child.pk).count()
    name, allergies = gone_child.first_name, gone_child.allergies
    services.retention_purge(today=retain_until(gone_child, "general") + ONE_DAY)
    purge = AuditEvent.objects.get(action="purge", child_id=gone_child.pk)
    assert name not in purge.summary + str(purge.changes) and allergies not in purge.summary + str(purge.changes)
    assert purge.changes["child_deleted"] is True and purge.changes["counts"]["key person assignments"] == 1
    assert AuditEvent.objects.filter(child_id=gone_child.pk).count() == before + 1


def test_a_dry_run_reports_and_deletes_nothing(gone_child):
    [report] = services.retention_purge(today=retain_until(gone_child, "general") + ONE_DAY, dry_run=True)
    assert report.child_deleted
    assert Child.objects.filter(pk=gone_child.pk).exists()
    assert not AuditEvent.objects.filter(action="purge").exists()


def test_the_command_and_the_nightly_task_run_the_same_purge(gone_child, capsys, monkeypatch):
    after = retain_until(gone_child, "general") + ONE_DAY
    call_command("purge_expired_records", "--dry-run", f"--today={after}")
    assert "Would purge records of 1 child" in capsys.readouterr().out
    assert settings.CELERY_BEAT_SCHEDULE["purge-expired-records"]["task"] == "notifications.tasks.purge_expired_records"
    monkeypatch.setattr(timezone, "localdate", lambda: after)
    assert tasks.purge_expired_records.delay().get() == 1
    assert not Child.objects.filter(pk=gone_child.pk).exists()


def test_the_purge_takes_the_childs_workflows_and_tasks_with_them(setting, room, manager, key_person,
                                                                 other_key_person):
    from viewflow.workflow.models import Task

    from workflows.models import ChildProcess, InboxEntry

    from .flowkit import allocate, register

    child = register(setting=setting, room=room, manager=manager)
    allocate(child, manager, key_person, other_key_person)
    Child.objects.filter(pk=child.pk).update(state=LifecycleState.WITHDRAWN, left_on=LEFT_ON)
    child.refresh_from_db()
    processes = list(ChildProcess.objects.filter(child=child).values_list("pk", flat=True))
    assert len(processes) == 2
    services.retention_purge(today=retain_until(child, "general") + ONE_DAY)
    assert not ChildProcess.objects.filter(pk__in=processes).exists()
    assert not Task.objects.filter(process_id__in=processes).exists()
    assert not InboxEntry.objects.filter(child_id=child.pk).exists()


@pytest.mark.parametrize("passed_on,kept", [(False, True), (True, False)])
def test_sen_records_passed_on_to_the_next_school_follow_the_general_period(gone_child, manager, passed_on, kept):
    guardian = gone_child.guardian_links.get().guardian
    sen = _consent(gone_child, guardian, manager, ConsentPurpose.SHARE_PROFESSIONAL, recipient="Speech therapy")
    if passed_on:
        _consent(gone_child, guardian, manager, ConsentPurpose.SHARE_SCHOOL, recipient="Oakbridge Primary")
        services.records_pass_on(child=gone_child, kind="sen", recipient="Oakbridge Primary", by=manager.user,
                                 on=LEFT_ON)
        assert retain_until(gone_child, "sen") == retain_until(gone_child, "general")
    services.retention_purge(today=retain_until(gone_child, "general") + ONE_DAY)
    assert Consent.objects.filter(pk=sen.pk).exists() is kept
    assert Child.objects.filter(pk=gone_child.pk).exists() is kept

"""The audit trail is append-only (ORM, admin, and PostgreSQL itself) and records every write and every read of
health, family and SEN details, with the outcome."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from processes import services
from processes.models import AuditEvent
from processes.models.append_only import AppendOnlyError

from .factories import ChildGuardianFactory, GuardianFactory, UserFactory


@pytest.fixture
def event(child, manager):
    return services.audit_record(actor=manager.user, action="read", record=child, summary="Viewed the record")


# --- append-only through the ORM --------------------------------------------------------------------------


def test_an_audit_row_cannot_be_changed_through_the_orm(event):
    event.summary = "Nothing to see"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(summary="Nothing to see")
    with pytest.raises(AppendOnlyError), transaction.atomic():
        AuditEvent.objects.bulk_update([event], ["summary"])
    assert AuditEvent.objects.get(pk=event.pk).summary == "Viewed the record"


def test_an_audit_row_cannot_be_deleted_through_the_orm(event):
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_a_new_row_given_an_existing_id_cannot_overwrite_it(event):
    with pytest.raises(AppendOnlyError):
        AuditEvent(pk=event.pk, action="read", summary="Overwritten").save()


# --- append-only in PostgreSQL itself ----------------------------------------------------------------------


postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")


def _raw(sql: str, params=()) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


@postgres_only
@pytest.mark.parametrize("sql", [
    "UPDATE processes_auditevent SET summary = 'rewritten' WHERE id = %s",
    "UPDATE processes_auditevent SET outcome = 'refused', actor_id = NULL WHERE id = %s",
    "DELETE FROM processes_auditevent WHERE id = %s",
])
def test_postgresql_refuses_to_change_or_delete_an_audit_row(event, sql):
    with pytest.raises(DatabaseError, match="append-only"):
        _raw(sql, [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).summary == "Viewed the record"


@postgres_only
def test_postgresql_lets_a_deleted_user_be_detached_from_their_rows(child):
    user = UserFactory()
    row = services.audit_record(actor=user, action="read", record=child, summary="Viewed")
    user.delete()
    assert AuditEvent.objects.get(pk=row.pk).actor_id is None


def test_the_retention_purge_deletes_old_rows_only_and_is_audited(child, manager):
    old = services.audit_record(actor=manager.user, action="read", record=child, summary="Long ago")
    recent = services.audit_record(actor=manager.user, action="read", record=child, summary="Recent")
    # The one way to back-date a row in a test: the purge's own door.
    with transaction.atomic():
        if connection.vendor == "postgresql":
            _raw("SET LOCAL keyflow.audit_purge = 'on'")
        AuditEvent._base_manager.filter(pk=old.pk).delete()
        AuditEvent.objects.create(pk=old.pk, at=timezone.now() - dt.timedelta(days=4000), action="read",
                                  summary="Long ago", child_id=child.pk)

    deleted = services.audit_events_purge(before=timezone.now() - dt.timedelta(days=3000), by=manager.user)

    assert deleted == 1
    assert not AuditEvent.objects.filter(pk=old.pk).exists()
    assert AuditEvent.objects.filter(pk=recent.pk).exists()
    assert AuditEvent.objects.filter(action="purge", summary__startswith="Purged 1 audit event").exists()


# --- append-only in the admin ------------------------------------------------------------------------------


@pytest.fixture
def superuser_client(client, db):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def test_the_admin_shows_audit_rows_read_only_even_to_a_superuser(superuser_client, event):
    change = reverse("admin:processes_auditevent_change", args=[event.pk])
    page = superuser_client.get(change)
    assert page.status_code == 200 and b'name="summary"' not in page.content
    assert superuser_client.post(change, {"summary": "rewritten"}).status_code == 403
    assert superuser_client.post(reverse("admin:processes_auditevent_delete", args=[event.pk]),
                                 {"post": "yes"}).status_code == 403
    listing = superuser_client.post(reverse("admin:processes_auditevent_changelist"),
                                    {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"})
    assert listing.status_code in (200, 302)
    assert superuser_client.get(reverse("admin:processes_auditevent_add")).status_code == 403
    assert AuditEvent.objects.get(pk=event.pk).summary == "Viewed the record"


# --- every write and read of health, family and SEN details is recorded ------------------------------------


def test_a_change_to_health_details_is_audited_with_what_changed(child, manager):
    services.child_update(child=child, by=manager.user, allergies="Peanuts", known_needs="Speech and language")
    row = AuditEvent.objects.get(action="update", child_id=child.pk)
    assert row.actor == manager.user and row.outcome == "ok"
    assert row.changes["allergies"] == ["", "Peanuts"] and "known_needs" in row.changes


def test_linking_a_parent_is_audited(child, manager):
    services.guardian_link(child=child, by=manager.user, guardian=GuardianFactory(setting=child.setting),
                           relationship="Father", has_parental_responsibility=True, is_primary_contact=False)
    assert AuditEvent.objects.filter(action="create", child_id=child.pk, record_type="processes.ChildGuardian",
                                     actor=manager.user).exists()


def test_opening_a_child_or_a_parent_in_the_admin_is_audited(client, manager, child):
    manager.user.is_staff = True
    manager.user.save()
    link = ChildGuardianFactory(child=child)
    client.force_login(manager.user)
    assert client.get(reverse("admin:processes_child_change", args=[child.pk])).status_code == 200
    assert client.get(reverse("admin:processes_guardian_change", args=[link.guardian.pk])).status_code == 200
    reads = AuditEvent.objects.filter(actor=manager.user, action="read")
    assert reads.filter(child_id=child.pk, record_type="processes.Child").exists()
    assert reads.filter(record_type="processes.Guardian", record_id=str(link.guardian.pk),
                        setting_id=child.setting_id).exists()


def test_a_refused_task_completion_is_audited_as_refused(client, setting, room, manager, key_person,
                                                        other_key_person):
    from .flowkit import allocate, register, the_task

    child = register(setting=setting, room=room, manager=manager)
    allocate(child, manager, key_person, other_key_person)
    task = the_task(child, "arrange_meeting")
    client.force_login(manager.user)
    client.post(reverse("api-task-complete", args=[task.process_id, task.pk]), {}, content_type="application/json")
    row = AuditEvent.objects.get(action="complete", outcome="refused")
    assert row.actor == manager.user and row.child_id == child.pk and row.record_id == str(task.pk)


def test_an_attempt_on_another_settings_child_is_filed_under_that_childs_setting(client, child):
    from .factories import SettingFactory, StaffFactory

    stranger = StaffFactory(setting=SettingFactory())
    client.force_login(stranger.user)
    assert client.get(reverse("child-detail", args=[child.pk])).status_code == 404
    row = AuditEvent.objects.get(action="read")
    assert (row.outcome, row.actor, row.setting_id) == ("not_found", stranger.user, child.setting_id)

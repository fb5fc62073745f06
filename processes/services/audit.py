from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db import connection, models, transaction

from ..models import AuditEvent

# The rows of the step now running (audit_batch), or None outside one.
_pending: ContextVar[list[AuditEvent] | None] = ContextVar("audit_pending", default=None)


@contextmanager
def audit_batch() -> Iterator[None]:
    """Keep the audit rows written inside and insert them together once it ends, in one statement.

    A workflow step calls several services, each auditing what it did (two assignments, a lifecycle move,
    the completion): one INSERT, not one each. The step's caller opens it inside the step's transaction, so
    the rows commit or roll back with the step; a step that fails inserts none. Nested, the outer one inserts.
    """
    if _pending.get() is not None:
        yield
        return
    rows: list[AuditEvent] = []
    token = _pending.set(rows)
    try:
        yield
    finally:
        _pending.reset(token)
    if rows:
        AuditEvent.objects.bulk_create(rows)


def audit_record(
    *,
    actor,
    action: str,
    record: models.Model | None = None,
    summary: str,
    setting_id: int | None = None,
    child_id: int | None = None,
    record_type: str = "",
    record_id: str = "",
    changes: dict[str, Any] | None = None,
    outcome: str = "ok",
) -> AuditEvent:
    if record is not None:
        record_type = record_type or record._meta.label
        record_id = record_id or str(record.pk)
        setting_id = setting_id or getattr(record, "setting_id", None)
        child_id = child_id or getattr(record, "child_id", None)
        if child_id is None and record._meta.label == "processes.Child":
            child_id = record.pk
    event = AuditEvent(
        actor=actor if actor is not None and getattr(actor, "is_authenticated", False) else None,
        action=action,
        record_type=record_type,
        record_id=record_id,
        summary=summary,
        setting_id=setting_id,
        child_id=child_id,
        changes=changes or {},
        outcome=outcome,
    )
    pending = _pending.get()
    if pending is None:
        event.save(force_insert=True)
    else:
        pending.append(event)  # its `at` is now, when it happened, not when the batch is inserted
    return event


# The one way past the PostgreSQL trigger (migration 0004_audit_append_only_trigger): a transaction-local
# setting it lets through.
PURGE_GUC = "keyflow.audit_purge"


def audit_events_purge(*, before, by=None) -> int:
    """Delete the audit rows older than ``before``; the deletion itself is audited.

    Called by nothing in Keyflow: the nightly retention purge (processes.retention) keeps the trail, which
    outlives the records it describes. This is the deliberate, by-hand way to shorten it.
    """
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"SET LOCAL {PURGE_GUC} = 'on'")
        # The base manager: the default one refuses deletes (append-only), and rightly so everywhere else.
        deleted, _ = AuditEvent._base_manager.filter(at__lt=before).delete()
    audit_record(actor=by, action="purge", record_type="processes.AuditEvent",
                 summary=f"Purged {deleted} audit event(s) older than {before:%Y-%m-%d %H:%M}")
    return deleted

from __future__ import annotations

from typing import Any

from django.db import models

from ..models import AuditEvent


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
    return AuditEvent.objects.create(
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

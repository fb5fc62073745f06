"""Refused task actions are audited: a claim or completion turned away says who tried, on what, and why.

Only refusals of access (NotPermitted). Bad form input is for the user to correct, and a Conflict is an
allowed user losing a race (already done, being updated): neither is an attempt on a record, and a lock that
could not be had must write nothing.

The service's own transaction has rolled back by the time the refusal leaves it, so the row written here
survives it.
"""

from __future__ import annotations

import functools

from processes.errors import NotPermitted
from processes.services import audit_record

from .models import ChildProcess


def audit_refusals(action: str):
    def decorate(service):
        @functools.wraps(service)
        def audited(*, process_id: int, task_id: int, by, **kwargs):
            try:
                return service(process_id=process_id, task_id=task_id, by=by, **kwargs)
            except NotPermitted as refusal:
                where = ChildProcess.objects.filter(pk=process_id).values("setting_id", "child_id").first() or {}
                audit_record(
                    actor=by, action=action, record_type="viewflow.Task", record_id=str(task_id),
                    setting_id=where.get("setting_id"), child_id=where.get("child_id"),
                    summary=f"Refused {action} of task #{task_id}: {refusal.message}",
                    outcome="refused",
                )
                raise

        return audited

    return decorate

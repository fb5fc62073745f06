"""Steps that need a parent's consent stop when it is withdrawn and resume when it is granted again.

A HumanTask node that declares `consent=` is never created or completed without the consent in force
(workflows.nodes). This module handles a change of mind while such a task is open: the task is cancelled
with the reason, and the process waits; granting the consent again creates the same step afresh, so the
process resumes from where it stopped. Both happen under the flow's row lock, in the transaction that
records the consent, so a completion racing a withdrawal either finishes first or finds the task cancelled.
"""

from __future__ import annotations

from django.db import transaction
from viewflow.workflow.models import Task

from processes.models import Consent, ConsentStatus
from processes.services import audit_record
from processes.services.consent import consent_recipient_matches

from .models import OPEN, ChildProcess
from .nodes import HumanTask
from .services import task_cancel


def _needs(task: Task, process: ChildProcess, consent: Consent) -> bool:
    node = task.flow_task
    needed = node.consent_needed(process) if isinstance(node, HumanTask) else None
    # The same key as consent_latest's query (processes.models.consent_recipient_key): gate and query agree.
    return bool(needed) and needed[0] == consent.purpose and consent_recipient_matches(needed[1], consent.recipient)


def _who(consent: Consent) -> str:
    status, purpose = consent.get_status_display().lower(), consent.get_purpose_display().lower()
    return f"{consent.guardian} {status} consent ({purpose})"


def consent_gate_apply(*, consent: Consent, by) -> list[Task]:
    """Pause or resume the child's consent-gated steps after `consent` was recorded. Returns tasks touched."""
    touched: list[Task] = []
    with transaction.atomic():
        # The child's open processes read and locked in one statement: their process rows, the lock every step
        # takes (workflows.services._locked), in id order (no deadlock with another gate). SQLite's lock is the
        # IMMEDIATE transaction's.
        processes = (ChildProcess.objects.filter(child_id=consent.child_id, open_kind__isnull=False)
                     .select_for_update(of=("process_ptr",)).order_by("pk"))
        for process in processes:
            if consent.status == ConsentStatus.GRANTED:
                touched += _resume(process, consent, by)
            else:
                touched += _pause(process, consent, by)
    return touched


def _pause(process: ChildProcess, consent: Consent, by) -> list[Task]:
    paused = []
    for task in process.task_set.filter(status__in=OPEN).select_related("process"):
        # STARTED only ever exists inside a completion holding this lock, which re-checks the consent itself.
        if task.status == "STARTED" or not _needs(task, process, consent):
            continue
        task_cancel(task=task, by=by, reason=_who(consent), process=process,
                    paused_for={"purpose": consent.purpose, "recipient": consent.recipient})
        paused.append(task)
    return paused


def _resume(process: ChildProcess, consent: Consent, by) -> list[Task]:
    if process.task_set.filter(status__in=OPEN).exists():
        return []  # the process has moved on (or was never stopped): nothing to resume
    stopped = (
        process.task_set.filter(status="CANCELED", data__paused_for__purpose=consent.purpose)
        .exclude(data__has_key="resumed_as").order_by("-finished", "-pk")
    )
    for task in stopped:
        if not _needs(task, process, consent):
            continue
        node = task.flow_task
        previous = node.activation_class(task)
        fresh = node.activation_class.create(node, previous, task.token).task
        task.data = {**task.data, "resumed_as": fresh.pk}
        task.save(update_fields=["data"])
        audit_record(actor=by, action="resume", record=fresh, setting_id=process.setting_id,
                     child_id=process.child_id, summary=f"Resumed '{fresh.title}': {_who(consent)}")
        return [fresh]
    return []


def consent_gate_preview(*, child_id: int, purpose: str, recipient: str) -> list[tuple[ChildProcess, Task]]:
    """The open steps a withdrawal of (purpose, recipient) would cancel now: _pause's choice, without the writes."""
    probe = Consent(child_id=child_id, purpose=purpose, recipient=recipient)
    processes = {p.pk: p for p in ChildProcess.objects.filter(child_id=child_id, open_kind__isnull=False)}
    tasks = Task.objects.filter(process_id__in=list(processes), status__in=OPEN).select_related("owner", "inbox")
    return [(processes[t.process_id], t) for t in tasks.order_by("pk") if _needs(t, processes[t.process_id], probe)]

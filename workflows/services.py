"""Claiming, releasing and completing tasks: the one path the inbox page, the task page and the API share.

Every write happens under the flow's row lock (select ... for update on the process row, IMMEDIATE on
SQLite), and re-reads the task inside it: of two people completing the same task, the second finds it done
and is told by whom, and nothing is written twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import contextmanager
from typing import Any

from django.db import OperationalError, transaction
from django.utils import timezone
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from processes.dates import when_text
from processes.errors import Conflict, NotPermitted, RuleViolation
from processes.services import audit_batch, audit_record

from .audit import audit_refusals
from .locking import task_read_locked
from .models import OPEN, ChildProcess
from .nodes import HumanTask


class FormInvalid(RuleViolation):
    """The task's form refused the data; `errors` says what, field by field."""

    def __init__(self, errors: Mapping[str, list[str]]) -> None:
        self.errors = {field: [str(e) for e in messages] for field, messages in errors.items()}
        first = next(iter(self.errors.values()), ["The form has errors."])[0]
        super().__init__(f"Please correct the form: {first}")


def _who(user) -> str:
    return (user.get_full_name() or user.get_username()) if user else "someone"


def _refuse_if_closed(task: Task) -> None:
    if task.status == STATUS.DONE:
        when = timezone.localtime(task.finished) if task.finished else None
        raise Conflict(
            f"This task was already completed by {_who(task.owner)}"
            + (f" at {when_text(when)}" if when else "")
            + ". Nothing was changed."
        )
    if task.status == STATUS.CANCELED:
        reason = (task.data or {}).get("cancelled_because")
        raise Conflict("This task was cancelled" + (f": {reason}" if reason else "") + ". Nothing was changed.")
    if task.status not in OPEN:
        raise Conflict(f"This task is {task.get_status_display().lower()} and cannot be changed.")


class _Locked:
    """The task, re-read under its flow's lock, with its process and node."""

    def __init__(self, task: Task) -> None:
        self.task = task
        self.node: HumanTask = task.flow_task
        self.process: ChildProcess = task.process.coerced


BUSY = "This task is being updated by someone else right now. Try again in a moment."

def lock_not_obtained(exc: BaseException) -> bool:
    """A lock that could not be had in time (PostgreSQL lock_timeout/NOWAIT/deadlock, SQLite busy)."""
    cause = exc.__cause__ or exc
    if getattr(cause, "sqlstate", None) in ("55P03", "40P01", "40001"):
        return True
    return "database is locked" in str(exc) or "database table is locked" in str(exc)


@contextmanager
def _locked(process_id: int, task_id: int):
    """Lock the process row and the task row, and read both, in one statement (workflows.locking).

    The process row is the lock of viewflow's select_for_update_lock (the flows' lock_impl), so this excludes
    every other flow operation on the process; it is taken directly because the process id is known and the
    flow class is not needed to find the row. The task row is locked with it so that PostgreSQL hands back
    its latest committed version once the lock is ours: a second completer reads DONE and is told who was
    first. Every lock wait is bounded by the connection's lock_timeout (settings.KEYFLOW_LOCK_TIMEOUT_MS;
    SQLite: IMMEDIATE and its busy timeout): past it the step gives up with a Conflict, its transaction
    rolled back, nothing written, nothing queued. Keyflow's flows start no subprocesses, so viewflow's
    after-lock callbacks have nothing to run.
    """
    try:
        with transaction.atomic():
            task = task_read_locked(task_id=task_id, process_id=process_id)
            if task is None or not isinstance(task.flow_task, HumanTask):
                raise NotPermitted("There is no such task.")
            yield _Locked(task)
    except OperationalError as exc:
        if lock_not_obtained(exc):
            raise Conflict(BUSY) from None
        raise


@audit_refusals("claim")
def task_claim(*, process_id: int, task_id: int, by) -> Task:
    with _locked(process_id, task_id) as locked:
        task = locked.task
        _refuse_if_closed(task)
        if task.owner_id == by.pk:
            return task
        if task.owner_id is not None:
            raise Conflict(f"{_who(task.owner)} has already taken this task.")
        if not locked.node.can_assign(by, task):
            raise NotPermitted("You cannot take this task.")
        activation = locked.node.activation_class(task)
        activation.assign(by)
        audit_record(actor=by, action="claim", record=task, setting_id=locked.process.setting_id,
                     child_id=locked.process.child_id, summary=f"Took '{task.title}'")
        return task


@audit_refusals("release")
def task_release(*, process_id: int, task_id: int, by) -> Task:
    with _locked(process_id, task_id) as locked:
        task = locked.task
        _refuse_if_closed(task)
        if task.owner_id is None:
            raise Conflict("Nobody has taken this task.")
        if not locked.node.can_unassign(by, task):
            raise NotPermitted("Only the person who took this task, or a manager, can give it back.")
        activation = locked.node.activation_class(task)
        activation.unassign()
        audit_record(actor=by, action="release", record=task, setting_id=locked.process.setting_id,
                     child_id=locked.process.child_id, summary=f"Gave back '{task.title}'")
        return task


def _jsonable(data: Mapping[str, Any]) -> dict[str, Any]:
    out = {}
    for key, value in data.items():
        if hasattr(value, "pk"):
            out[key] = value.pk
        elif isinstance(value, (list, tuple)):
            out[key] = [_jsonable(v) if isinstance(v, dict) else str(v) for v in value]
        elif value is None or isinstance(value, (bool, int, float, str)):
            out[key] = value
        else:
            out[key] = str(value)
    return out


@audit_refusals("complete")
def task_complete(*, process_id: int, task_id: int, by, data: Mapping[str, Any]) -> Task:
    """Complete a human task with the data of its form, and let the flow create what comes next.

    An unassigned task the user may claim is claimed first. The form's validation and the services' rules
    both run inside the lock and the transaction: any refusal leaves nothing written.
    """
    with _locked(process_id, task_id) as locked, audit_batch():
        task, node = locked.task, locked.node
        _refuse_if_closed(task)
        if task.owner_id is None:
            if not node.can_assign(by, task):
                raise NotPermitted("You cannot take this task.")
            # Taken and completed at once: the completion's own save writes the owner (one UPDATE, not two).
            task.owner, task.status = by, STATUS.ASSIGNED
        elif task.owner_id != by.pk:
            raise NotPermitted(f"This task is assigned to {_who(task.owner)}.")
        if not node.can_execute(by, task):
            raise NotPermitted("You cannot complete this task.")
        form = node.form_class(data=data, **node.form_kwargs(task))
        if not form.is_valid():
            raise FormInvalid(form.errors)
        activation = node.activation_class(task)
        activation.start(None)
        node.complete_with(activation, form.cleaned_data, by)
        task.data = {**(task.data or {}), "form": _jsonable(form.cleaned_data)}
        activation.execute()
        audit_record(actor=by, action="complete", record=task, setting_id=locked.process.setting_id,
                     child_id=locked.process.child_id, summary=f"Completed '{task.title}'")
        return task


def task_cancel(*, task: Task, by, reason: str, process: ChildProcess | None = None, **note: Any) -> Task:
    """Cancel an open task, saying why: the reason is kept on the task (a late completer is told it) and
    audited. `note` adds facts to the task's data (what a paused step waits for).

    Called under the task's flow lock, by the flow operations that stop a step: a child who goes, an
    allocation made outside its task, a consent withdrawn.
    """
    if not reason.strip():
        raise RuleViolation("Say why the task is cancelled.")
    _refuse_if_closed(task)
    task.data = {**(task.data or {}), "cancelled_because": reason, **note}
    task.save(update_fields=["data"])
    task.flow_task.activation_class(task).cancel()
    process = process or task.process.coerced  # the caller's, when it has it: one read fewer
    audit_record(actor=by, action="cancel", record=task, setting_id=process.setting_id, child_id=process.child_id,
                 summary=f"Cancelled '{task.title}': {reason}")
    return task

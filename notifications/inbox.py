"""Notifications about workflow tasks: a task lands in someone's inbox, is passed to them, falls due, is overdue.

Who is told: the task's owner; a task nobody owns yet is in the inbox of everyone who may claim it (the
setting's managers, or its SENCOs for a SENCO task), so they are told instead.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Q
from django.utils import timezone

from processes.models import Staff
from workflows.inbox import task_url
from workflows.models import InboxEntry, TaskRole

from .models import Kind, Notification
from .services import for_staff


def claimers_by_setting(setting_ids) -> dict[int, dict[str, list]]:
    """{setting_id: {role: [user, …]}}: who may claim an unowned task of each role, in one query."""
    found: dict[int, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    staff = Staff.objects.filter(Q(is_manager=True) | Q(is_senco=True) | Q(is_dsl=True),
                                 setting_id__in=set(setting_ids), user__is_active=True)
    for member in staff.select_related("user__notification_preference"):
        roles = found[member.setting_id]
        if member.is_manager:
            # inbox.claimable_roles: a manager may pick up a manager's task or an unowned key-person task.
            roles[TaskRole.MANAGER].append(member.user)
            roles[TaskRole.KEY_PERSON].append(member.user)
            roles["escalation"].append(member.user)
        if member.is_senco:
            roles[TaskRole.SENCO].append(member.user)
        if member.is_dsl:
            roles[TaskRole.DSL].append(member.user)
    return found


def recipients_of(entry: InboxEntry, claimers: dict[int, dict[str, list]]) -> list:
    task = entry.task
    if task.owner_id is not None:
        return [task.owner]
    return claimers.get(entry.setting_id, {}).get(entry.role, [])


def task_refs(entry: InboxEntry) -> dict:
    task = entry.task
    return {
        "title": str(task.title), "child": entry.child_name,
        "due_at": entry.due_at.isoformat() if entry.due_at else "",
        "url": task_url("task-detail", process_id=task.process_id, task_id=task.pk),
        "owner": (task.owner.get_full_name() or task.owner.get_username()) if task.owner_id else "",
    }


def _rows(entry: InboxEntry, users, *, kind: str, event: str, subject: str, now: dt.datetime) -> list[Notification]:
    refs = task_refs(entry)
    return [row for user in users for row in for_staff(
        user, kind=kind, event=event, setting_id=entry.setting_id, subject=subject.format(**refs),
        now=now, child_id=entry.child_id, task_id=entry.task_id, refs=refs)]


def landed_rows(entry: InboxEntry, *, now: dt.datetime | None = None) -> list[Notification]:
    """A new task is in someone's inbox."""
    now = now or timezone.now()
    claimers = {} if entry.task.owner_id else claimers_by_setting([entry.setting_id])
    return _rows(entry, recipients_of(entry, claimers), kind=Kind.TASK_ASSIGNED, event=f"t{entry.task_id}",
                 subject="New task: {title} ({child})", now=now)


def rerouted_rows(entry: InboxEntry, *, now: dt.datetime | None = None) -> list[Notification]:
    """The task was passed to its new owner (a key person away, or back). Each hand-over is an event of its own,
    so a task that comes back to someone tells them again."""
    now = now or timezone.now()
    task = entry.task
    if task.owner_id is None:
        return []
    handed = (task.assigned or now).isoformat()
    return _rows(entry, [task.owner], kind=Kind.TASK_REROUTED, event=f"t{task.pk}@{handed}",
                 subject="Passed to you: {title} ({child})", now=now)


def reminder_rows(entry: InboxEntry, claimers, *, now: dt.datetime) -> list[Notification]:
    # Keyed by the due date too: a task whose deadline moves is reminded again for the new one.
    return _rows(entry, recipients_of(entry, claimers), kind=Kind.TASK_REMINDER,
                 event=f"t{entry.task_id}@{entry.due_at.isoformat()}",
                 subject="Due soon: {title} ({child})", now=now)


def escalation_rows(entry: InboxEntry, claimers, *, now: dt.datetime) -> list[Notification]:
    managers = claimers.get(entry.setting_id, {}).get("escalation", [])
    return _rows(entry, managers, kind=Kind.TASK_ESCALATION, event=f"t{entry.task_id}@{entry.due_at.isoformat()}",
                 subject="Overdue: {title} ({child})", now=now)

"""The inbox: a user's open tasks, and the unassigned ones they may claim: approvals first, then soonest due.

One query for the rows whatever their number (everything the page shows is joined in), one for the count.
Both read only InboxEntry's own columns to choose rows (owner and open state are mirrored there from the
task), so each side of the OR is a range of a partial index (workflows.models.InboxEntry.Meta.indexes).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from processes.access import staff_of

from .models import InboxEntry, ProcessKind, TaskRole



@dataclass(frozen=True)
class InboxFilter:
    child_id: int | None = None
    kind: str | None = None
    room_id: int | None = None


def claimable_roles(staff) -> list[str]:
    roles = []
    if staff.is_manager:
        # A manager can pick up any unowned task, including a key-person task whose child has none yet.
        roles += [TaskRole.MANAGER, TaskRole.KEY_PERSON]
    if staff.is_senco:
        roles.append(TaskRole.SENCO)
    return roles


def inbox_entries(user, filters: InboxFilter | None = None) -> QuerySet[InboxEntry]:
    staff = staff_of(user)
    if staff is None:
        return InboxEntry.objects.none()
    mine = Q(owner_id=user.pk)
    roles = claimable_roles(staff)
    scope = mine | Q(owner__isnull=True, role__in=roles) if roles else mine
    entries = InboxEntry.objects.filter(scope, setting_id=staff.setting_id, is_open=True)
    filters = filters or InboxFilter()
    if filters.child_id:
        entries = entries.filter(child_id=filters.child_id)
    if filters.kind:
        entries = entries.filter(kind=filters.kind)
    if filters.room_id:
        entries = entries.filter(child__room_id=filters.room_id)
    return entries.select_related("task", "owner", "child__room").only(*INBOX_COLUMNS).order_by(*INBOX_ORDER)


# What the inbox page and the API show, and no more: fewer columns to read and fewer fields to build per row.
INBOX_COLUMNS = (
    "setting_id", "child_id", "role", "kind", "due_at", "priority", "owner_id", "is_open",
    "task__process_id", "task__flow_task", "task__status", "task__owner_id",
    "owner__username", "owner__first_name", "owner__last_name",
    "child__first_name", "child__last_name", "child__preferred_name", "child__state", "child__room_id",
    "child__room__name",  # the child's state too: django-fsm reads it whenever a Child is built
)


# Approvals first, then soonest due (undated last), then oldest task: the order of both partial indexes.
INBOX_ORDER = (F("priority").desc(), F("due_at").asc(nulls_last=True), "task_id")


def is_overdue(entry: InboxEntry, now: dt.datetime | None = None) -> bool:
    return bool(entry.due_at and entry.due_at < (now or timezone.now()))


KIND_CHOICES = ProcessKind.choices

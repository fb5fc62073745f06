"""The inbox: a user's open tasks, and the unassigned ones they may claim: approvals first, then soonest due.

One query for the rows whatever their number, one for the count, both on InboxEntry alone: everything the page
shows is copied on the row (workflows.models), so each side of the OR is a range of a partial index
(InboxEntry.Meta.indexes) and nothing is joined. Rows come back as plain values, not model instances: at 50
a page the instances would cost more than the query.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

from django.db.models import F, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from viewflow.workflow.status import STATUS

from processes.access import staff_of

from .models import InboxEntry, ProcessKind, TaskRole, node_title


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


def inbox_entries(user, filters: InboxFilter | None = None) -> QuerySet:
    """The rows of `user`'s inbox, in inbox order, as dicts of INBOX_COLUMNS: one table, no joins."""
    staff = staff_of(user)
    if staff is None:
        return InboxEntry.objects.none().values(*INBOX_COLUMNS)
    mine = Q(owner_id=user.pk)
    roles = claimable_roles(staff)
    scope = mine | Q(owner__isnull=True, role__in=roles) if roles else mine
    filters = filters or InboxFilter()
    chosen = {"child_id": filters.child_id, "kind": filters.kind, "room_id": filters.room_id}
    return _open_in_inbox_order().filter(scope, setting_id=staff.setting_id,
                                         **{name: value for name, value in chosen.items() if value})


# What the inbox page and the API show, and no more: all of it on the inbox row itself.
INBOX_COLUMNS = ("task_id", "process_id", "flow_task", "kind", "role", "child_id", "child_name", "room_name",
                 "due_at", "owner_id")

# Approvals first, then soonest due (undated last), then oldest task: the order of both partial indexes.
INBOX_ORDER = (F("priority").desc(), F("due_at").asc(nulls_last=True), "task_id")


@lru_cache(maxsize=1)
def _open_in_inbox_order() -> QuerySet:
    # Built once and only ever cloned: resolving the columns and the order again on every call cost more
    # than the database takes to answer (scripts/bench.py).
    return InboxEntry.objects.filter(is_open=True).order_by(*INBOX_ORDER).values(*INBOX_COLUMNS)


@dataclass(frozen=True)
class InboxRow:
    """One task as the inbox and the API show it."""

    task_id: int
    process_id: int
    title: str
    kind: str
    role: str
    status: str
    owner_id: int | None
    owner: str | None  # the owner's user name
    child_id: int
    child_name: str
    room_name: str
    due_at: dt.datetime | None
    overdue: bool

    @property
    def url(self) -> str:
        return task_url("task-detail", process_id=self.process_id, task_id=self.task_id)

    @property
    def claim_url(self) -> str:
        return task_url("task-claim", process_id=self.process_id, task_id=self.task_id)

    @property
    def release_url(self) -> str:
        return task_url("task-release", process_id=self.process_id, task_id=self.task_id)

    @property
    def kind_label(self) -> str:
        return ProcessKind(self.kind).label if self.kind in ProcessKind.values else self.kind


@lru_cache(maxsize=None)
def _url_pattern(name: str) -> str:
    # reverse() once per URL name, not once per row: an inbox page links every row twice, a sweep writes
    # thousands of notices.
    return reverse(name, args=[1234567, 7654321]).replace("1234567", "{p}").replace("7654321", "{t}")


def task_url(name: str, *, process_id: int, task_id: int) -> str:
    """The URL named `name` (task-detail, task-claim, task-release) of one task."""
    return _url_pattern(name).format(p=process_id, t=task_id)


def inbox_rows(values, user, now: dt.datetime | None = None) -> list[InboxRow]:
    """Rows of `inbox_entries(user)`: each is the user's own task or an unowned one they may claim."""
    now = now or timezone.now()
    me = user.get_username()
    return [
        InboxRow(task_id=v["task_id"], process_id=v["process_id"], title=node_title(v["flow_task"]), kind=v["kind"],
                 role=v["role"], status=STATUS.ASSIGNED if v["owner_id"] else STATUS.NEW, owner_id=v["owner_id"],
                 owner=me if v["owner_id"] else None, child_id=v["child_id"], child_name=v["child_name"],
                 room_name=v["room_name"], due_at=v["due_at"], overdue=is_overdue(v["due_at"], now))
        for v in values
    ]


def inbox_row_of(entry: InboxEntry) -> InboxRow:
    """One task's row, whatever its state, from its inbox entry with the task (and its owner) loaded."""
    task = entry.task
    return InboxRow(
        task_id=task.pk, process_id=entry.process_id, title=entry.title, kind=entry.kind,
        role=entry.role, status=task.status, owner_id=task.owner_id,
        owner=task.owner.get_username() if task.owner_id else None, child_id=entry.child_id,
        child_name=entry.child_name, room_name=entry.room_name, due_at=entry.due_at,
        overdue=entry.is_open and is_overdue(entry.due_at),
    )


def is_overdue(due_at: dt.datetime | None, now: dt.datetime | None = None) -> bool:
    return bool(due_at and due_at < (now or timezone.now()))


KIND_CHOICES = ProcessKind.choices

"""The inbox: a user's open tasks, and the unassigned ones they may claim: approvals first, then soonest due.

One query for the rows whatever their number, one for the count, both on InboxEntry alone: everything the page
shows is copied on the row (workflows.models), so each side of the OR is a range of a partial index
(InboxEntry.Meta.indexes) and nothing is joined. Rows come back as plain values, not model instances: at 50
a page the instances would cost more than the query. The SQL is written by hand (`_inbox_sql`) for the same
reason: building the queryset took longer in Python than the database takes to answer it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache

from django.db import connection
from django.db.models import Q
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
    if staff.is_dsl:
        roles.append(TaskRole.DSL)
    return roles


def inbox_entries(user, filters: InboxFilter | None = None) -> InboxQuery:
    """The rows of `user`'s inbox, in inbox order, as dicts of INBOX_COLUMNS: one table, no joins.

    Sliced (`[:50]`) or counted (`.count()`), as Django's Paginator and DRF's pagination do, it runs one query.
    """
    staff = staff_of(user)
    if staff is None:
        return InboxQuery(None)
    filters = filters or InboxFilter()
    return InboxQuery(_inbox_where(claimable_roles(staff), owner_id=user.pk, setting_id=staff.setting_id,
                                   filters=filters))


def inbox_choices(user) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """The children and the rooms the user's open tasks are about: what the inbox's filters offer. Children
    as a register lists them, "Surname, First name" in surname order. One query (it stands in for reading the
    setting's rooms), however many tasks; a child or room with nothing in the inbox is not worth offering."""
    staff = staff_of(user)
    if staff is None:
        return [], []
    roles = tuple(claimable_roles(staff))
    scope = Q(owner_id=user.pk) | Q(owner__isnull=True, role__in=roles) if roles else Q(owner_id=user.pk)
    pairs = (InboxEntry.objects.filter(scope, is_open=True, setting_id=staff.setting_id)
             .values_list("child_id", "child__last_name", "child__first_name", "room_id", "room_name").distinct())
    children, rooms = {}, {}
    for child_id, last_name, first_name, room_id, room_name in pairs:
        children[child_id] = f"{last_name}, {first_name}"
        if room_id:
            rooms[room_id] = room_name
    return (sorted(children.items(), key=lambda item: item[1].casefold()),
            sorted(rooms.items(), key=lambda item: item[1].casefold()))


# What the inbox page and the API show, and no more: all of it on the inbox row itself.
INBOX_COLUMNS = ("task_id", "process_id", "flow_task", "kind", "role", "child_id", "child_name", "room_name",
                 "due_at", "owner_id")

# Approvals first, then soonest due (undated last), then oldest task: the order of both partial indexes.
INBOX_ORDER = "priority DESC, due_at ASC NULLS LAST, task_id ASC"


def _inbox_where(roles: list[str], *, owner_id: int, setting_id: int, filters: InboxFilter) -> tuple[str, list]:
    """The WHERE clause of one user's inbox and its parameters: their own open tasks, and the unowned ones a
    role of theirs may claim, in their setting, narrowed by the filters that are set.

    `is_open` and `owner_id IS NULL` are written as the partial indexes' conditions are
    (InboxEntry.Meta.indexes), so that PostgreSQL sees each side of the OR is a range of one of them.
    """
    if roles:
        scope = f"(owner_id = %s OR (owner_id IS NULL AND role IN ({', '.join(['%s'] * len(roles))})))"
    else:
        scope = "owner_id = %s"
    where, params = [scope, "is_open", "setting_id = %s"], [owner_id, *map(str, roles), setting_id]
    for column, value in (("child_id", filters.child_id), ("kind", filters.kind), ("room_id", filters.room_id)):
        if value:
            where.append(f"{column} = %s")
            params.append(value)
    return " AND ".join(where), params


def _inbox_rows(where: str, params: list, limit: int | None, offset: int) -> list[dict]:
    """One page of the inbox, in inbox order, each row a dict of INBOX_COLUMNS as the ORM's values() gives it.

    Written as SQL because the inbox is the page every member of staff opens all day: the ORM's queryset cost
    more to build and compile than PostgreSQL takes to run it (scripts/bench.py). The text depends only on
    which filters are set and which roles may claim, so PostgreSQL prepares it once per connection
    (KEYFLOW_DB_PREPARED). tests/test_inbox.py compares it with the queryset it stands for.
    """
    # No limit: NULL on PostgreSQL; SQLite takes no OFFSET without a LIMIT, and -1 is none there.
    no_limit = -1 if connection.vendor == "sqlite" else None
    sql = (f"SELECT {', '.join(INBOX_COLUMNS)} FROM workflows_inboxentry WHERE {where} "
           f"ORDER BY {INBOX_ORDER} LIMIT %s OFFSET %s")
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, no_limit if limit is None else limit, offset])
        rows = cursor.fetchall()
    flow_task = InboxEntry._meta.get_field("flow_task")
    found = []
    for values in rows:
        row = dict(zip(INBOX_COLUMNS, values))
        row["flow_task"] = flow_task.from_db_value(row["flow_task"], None, connection)  # the node, as the ORM
        if row["due_at"] is not None and row["due_at"].tzinfo is None:  # SQLite keeps datetimes as naive UTC
            row["due_at"] = row["due_at"].replace(tzinfo=dt.UTC)
        found.append(row)
    return found


def _inbox_count(where: str, params: list) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM workflows_inboxentry WHERE {where}", params)
        return cursor.fetchone()[0]


class InboxQuery:
    """One user's inbox rows: sliceable and countable like the queryset it stands for, so Django's Paginator
    and DRF's LimitOffsetPagination take it as it is. Each slice or count is one query."""

    ordered = True  # Paginator warns about unordered lists

    def __init__(self, where: tuple[str, list] | None):
        self._where = where  # None: not staff, an empty inbox

    def _rows(self, limit: int | None = None, offset: int = 0) -> list[dict]:
        if self._where is None or limit == 0:
            return []
        return _inbox_rows(*self._where, limit, offset)

    def count(self) -> int:
        return _inbox_count(*self._where) if self._where is not None else 0

    def __getitem__(self, index):
        if isinstance(index, slice):
            if index.step not in (None, 1) or (index.start or 0) < 0 or (index.stop is not None and index.stop < 0):
                raise ValueError("The inbox takes forward slices only.")
            start = index.start or 0
            return self._rows(None if index.stop is None else max(index.stop - start, 0), start)
        if not isinstance(index, int) or index < 0:
            raise TypeError("The inbox is indexed by a non-negative int or a slice.")
        rows = self._rows(1, index)
        if not rows:
            raise IndexError("No such row in the inbox.")
        return rows[0]

    def __iter__(self):
        return iter(self._rows())


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


@cache
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

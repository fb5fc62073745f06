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

from django.db import connections, router
from django.db.models import F, Q
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


def inbox_entries(user, filters: InboxFilter | None = None) -> InboxQuery:
    """The rows of `user`'s inbox, in inbox order, as dicts of INBOX_COLUMNS: one table, no joins.

    Sliced (`[:50]`) or counted (`.count()`), as Django's Paginator and DRF's pagination do, it runs one query.
    """
    staff = staff_of(user)
    if staff is None:
        return InboxQuery(None, {})
    filters = filters or InboxFilter()
    chosen = {"child_id": filters.child_id, "kind": filters.kind, "room_id": filters.room_id}
    chosen = {name: value for name, value in chosen.items() if value}
    compiled = _compiled(connections[router.db_for_read(InboxEntry)], tuple(claimable_roles(staff)),
                         tuple(sorted(chosen)))
    return InboxQuery(compiled, {"owner_id": user.pk, "setting_id": staff.setting_id, **chosen})


# What the inbox page and the API show, and no more: all of it on the inbox row itself.
INBOX_COLUMNS = ("task_id", "process_id", "flow_task", "kind", "role", "child_id", "child_name", "room_name",
                 "due_at", "owner_id")

# Approvals first, then soonest due (undated last), then oldest task: the order of both partial indexes.
INBOX_ORDER = (F("priority").desc(), F("due_at").asc(nulls_last=True), "task_id")

# Stand-ins for the values that change from one call to the next, compiled into the SQL as parameters and
# swapped for the real ones on each call: never a real value.
_SLOTS = {"owner_id": -7_000_001, "setting_id": -7_000_002, "child_id": -7_000_003, "room_id": -7_000_004,
          "kind": "<kind slot>"}


@dataclass(frozen=True)
class _CompiledInbox:
    rows_sql: str
    count_sql: str
    params: tuple  # of the WHERE clause, in order; a slot's stand-in where a call's value goes
    slots: tuple  # per parameter, the name of its slot or None for a constant (a role)
    compiler: object  # Django's SQLCompiler of the rows query: it converts the values read (e.g. flow_task)
    converters: dict
    connection: object  # this thread's connection: the compiler and its converters are bound to it


@lru_cache(maxsize=64)
def _compiled(connection, roles: tuple[str, ...], filtered: tuple[str, ...]) -> _CompiledInbox:
    # The ORM builds and compiles the query once per shape (which roles may claim, which filters are set):
    # building and compiling it again on every call took longer than PostgreSQL takes to answer it
    # (scripts/bench.py). Same SQL, same converters as the queryset would run.
    mine = Q(owner_id=_SLOTS["owner_id"])
    scope = mine | Q(owner__isnull=True, role__in=roles) if roles else mine
    queryset = (InboxEntry.objects.filter(is_open=True).filter(scope, setting_id=_SLOTS["setting_id"],
                                                               **{name: _SLOTS[name] for name in filtered})
                .order_by(*INBOX_ORDER).values(*INBOX_COLUMNS))
    compiler = queryset.query.get_compiler(connection=connection)
    rows_sql, params = compiler.as_sql()
    where_sql, where_params = compiler.compile(compiler.where)
    assert tuple(where_params) == tuple(params), "the inbox query has parameters outside its WHERE clause"
    table = connection.ops.quote_name(InboxEntry._meta.db_table)
    by_value = {value: name for name, value in _SLOTS.items()}
    return _CompiledInbox(
        rows_sql=rows_sql, count_sql=f"SELECT COUNT(*) FROM {table} WHERE {where_sql}", params=tuple(params),
        slots=tuple(by_value.get(p) for p in params), compiler=compiler,
        converters=compiler.get_converters([column for column, _, _ in compiler.select]), connection=connection,
    )


class InboxQuery:
    """One user's inbox rows, read with SQL compiled once: sliceable and countable, like the queryset it stands
    for, so Django's Paginator and DRF's LimitOffsetPagination take it as it is."""

    ordered = True  # Paginator warns about unordered lists

    def __init__(self, compiled: _CompiledInbox | None, values: dict):
        self._compiled = compiled
        self._values = values

    def _params(self) -> list:
        c = self._compiled
        return [self._values[slot] if slot else constant for slot, constant in zip(c.slots, c.params)]

    def _fetch(self, sql: str, params: list) -> list:
        with self._compiled.connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def sql_with_params(self, limit: int | None = None, offset: int = 0) -> tuple[str, list]:
        """The rows' SQL and its parameters, as QuerySet.query.sql_with_params gives them (for EXPLAIN)."""
        c = self._compiled
        sql, params = c.rows_sql, self._params()
        if limit is not None or offset:
            # SQLite takes no OFFSET without a LIMIT (-1 is none there); PostgreSQL takes NULL for none.
            sql += " LIMIT %s OFFSET %s"
            params += [limit if limit is not None else (-1 if c.connection.vendor == "sqlite" else None), offset]
        return sql, params

    def _rows(self, limit: int | None = None, offset: int = 0) -> list[dict]:
        if self._compiled is None or limit == 0:
            return []
        rows = self._fetch(*self.sql_with_params(limit, offset))
        if self._compiled.converters:
            rows = self._compiled.compiler.apply_converters(rows, self._compiled.converters)
        return [dict(zip(INBOX_COLUMNS, row)) for row in rows]

    def count(self) -> int:
        if self._compiled is None:
            return 0
        return self._fetch(self._compiled.count_sql, self._params())[0][0]

    def __getitem__(self, index):
        if isinstance(index, slice):
            if index.step not in (None, 1) or (index.start or 0) < 0 or (index.stop is not None and index.stop < 0):
                raise ValueError("The inbox takes forward slices only.")
            start = index.start or 0
            stop = index.stop
            return self._rows(None if stop is None else max(stop - start, 0), start)
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

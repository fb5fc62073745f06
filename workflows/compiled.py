"""Querysets the ORM builds and compiles once, then runs again with other values.

On the paths every user takes many times a day (the inbox, the lock of a step, who a new task goes to),
building a queryset and compiling it to SQL took longer in Python than PostgreSQL takes to answer it
(scripts/bench.py). A CompiledQuery asks the ORM for the queryset once per connection and shape, with a
stand-in for each value that changes from call to call; each call sends that SQL with the stand-ins swapped
for its values, and turns the rows into values or model instances exactly as the queryset would (the same
converters, the same select_related population).

It leans on Django's compiler (`select`, `klass_info`, `get_converters`, `apply_converters`) as Django 5.2's
own ModelIterable does; tests compare every use with the queryset it stands for.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connections, router
from django.db.transaction import TransactionManagementError
from django.db.models import QuerySet
from django.db.models.query import get_related_populators

_stand_in_numbers = itertools.count(7_000_001)


def _stand_in(name: str, value: Any) -> Any:
    # A value no caller ever passes, unique to this slot, of the type the field's lookup expects.
    n = next(_stand_in_numbers)
    if isinstance(value, bool) or value is None:
        raise TypeError(f"{name}: a bool or None changes the SQL itself; make it part of the shape")
    if isinstance(value, int):
        return -n
    if isinstance(value, dt.datetime):
        return dt.datetime(1, 1, 1, tzinfo=dt.timezone.utc) + dt.timedelta(seconds=n)
    if isinstance(value, dt.date):
        return dt.date(1, 1, 1) + dt.timedelta(days=n % 300_000)
    if isinstance(value, str):
        return f"<stand-in {n} for {name}>"
    raise TypeError(f"{name}: no stand-in for a {type(value).__name__}")


@dataclass
class _Compiled:
    sql: str
    params: tuple
    slots: tuple  # per parameter: the name of the value that goes there, or None for a constant
    compiler: Any
    converters: dict
    count_sql: str | None  # SELECT COUNT(*) with the same WHERE clause: a query on one table only
    count_params: tuple
    count_slots: tuple
    for_update: bool
    instances: _Instances | None = None  # worked out on the first instances() call

    def bind(self, values: dict, slots: tuple | None = None, params: tuple | None = None) -> list:
        slots, params = (self.slots, self.params) if slots is None else (slots, params)
        return [values[slot] if slot else constant for slot, constant in zip(slots, params)]


class _Instances:
    """How ModelIterable turns a row into a model instance and its select_related relations, worked out once."""

    def __init__(self, compiler, alias: str):
        klass_info, select = compiler.klass_info, compiler.select
        self.start, self.end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        self.model = klass_info["model"]
        self.names = [f[0].target.attname for f in select[self.start:self.end]]
        self.populators = get_related_populators(klass_info, select, alias)
        self.annotations = compiler.annotation_col_map
        self.alias = alias

    def of(self, row):
        obj = self.model.from_db(self.alias, self.names, row[self.start:self.end])
        for populator in self.populators:
            populator.populate(row, obj)
        for name, position in self.annotations.items():
            setattr(obj, name, row[position])
        return obj


class CompiledQuery:
    """`build(*shape, **stand_ins)` returns the queryset; call `rows`, `instances` or `count` with the values.

    The shape is whatever changes the SQL itself (which filters are set, which roles may claim): one compiled
    statement per shape and connection. A value must never be None or a bool: those belong to the shape. The
    queryset is not sliced: `rows` takes the LIMIT and OFFSET as parameters.
    """

    def __init__(self, model, build: Callable[..., QuerySet], *, for_write: bool = False):
        self._model = model
        self._build = build
        self._route = router.db_for_write if for_write else router.db_for_read

    def _compiled(self, shape: tuple, values: dict) -> tuple[Any, _Compiled]:
        connection = connections[self._route(self._model)]
        # Kept on the connection (one per thread): the compiler and its converters are bound to it, and they go
        # when it goes, with its thread.
        known = connection.__dict__.setdefault("keyflow_compiled_queries", {})
        key = (self, shape, *sorted(values))  # self, not id(self): an id is reused once its object is gone
        compiled = known.get(key)
        if compiled is None:
            compiled = known[key] = self._compile(connection, shape, values)
        return connection, compiled

    def _compile(self, connection, shape: tuple, values: dict) -> _Compiled:
        stand_ins = {name: _stand_in(name, value) for name, value in values.items()}
        queryset = self._build(*shape, **stand_ins)
        compiler = queryset.query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        by_value = {stand_in: name for name, stand_in in stand_ins.items()}
        count_sql, count_params = None, ()
        query = queryset.query
        if sum(1 for alias in query.alias_map if query.alias_refcount[alias]) == 1:
            where_sql, count_params = compiler.compile(compiler.where)
            table = connection.ops.quote_name(queryset.model._meta.db_table)
            count_sql = f"SELECT COUNT(*) FROM {table}" + (f" WHERE {where_sql}" if where_sql else "")
        compiled = _Compiled(
            sql=sql, params=tuple(params), slots=tuple(by_value.get(p) for p in params), compiler=compiler,
            converters=compiler.get_converters([column for column, _, _ in compiler.select]),
            count_sql=count_sql, count_params=tuple(count_params),
            count_slots=tuple(by_value.get(p) for p in count_params), for_update=query.select_for_update,
        )
        if set(values) - set(compiled.slots):
            raise ValueError(f"the query does not use {sorted(set(values) - set(compiled.slots))}")
        return compiled

    def sql_with_params(self, *, shape: tuple = (), limit: int | None = None, offset: int = 0,
                        **values) -> tuple[str, list]:
        """The SQL a call sends and its parameters (for EXPLAIN); LIMIT/OFFSET as parameters when given."""
        return self._statement(*self._compiled(shape, values), values, limit, offset)

    @staticmethod
    def _statement(connection, c: _Compiled, values: dict, limit: int | None, offset: int) -> tuple[str, list]:
        sql, params = c.sql, c.bind(values)
        if limit is not None or offset:
            # SQLite takes no OFFSET without a LIMIT (-1 is none there); PostgreSQL takes NULL for none.
            sql += " LIMIT %s OFFSET %s"
            params += [limit if limit is not None else (-1 if connection.vendor == "sqlite" else None), offset]
        return sql, params

    def _fetch(self, shape: tuple, values: dict, limit: int | None = None, offset: int = 0):
        connection, c = self._compiled(shape, values)
        if c.for_update and connection.get_autocommit():
            # As the queryset does on PostgreSQL (a lock taken outside a transaction is let go at once), and
            # on SQLite too, so the mistake shows in development.
            raise TransactionManagementError("select_for_update cannot be used outside of a transaction.")
        with connection.cursor() as cursor:
            cursor.execute(*self._statement(connection, c, values, limit, offset))
            rows = cursor.fetchall()
        if c.converters:
            rows = list(c.compiler.apply_converters(rows, c.converters))
        return connection, c, rows

    def rows(self, *, shape: tuple = (), limit: int | None = None, offset: int = 0, **values) -> list[tuple]:
        """The rows as tuples, in the order of the queryset's values() (or of its columns)."""
        return self._fetch(shape, values, limit, offset)[2]

    def instances(self, *, shape: tuple = (), **values) -> list:
        """Model instances with their select_related relations, as iterating the queryset gives them."""
        connection, c, rows = self._fetch(shape, values)
        if c.instances is None:
            c.instances = _Instances(c.compiler, connection.alias)
        return [c.instances.of(row) for row in rows]

    def count(self, *, shape: tuple = (), **values) -> int:
        connection, c = self._compiled(shape, values)
        if c.count_sql is None:
            raise TypeError("count() is for a query on one table")
        with connection.cursor() as cursor:
            cursor.execute(c.count_sql, c.bind(values, c.count_slots, c.count_params))
            return cursor.fetchone()[0]

"""Model instances from the rows of hand-written SQL, as the ORM would give them.

Keyflow writes two of its hot reads by hand and needs model instances back (a step's locked read,
workflows.locking; who a new task goes to, workflows.routing): the flows use and save them as any others.
`Columns` names one table's columns in a SELECT and turns its share of a row back into an instance with
`Model.from_db`, the documented way to build an instance from database values. Two kinds of value need
converting on the way, as the ORM converts them: a field with its own `from_db_value` (JSON, viewflow's flow
and node references) and a datetime read from SQLite, which Django stores there as naive UTC text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from itertools import islice

from django.db import models


class Columns:
    """Columns of `model`'s own table under `alias` in a SELECT: all of them, or the fields named (the primary
    key first). Fields the model inherits from a parent table are not among them: see `load(parent=...)`."""

    def __init__(self, model: type[models.Model], alias: str, names: tuple[str, ...] | None = None) -> None:
        if names is None:
            fields = [f for f in model._meta.concrete_fields if f.model is model]
        else:
            fields = [model._meta.get_field(name) for name in names]
        if not fields[0].primary_key:
            raise ValueError(f"{model.__name__}: the primary key comes first (a missing row reads as NULL there)")
        self.model = model
        self.fields = fields
        self.sql = ", ".join(f"{alias}.{field.column}" for field in fields)
        self._names = [f.attname for f in fields]
        self._inherited = [f.attname for f in model._meta.concrete_fields if f.model is not model]
        self._datetimes = [i for i, f in enumerate(fields) if isinstance(f, models.DateTimeField)]
        self._from_db = [(i, f) for i, f in enumerate(fields) if hasattr(f, "from_db_value")]

    def load(self, row: Iterator, connection, *, parent: models.Model | None = None) -> models.Model | None:
        """The instance made of the next columns of `row` (an iterator over one row, consumed as it goes);
        None when the row has none (an outer join that found nothing). `parent`: the instance of the parent
        table (multi-table inheritance), already loaded from the same row, whose values the child shares."""
        values = list(islice(row, len(self.fields)))
        if values[0] is None:
            return None
        for i in self._datetimes:
            if values[i] is not None and values[i].tzinfo is None:
                values[i] = values[i].replace(tzinfo=dt.UTC)
        for i, field in self._from_db:
            if values[i] is not None:
                values[i] = field.from_db_value(values[i], None, connection)
        if parent is None:
            return self.model.from_db(connection.alias, self._names, values)
        inherited = [getattr(parent, name) for name in self._inherited]
        return self.model.from_db(connection.alias, self._inherited + self._names, inherited + values)

"""What the demo builder carries from one child to the next: today, the seeded generator, the setting, its
rooms, staff and families as built so far."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

from processes.models import AssignmentRole, Child, Guardian, Room, Setting, Staff


class DemoError(Exception):
    """The demo cannot be built as asked (e.g. a demo username is taken by somebody else)."""


@dataclass
class ChildSpec:
    first_name: str
    last_name: str
    family: str
    room: str
    age: float
    stage: str
    pattern: str
    language: str
    extras: dict[str, Any]
    date_of_birth: dt.date = dt.date.min
    start_date: dt.date | None = None

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"


@dataclass
class DemoContext:
    today: dt.date
    rng: random.Random
    setting: Setting
    rooms: dict[str, Room]
    staff: dict[str, Staff]
    buddies: dict[str, str]
    families: dict[str, list[tuple[Guardian, tuple]]] = field(default_factory=dict)
    phones: int = 0

    @property
    def manager(self):
        return self.staff["manager"].user

    @property
    def senco(self):
        return self.staff["senco"].user

    def primary_of(self, child: Child) -> Staff | None:
        assignment = child.assignments.current().filter(role=AssignmentRole.PRIMARY).select_related(
            "staff__user").first()
        return assignment.staff if assignment else None

    def parent_with_responsibility(self, spec: ChildSpec) -> Guardian:
        return next(guardian for guardian, row in self.families[spec.family] if row[3])

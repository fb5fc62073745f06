"""Driving the room move and the change of key person in tests: a settled child, a move walked step by step."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from processes import services
from processes.models import AssignmentRole

from .factories import ChildFactory, ChildGuardianFactory, RoomFactory, StaffFactory
from .flowkit import complete, the_task, visit_rows

TODAY = timezone.localdate


def settled_child(setting, room, manager, primary, secondary, **extra):
    child = ChildFactory(setting=setting, room=room, start_date=TODAY() - dt.timedelta(days=200), **extra)
    ChildGuardianFactory(child=child)
    services.key_person_assign(child=child, staff=primary, role=AssignmentRole.PRIMARY, by=manager.user)
    services.key_person_assign(child=child, staff=secondary, role=AssignmentRole.SECONDARY, by=manager.user)
    for step in ("allocate", "begin_settling_in", "settle"):
        services.child_transition(child=child, transition=step, by=manager.user)
    return child


@pytest.fixture
def preschool(setting):
    return RoomFactory(setting=setting, name="Pre-school", min_age_months=36, max_age_months=60)


@pytest.fixture
def new_key_person(setting, preschool):
    return StaffFactory(setting=setting, room=preschool, user__username="newkp", user__first_name="Nadia",
                        user__last_name="New")


@pytest.fixture
def new_secondary(setting, preschool):
    return StaffFactory(setting=setting, room=preschool, user__username="newsecondary")


@pytest.fixture
def settled(setting, room, manager, key_person, other_key_person):
    return settled_child(setting, room, manager, key_person, other_key_person, first_name="Maya")


def plan_move(child, manager, to_room, *, on=None, why="Turning three"):
    return services.room_move_plan(child=child, to_room=to_room, planned_on=on or TODAY(), why=why, by=manager.user)


def choose(child, manager, primary, secondary):
    complete(the_task(child, "choose_key_persons"), manager.user, primary=primary.pk, secondary=secondary.pk)


def visits_today(n: int = 2) -> dict:
    """Visits all today (so they can be recorded at once), growing longer, the key person along at first."""
    lines = "\n".join(f"{TODAY()} {9 + i}:00 {30 * (i + 1)}" + (" with parent" if i == 0 else "") for i in range(n))
    return visit_rows(lines)


def plan_and_record_visits(child, by, n: int = 2):
    complete(the_task(child, "plan_visits"), by, **visits_today(n))
    for _ in range(n):
        complete(the_task(child, "record_visit"), by, how_it_went="Played at the sand tray, waved off happily")


def meeting_data() -> dict:
    when = timezone.localtime() + dt.timedelta(days=1)
    return {"starts_at": when.strftime("%Y-%m-%d %H:%M"), "duration_minutes": 30, "location": "Pre-school room"}


HANDOVER = {"routines": "Nap after lunch", "sleep": "Sleeps with the blue blanket", "comforters": "Blue blanket",
            "interests": "Trains and puddles", "what_helps": "A heads-up before changes", "next_steps": "Sharing"}

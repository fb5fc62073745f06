"""The demo's dates, relative to today: ages that fit each room, start dates that fit each stage, the school
year a pre-schooler leaves in. Month arithmetic is processes.deadlines'; the school calendar is the demo's own
story (nothing else in Keyflow needs it).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from processes.deadlines import months_after
from processes.models import Child, LifecycleState

from .context import ChildSpec, DemoContext
from .data import ROOMS, SCHOOLS

S = LifecycleState


def date_of_birth_in(ctx: DemoContext, *, room: str, age: float) -> dt.date:
    """A date of birth `age` of the way through the room's age range, as of today.

    The pre-school's oldest are bounded by school, not by 60 months: a child goes to reception in the
    September after their fourth birthday, so nobody born before the current school year's leavers is here.
    """
    _name, low, high, _ratio, leaves_for_school = ROOMS[room]
    youngest = months_after(ctx.today, -low)
    oldest = months_after(ctx.today, -high) + dt.timedelta(days=1)
    if leaves_for_school:
        oldest = max(oldest, dt.date(_leavers_year(ctx.today) - 5, 9, 1))
    span = (youngest - oldest).days
    offset = min(max(round(age * span) + ctx.rng.randint(-5, 5), 0), span)
    return youngest - dt.timedelta(days=offset)


def start_date_for(ctx: DemoContext, *, stage: str, date_of_birth: dt.date) -> dt.date:
    today, rng = ctx.today, ctx.rng
    if stage in (S.REGISTERED, S.WITHDRAWN):
        return _monday_on_or_after(today + dt.timedelta(days=rng.randint(21, 63)))
    if stage == S.ALLOCATED:
        return _monday_on_or_after(today + dt.timedelta(days=rng.randint(3, 10)))
    if stage == S.SETTLING_IN:
        start = _monday_on_or_before(today - dt.timedelta(days=rng.randint(5, 18)))
    else:  # settled some while ago, having started at six months old or more
        latest = today - dt.timedelta(days=70)
        earliest = min(max(date_of_birth + dt.timedelta(days=190), today - dt.timedelta(days=3 * 365)), latest)
        start = _monday_on_or_before(earliest + dt.timedelta(days=rng.randint(0, (latest - earliest).days)))
    return start if start > date_of_birth else _monday_on_or_after(date_of_birth + dt.timedelta(days=1))


def school_leaving_details(ctx: DemoContext, spec: ChildSpec) -> dict[str, Any]:
    """Pre-schoolers leave at the end of the summer term before reception; the year leaving next summer
    already knows its school."""
    year = _school_start_year(spec.date_of_birth)
    leaving = _summer_term_end(year)
    if leaving <= ctx.today:  # the summer holidays: a day nursery keeps them until school starts
        leaving = max(_last_weekday_of_august(year), ctx.today + dt.timedelta(days=1))
    details: dict[str, Any] = {"expected_leaving_date": leaving}
    if year == _leavers_year(ctx.today):
        details["destination_school"] = ctx.rng.choice(SCHOOLS)
    return details


def _leavers_year(today: dt.date) -> int:
    """The year of the summer in which the current school year's leavers go."""
    return today.year + 1 if today.month >= 9 else today.year


def _school_start_year(date_of_birth: dt.date) -> int:
    return date_of_birth.year + (5 if date_of_birth.month >= 9 else 4)


def _summer_term_end(year: int) -> dt.date:
    day = dt.date(year, 7, 22)
    return day - dt.timedelta(days=(day.weekday() - 4) % 7)  # the Friday on or before 22 July


def _last_weekday_of_august(year: int) -> dt.date:
    day = dt.date(year, 8, 31)
    return day - dt.timedelta(days=max(day.weekday() - 4, 0))


def _monday_on_or_after(day: dt.date) -> dt.date:
    return day + dt.timedelta(days=(7 - day.weekday()) % 7)


def _monday_on_or_before(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def assignment_start(ctx: DemoContext, child: Child) -> dt.date:
    """Allocated a fortnight before the first day; a child starting soon is allocated today."""
    if child.start_date is None:
        return ctx.today
    return min(child.start_date - dt.timedelta(days=14), ctx.today)


def moment(ctx: DemoContext, day: dt.date, hour: int, minute: int) -> dt.datetime:
    """A time of day on `day`, in the setting's time zone, never later than now."""
    moment = timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))
    return min(moment, timezone.now())

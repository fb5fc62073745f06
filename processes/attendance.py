"""Absence: who to follow up today, and the patterns worth a key person's notice.

Seed 001 asks the key person system to monitor "patterns of absence"; the EYFS (from September 2025) asks a
setting for an attendance policy on prolonged absence and children not brought. What Keyflow does about it,
and what stays the setting's call, is in the README ("Absence follow-up").
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from .models import Child, ChildAttendance, FollowUpKind, Setting
from .models.children import ATTENDING
from .register import expected_on
from .sessions import DAY_NAMES

# How far back an unexplained run of absence is counted, and a pattern looked for.
LOOK_BACK_DAYS = 84
RECENT_DAYS = 28


def _unexplained(row: ChildAttendance | None) -> bool:
    return row is None or (row.signed_in_at is None and not row.absence_reason)


@dataclass(frozen=True)
class FollowUpDue:
    child: Child
    kind: str
    days_absent: int


def follow_ups_due(setting: Setting, day: dt.date) -> list[FollowUpDue]:
    """Children expected on `day`, not signed in and with no reason given: the key person contacts the parents.
    Once a run of unexplained absence reaches the setting's number of days (and every as many days after),
    the manager and the designated safeguarding lead check on the child's welfare. Two queries."""
    children = [c for c in Child.objects.filter(setting=setting, state__in=ATTENDING, start_date__lte=day)
                if expected_on(c, day, setting)]
    rows: dict[int, dict[dt.date, ChildAttendance]] = defaultdict(dict)
    for row in ChildAttendance.objects.filter(child__in=[c.pk for c in children],
                                              day__range=(day - dt.timedelta(days=LOOK_BACK_DAYS), day)):
        rows[row.child_id][row.day] = row
    due = []
    threshold = max(1, setting.absence_welfare_days)
    for child in children:
        if not _unexplained(rows[child.pk].get(day)):
            continue
        run = 0
        on = day
        while on >= max(child.start_date, day - dt.timedelta(days=LOOK_BACK_DAYS)):
            if expected_on(child, on, setting):
                if not _unexplained(rows[child.pk].get(on)):
                    break
                run += 1
            on -= dt.timedelta(days=1)
        due.append(FollowUpDue(child, FollowUpKind.CONTACT, run))
        if run >= threshold and run % threshold == 0:
            due.append(FollowUpDue(child, FollowUpKind.WELFARE, run))
    return due


@dataclass(frozen=True)
class Pattern:
    expected: int
    attended: int
    recent_rate: float | None
    earlier_rate: float | None
    notes: tuple[str, ...]


def _rate(days: list[tuple[dt.date, bool]]) -> float | None:
    return sum(came for _, came in days) / len(days) if days else None


def attendance_pattern(child: Child, *, today: dt.date | None = None) -> Pattern:
    """The child's attendance over the last twelve weeks, with what stands out: a weekday they are often
    missing on (three or more times, and at least half of those days), or a rate falling by a fifth or more in
    the last four weeks against the eight before. One query."""
    today = today or timezone.localdate()
    start = max(child.start_date or today, today - dt.timedelta(days=LOOK_BACK_DAYS))
    came = set(ChildAttendance.objects.filter(child=child, day__range=(start, today - dt.timedelta(days=1)))
               .filter(~Q(signed_in_at=None)).values_list("day", flat=True))
    setting = child.setting
    days = [(start + dt.timedelta(days=i), start + dt.timedelta(days=i) in came)
            for i in range((today - start).days) if expected_on(child, start + dt.timedelta(days=i), setting)]
    notes = []
    by_weekday: dict[int, list[bool]] = defaultdict(list)
    for day, attended in days:
        by_weekday[day.weekday()].append(attended)
    for weekday, marks in sorted(by_weekday.items()):
        missed = marks.count(False)
        if missed >= 3 and missed * 2 >= len(marks):
            notes.append(f"Often absent on {DAY_NAMES[weekday]}s ({missed} of the last {len(marks)})")
    split = today - dt.timedelta(days=RECENT_DAYS)
    recent = _rate([d for d in days if d[0] >= split])
    earlier = _rate([d for d in days if d[0] < split])
    if recent is not None and earlier is not None and earlier - recent >= 0.2:
        notes.append(f"Attendance falling: {recent:.0%} in the last four weeks, {earlier:.0%} before")
    return Pattern(expected=len(days), attended=sum(a for _, a in days), recent_rate=recent, earlier_rate=earlier,
                   notes=tuple(notes))

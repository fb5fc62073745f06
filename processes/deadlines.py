"""Every deadline in the key person workflows, computed here and nowhere else.

The inbox's due dates and (later) the reminders both read these, so a policy change is one edit.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from .models import Child, Setting

# A key person should be in place a week before the first day, leaving time to introduce them to the
# parents "before or on the child's first day" (seed policies 003 and 004).
ALLOCATION_LEAD = dt.timedelta(days=7)
END_OF_DAY = dt.time(17, 30)


def at_end_of(day: dt.date) -> dt.datetime:
    """Close of the nursery day on `day`, as an aware datetime in the setting's time zone."""
    return timezone.make_aware(dt.datetime.combine(day, END_OF_DAY))


def _start(child: Child) -> dt.date:
    return child.start_date or timezone.localdate()


def allocation_due(child: Child) -> dt.datetime:
    return at_end_of(_start(child) - ALLOCATION_LEAD)


def introduction_due(child: Child) -> dt.datetime:
    # EYFS and the seeds: parents meet the key person on or before the first day.
    return at_end_of(_start(child))


def all_about_me_due(child: Child) -> dt.datetime:
    return at_end_of(_start(child))


def settling_plan_due(child: Child) -> dt.datetime:
    return at_end_of(_start(child) - dt.timedelta(days=1))


def settling_session_due(session_date: dt.date) -> dt.datetime:
    return at_end_of(session_date)


def settling_review_date(child: Child, setting: Setting) -> dt.date:
    return _start(child) + dt.timedelta(weeks=setting.settling_review_weeks)


def settling_review_due(review_on: dt.date) -> dt.datetime:
    return at_end_of(review_on)


def room_move_due_on(child: Child) -> dt.date | None:
    """The day the child reaches the top of their room's age range: a room transition falls due."""
    if child.room is None:
        return None
    months = child.date_of_birth.month - 1 + child.room.max_age_months
    year, month = child.date_of_birth.year + months // 12, months % 12 + 1
    day = min(child.date_of_birth.day, 28 if month == 2 else 30 if month in (4, 6, 9, 11) else 31)
    return dt.date(year, month, day)

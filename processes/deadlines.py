"""Every deadline in the key person workflows, computed here and nowhere else.

The inbox's due dates and the reminders (notifications.sweeps) both read these, so a policy change is one edit.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from .models import Child, Setting

# A key person should be in place a week before the first day, leaving time to introduce them to the
# parents "before or on the child's first day" (seed policies 003 and 004).
ALLOCATION_LEAD = dt.timedelta(days=7)
END_OF_DAY = dt.time(17, 30)


def open_day_on_or_before(day: dt.date, setting: Setting | None) -> dt.date:
    """The last day on or before `day` the setting is open. A deadline moves earlier, never later: nobody
    works at a closed nursery, and "on or before the first day" must still hold (seed policies 003, 004)."""
    open_days = setting.open_weekdays if setting is not None else Setting.WEEKDAYS
    for back in range(7):
        candidate = day - dt.timedelta(days=back)
        if candidate.isoweekday() in open_days:
            return candidate
    return day  # a setting open on no day at all: leave the policy's date alone


def at_end_of(day: dt.date, setting: Setting | None = None) -> dt.datetime:
    """Close of the nursery day on `day` (or the open day before it), as an aware datetime in the setting's
    time zone. Without a setting, Monday to Friday (the default)."""
    return timezone.make_aware(dt.datetime.combine(open_day_on_or_before(day, setting), END_OF_DAY))


def _start(child: Child) -> dt.date:
    return child.start_date or timezone.localdate()


def allocation_due(child: Child) -> dt.datetime:
    return at_end_of(_start(child) - ALLOCATION_LEAD, child.setting)


def introduction_due(child: Child) -> dt.datetime:
    # EYFS and the seeds: parents meet the key person on or before the first day.
    return at_end_of(_start(child), child.setting)


def all_about_me_due(child: Child) -> dt.datetime:
    return at_end_of(_start(child), child.setting)


def settling_plan_due(child: Child) -> dt.datetime:
    return at_end_of(_start(child) - dt.timedelta(days=1), child.setting)


def settling_session_due(session_date: dt.date, setting: Setting | None = None) -> dt.datetime:
    return at_end_of(session_date, setting)


def settling_review_date(child: Child, setting: Setting) -> dt.date:
    return _start(child) + dt.timedelta(weeks=setting.settling_review_weeks)


def settling_review_due(review_on: dt.date, setting: Setting | None = None) -> dt.datetime:
    return at_end_of(review_on, setting)


# A step of a room move or a change of key person that waits on nothing but the person (choose the key persons,
# plan the visits, hand over): due within a few days, so the child's move keeps its pace.
TRANSITION_STEP_WITHIN = dt.timedelta(days=3)


def room_move_step_due(setting: Setting | None = None) -> dt.datetime:
    return at_end_of(timezone.localdate() + TRANSITION_STEP_WITHIN, setting)


# --- Special educational needs (SEND Code of Practice 0-25) -------------------------------------------------

# An SEN step waiting on the SENCO (the "approval" steps) is due this long after it lands in their inbox, so
# the oldest waiting approval is also the most urgent one.
SENCO_RESPONSE = dt.timedelta(days=5)
# A key person tells the parents about a concern within a few days of raising it.
PARENTS_TOLD_WITHIN = dt.timedelta(days=3)
REFERRAL_CHASE = dt.timedelta(weeks=4)
# The local authority decides whether to assess within six weeks of the request and issues the final EHC plan
# within twenty weeks of it (SEND Code 9.14 and 9.40).
EHC_DECISION_WITHIN = dt.timedelta(weeks=6)
EHC_PLAN_WITHIN = dt.timedelta(weeks=20)


def _today() -> dt.date:
    return timezone.localdate()


def senco_response_due(*, since: dt.datetime | None = None, setting: Setting | None = None) -> dt.datetime:
    since = timezone.localtime(since) if since else timezone.localtime()
    return at_end_of(since.date() + SENCO_RESPONSE, setting)


def sen_parents_told_due(setting: Setting | None = None) -> dt.datetime:
    return at_end_of(_today() + PARENTS_TOLD_WITHIN, setting)


def sen_task_due(*, weeks: int = 1, setting: Setting | None = None) -> dt.datetime:
    return at_end_of(_today() + dt.timedelta(weeks=weeks), setting)


def consent_follow_up_date(setting: Setting, *, declined_on: dt.date | None = None) -> dt.date:
    return (declined_on or _today()) + dt.timedelta(weeks=setting.consent_follow_up_weeks)


def sen_review_date(setting: Setting, *, starts_on: dt.date | None = None) -> dt.date:
    return (starts_on or _today()) + dt.timedelta(weeks=setting.sen_review_weeks)


def referral_chase_due(setting: Setting | None = None) -> dt.datetime:
    return at_end_of(_today() + REFERRAL_CHASE, setting)


def ehc_decision_due_on(requested_on: dt.date) -> dt.date:
    return requested_on + EHC_DECISION_WITHIN


def ehc_plan_due_on(requested_on: dt.date) -> dt.date:
    return requested_on + EHC_PLAN_WITHIN


# --- Reminders, escalations and lifecycle dates (notifications) -------------------------------------------
# The sweeps in notifications/ ask these when a reminder or an escalation is due, so a setting's policy is
# applied in one place. Each setting may change the lead time and the margin (notifications.NotificationPolicy).

REMINDER_LEAD = dt.timedelta(hours=24)
ESCALATION_MARGIN = dt.timedelta(hours=48)
# EYFS 2.3: the progress check at age two is made "when a child is aged between two and three".
TWO_YEAR_CHECK_FROM_MONTHS = 24
TWO_YEAR_CHECK_BY_MONTHS = 36
# How far ahead the manager is told of a leaving date or a room move by age: time to plan the handover.
LIFECYCLE_NOTICE = dt.timedelta(days=28)


def reminder_window(now: dt.datetime, lead: dt.timedelta = REMINDER_LEAD) -> tuple[dt.datetime, dt.datetime]:
    """A task due in (now, now + lead] is reminded now."""
    return now, now + lead


def escalation_cutoff(now: dt.datetime, margin: dt.timedelta = ESCALATION_MARGIN) -> dt.datetime:
    """A task due before this is overdue by more than the margin: the manager is told."""
    return now - margin


def months_after(day: dt.date, months: int) -> dt.date:
    """The same day of the month `months` later (the last day of a shorter month)."""
    import calendar

    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def two_year_check_window(date_of_birth: dt.date) -> tuple[dt.date, dt.date]:
    """From the second birthday to the day before the third: when the progress check is made."""
    return (months_after(date_of_birth, TWO_YEAR_CHECK_FROM_MONTHS),
            months_after(date_of_birth, TWO_YEAR_CHECK_BY_MONTHS) - dt.timedelta(days=1))


def two_year_check_births(today: dt.date) -> tuple[dt.date, dt.date]:
    """Dates of birth of the children whose two-year check window is open today (inclusive range)."""
    return (months_after(today, -TWO_YEAR_CHECK_BY_MONTHS) + dt.timedelta(days=1),
            months_after(today, -TWO_YEAR_CHECK_FROM_MONTHS))


def room_move_due_on(date_of_birth: dt.date, room_max_age_months: int) -> dt.date:
    """The day a child outgrows their room's age range."""
    return months_after(date_of_birth, room_max_age_months)


def lifecycle_notice_until(today: dt.date, notice: dt.timedelta = LIFECYCLE_NOTICE) -> dt.date:
    """Leaving dates and room moves up to this day are announced today."""
    return today + notice


# An injury pattern is looked at within two working days: long enough to talk to the parents at collection.
INJURY_PATTERN_LOOK_WITHIN = dt.timedelta(days=2)


def injury_pattern_due(setting: Setting | None = None) -> dt.datetime:
    return at_end_of(_today() + INJURY_PATTERN_LOOK_WITHIN, setting)


def supervision_next_on(setting: Setting, *, after: dt.date) -> dt.date:
    """Seed 003 §6: regular supervision; every `Setting.supervision_every_weeks` (a term by default)."""
    return open_day_on_or_before(after + dt.timedelta(weeks=setting.supervision_every_weeks), setting)


# Leaving (issue 18 part 3): the report four weeks before the last day, the meeting with the parents three,
# the pack two (time for the school's office to open it), the learning record on the last day (seed 002).
LEAVING_WEEKS_BEFORE = {"report": 4, "meeting": 3, "pack": 2, "receipt": 1, "learning_record": 0}


def leaving_step_due(leaving_on: dt.date, step: str, setting: Setting | None = None) -> dt.datetime:
    """A leaving step's deadline, counted back from the leaving date; never before the next open day."""
    day = leaving_on - dt.timedelta(weeks=LEAVING_WEEKS_BEFORE[step])
    return at_end_of(max(day, _today() + dt.timedelta(days=1)), setting)

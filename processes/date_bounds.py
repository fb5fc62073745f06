"""The bounds a date a person enters must lie within, and the message that says why it does not.

A date is checked against what it belongs to: nothing about a child happens before their birth, nor before
the record it follows (a concern's start, a plan's first day, a referral's sending); a thing that has
happened is not in the future; a thing planned lies ahead, but not absurdly far (a mistyped year).
The services call `date_check`; a form may repeat it to say so early.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Literal

from django.utils import timezone

from .errors import RuleViolation
from .models import Child

# Nothing a setting plans for a child lies further ahead than this: a date beyond it is a mistyped year.
FAR_AHEAD = dt.timedelta(days=366)

When = Literal["past", "future", "any"]


def _on(day: dt.date) -> str:
    return f"{day:%d %b %Y}"


def date_check(
    day: dt.date, *, what: str, field: str, when: When = "past", child: Child | None = None,
    not_before: Iterable[tuple[dt.date | None, str]] = (), far_ahead: dt.timedelta = FAR_AHEAD,
) -> None:
    """Refuse `day` (a RuleViolation on `field`, naming `what` and the bound it breaks) unless it lies:

    - `when`: "past" today or before (it has happened), "future" after today (it is planned), "any" either;
    - not before the child's birth (`child`), nor before any (bound, "what the bound is") in `not_before`;
    - not more than `far_ahead` after today.
    """
    today = timezone.localdate()
    if child is not None and day < child.date_of_birth:
        raise RuleViolation(f"{what} ({_on(day)}) cannot be before {child.name} was born "
                            f"({_on(child.date_of_birth)}).", field=field)
    for bound, name in not_before:
        if bound is not None and day < bound:
            raise RuleViolation(f"{what} ({_on(day)}) cannot be before {name} ({_on(bound)}).", field=field)
    if when == "past" and day > today:
        raise RuleViolation(f"{what} cannot be in the future ({_on(day)}): record it once it has happened.",
                            field=field)
    if when == "future" and day <= today:
        raise RuleViolation(f"{what} must be after today ({_on(day)} is not).", field=field)
    if day > today + far_ahead:
        years = max(1, round(far_ahead.days / 365.25))
        ahead = "a year" if years == 1 else f"{years} years"
        raise RuleViolation(f"{what} ({_on(day)}) is more than {ahead} ahead: check the year.", field=field)


# The allocation, introduction and settling-in services' bounds (the same rule, in their words).
# Nobody plans a key person, a meeting or a visit more than two years out: a later date is a typing slip
# (31 Dec 2999 for 31 Dec 2026), refused rather than kept.
PLANNING_HORIZON = dt.timedelta(days=2 * 366)
# Settling-in visits are the run-up to the first day (seeds 003/004: "before or on the child's first day");
# a visit earlier than this before it belongs to another child's plan or another year.
SETTLING_RUN_UP = dt.timedelta(weeks=8)


def show(day: dt.date) -> str:
    return f"{day:%-d %b %Y}"


def latest_plannable(today: dt.date | None = None) -> dt.date:
    return (today or timezone.localdate()) + PLANNING_HORIZON


def not_before(day: dt.date, bound: dt.date | None, *, field: str, why: str) -> None:
    """Refuse `day` before `bound`; `why` completes "… must not be before <bound>: …"."""
    if bound is not None and day < bound:
        raise RuleViolation(f"{show(day)} is before {why} ({show(bound)}).", field=field)


def not_after(day: dt.date, bound: dt.date | None, *, field: str, why: str) -> None:
    if bound is not None and day > bound:
        raise RuleViolation(f"{show(day)} is after {why} ({show(bound)}).", field=field)


def in_the_childs_life(day: dt.date, child: Child, *, field: str, today: dt.date | None = None) -> None:
    """Not before the child was born and not absurdly far ahead: the bounds every child's date shares."""
    not_before(day, child.date_of_birth, field=field, why=f"{child.name} was born")
    limit = latest_plannable(today)
    if day > limit:
        raise RuleViolation(
            f"{show(day)} is more than two years ahead: check the year (nothing is planned after {show(limit)}).",
            field=field,
        )


def not_in_the_future(day: dt.date, *, field: str, what: str, today: dt.date | None = None) -> None:
    today = today or timezone.localdate()
    if day > today:
        raise RuleViolation(f"{what} is recorded once it has happened: {show(day)} is after today.", field=field)

"""The bounds every date a person enters is checked against, in one place.

A date typed into a form is checked by the service that records it, against what it belongs to: nothing
about a child happens before they were born, nothing is planned further ahead than anyone plans, and each
record has its own order (an introduction before the first day, a review after the visits). The services
call these helpers so that each refusal says which bound was crossed and why, in the same words everywhere.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from .errors import RuleViolation
from .models import Child

# Nobody plans a key person, a meeting or a visit more than two years out: a later date is a typing slip
# (31 Dec 2999 for 31 Dec 2026), refused rather than kept.
FAR_AHEAD = dt.timedelta(days=2 * 366)
# Settling-in visits are the run-up to the first day (seeds 003/004: "before or on the child's first day");
# a visit earlier than this before it belongs to another child's plan or another year.
SETTLING_RUN_UP = dt.timedelta(weeks=8)


def show(day: dt.date) -> str:
    return f"{day:%-d %b %Y}"


def latest_plannable(today: dt.date | None = None) -> dt.date:
    return (today or timezone.localdate()) + FAR_AHEAD


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

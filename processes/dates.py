"""How Keyflow writes a date, a time and an age: one place, so every page, e-mail and audit line agrees.

Days carry no leading zero and always their year ("3 Mar 2027"); a deadline or an event in a list reads with its
weekday and leaves out only this year ("Wed 3 Mar, 14:30", "Mon 4 Jan 2027").
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _local_day(value: dt.date | dt.datetime) -> dt.date:
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def day_text(value: dt.date | dt.datetime | None, *, weekday: bool = False, year: bool = True) -> str:
    """"3 Mar 2027" ("Wed 3 Mar 2027" with `weekday`); "" for no date."""
    if value is None:
        return ""
    day = _local_day(value)
    text = f"{day.day} {day:%b}" + (f" {day.year}" if year else "")
    return f"{day:%a} {text}" if weekday else text


def time_text(value: dt.datetime | dt.time) -> str:
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return f"{value:%H:%M}"


def when_text(value: dt.date | dt.datetime | None, *, today: dt.date | None = None) -> str:
    """A deadline or an event: "Wed 3 Mar, 14:30" (a date alone: "Wed 3 Mar"), the year when not this year's."""
    if value is None:
        return ""
    year = _local_day(value).year != (today or timezone.localdate()).year
    text = day_text(value, weekday=True, year=year)
    return f"{text}, {time_text(value)}" if isinstance(value, dt.datetime) else text


def age_in_words(months: int) -> str:
    """"2 years 1 month", "1 year", "5 months": whole months, correct plurals."""
    years, months = divmod(max(months, 0), 12)
    parts = [_plural(years, "year")] if years else []
    if months or not years:
        parts.append(_plural(months, "month"))
    return " ".join(parts)

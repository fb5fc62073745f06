"""Morning and afternoon sessions of the working week, as a bitmask.

A child's attended sessions and a practitioner's working pattern are both sets of these, so "how many of
the child's sessions does this practitioner work" (the seeds' first allocation factor) is a popcount.
"""

from __future__ import annotations

import datetime as dt

DAYS = ("mon", "tue", "wed", "thu", "fri")
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")
HALVES = ("am", "pm")
CODES = tuple(f"{day}_{half}" for day in DAYS for half in HALVES)
BITS = {code: 1 << i for i, code in enumerate(CODES)}
ALL = (1 << len(CODES)) - 1
CHOICES = [(code, f"{DAY_NAMES[i // 2]} {'morning' if i % 2 == 0 else 'afternoon'}") for i, code in enumerate(CODES)]


def mask_of(codes: list[str] | tuple[str, ...] | set[str]) -> int:
    unknown = set(codes) - set(CODES)
    if unknown:
        raise ValueError(f"Unknown session(s): {', '.join(sorted(unknown))}")
    mask = 0
    for code in codes:
        mask |= BITS[code]
    return mask


def codes_of(mask: int) -> list[str]:
    return [code for code in CODES if mask & BITS[code]]


def count(mask: int) -> int:
    return bin(mask & ALL).count("1")


def describe(mask: int) -> str:
    labels = dict(CHOICES)
    return ", ".join(labels[c] for c in codes_of(mask)) or "none"


def day_mask(day: dt.date) -> int:
    """The sessions that fall on a date (none at weekends)."""
    weekday = day.weekday()
    if weekday >= len(DAYS):
        return 0
    return BITS[f"{DAYS[weekday]}_am"] | BITS[f"{DAYS[weekday]}_pm"]

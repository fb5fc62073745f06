"""The EYFS staff:child ratios for group settings, as pure functions of who is in a room (no database).

EYFS statutory framework for group and school-based providers (September 2025), 3.40–3.47:
- under two: one adult to three children;
- two-year-olds: one to five (since 4 September 2023);
- three and over: one to eight, or one to thirteen while a practitioner with Qualified Teacher Status, Early
  Years Teacher Status, Early Years Professional Status or another suitable level 6 qualification works
  directly with the children.
Ages are the children's actual ages on the day, from their dates of birth: a child turns two (or three) on
their birthday, and one born on 29 February has it on 1 March in other years (as English law counts it).

Who counts: a student or apprentice only once the setting has marked them competent (3.40); a level 2 or 3
qualification gained on or after 30 June 2016 counts as that level only with a paediatric first aid
certificate in date (3.27), otherwise the practitioner counts as unqualified.

Mixed-age rooms (Keyflow's one stated rule, see README "Ratios"): each child needs a fraction of an adult by
their own age band (1/3, 1/5, 1/8, or 1/13 for the three-and-overs while a level 6 practitioner is in the
room); the room needs the sum of those fractions, rounded up, in adults who count.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

PFA_RULE_FROM = dt.date(2016, 6, 30)
LEVEL_6 = 6


class Band:
    UNDER_TWO = "under two"
    TWO = "two"
    THREE_PLUS = "three and over"


PER_ADULT = {Band.UNDER_TWO: 3, Band.TWO: 5, Band.THREE_PLUS: 8}
PER_ADULT_WITH_LEVEL_6 = 13


def birthday_in(year: int, born: dt.date) -> dt.date:
    if born.month == 2 and born.day == 29:
        try:
            return dt.date(year, 2, 29)
        except ValueError:
            return dt.date(year, 3, 1)
    return born.replace(year=year)


def age_in_years(born: dt.date, on: dt.date) -> int:
    years = on.year - born.year
    return years - 1 if on < birthday_in(on.year, born) else years


def band_of(born: dt.date, on: dt.date) -> str:
    years = age_in_years(born, on)
    if years < 2:
        return Band.UNDER_TWO
    return Band.TWO if years == 2 else Band.THREE_PLUS


@dataclass(frozen=True)
class Adult:
    """A member of staff as the ratio sees them."""

    id: int
    level: int = 0
    qualified_on: dt.date | None = None
    first_aid_until: dt.date | None = None
    is_student: bool = False
    is_competent: bool = False

    def has_first_aid(self, on: dt.date) -> bool:
        return self.first_aid_until is not None and self.first_aid_until >= on

    def counts(self) -> bool:
        return not self.is_student or self.is_competent

    def level_on(self, on: dt.date) -> int:
        """The qualification level the ratios may count (0: unqualified)."""
        if self.level in (2, 3) and (self.qualified_on is None or self.qualified_on >= PFA_RULE_FROM) \
                and not self.has_first_aid(on):
            return 0
        return self.level


@dataclass(frozen=True)
class Check:
    """A room at one moment: how many adults count, how many the children need, and what is wrong."""

    children: int
    adults: int
    required: int
    level_6: bool
    problems: tuple[str, ...] = field(default=())

    @property
    def breach(self) -> bool:
        return self.adults < self.required

    @property
    def ratio_text(self) -> str:
        return f"{self.adults} adult{'s' if self.adults != 1 else ''} for {self.children} " \
               f"child{'ren' if self.children != 1 else ''} (needs {self.required})"


def required_adults(births: Iterable[dt.date], on: dt.date, *, level_6: bool) -> int:
    need = Fraction(0)
    for born in births:
        band = band_of(born, on)
        per = PER_ADULT_WITH_LEVEL_6 if band == Band.THREE_PLUS and level_6 else PER_ADULT[band]
        need += Fraction(1, per)
    return math.ceil(need)


def check(births: Sequence[dt.date], adults: Sequence[Adult], on: dt.date) -> Check:
    counted = [a for a in adults if a.counts()]
    level_6 = any(a.level_on(on) >= LEVEL_6 for a in counted)
    required = required_adults(births, on, level_6=level_6)
    problems = []
    if len(counted) < required:
        problems.append(f"{required - len(counted)} more adult{'s' if required - len(counted) > 1 else ''} needed")
    if births and counted and not any(a.has_first_aid(on) for a in counted):
        # EYFS 3.27: at least one person with a current paediatric first aid certificate with the children.
        problems.append("nobody with paediatric first aid in the room")
    return Check(children=len(births), adults=len(counted), required=required, level_6=level_6,
                 problems=tuple(problems))


@dataclass(frozen=True)
class Stay:
    """Someone in the room from `start` until `end` (None: still there)."""

    who: object
    start: dt.datetime
    end: dt.datetime | None


@dataclass(frozen=True)
class Segment:
    start: dt.datetime
    end: dt.datetime
    check: Check


def timeline(children: Sequence[Stay], adults: Sequence[Stay], *, on: dt.date, until: dt.datetime) -> list[Segment]:
    """The room's ratio between every change of who is in it, up to `until`. Children's `who` is their date
    of birth, adults' an Adult. Neighbouring moments with the same check are merged."""
    moments = sorted({s.start for s in (*children, *adults) if s.start < until}
                     | {s.end for s in (*children, *adults) if s.end is not None and s.end < until})
    segments: list[Segment] = []
    for i, start in enumerate(moments):
        end = moments[i + 1] if i + 1 < len(moments) else until
        if end <= start:
            continue

        def present(stays, start=start):
            return [s.who for s in stays if s.start <= start and (s.end is None or s.end > start)]

        kids, staff = present(children), present(adults)
        if not kids and not staff:
            continue
        result = check(kids, staff, on)
        if segments and segments[-1].end == start and segments[-1].check == result:
            segments[-1] = Segment(segments[-1].start, end, result)
        else:
            segments.append(Segment(start, end, result))
    return segments


def without_key_person(children: dict[int, tuple[int | None, int | None]], staff_in: set[int]) -> list[int]:
    """The children present whose key person and secondary are both out: {child: (key person, secondary)}."""
    return [child for child, (primary, secondary) in children.items()
            if primary not in staff_in and secondary not in staff_in]

"""The EYFS ratio rules (processes.ratios) on constructed days: no database."""

from __future__ import annotations

import datetime as dt

from processes import ratios
from processes.ratios import Adult, Stay

DAY = dt.date(2026, 3, 10)


def at(hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(DAY, dt.time(hour, minute), tzinfo=dt.UTC)


def born(years: int, days: int = 0) -> dt.date:
    """A date of birth `years` before DAY, `days` later (so the child is that much younger)."""
    return DAY.replace(year=DAY.year - years) + dt.timedelta(days=days)


QUALIFIED = Adult(id=1, level=3, qualified_on=dt.date(2015, 1, 1))
TEACHER = Adult(id=9, level=6, qualified_on=dt.date(2020, 1, 1), first_aid_until=dt.date(2027, 1, 1))


def test_a_child_turning_two_today_counts_as_a_two_year_old():
    assert ratios.band_of(born(2), DAY) == ratios.Band.TWO
    assert ratios.band_of(born(2, days=1), DAY) == ratios.Band.UNDER_TWO
    # Five children turning two today need one adult; had one of them still been one, two adults.
    assert ratios.required_adults([born(2)] * 5, DAY, level_6=False) == 1
    assert ratios.required_adults([born(2)] * 4 + [born(2, days=1)], DAY, level_6=False) == 2


def test_a_child_turning_three_today_counts_at_one_to_eight():
    assert ratios.band_of(born(3), DAY) == ratios.Band.THREE_PLUS
    assert ratios.band_of(born(3, days=1), DAY) == ratios.Band.TWO
    assert ratios.required_adults([born(3)] * 8, DAY, level_6=False) == 1
    assert ratios.required_adults([born(3, days=1)] * 8, DAY, level_6=False) == 2


def test_a_leap_day_birthday_falls_on_the_first_of_march_in_other_years():
    leapling = dt.date(2024, 2, 29)
    assert ratios.band_of(leapling, dt.date(2026, 2, 28)) == ratios.Band.UNDER_TWO
    assert ratios.band_of(leapling, dt.date(2026, 3, 1)) == ratios.Band.TWO


def test_under_twos_need_one_adult_to_three():
    check = ratios.check([born(1)] * 4, [QUALIFIED], DAY)
    assert check.required == 2 and check.breach
    assert not ratios.check([born(1)] * 3, [QUALIFIED], DAY).breach


def test_a_level_6_practitioner_leaving_the_room_breaks_the_one_to_thirteen():
    children = [Stay(born(4), at(8), None) for _ in range(13)]
    adults = [Stay(TEACHER, at(8), at(11))]
    segments = ratios.timeline(children, adults, on=DAY, until=at(12))
    assert [(s.start, s.end, s.check.breach) for s in segments] == [(at(8), at(11), False), (at(11), at(12), True)]
    assert segments[0].check.level_6 and segments[1].check.required == 2
    assert segments[1].check.adults == 0


def test_a_level_6_practitioner_moving_out_leaves_thirteen_three_year_olds_needing_two():
    children = [born(3)] * 13
    with_teacher = ratios.check(children, [TEACHER, QUALIFIED], DAY)
    assert with_teacher.required == 1 and not with_teacher.breach
    without = ratios.check(children, [QUALIFIED], DAY)
    assert without.required == 2 and without.breach


def test_a_level_3_gained_after_june_2016_counts_only_with_paediatric_first_aid():
    newly = Adult(id=2, level=3, qualified_on=dt.date(2019, 9, 1))
    assert newly.level_on(DAY) == 0
    with_first_aid = Adult(id=2, level=3, qualified_on=dt.date(2019, 9, 1), first_aid_until=DAY)
    assert with_first_aid.level_on(DAY) == 3
    lapsed = Adult(id=2, level=3, qualified_on=dt.date(2019, 9, 1), first_aid_until=DAY - dt.timedelta(days=1))
    assert lapsed.level_on(DAY) == 0
    assert Adult(id=3, level=3, qualified_on=dt.date(2016, 6, 29)).level_on(DAY) == 3


def test_staff_without_paediatric_first_aid_are_flagged_but_still_counted():
    check = ratios.check([born(4)] * 5, [Adult(id=4, level=2, qualified_on=dt.date(2020, 1, 1))], DAY)
    assert not check.breach
    assert "nobody with paediatric first aid in the room" in check.problems


def test_a_level_6_without_qualifying_first_aid_still_allows_one_to_thirteen():
    # The 30 June 2016 rule is about levels 2 and 3.
    teacher = Adult(id=5, level=6, qualified_on=dt.date(2020, 1, 1))
    assert ratios.check([born(4)] * 13, [teacher], DAY).required == 1


def test_students_count_only_once_marked_competent():
    student = Adult(id=6, is_student=True)
    assert ratios.check([born(1)] * 3, [student], DAY).breach
    competent = Adult(id=6, is_student=True, is_competent=True)
    assert not ratios.check([born(1)] * 3, [competent], DAY).breach


def test_a_mixed_room_needs_the_sum_of_each_childs_fraction_rounded_up():
    # 1/3 + 1/3 + 1/5 + 1/5 + 1/8 = 1.19: two adults.
    children = [born(1), born(1), born(2), born(2), born(4)]
    assert ratios.check(children, [QUALIFIED], DAY).required == 2
    # 1/3 + 1/5 + 1/5 + 1/8 = 0.86: one adult.
    assert ratios.check(children[1:], [QUALIFIED], DAY).required == 1


def test_in_a_mixed_room_a_level_6_lowers_only_the_three_year_olds_share():
    # 2/3 + 6/13 = 1.13 with the teacher in; 2/3 + 6/8 = 1.42 without: both two adults.
    children = [born(1), born(1)] + [born(3)] * 6
    assert ratios.check(children, [TEACHER, QUALIFIED], DAY).required == 2
    # 1/3 + 8/13 = 0.95 with the teacher: one adult; 1/3 + 1 = 1.33 without: two.
    children = [born(1)] + [born(3)] * 8
    assert ratios.check(children, [TEACHER], DAY).required == 1
    assert ratios.check(children, [QUALIFIED], DAY).required == 2


def test_the_timeline_follows_children_arriving_and_leaving():
    children = [Stay(born(1), at(8), at(12)), Stay(born(1), at(8, 30), None), Stay(born(1), at(9), None),
                Stay(born(1), at(9, 15), None)]
    adults = [Stay(QUALIFIED, at(8), None)]
    segments = ratios.timeline(children, adults, on=DAY, until=at(13))
    assert [(s.start.time(), s.end.time(), s.check.children, s.check.breach) for s in segments] == [
        (dt.time(8), dt.time(8, 30), 1, False),
        (dt.time(8, 30), dt.time(9), 2, False),
        (dt.time(9), dt.time(9, 15), 3, False),
        (dt.time(9, 15), dt.time(12), 4, True),
        (dt.time(12), dt.time(13), 3, False),
    ]


def test_a_child_is_without_their_key_person_only_when_both_are_out():
    present = {1: (10, 11), 2: (12, 10), 3: (13, 14), 4: (None, None)}
    assert ratios.without_key_person(present, {10}) == [3, 4]

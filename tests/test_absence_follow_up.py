"""Absence follow-up: a child expected and not brought raises one task for the key person that day; a run of
unexplained absence a welfare check for the safeguarding lead; a repeated sweep adds nothing; patterns."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from processes import services, sessions
from processes.attendance import attendance_pattern
from processes.models import AbsenceFollowUp, AssignmentRole, ChildAttendance, FollowUpKind
from workflows.absence import absence_follow_ups_raise

from .factories import ChildFactory, StaffFactory
from .flowkit import complete_step, open_tasks, the_task


def weekdays_before(today: dt.date, n: int) -> list[dt.date]:
    """The `n` weekdays before `today`, latest last."""
    days, day = [], today - dt.timedelta(days=1)
    while len(days) < n:
        if day.weekday() < 5:
            days.append(day)
        day -= dt.timedelta(days=1)
    return days[::-1]


DAYS = weekdays_before(timezone.localdate(), 3)
DAY = DAYS[-1]


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


@pytest.fixture
def dsl(setting):
    return StaffFactory(setting=setting, is_dsl=True, is_key_person=False, user__username="dsl")


def expected_child(setting, room, manager, key_person, other_key_person, *, starts: dt.date = DAY):
    child = ChildFactory(setting=setting, room=room, start_date=starts, attending_sessions=sessions.ALL)
    services.key_person_assign(child=child, staff=key_person, role=AssignmentRole.PRIMARY, by=manager.user)
    services.key_person_assign(child=child, staff=other_key_person, role=AssignmentRole.SECONDARY, by=manager.user)
    return child


def test_a_child_not_brought_raises_one_task_for_their_key_person(setting, room, manager, key_person,
                                                                 other_key_person):
    child = expected_child(setting, room, manager, key_person, other_key_person)

    assert absence_follow_ups_raise(now=at(DAY, 10, 30)) == 1
    assert absence_follow_ups_raise(now=at(DAY, 10, 45)) == 0  # the next beat, and the one after
    assert absence_follow_ups_raise(now=at(DAY, 16)) == 0

    (task,) = open_tasks(child, "contact")
    assert task.owner == key_person.user
    assert AbsenceFollowUp.objects.filter(child=child).count() == 1


def test_the_database_refuses_a_second_follow_up_of_a_kind_for_a_child_and_day(setting, room, manager,
                                                                             key_person, other_key_person):
    child = expected_child(setting, room, manager, key_person, other_key_person)
    AbsenceFollowUp.objects.create(child=child, setting=setting, day=DAY, kind=FollowUpKind.CONTACT)
    with pytest.raises(IntegrityError), transaction.atomic():
        AbsenceFollowUp.objects.create(child=child, setting=setting, day=DAY, kind=FollowUpKind.CONTACT)


def test_nothing_is_raised_before_the_settings_check_time(setting, room, manager, key_person, other_key_person):
    expected_child(setting, room, manager, key_person, other_key_person)
    assert absence_follow_ups_raise(now=at(DAY, 9, 59)) == 0
    assert not AbsenceFollowUp.objects.exists()


def test_a_child_signed_in_or_with_a_reason_given_is_not_followed_up(setting, room, manager, key_person,
                                                                    other_key_person):
    came = expected_child(setting, room, manager, key_person, other_key_person)
    ill = expected_child(setting, room, manager, key_person, other_key_person)
    services.child_sign_in(child=came, by=key_person.user, at=at(DAY, 9))
    services.child_absence_explain(child=ill, by=key_person.user, day=DAY, reason="Chickenpox")
    not_booked = ChildFactory(setting=setting, room=room, start_date=DAY, attending_sessions=0)

    assert absence_follow_ups_raise(now=at(DAY, 11)) == 0
    assert not open_tasks(came) and not open_tasks(ill) and not open_tasks(not_booked)


def test_the_secondary_contacts_the_parents_when_the_key_person_is_on_another_shift(
        setting, room, manager, key_person, other_key_person):
    key_person.working_sessions = sessions.ALL & ~sessions.day_mask(DAY)
    key_person.save(update_fields=["working_sessions"])
    child = expected_child(setting, room, manager, key_person, other_key_person)
    absence_follow_ups_raise(now=at(DAY, 11))
    assert the_task(child, "contact").owner == other_key_person.user


def test_recording_the_reason_explains_the_day_and_closes_the_follow_up(
        setting, room, manager, key_person, other_key_person, django_assert_num_queries):
    child = expected_child(setting, room, manager, key_person, other_key_person)
    absence_follow_ups_raise(now=at(DAY, 11))
    task = the_task(child, "contact")
    user = type(key_person.user).objects.select_related("staff").get(pk=key_person.user.pk)

    with django_assert_num_queries(20):  # the step alone, its savepoint to its release
        complete_step(task, user, reason="Ear infection", outcome="Rang Mum at 11:15; back on Monday.")

    assert ChildAttendance.objects.get(child=child, day=DAY).absence_reason == "Ear infection"
    follow_up = AbsenceFollowUp.objects.get(child=child)
    assert follow_up.closed_by == key_person.user and "Rang Mum" in follow_up.outcome
    assert not open_tasks(child)


def test_three_days_unexplained_raise_a_welfare_check_for_the_safeguarding_lead(
        setting, room, manager, key_person, other_key_person, dsl):
    child = expected_child(setting, room, manager, key_person, other_key_person, starts=DAYS[0])
    for day in DAYS[:-1]:
        AbsenceFollowUp.objects.create(child=child, setting=setting, day=day, kind=FollowUpKind.CONTACT,
                                       started=True)

    assert absence_follow_ups_raise(now=at(DAY, 11)) == 2
    assert absence_follow_ups_raise(now=at(DAY, 12)) == 0

    welfare = the_task(child, "welfare")
    assert welfare.owner == dsl.user
    assert AbsenceFollowUp.objects.get(child=child, day=DAY, kind=FollowUpKind.WELFARE).days_absent == 3


def test_a_welfare_check_records_what_was_done(setting, room, manager, key_person, other_key_person, dsl,
                                               django_assert_num_queries):
    child = expected_child(setting, room, manager, key_person, other_key_person, starts=DAYS[0])
    absence_follow_ups_raise(now=at(DAY, 11))
    task = the_task(child, "welfare")
    user = type(dsl.user).objects.select_related("staff").get(pk=dsl.user.pk)
    with django_assert_num_queries(17):
        complete_step(task, user, outcome="Home visit with the health visitor: child seen and well.")
    assert AbsenceFollowUp.objects.get(child=child, kind=FollowUpKind.WELFARE).closed_by == dsl.user


def test_a_day_with_a_reason_breaks_the_run(setting, room, manager, key_person, other_key_person, dsl):
    child = expected_child(setting, room, manager, key_person, other_key_person, starts=DAYS[0])
    services.child_absence_explain(child=child, by=key_person.user, day=DAYS[1], reason="Dentist")
    absence_follow_ups_raise(now=at(DAY, 11))
    assert not open_tasks(child, "welfare")


def test_repeated_monday_absence_shows_as_a_pattern_on_the_childs_record(client, setting, room, manager,
                                                                          key_person, other_key_person):
    today = timezone.localdate()
    start = today - dt.timedelta(days=70)
    child = expected_child(setting, room, manager, key_person, other_key_person, starts=start)
    day = start
    while day < today:
        if day.weekday() in (1, 2, 3, 4):
            services.child_sign_in(child=child, by=key_person.user, at=at(day, 9))
        day += dt.timedelta(days=1)

    pattern = attendance_pattern(child, today=today)

    assert any(note.startswith("Often absent on Mondays") for note in pattern.notes)
    assert not any("Tuesdays" in note for note in pattern.notes)
    client.force_login(key_person.user)
    assert "Often absent on Mondays" in client.get(reverse("child-detail", args=[child.pk])).content.decode()


def test_a_falling_attendance_rate_shows_as_a_pattern(setting, room, manager, key_person, other_key_person):
    today = timezone.localdate()
    start = today - dt.timedelta(days=80)
    child = expected_child(setting, room, manager, key_person, other_key_person, starts=start)
    day = start
    while day < today - dt.timedelta(days=28):
        if day.weekday() < 5:
            services.child_sign_in(child=child, by=key_person.user, at=at(day, 9))
        day += dt.timedelta(days=1)

    pattern = attendance_pattern(child, today=today)

    assert pattern.recent_rate == 0 and pattern.earlier_rate == 1
    assert any(note.startswith("Attendance falling") for note in pattern.notes)

"""What each real step of the allocation, introduction and settling-in flows costs in SQL, pinned exactly so
it cannot creep back (django_assert_num_queries counts every statement, savepoints included).

In a test the step's own transaction is a savepoint inside the test's (SAVEPOINT and RELEASE: two statements
that are BEGIN and COMMIT in production, which `make bench` does not count): each figure is make bench's plus
two. The brief's bound is 20 a step; the steps above it say why in their comment.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from processes.models import Child

from .flowkit import (
    agree_plan,
    allocate,
    complete,
    introduce,
    register,
    the_task,
    visit_rows,
)

TODAY = timezone.localdate


def _user(staff):
    # As a request sees its user (accounts' middleware reads the staff row with the user).
    return get_user_model().objects.select_related("staff").get(pk=staff.user.pk)


@pytest.fixture(autouse=True)
def _content_types_known(db):
    ContentType.objects.get_for_model(Child)  # the lifecycle log's content type, read once per server process


@pytest.fixture
def child(setting, room, manager):
    # Started three weeks ago: every date of every step is in the past and after the first day.
    return register(setting=setting, room=room, manager=manager, start_in_days=-21)


@pytest.fixture
def allocated(child, manager, key_person, other_key_person):
    allocate(child, manager, key_person, other_key_person)
    return child


def _meeting(child) -> dict:
    return {"starts_at": f"{child.start_date} 10:00", "duration_minutes": 30, "already_held": "on"}


def _visits(n: int = 3) -> str:
    return "\n".join(f"{TODAY() - dt.timedelta(days=20 - i)} 09:30 {60 + 30 * i}" for i in range(n))


@pytest.fixture
def planning(allocated, key_person):
    introduce(allocated, key_person.user)
    return allocated


@pytest.fixture
def visiting(planning, key_person):
    agree_plan(planning, key_person.user, visits=_visits())
    return planning


@pytest.fixture
def reviewing(planning, key_person):
    agree_plan(planning, key_person.user, visits=_visits(1))
    complete(the_task(planning, "record_visit"), key_person.user, how_it_went="Fine")
    return planning


def test_allocating_costs_57_statements(child, manager, key_person, other_key_person, django_assert_num_queries):
    task = the_task(child, "allocate")
    by = _user(manager)
    # Over the bound: viewflow's end of the allocation and start of the introduction (gateway, two tasks, their
    # inbox rows and notices) are 38 statements alone. Pinned so it only goes down.
    with django_assert_num_queries(59):
        complete(task, by, primary=key_person.pk, secondary=other_key_person.pk)


def test_arranging_the_introduction_costs_17_statements(allocated, key_person, django_assert_num_queries):
    task = the_task(allocated, "arrange_meeting")
    by = _user(key_person)
    with django_assert_num_queries(19):
        complete(task, by, **_meeting(allocated))


def test_all_about_me_first_costs_17_statements(allocated, key_person, django_assert_num_queries):
    task = the_task(allocated, "all_about_me")
    by = _user(key_person)
    with django_assert_num_queries(19):
        complete(task, by, routines="Naps after lunch", likes="Trains")


def test_all_about_me_that_starts_the_settling_in_costs_39_statements(allocated, key_person,
                                                                     django_assert_num_queries):
    complete(the_task(allocated, "arrange_meeting"), key_person.user, **_meeting(allocated))
    task = the_task(allocated, "all_about_me")
    by = _user(key_person)
    # Over the bound: the introduction ends (viewflow: gateway, end, process rows) and the settling-in
    # process starts with its first task (process rows, start, lock, owner, task, inbox row, notice).
    with django_assert_num_queries(41):
        complete(task, by, routines="Naps after lunch", likes="Trains")
    assert the_task(allocated, "plan")


def test_the_meeting_that_starts_the_settling_in_costs_as_much(allocated, key_person, django_assert_num_queries):
    complete(the_task(allocated, "all_about_me"), key_person.user, routines="Naps after lunch")
    task = the_task(allocated, "arrange_meeting")
    by = _user(key_person)
    with django_assert_num_queries(41):
        complete(task, by, **_meeting(allocated))


def test_agreeing_the_plan_costs_24_statements(planning, key_person, django_assert_num_queries):
    task = the_task(planning, "plan")
    by = _user(key_person)
    # Over the bound: the plan (visits replaced, review booked, audited), the move to settling in (lock,
    # permission, guard, log, audit, row) and the first visit's task.
    with django_assert_num_queries(26):
        complete(task, by, **visit_rows(_visits()))


def test_recording_a_visit_costs_17_statements(visiting, key_person, django_assert_num_queries):
    task = the_task(visiting, "record_visit")
    by = _user(key_person)
    with django_assert_num_queries(19):
        complete(task, by, how_it_went="Played with the trains")


def test_recording_the_last_visit_costs_18_statements(planning, key_person, django_assert_num_queries):
    agree_plan(planning, key_person.user, visits=_visits(2))
    complete(the_task(planning, "record_visit"), key_person.user, how_it_went="Fine")
    task = the_task(planning, "record_visit")
    by = _user(key_person)
    with django_assert_num_queries(20):  # the review's task follows, due on its booked day
        complete(task, by, how_it_went="Waved goodbye")
    assert the_task(planning, "review")


def test_a_review_that_needs_longer_costs_25_statements(reviewing, key_person, django_assert_num_queries):
    task = the_task(reviewing, "review")
    by = _user(key_person)
    data = {"held_on": TODAY().isoformat(), "outcome": "needs_longer", "parents_view": "Still upset",
            "next_review_on": (TODAY() + dt.timedelta(weeks=2)).isoformat(),
            **visit_rows(f"{TODAY()} 13:00 120", prefix="extra")}
    # Over the bound: the review kept, the next one booked, the extra visit added, then viewflow's gateway and
    # the extra visit's task (its owner, inbox row and notice).
    with django_assert_num_queries(27):
        complete(task, by, **data)


def test_a_review_that_settles_the_child_costs_24_statements(reviewing, key_person, django_assert_num_queries):
    task = the_task(reviewing, "review")
    by = _user(key_person)
    # Over the bound: the review and the move to settled, then viewflow's gateway and the process's end.
    with django_assert_num_queries(26):
        complete(task, by, held_on=TODAY().isoformat(), outcome="settled", parents_view="Happy")

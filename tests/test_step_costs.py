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
from workflows.follow_on import follow_on_start
from workflows.models import ChildProcess, ProcessKind

from .flowkit import (
    agree_plan,
    allocate,
    complete,
    complete_step,
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


def test_allocating_costs_20_statements(child, manager, key_person, other_key_person, django_assert_num_queries):
    task = the_task(child, "allocate")
    by = _user(manager)
    # Both assignments in one INSERT, the move to allocated, the process's end; the introduction starts after
    # commit, in its own transaction (test_following_processes_cost below).
    with django_assert_num_queries(22):
        complete_step(task, by, primary=key_person.pk, secondary=other_key_person.pk)


def test_arranging_the_introduction_costs_9_statements(allocated, key_person, django_assert_num_queries):
    task = the_task(allocated, "arrange_meeting")
    by = _user(key_person)
    with django_assert_num_queries(11):
        complete_step(task, by, **_meeting(allocated))


def test_all_about_me_first_costs_9_statements(allocated, key_person, django_assert_num_queries):
    task = the_task(allocated, "all_about_me")
    by = _user(key_person)
    with django_assert_num_queries(11):
        complete_step(task, by, routines="Naps after lunch", likes="Trains")


def test_all_about_me_that_ends_the_introduction_costs_11_statements(allocated, key_person,
                                                                    django_assert_num_queries):
    complete(the_task(allocated, "arrange_meeting"), key_person.user, **_meeting(allocated))
    task = the_task(allocated, "all_about_me")
    by = _user(key_person)
    # The introduction ends (viewflow's end and the process's rows); the settling-in starts after commit.
    with django_assert_num_queries(13):
        complete_step(task, by, routines="Naps after lunch", likes="Trains")
    follow_on_start(process_id=task.process_id)  # what the worker does once the step has committed
    assert the_task(allocated, "plan")


def test_the_meeting_that_starts_the_settling_in_costs_as_much(allocated, key_person, django_assert_num_queries):
    complete(the_task(allocated, "all_about_me"), key_person.user, routines="Naps after lunch")
    task = the_task(allocated, "arrange_meeting")
    by = _user(key_person)
    with django_assert_num_queries(13):
        complete_step(task, by, **_meeting(allocated))


def test_agreeing_the_plan_costs_18_statements(planning, key_person, django_assert_num_queries):
    task = the_task(planning, "plan")
    by = _user(key_person)
    # The plan (visits replaced, review booked, audited), the move to settling in (lock, permission, guard, log,
    # row) and the first visit's task, due on the first visit's day (no gate: a plan has a visit to hold).
    with django_assert_num_queries(20):
        complete_step(task, by, **visit_rows(_visits()))


def test_recording_a_visit_costs_15_statements(visiting, key_person, django_assert_num_queries):
    task = the_task(visiting, "record_visit")
    by = _user(key_person)
    with django_assert_num_queries(17):
        complete_step(task, by, how_it_went="Played with the trains")


def test_recording_the_last_visit_costs_16_statements(planning, key_person, django_assert_num_queries):
    agree_plan(planning, key_person.user, visits=_visits(2))
    complete(the_task(planning, "record_visit"), key_person.user, how_it_went="Fine")
    task = the_task(planning, "record_visit")
    by = _user(key_person)
    with django_assert_num_queries(18):  # the review's task follows, due on its booked day
        complete_step(task, by, how_it_went="Waved goodbye")
    assert the_task(planning, "review")


def test_a_review_that_needs_longer_costs_20_statements(reviewing, key_person, django_assert_num_queries):
    task = the_task(reviewing, "review")
    by = _user(key_person)
    data = {"held_on": TODAY().isoformat(), "outcome": "needs_longer", "parents_view": "Still upset",
            "next_review_on": (TODAY() + dt.timedelta(weeks=2)).isoformat(),
            **visit_rows(f"{TODAY()} 13:00 120", prefix="extra")}
    # The review kept, the next one booked, the extra visit added, then viewflow's two gates (the visit to hold
    # is the one the review's service has just read or added) and the extra visit's task (owner, inbox, notice).
    with django_assert_num_queries(22):
        complete_step(task, by, **data)


def test_a_review_that_settles_the_child_costs_20_statements(reviewing, key_person, django_assert_num_queries):
    task = the_task(reviewing, "review")
    by = _user(key_person)
    # The review and the move to settled, then viewflow's gate and the process's end.
    with django_assert_num_queries(22):
        complete_step(task, by, held_on=TODAY().isoformat(), outcome="settled", parents_view="Happy")


def test_the_process_that_follows_starts_after_commit_within_the_bound(child, manager, key_person, other_key_person,
                                                                        django_assert_num_queries):
    complete_step(the_task(child, "allocate"), _user(manager), primary=key_person.pk, secondary=other_key_person.pk)
    process_id = ChildProcess.objects.get(child=child, kind=ProcessKind.ALLOCATION).pk
    # Its own transaction: BEGIN and COMMIT in production, a savepoint here (the two statements of the figure).
    with django_assert_num_queries(22):  # the introduction: its rows, start, split, two tasks, inbox rows, notices
        assert follow_on_start(process_id=process_id) is not None
    with django_assert_num_queries(3):  # run again (a second worker, the sweep): one read, nothing started
        assert follow_on_start(process_id=process_id) is None

"""The introduction and settling-in records: each written by its service, which holds the rule and checks
every date a person enters against what it belongs to (processes.date_bounds), whoever calls it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from notifications.models import Notification
from processes import services
from processes.errors import NotPermitted, RuleViolation
from processes.models import (
    AllAboutMe,
    AuditEvent,
    ParentMeeting,
    SettlingReview,
    SettlingSession,
)
from workflows.models import ChildProcess, ProcessKind

from .factories import StaffFactory
from .flowkit import (
    agree_plan,
    allocate,
    complete,
    introduce,
    open_tasks,
    record_visits,
    register,
    the_task,
    visit_rows,
)


@pytest.fixture
def started(setting, room, manager, key_person, other_key_person):
    """A child who started three weeks ago, introduced and with one visit recorded, waiting for the review."""
    child = register(setting=setting, room=room, manager=manager, start_in_days=-21)
    allocate(child, manager, key_person, other_key_person)
    introduce(child, key_person.user)
    agree_plan(child, key_person.user, visits=f"{child.start_date - dt.timedelta(days=3)} 09:30 60 with parent")
    record_visits(child, key_person.user)
    return child


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


# --- Allocation ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("typed, why", [(dt.date(1999, 1, 1), "was born"), (dt.date(2999, 12, 31), "two years ahead")])
def test_an_allocation_from_before_birth_or_absurdly_far_ahead_is_refused_and_the_task_waits(
    setting, room, manager, key_person, other_key_person, typed, why
):
    child = register(setting=setting, room=room, manager=manager)
    with pytest.raises(RuleViolation, match=why) as refused:
        allocate(child, manager, key_person, other_key_person, starts_on=typed.isoformat())
    assert refused.value.field == "starts_on"
    assert not child.assignments.exists()
    assert the_task(child, "allocate").status == "NEW"


def test_an_allocation_made_by_the_service_outside_its_task_closes_the_task_and_starts_the_introduction(
    setting, room, manager, key_person, other_key_person
):
    child = register(setting=setting, room=room, manager=manager)
    task = the_task(child, "allocate")
    services.child_allocate(child=child, primary=key_person, secondary=other_key_person, by=manager.user)
    task.refresh_from_db()
    assert task.status == "CANCELED" and task.data["cancelled_because"] == "allocated outside this task"
    assert AuditEvent.objects.filter(action="cancel", record_id=str(task.pk)).exists()
    assert {t.flow_task.name for t in open_tasks(child)} == {"arrange_meeting", "all_about_me"}
    assert ChildProcess.objects.get(child=child, kind=ProcessKind.ALLOCATION).status == "CANCELED"


def test_the_allocation_task_moves_its_own_flow_on_once(setting, room, manager, key_person, other_key_person):
    child = register(setting=setting, room=room, manager=manager)
    allocate(child, manager, key_person, other_key_person)
    assert ChildProcess.objects.get(child=child, kind=ProcessKind.ALLOCATION).status == "DONE"
    assert ChildProcess.objects.filter(child=child, kind=ProcessKind.INTRODUCTION).count() == 1


# --- The introduction -------------------------------------------------------------------------------------

def test_an_introduction_in_the_past_is_refused_and_nobody_is_invited(introduced, key_person,
                                                                     django_capture_on_commit_callbacks):
    yesterday = timezone.localtime() - dt.timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuleViolation, match="in the past"):
        complete(the_task(introduced, "arrange_meeting"), key_person.user,
                 starts_at=yesterday.strftime("%Y-%m-%d %H:%M"), duration_minutes=30)
    assert not ParentMeeting.objects.exists()
    assert not Notification.objects.filter(kind="meeting_arranged").exists()
    tomorrow = timezone.localtime() + dt.timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        complete(the_task(introduced, "arrange_meeting"), key_person.user,
                 starts_at=tomorrow.strftime("%Y-%m-%d %H:%M"), duration_minutes=30)
    assert Notification.objects.filter(kind="meeting_arranged").exists()  # a meeting to come is announced


def test_an_introduction_on_1_january_2020_is_refused_as_before_the_child_was_born(introduced, key_person):
    with pytest.raises(RuleViolation, match="was born") as refused:
        complete(the_task(introduced, "arrange_meeting"), key_person.user, starts_at="2020-01-01 10:00",
                 duration_minutes=30, already_held="on")
    assert refused.value.field == "starts_at"
    assert not ParentMeeting.objects.exists()


def test_the_service_refuses_an_introduction_after_the_first_day_whoever_calls_it(introduced, key_person):
    # Seeds 003/004: "introduced before or on the child's first day" -- the rule is the service's, not the form's.
    with pytest.raises(RuleViolation, match="first day"), transaction.atomic():
        services.introduction_meeting_arrange(child=introduced, by=key_person.user,
                                              starts_at=_at(introduced.start_date + dt.timedelta(days=1)))
    assert not ParentMeeting.objects.exists()


def test_a_meeting_already_held_is_recorded_without_an_invitation(introduced, key_person,
                                                                  django_capture_on_commit_callbacks):
    held = timezone.now() - dt.timedelta(hours=3)
    with django_capture_on_commit_callbacks(execute=True):
        meeting = services.introduction_meeting_arrange(child=introduced, by=key_person.user, starts_at=held,
                                                        already_held=True)
    assert meeting.starts_at == held
    assert not Notification.objects.filter(kind="meeting_arranged").exists()
    with pytest.raises(RuleViolation, match="cannot be in the future"), transaction.atomic():
        services.introduction_meeting_arrange(child=introduced, by=key_person.user,
                                              starts_at=timezone.now() + dt.timedelta(days=1), already_held=True)


def test_a_key_person_of_another_setting_cannot_arrange_the_introduction(introduced):
    stranger = StaffFactory()
    with pytest.raises(NotPermitted), transaction.atomic():
        services.introduction_meeting_arrange(child=introduced, by=stranger.user,
                                              starts_at=timezone.now() + dt.timedelta(days=1))


def test_all_about_me_needs_the_childs_routines_sleep_feeding_or_likes_in_the_service(introduced, key_person):
    with pytest.raises(RuleViolation, match="at least"), transaction.atomic():
        services.all_about_me_record(child=introduced, by=key_person.user, allergies="  ", dislikes="")
    record = services.all_about_me_record(child=introduced, by=key_person.user, allergies="PEANUTS - severe",
                                          likes="Trains")
    again = services.all_about_me_record(child=introduced, by=key_person.user, likes="Buses")
    assert record.pk == again.pk and AllAboutMe.objects.get(child=introduced).likes == "Buses"


# --- The settling-in plan ---------------------------------------------------------------------------------

def test_a_settling_visit_in_2001_is_refused(introduced, key_person):
    introduce(introduced, key_person.user)
    with pytest.raises(RuleViolation, match="was born") as refused:
        agree_plan(introduced, key_person.user, visits="2001-03-05 09:30 60 with parent")
    assert refused.value.field == "visits"
    assert not SettlingSession.objects.exists()


def test_a_visit_long_before_the_first_day_is_refused(introduced, key_person):
    introduce(introduced, key_person.user)
    with pytest.raises(RuleViolation, match="run-up"):
        agree_plan(introduced, key_person.user, visits=f"{introduced.start_date - dt.timedelta(weeks=9)} 09:30 60")


def test_visits_must_grow_longer(introduced, key_person):
    introduce(introduced, key_person.user)
    first = introduced.start_date - dt.timedelta(days=5)
    with pytest.raises(RuleViolation, match="shorter than the one before"):
        agree_plan(introduced, key_person.user, visits=f"{first} 09:30 90\n{first + dt.timedelta(days=1)} 09:30 60")
    assert not SettlingSession.objects.exists()
    # Whoever calls the service (in a transaction of its own: a refusal undoes the caller's step).
    with pytest.raises(RuleViolation, match="shorter than the one before"), transaction.atomic():
        services.settling_plan_record(child=introduced, by=key_person.user, visits=[
            {"on": first, "starts_at": dt.time(9, 30), "duration_minutes": 120, "parent_stays": True},
            {"on": first + dt.timedelta(days=2), "starts_at": dt.time(9, 30), "duration_minutes": 30},
        ])


def test_the_plan_takes_uk_dates_in_its_rows(introduced, key_person):
    introduce(introduced, key_person.user)
    first = introduced.start_date - dt.timedelta(days=4)
    agree_plan(introduced, key_person.user,
               visits=f"{first:%d/%m/%Y} 09:30 60 with parent\n{first + dt.timedelta(days=1):%d/%m/%Y} 13:00 90")
    visits = list(SettlingSession.objects.filter(child=introduced).values_list("on", "duration_minutes",
                                                                                 "parent_stays"))
    assert visits == [(first, 60, True), (first + dt.timedelta(days=1), 90, False)]


def test_an_empty_row_is_skipped_and_a_deleted_row_is_not_planned(introduced, key_person):
    introduce(introduced, key_person.user)
    first = introduced.start_date - dt.timedelta(days=4)
    rows = visit_rows(f"{first} 09:30 60\n{first + dt.timedelta(days=1)} 09:30 90")
    rows.update({"visits-TOTAL_FORMS": "3", "visits-1-DELETE": "on"})
    complete(the_task(introduced, "plan"), key_person.user, **rows)
    assert list(SettlingSession.objects.values_list("on", flat=True)) == [first]


# --- The review ---------------------------------------------------------------------------------------------

def _review(child, by, **data):
    data = {"outcome": "settled", "parents_view": "Happy", **data}
    return complete(the_task(child, "review"), by, **data)


def test_settled_before_the_first_day_is_refused(introduced, key_person):
    introduce(introduced, key_person.user)
    agree_plan(introduced, key_person.user, visits=f"{timezone.localdate()} 09:30 60")
    record_visits(introduced, key_person.user)
    with pytest.raises(RuleViolation, match="first day") as refused:
        _review(introduced, key_person.user, held_on=timezone.localdate().isoformat())
    assert refused.value.field == "held_on"
    assert not SettlingReview.objects.filter(held_on__isnull=False).exists()


def test_a_review_before_the_visits_is_refused(started, key_person):
    with pytest.raises(RuleViolation, match="last settling-in visit"):
        _review(started, key_person.user, outcome="needs_longer",
                held_on=(started.start_date - dt.timedelta(days=5)).isoformat(),
                next_review_on=(timezone.localdate() + dt.timedelta(days=7)).isoformat())


def test_a_review_is_not_recorded_before_it_is_held_whoever_calls_the_service(started, key_person):
    with pytest.raises(RuleViolation, match="once it has happened"), transaction.atomic():
        services.settling_review_record(child=started, by=key_person.user, outcome="settled", parents_view="Happy",
                                        held_on=timezone.localdate() + dt.timedelta(days=1))


def test_a_next_review_absurdly_far_ahead_is_refused(started, key_person):
    with pytest.raises(RuleViolation, match="two years ahead") as refused:
        _review(started, key_person.user, outcome="needs_longer", held_on=timezone.localdate().isoformat(),
                next_review_on="2999-12-31")
    assert refused.value.field == "next_review_on"


def test_settled_after_the_first_day_and_the_visits_settles_the_child(started, key_person):
    _review(started, key_person.user, held_on=timezone.localdate().isoformat())
    started.refresh_from_db()
    assert started.state == "settled"


# --- Cancelling a task: one service for every reason ---------------------------------------------------------

def test_a_task_cancelled_for_a_child_who_goes_keeps_the_reason_and_is_audited(setting, room, manager):
    child = register(setting=setting, room=room, manager=manager)
    task = the_task(child, "allocate")
    services.child_transition(child=child, transition="withdraw", by=manager.user, reason="Moved away")
    task.refresh_from_db()
    assert task.data["cancelled_because"] == "Amelia Jones withdrawn"
    event = AuditEvent.objects.get(action="cancel", record_id=str(task.pk))
    assert event.summary == "Cancelled 'Allocate a key person': Amelia Jones withdrawn"


def test_a_task_is_not_cancelled_without_a_reason(setting, room, manager):
    from workflows.services import task_cancel

    child = register(setting=setting, room=room, manager=manager)
    task = the_task(child, "allocate")
    with pytest.raises(RuleViolation, match="Say why"):
        task_cancel(task=task, by=manager.user, reason="  ")
    task.refresh_from_db()
    assert task.status == "NEW"

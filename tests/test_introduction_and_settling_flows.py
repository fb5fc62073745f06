from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from processes import services
from processes.models import AllAboutMe, LifecycleState, ParentMeeting, SettlingReview, SettlingSession
from workflows.models import ChildProcess, ProcessKind
from workflows.routing import tasks_reroute
from workflows.services import FormInvalid

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


def test_the_introduction_must_be_on_or_before_the_first_day(introduced, key_person):
    late = timezone.localtime() + dt.timedelta(days=30)
    with pytest.raises(FormInvalid) as refused:
        complete(the_task(introduced, "arrange_meeting"), key_person.user,
                 starts_at=late.strftime("%Y-%m-%d %H:%M"), duration_minutes=30)
    assert "on or before the first day" in refused.value.errors["starts_at"][0]
    assert not ParentMeeting.objects.exists()


def test_both_introduction_tasks_done_start_the_settling_in(introduced, key_person):
    introduce(introduced, key_person.user)
    assert ParentMeeting.objects.get(child=introduced).arranged_by == key_person.user
    assert AllAboutMe.objects.get(child=introduced).likes == "Trains"
    assert [t.flow_task.name for t in open_tasks(introduced)] == ["plan"]
    assert ChildProcess.objects.get(child=introduced, kind=ProcessKind.INTRODUCTION).status == "DONE"


def test_the_default_plan_is_short_visits_growing_longer_on_the_childs_days(introduced, key_person):
    introduce(introduced, key_person.user)
    agree_plan(introduced, key_person.user)
    visits = list(SettlingSession.objects.filter(child=introduced))
    assert len(visits) >= 3
    lengths = [v.duration_minutes for v in visits]
    assert lengths == sorted(lengths) and lengths[0] < lengths[-1]
    assert all(v.on.weekday() in (0, 1, 2) for v in visits)  # Amelia comes Monday to Wednesday mornings
    introduced.refresh_from_db()
    assert introduced.state == LifecycleState.SETTLING_IN


def test_a_plan_row_that_cannot_be_read_is_refused_with_its_row_number(introduced, key_person):
    introduce(introduced, key_person.user)
    with pytest.raises(FormInvalid) as refused:
        agree_plan(introduced, key_person.user, visits=f"{introduced.start_date} 09:30 60\nnext tuesday morning")
    assert "Visit 2" in refused.value.errors["visits"][0]
    assert not SettlingSession.objects.filter(child=introduced).exists()


def test_a_review_extended_twice_then_settled(setting, room, manager, key_person, other_key_person):
    # A child who started three weeks ago: the reviews are held after the visits and the first day.
    introduced = register(setting=setting, room=room, manager=manager, start_in_days=-21)
    allocate(introduced, manager, key_person, other_key_person)
    introduce(introduced, key_person.user)
    today = timezone.localdate()
    agree_plan(introduced, key_person.user, visits=f"{today - dt.timedelta(days=20)} 09:30 60 with parent")
    record_visits(introduced, key_person.user)
    first = SettlingReview.objects.get(child=introduced)
    assert first.due_on == introduced.start_date + dt.timedelta(weeks=setting.settling_review_weeks)

    for extension in (1, 2):
        review = the_task(introduced, "review")
        next_on = today + dt.timedelta(weeks=2 * extension)
        held = today - dt.timedelta(days=14 - 4 * extension)
        complete(review, key_person.user, held_on=held.isoformat(), outcome="needs_longer",
                 parents_view="Still upset at drop-off", next_review_on=next_on.isoformat(),
                 **visit_rows(f"{held + dt.timedelta(days=2)} 09:30 120", prefix="extra"))
        record_visits(introduced, key_person.user)
        introduced.refresh_from_db()
        assert introduced.state == LifecycleState.SETTLING_IN
        assert the_task(introduced, "review").inbox.due_at.date() == next_on

    complete(the_task(introduced, "review"), key_person.user, held_on=today.isoformat(), outcome="settled",
             parents_view="Happy and waving goodbye")
    introduced.refresh_from_db()
    assert introduced.state == LifecycleState.SETTLED
    assert open_tasks(introduced) == []
    assert list(SettlingReview.objects.filter(child=introduced).order_by("pk").values_list("outcome", flat=True)) == [
        "needs_longer", "needs_longer", "settled"]
    assert SettlingSession.objects.filter(child=introduced, recorded_at__isnull=True).count() == 0
    assert ChildProcess.objects.get(child=introduced, kind=ProcessKind.SETTLING).status == "DONE"


def test_needing_longer_requires_a_next_review_date(introduced, key_person):
    introduce(introduced, key_person.user)
    agree_plan(introduced, key_person.user, visits=f"{timezone.localdate() + dt.timedelta(days=1)} 09:30 60")
    record_visits(introduced, key_person.user)
    with pytest.raises(FormInvalid) as refused:
        complete(the_task(introduced, "review"), key_person.user, held_on=timezone.localdate().isoformat(),
                 outcome="needs_longer", parents_view="Unsure")
    assert "next_review_on" in refused.value.errors


def test_an_absent_key_persons_task_goes_to_the_secondary_for_the_day_and_back_afterwards(
    introduced, key_person, other_key_person, manager
):
    introduce(introduced, key_person.user)
    today = timezone.localdate()
    agree_plan(introduced, key_person.user,
               visits=f"{today} 09:30 60 with parent\n{today + dt.timedelta(days=7)} 09:30 90")
    visit = the_task(introduced, "record_visit")
    assert visit.owner == key_person.user

    services.staff_absence_record(staff=key_person, by=manager.user, starts_on=today, ends_on=today,
                                  reason="Sickness")
    visit.refresh_from_db()
    assert visit.owner == other_key_person.user  # the secondary records today's visit

    tasks_reroute(on=today + dt.timedelta(days=1))  # the key person is back tomorrow
    visit.refresh_from_db()
    assert visit.owner == key_person.user


def test_the_secondary_can_complete_a_task_while_covering(introduced, key_person, other_key_person, manager):
    introduce(introduced, key_person.user)
    today = timezone.localdate()
    agree_plan(introduced, key_person.user, visits=f"{today} 09:30 60 with parent")
    services.staff_absence_record(staff=key_person, by=manager.user, starts_on=today, ends_on=today,
                                  reason="Training day")
    complete(the_task(introduced, "record_visit"), other_key_person.user, how_it_went="Settled quickly")
    assert SettlingSession.objects.get(child=introduced).recorded_by == other_key_person.user


def test_the_hourly_sweep_hands_tasks_back_when_the_key_person_returns(
    introduced, key_person, other_key_person, manager
):
    from notifications.tasks import reroute_key_person_tasks
    from processes.models import StaffAbsence

    introduce(introduced, key_person.user)
    services.staff_absence_record(staff=key_person, by=manager.user,
                                  starts_on=timezone.localdate() - dt.timedelta(days=3),
                                  ends_on=timezone.localdate() + dt.timedelta(days=30), reason="Annual leave")
    plan = the_task(introduced, "plan")
    assert plan.owner == other_key_person.user
    StaffAbsence.objects.filter(staff=key_person).update(ends_on=timezone.localdate() - dt.timedelta(days=1))
    assert reroute_key_person_tasks.delay().get() == 1
    plan.refresh_from_db()
    assert plan.owner == key_person.user
    assert reroute_key_person_tasks.delay().get() == 0  # a second run moves nothing


@pytest.mark.parametrize("children", [2, 8])
def test_the_reroute_sweep_reads_a_fixed_number_of_queries(setting, room, manager, key_person, other_key_person,
                                                           children, django_assert_num_queries):
    for i in range(children):
        child = register(setting=setting, room=room, manager=manager, first_name=f"Kid{i}")
        allocate(child, manager, key_person, other_key_person)
    with django_assert_num_queries(3):  # open tasks, current assignments, absences; nothing to move
        assert tasks_reroute() == 0

"""The manager's view of transitions (issue 17 part 4): the pipeline of open transition processes, the room
moves coming up, the coming term's leavers, each linking to the process."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from processes import services
from workflows.models import ChildProcess, ProcessKind
from workflows.pipeline import coming_term_ends_on, kind_label, transition_pipeline

from . import senkit as sk
from .factories import ChildFactory
from .flowkit import agree_plan, allocate, complete, introduce, open_tasks, register, the_task
from .test_dashboard import _settled


def _settling(setting, room, manager, key_person, other_key_person, name="Settling", visits_recorded=1):
    child = register(setting=setting, room=room, manager=manager, first_name=name)
    allocate(child, manager, key_person, other_key_person)
    introduce(child, key_person.user)
    agree_plan(child, key_person.user)
    for _ in range(visits_recorded):
        complete(open_tasks(child, "record_visit")[0], key_person.user, how_it_went="Played with the sand")
    return child


def _section(page: str, start: str, end: str) -> str:
    return page[page.index(start):page.index(end)]


def test_the_pipeline_shows_each_open_transition_with_its_step_its_wait_and_its_visits(
        client, setting, room, manager, key_person, other_key_person):
    waiting = register(setting=setting, room=room, manager=manager, first_name="Waiting")
    introduced = register(setting=setting, room=room, manager=manager, first_name="Introduced")
    allocate(introduced, manager, key_person, other_key_person)
    settling = _settling(setting, room, manager, key_person, other_key_person)
    ten_days_ago = timezone.now() - dt.timedelta(days=10)
    ChildProcess.objects.filter(child=settling, kind=ProcessKind.SETTLING).update(created=ten_days_ago)

    rows = {(row.child_id, row.kind): row for row in transition_pipeline(setting_id=setting.pk)}

    assert set(rows) == {(waiting.pk, "allocation"), (introduced.pk, "introduction"), (settling.pk, "settling")}
    allocation = rows[waiting.pk, "allocation"]
    assert allocation.step_reached == "Started" and allocation.visits is None
    assert [(w.who, w.owned) for w in allocation.waiting] == [("Nobody yet (Manager)", False)]
    introduction = rows[introduced.pk, "introduction"]
    assert {w.who for w in introduction.waiting} == {key_person.name} and len(introduction.waiting) == 2
    moving_on = rows[settling.pk, "settling"]
    planned = settling.settling_sessions.count()
    assert moving_on.days_open == 10 and moving_on.visits == (1, planned) and planned >= 3
    assert moving_on.step_reached == "Record how the settling-in visit went"
    assert all(w.who == key_person.name for w in moving_on.waiting)

    client.force_login(manager.user)
    page = client.get(reverse("dashboard")).content.decode()
    pipeline = _section(page, 'id="h-pipeline"', 'id="h-moves"')
    row = pipeline[pipeline.index(f'data-process="{moving_on.process_id}"'):].split("</tr>")[0]
    assert "10 days" in row and f"1 done of {planned} planned" in row
    assert f'{reverse("child-timeline", args=[settling.pk])}#process-{moving_on.process_id}' in row
    assert moving_on.waiting[0].url in row and "/tasks/" in moving_on.waiting[0].url
    timeline = client.get(reverse("child-timeline", args=[settling.pk])).content.decode()
    assert f'id="process-{moving_on.process_id}"' in timeline  # the link lands on the process


def test_a_finished_process_leaves_the_pipeline(setting, room, manager, key_person, other_key_person):
    child = register(setting=setting, room=room, manager=manager)
    allocate(child, manager, key_person, other_key_person)
    introduce(child, key_person.user)
    kinds = [row.kind for row in transition_pipeline(setting_id=setting.pk)]
    assert kinds == ["settling"]  # allocation and introduction are done


def test_the_pipeline_is_generic_over_the_kinds_it_is_given(setting, room, manager, senco, key_person,
                                                              other_key_person):
    child = register(setting=setting, room=room, manager=manager)
    allocate(child, manager, key_person, other_key_person)
    sk.raise_concern(child, key_person.user)

    rows = transition_pipeline(setting_id=setting.pk, kinds=("sen",))

    assert [(row.kind, row.child_id) for row in rows] == [("sen", child.pk)]
    assert [w.title for w in rows[0].waiting] == [the_task(child, "tell_parents").flow_task.task_title]
    assert kind_label("room_move") == "Room move" and kind_label("settling") == "Settling in"


def test_a_kind_that_registers_a_visit_counter_shows_its_visits(monkeypatch, setting, room, manager, key_person,
                                                                 other_key_person):
    from workflows import pipeline

    monkeypatch.setattr(pipeline, "VISIT_COUNTERS", dict(pipeline.VISIT_COUNTERS))
    child = register(setting=setting, room=room, manager=manager)
    allocate(child, manager, key_person, other_key_person)
    sk.raise_concern(child, key_person.user)
    asked = []

    @pipeline.visits_of("sen")
    def _count(child_ids):
        asked.append(sorted(child_ids))
        return {child.pk: (2, 5)}

    [row] = transition_pipeline(setting_id=setting.pk, kinds=("sen",))

    assert row.visits == (2, 5) and asked == [[child.pk]]  # one call for all the kind's children


def test_room_moves_within_eight_weeks_and_overdue_ones_are_listed_soonest_first(
        client, setting, room, manager, key_person, other_key_person):
    today = timezone.localdate()
    soon = _settled(ChildFactory(setting=setting, room=room, first_name="Soon",
                                 date_of_birth=today - dt.timedelta(days=3 * 365 - 20)),
                    manager, key_person, other_key_person)
    overdue = _settled(ChildFactory(setting=setting, room=room, first_name="Overdue",
                                    date_of_birth=today - dt.timedelta(days=40 * 31)),
                       manager, key_person, other_key_person)
    _settled(ChildFactory(setting=setting, room=room, first_name="Later",
                          date_of_birth=today - dt.timedelta(days=2 * 365)), manager, key_person, other_key_person)
    client.force_login(manager.user)

    moves = _section(client.get(reverse("dashboard")).content.decode(), 'id="h-moves"', 'id="h-leavers"')

    assert "Later" not in moves
    assert moves.index(overdue.name) < moves.index(soon.name)
    assert "Overdue" in moves.split(overdue.name)[1].split("</tr>")[0]
    assert "Due <time" in moves.split(soon.name)[1].split("</tr>")[0]


def test_the_coming_terms_leavers_are_listed_and_link_to_their_process(client, setting, room, manager):
    today = timezone.localdate()
    started = today - dt.timedelta(days=300)
    soon = ChildFactory(setting=setting, room=room, first_name="Leaving", start_date=started,
                        expected_leaving_date=today + dt.timedelta(days=30))
    ChildFactory(setting=setting, room=room, first_name="Staying", start_date=started,
                 expected_leaving_date=coming_term_ends_on(today) + dt.timedelta(days=1))
    with_process = register(setting=setting, room=room, manager=manager, first_name="Joining", start_in_days=-5)
    services.child_update(child=with_process, by=manager.user, expected_leaving_date=today + dt.timedelta(days=40))
    process = ChildProcess.objects.get(child=with_process, kind=ProcessKind.ALLOCATION)
    client.force_login(manager.user)

    leavers = _section(client.get(reverse("dashboard")).content.decode(), 'id="h-leavers"', 'id="h-overdue"')

    assert soon.name in leavers and "Staying" not in leavers
    assert reverse("child-detail", args=[soon.pk]) in leavers
    assert f"#process-{process.pk}" in leavers.split(with_process.name)[0].rsplit("<tr", 1)[1]


@pytest.mark.parametrize(("today", "ends"), [
    (dt.date(2026, 12, 3), dt.date(2027, 3, 31)),
    (dt.date(2027, 1, 5), dt.date(2027, 8, 31)),
    (dt.date(2027, 8, 31), dt.date(2027, 12, 31)),
    (dt.date(2027, 9, 1), dt.date(2028, 3, 31)),
])
def test_the_coming_term_ends_at_the_end_of_the_term_after_this_one(today, ends):
    assert coming_term_ends_on(today) == ends


@pytest.mark.parametrize("children", [2, 6])
def test_the_dashboard_with_transitions_under_way_runs_a_fixed_number_of_queries(
        client, setting, room, manager, key_person, other_key_person, children, django_assert_num_queries):
    key_person.max_caseload = 50
    key_person.save()
    for i in range(children):
        _settling(setting, room, manager, key_person, other_key_person, name=f"S{i}")
        register(setting=setting, room=room, manager=manager, first_name=f"W{i}")
    client.force_login(manager.user)
    # the 26 of the dashboard (tests/test_dashboard.py, the register and the charts included) and the settling
    # visits counted
    with django_assert_num_queries(27):
        response = client.get(reverse("dashboard"))
    assert response.content.decode().count('data-kind="settling"') == children

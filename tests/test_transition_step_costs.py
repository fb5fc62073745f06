"""What each step of the room move and the change of key person costs in SQL, pinned exactly (at most 20 each;
the counts include the test's two savepoint statements, see tests/test_step_costs.py)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType

from processes import services
from processes.models import Child

from .flowkit import complete, the_task
from .transitionkit import (
    HANDOVER,
    TODAY,
    choose,
    meeting_data,
    plan_and_record_visits,
    plan_move,
    visits_today,
)

pytestmark = pytest.mark.django_db


def _user(staff):
    return get_user_model().objects.select_related("staff").get(pk=staff.user.pk)


@pytest.fixture(autouse=True)
def _content_types_known(db):
    ContentType.objects.get_for_model(Child)


@pytest.fixture
def moving(settled, manager, preschool):
    plan_move(settled, manager, preschool)
    return settled


@pytest.fixture
def chosen(moving, manager, new_key_person, new_secondary):
    choose(moving, manager, new_key_person, new_secondary)
    return moving


@pytest.fixture
def ready(chosen, new_key_person):
    plan_and_record_visits(chosen, new_key_person.user, 1)
    complete(the_task(chosen, "ready"), new_key_person.user, ready="yes")
    return chosen


def _cost(child, node, staff, data, n, django_assert_num_queries):
    task = the_task(child, node)
    by = _user(staff)
    with django_assert_num_queries(n):
        complete(task, by, **data)


def test_choosing_the_new_key_persons(moving, manager, new_key_person, new_secondary, django_assert_num_queries):
    _cost(moving, "choose_key_persons", manager, {"primary": new_key_person.pk, "secondary": new_secondary.pk},
          COSTS["choose_key_persons"], django_assert_num_queries)


def test_planning_the_visits(chosen, new_key_person, django_assert_num_queries):
    _cost(chosen, "plan_visits", new_key_person, visits_today(2), COSTS["plan_visits"], django_assert_num_queries)


def test_recording_a_visit(chosen, new_key_person, django_assert_num_queries):
    complete(the_task(chosen, "plan_visits"), new_key_person.user, **visits_today(2))
    _cost(chosen, "record_visit", new_key_person, {"how_it_went": "Fine"}, COSTS["record_visit"],
          django_assert_num_queries)


def test_the_child_is_ready(chosen, new_key_person, django_assert_num_queries):
    plan_and_record_visits(chosen, new_key_person.user, 1)
    _cost(chosen, "ready", new_key_person, {"ready": "yes"}, COSTS["ready"], django_assert_num_queries)


def test_the_child_needs_more_visits(chosen, new_key_person, django_assert_num_queries):
    from .flowkit import visit_rows

    plan_and_record_visits(chosen, new_key_person.user, 1)
    _cost(chosen, "ready", new_key_person, {"ready": "no", **visit_rows(f"{TODAY()} 15:00 120", prefix="extra")},
          COSTS["not_ready"], django_assert_num_queries)


def test_the_parents_meet_the_new_key_person(ready, new_key_person, django_assert_num_queries):
    _cost(ready, "meet_parents", new_key_person, meeting_data(), COSTS["meet_parents"], django_assert_num_queries)


def test_the_handover_of_a_move(ready, key_person, new_key_person, django_assert_num_queries):
    complete(the_task(ready, "meet_parents"), new_key_person.user, **meeting_data())
    _cost(ready, "handover", key_person, HANDOVER, COSTS["handover"], django_assert_num_queries)


def test_the_move_on_the_day(ready, manager, key_person, new_key_person, django_assert_num_queries):
    complete(the_task(ready, "meet_parents"), new_key_person.user, **meeting_data())
    complete(the_task(ready, "handover"), key_person.user, **HANDOVER)
    _cost(ready, "move_day", manager, {"confirm": "on"}, COSTS["move_day"], django_assert_num_queries)


@pytest.fixture
def changing(settled, manager, other_key_person, new_key_person):
    services.key_person_change_start(child=settled, to_staff=new_key_person, to_secondary=other_key_person,
                                     reason="parents_ask", by=manager.user)
    return settled


def test_the_handover_of_a_change(changing, key_person, django_assert_num_queries):
    _cost(changing, "handover", key_person, HANDOVER, COSTS["change_handover"], django_assert_num_queries)


def test_the_introduction_of_the_new_key_person(changing, new_key_person, django_assert_num_queries):
    _cost(changing, "introduce", new_key_person, {"introduced_on": str(TODAY()), "notes": "Story time"},
          COSTS["introduce"], django_assert_num_queries)


def test_the_change_on_the_day(changing, manager, key_person, new_key_person, django_assert_num_queries):
    complete(the_task(changing, "handover"), key_person.user, **HANDOVER)
    complete(the_task(changing, "introduce"), new_key_person.user, introduced_on=str(TODAY()), notes="Story time")
    _cost(changing, "take_over", manager, {"confirm": "on"}, COSTS["take_over"], django_assert_num_queries)


# Each count includes the test's two savepoints and, since main's follow-on (workflows.follow_on), the three
# statements after the step's own transaction (SAVEPOINT, the process read, RELEASE). Within the bound (20 a step)
# inside the step's transaction.
COSTS = {
    "choose_key_persons": 19, "plan_visits": 22, "record_visit": 21, "ready": 20, "meet_parents": 20,
    "handover": 17, "change_handover": 20, "introduce": 20,
    # The extra visits added, then two gateways (ready? visits to record?: workflows.nodes.If, no savepoints)
    # and the next visit's task with its inbox row and notice.
    "not_ready": 24,
    # The child read once and locked, counting the visits left and the new key person's caseload; both
    # assignments ended in one UPDATE and made in one INSERT, announced once (the tasks rerouted, the parents'
    # letter queued after commit); the room in the lifecycle's own UPDATE, its log row; one audit INSERT; then
    # the end (workflows.nodes.End: the process's status and open kind only).
    "move_day": 25,
    # As the move day, without the room, the visits and the lifecycle.
    "take_over": 23,
}

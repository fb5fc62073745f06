"""The room move and the change of key person over HTTP, as the real roles, and what their pages cost."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from processes.models import AssignmentRole, KeyPersonChange, LifecycleState, RoomMove, TransitionStatus

from .factories import SettingFactory, StaffFactory
from .flowkit import the_task
from .transitionkit import (
    HANDOVER,
    TODAY,
    meeting_data,
    plan_move,
    settled_child,
    visits_today,
)

pytestmark = pytest.mark.django_db


def _as(client, staff):
    client.force_login(staff.user)
    return client


def _do(client, child, node, **data):
    task = the_task(child, node)
    response = client.post(reverse("task-detail", args=[task.process_id, task.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    return response


def _outgrowing(setting, room, manager, key_person, other_key_person, n: int, **extra):
    # Born 35 months ago: outgrowing the Toddlers (24-36 months) within the eight weeks' notice.
    born = TODAY() - dt.timedelta(days=35 * 30 + 10)
    return [settled_child(setting, room, manager, key_person, other_key_person, first_name=f"Kid{i}",
                          date_of_birth=born, **extra) for i in range(n)]


def test_a_room_move_over_http_as_the_real_roles(client, settled, manager, key_person, preschool, new_key_person,
                                                new_secondary, room):
    _as(client, manager)
    page = client.get(reverse("room-moves") + f"?child={settled.pk}").content.decode()
    assert settled.name in page and "Pre-school" in page
    response = client.post(reverse("room-moves") + f"?child={settled.pk}", {"children": [settled.pk],
                                                                            "to_room": preschool.pk,
                                                   "planned_on": str(TODAY()), "why": "Turning three"})
    assert response.status_code == 302, [line for line in response.content.decode().splitlines() if "error" in line]
    move = RoomMove.objects.get(child=settled)
    _do(client, settled, "choose_key_persons", primary=new_key_person.pk, secondary=new_secondary.pk)
    _as(client, new_key_person)
    _do(client, settled, "plan_visits", **visits_today(1))
    _do(client, settled, "record_visit", how_it_went="Went straight to the sand tray")
    _do(client, settled, "ready", ready="yes", notes="Confident")
    _do(client, settled, "meet_parents", **meeting_data())
    # The key person now may not do the new key person's steps, nor the manager's.
    _as(client, key_person)
    _do(client, settled, "handover", **HANDOVER)
    move_day = the_task(settled, "move_day")
    refused = client.post(reverse("task-detail", args=[move_day.process_id, move_day.pk]), {"confirm": "on"})
    assert refused.status_code in (403, 404)
    _as(client, manager)
    _do(client, settled, "move_day", confirm="on")
    settled.refresh_from_db()
    assert settled.room == preschool and settled.state == LifecycleState.SETTLED
    move.refresh_from_db()
    assert move.status == TransitionStatus.DONE


def test_several_children_start_their_moves_at_once(client, setting, room, manager, key_person, other_key_person,
                                                    preschool):
    kids = _outgrowing(setting, room, manager, key_person, other_key_person, 3)
    _as(client, manager)
    response = client.post(reverse("room-moves"), {"children": [k.pk for k in kids], "to_room": preschool.pk,
                                                   "planned_on": str(TODAY() + dt.timedelta(days=28))})
    assert response.status_code == 302
    assert RoomMove.objects.filter(status=TransitionStatus.OPEN).count() == 3
    page = client.get(reverse("room-moves")).content.decode()
    assert "Under way (3)" in page and "Choose the key person in the new room" in page


def test_the_room_moves_page_costs_the_same_for_two_children_or_eight(client, setting, room, manager, key_person,
                                                                    other_key_person, preschool,
                                                                    django_assert_num_queries):
    key_person.max_caseload = 20
    key_person.save()

    def count(n):
        kids = _outgrowing(setting, room, manager, key_person, other_key_person, n)
        for kid in kids[: n // 2]:
            plan_move(kid, manager, preschool, on=TODAY() + dt.timedelta(days=14))
        _as(client, manager)
        with django_assert_num_queries(ROOM_MOVES_QUERIES) as ctx:
            assert client.get(reverse("room-moves")).status_code == 200
        return len(ctx.captured_queries)

    assert count(2) == count(6)


ROOM_MOVES_QUERIES = 11


def test_a_move_can_have_its_date_moved_and_be_cancelled_from_its_page(client, settled, manager, preschool):
    move = plan_move(settled, manager, preschool)
    _as(client, manager)
    url = reverse("room-move", args=[move.pk])
    later = TODAY() + dt.timedelta(days=10)
    assert client.post(url, {"action": "date", "to_date": str(later), "reason": "Holiday"}).status_code == 302
    assert client.post(url, {"action": "cancel", "cancel-reason": "Staying with friends"}).status_code == 302
    move.refresh_from_db()
    assert move.planned_on == later and move.status == TransitionStatus.CANCELLED
    assert "Staying with friends" in client.get(url).content.decode()


def test_the_move_pages_are_the_managers(client, settled, manager, key_person, preschool):
    move = plan_move(settled, manager, preschool)
    for url in (reverse("room-moves"), reverse("room-move", args=[move.pk]),
                reverse("staff-key-children", args=[key_person.pk])):
        assert _as(client, key_person).get(url).status_code == 403
        assert _as(client, manager).get(url).status_code == 200
    elsewhere = StaffFactory(setting=SettingFactory(), manager=True)
    assert _as(client, elsewhere).get(reverse("room-move", args=[move.pk])).status_code == 404
    assert _as(client, elsewhere).get(reverse("staff-key-children", args=[key_person.pk])).status_code == 404


def test_a_leavers_ten_key_children_on_one_screen(client, setting, room, manager, key_person, other_key_person,
                                                  django_assert_num_queries):
    key_person.max_caseload = 12
    key_person.save()
    successor = StaffFactory(setting=setting, room=room, user__first_name="Sam")
    kids = [settled_child(setting, room, manager, key_person, other_key_person, first_name=f"Kid{i}")
            for i in range(10)]
    _as(client, manager)
    url = reverse("staff-key-children", args=[key_person.pk])
    with django_assert_num_queries(LEAVER_QUERIES):
        page = client.get(url).content.decode()
    assert all(k.name in page for k in kids)
    data = {"leaving_on": str(TODAY() + dt.timedelta(days=14)), "reason": "staff_leaving"}
    for kid in kids:  # the secondary steps up; the successor becomes the secondary
        data[f"successor-{kid.pk}"] = other_key_person.pk
        data[f"secondary-{kid.pk}"] = successor.pk
    response = client.post(url, data)
    assert response.status_code == 302
    assert KeyPersonChange.objects.filter(status=TransitionStatus.OPEN).count() == 10
    for kid in kids:
        assert the_task(kid, "handover").owner == key_person.user
        assert the_task(kid, "introduce").owner == other_key_person.user
    assert "Planned" in client.get(url).content.decode()


def test_the_leaver_screen_costs_the_same_for_two_children_or_ten(client, setting, room, manager, key_person,
                                                                  other_key_person, django_assert_num_queries):
    key_person.max_caseload = 20
    key_person.save()
    _as(client, manager)
    url = reverse("staff-key-children", args=[key_person.pk])
    for n in (2, 8):
        for i in range(n):
            settled_child(setting, room, manager, key_person, other_key_person, first_name=f"K{n}{i}")
        with django_assert_num_queries(LEAVER_QUERIES):
            client.get(url)


LEAVER_QUERIES = 13


def test_one_child_change_over_http(client, settled, manager, key_person, other_key_person, setting, room):
    successor = StaffFactory(setting=setting, room=room)
    _as(client, manager)
    url = reverse("key-person-change", args=[settled.pk])
    assert successor.name in client.get(url).content.decode()
    response = client.post(url, {"primary": successor.pk, "secondary": other_key_person.pk, "reason": "not_clicked",
                                 "change_on": str(TODAY())})
    assert response.status_code == 302
    _as(client, key_person)
    _do(client, settled, "handover", **HANDOVER)
    _as(client, successor)
    _do(client, settled, "introduce", introduced_on=str(TODAY()), notes="Story time together, with dad")
    _as(client, manager)
    _do(client, settled, "take_over", confirm="on")
    assert {a.role: a.staff for a in settled.assignments.current()}[AssignmentRole.PRIMARY] == successor


def test_a_long_absence_offers_the_change(client, setting, manager, key_person):
    from processes import services

    services.staff_absence_record(staff=key_person, starts_on=TODAY(), ends_on=TODAY() + dt.timedelta(weeks=10),
                                  reason="Long-term sick", by=manager.user)
    page = _as(client, manager).get(reverse("staff-absences")).content.decode()
    assert reverse("staff-key-children", args=[key_person.pk]) + "?reason=long_absence" in page


def test_a_moves_page_costs_the_same_whatever_its_visits(client, settled, manager, preschool, new_key_person,
                                                         new_secondary, django_assert_num_queries):
    from .flowkit import complete
    from .transitionkit import choose

    move = plan_move(settled, manager, preschool, on=TODAY() + dt.timedelta(days=14))
    choose(settled, manager, new_key_person, new_secondary)
    _as(client, manager)
    url = reverse("room-move", args=[move.pk])
    with django_assert_num_queries(MOVE_PAGE_QUERIES):
        client.get(url)
    complete(the_task(settled, "plan_visits"), new_key_person.user, **visits_today(4))
    with django_assert_num_queries(MOVE_PAGE_QUERIES):
        assert "Visits to the new room (4)" in client.get(url).content.decode()


# The same whatever the number of visits: the move with what it shows, its visits and its date changes are a
# query each, beside the log-in's and the session's own.
MOVE_PAGE_QUERIES = 9

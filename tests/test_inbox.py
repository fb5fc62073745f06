from __future__ import annotations

import pytest
from django.urls import reverse

from .factories import RoomFactory, SettingFactory, StaffFactory
from .flowkit import allocate, introduce, register, the_task


def _register_many(n, *, setting, room, manager):
    return [register(setting=setting, room=room, manager=manager, first_name=f"Child{i}", start_in_days=10 + i % 40)
            for i in range(n)]


@pytest.mark.parametrize("count", [5, 500])
def test_the_inbox_page_runs_a_fixed_number_of_queries(client, setting, room, manager, count,
                                                       django_assert_num_queries):
    _register_many(count, setting=setting, room=room, manager=manager)
    client.force_login(manager.user)
    # session, user, staff, count, rows, rooms, and the idle-timeout session save (savepoint, update, release)
    with django_assert_num_queries(9):
        response = client.get(reverse("inbox"))
    assert response.status_code == 200
    assert response.content.decode().count("Allocate a key person") == min(count, 50)


@pytest.mark.parametrize("count", [5, 500])
def test_the_api_inbox_runs_a_fixed_number_of_queries(client, setting, room, manager, count, django_assert_num_queries):
    _register_many(count, setting=setting, room=room, manager=manager)
    client.force_login(manager.user)
    with django_assert_num_queries(8):  # session, user, staff, count, rows, and the session save (3)
        response = client.get(reverse("api-task-list"))
    assert response.status_code == 200
    assert response.json()["count"] == count and len(response.json()["results"]) == min(count, 50)


def test_the_inbox_lists_soonest_due_first_and_marks_overdue(client, setting, room, manager):
    register(setting=setting, room=room, manager=manager, first_name="Later", start_in_days=30)
    register(setting=setting, room=room, manager=manager, first_name="Overdue", start_in_days=2)
    client.force_login(manager.user)
    page = client.get(reverse("inbox")).content.decode()
    assert page.index("Overdue Jones") < page.index("Later Jones")
    assert page.count("badge-overdue") == 1


def test_the_inbox_filters_by_child_process_and_room(client, setting, room, manager):
    other_room = RoomFactory(setting=setting, name="Babies", min_age_months=0, max_age_months=24)
    a = register(setting=setting, room=room, manager=manager, first_name="Ava")
    register(setting=setting, room=other_room, manager=manager, first_name="Ben")
    client.force_login(manager.user)
    assert "Ben Jones" not in client.get(reverse("inbox"), {"child": a.pk}).content.decode()
    assert "Ava Jones" not in client.get(reverse("inbox"), {"room": other_room.pk}).content.decode()
    assert "Nothing waiting" in client.get(reverse("inbox"), {"process": "settling"}).content.decode()


def test_a_key_person_sees_only_their_own_tasks(client, setting, room, manager, key_person, other_key_person):
    child = register(setting=setting, room=room, manager=manager)
    register(setting=setting, room=room, manager=manager, first_name="Unallocated")
    allocate(child, manager, key_person, other_key_person)
    client.force_login(key_person.user)
    page = client.get(reverse("inbox")).content.decode()
    assert "Arrange the parents&#x27; introduction" in page and "Allocate a key person" not in page
    client.force_login(other_key_person.user)
    assert "Nothing waiting for you" in client.get(reverse("inbox")).content.decode()


def test_a_manager_of_another_setting_cannot_see_claim_or_complete_a_task(client, setting, room, manager):
    child = register(setting=setting, room=room, manager=manager)
    task = the_task(child, "allocate")
    stranger = StaffFactory(setting=SettingFactory(), manager=True)
    client.force_login(stranger.user)
    assert "Allocate a key person" not in client.get(reverse("inbox")).content.decode()
    url = reverse("task-detail", args=[task.process_id, task.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"primary": 1}).status_code == 404
    assert client.post(reverse("task-claim", args=[task.process_id, task.pk])).status_code == 404
    task.refresh_from_db()
    assert task.status == "NEW" and task.owner is None


def test_a_task_url_with_the_wrong_process_is_not_found(client, setting, room, manager):
    a = the_task(register(setting=setting, room=room, manager=manager, first_name="A"), "allocate")
    b = the_task(register(setting=setting, room=room, manager=manager, first_name="B"), "allocate")
    client.force_login(manager.user)
    assert client.get(reverse("task-detail", args=[b.process_id, a.pk])).status_code == 404


def test_claim_release_and_complete_from_the_pages(client, setting, room, manager, key_person, other_key_person):
    child = register(setting=setting, room=room, manager=manager)
    task = the_task(child, "allocate")
    client.force_login(manager.user)
    client.post(reverse("task-claim", args=[task.process_id, task.pk]))
    task.refresh_from_db()
    assert task.owner == manager.user
    client.post(reverse("task-release", args=[task.process_id, task.pk]))
    task.refresh_from_db()
    assert task.owner is None
    url = reverse("task-detail", args=[task.process_id, task.pk])
    page = client.get(url).content.decode()
    assert "Suggested key persons" in page and key_person.name in page
    response = client.post(url, {"primary": key_person.pk, "secondary": other_key_person.pk})
    assert response.status_code == 302
    child.refresh_from_db()
    assert child.state == "allocated"


def test_a_stale_form_is_told_who_completed_the_task_first(client, setting, room, manager, key_person,
                                                            other_key_person):
    child = register(setting=setting, room=room, manager=manager)
    task = the_task(child, "allocate")
    second_manager = StaffFactory(setting=setting, manager=True, user__first_name="Priya", user__last_name="Shah")
    url = reverse("task-detail", args=[task.process_id, task.pk])
    client.force_login(second_manager.user)
    client.get(url)  # Priya opens the form ...
    allocate(child, manager, key_person, other_key_person)  # ... and the manager completes it first
    response = client.post(url, {"primary": other_key_person.pk, "secondary": key_person.pk}, follow=True)
    page = response.content.decode()
    assert "already completed by" in page and manager.user.get_full_name() in page
    assert child.assignments.current().get(role="primary").staff == key_person  # nothing written twice


def test_a_form_error_is_shown_on_the_page_and_nothing_is_written(client, setting, room, manager, key_person):
    child = register(setting=setting, room=room, manager=manager)
    task = the_task(child, "allocate")
    client.force_login(manager.user)
    response = client.post(reverse("task-detail", args=[task.process_id, task.pk]),
                           {"primary": key_person.pk, "secondary": key_person.pk})
    assert response.status_code == 400
    assert "must be someone other than the key person" in response.content.decode()
    assert not child.assignments.exists()


def test_the_childs_timeline_shows_who_did_what(client, setting, room, manager, key_person, other_key_person):
    child = register(setting=setting, room=room, manager=manager)
    allocate(child, manager, key_person, other_key_person)
    introduce(child, key_person.user)
    client.force_login(key_person.user)
    page = client.get(reverse("child-timeline", args=[child.pk])).content.decode()
    assert "Allocate a key person" in page and "done by" in page
    assert "Agree the settling-in plan" in page and "waiting" in page
    client.force_login(StaffFactory(setting=setting).user)  # not this child's key person
    assert client.get(reverse("child-timeline", args=[child.pk])).status_code == 404


def test_the_inbox_query_reads_its_one_table(setting, room, manager):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from workflows.inbox import inbox_entries

    _register_many(3, setting=setting, room=room, manager=manager)
    with CaptureQueriesContext(connection) as captured:
        rows = list(inbox_entries(manager.user)[:50])
    assert len(rows) == 3 and len(captured.captured_queries) == 1
    sql = captured.captured_queries[0]["sql"]
    assert "JOIN" not in sql and "workflows_inboxentry" in sql


def test_a_childs_new_name_and_room_reach_their_inbox_rows(client, setting, room, manager):
    from processes import services
    from workflows.models import InboxEntry

    child = register(setting=setting, room=room, manager=manager, first_name="Amara")
    other_room = RoomFactory(setting=setting, name="Garden room", min_age_months=0, max_age_months=60)
    services.child_update(child=child, by=manager.user, preferred_name="Mimi", room=other_room)
    entry = InboxEntry.objects.get(child=child)
    assert (entry.child_name, entry.room_id, entry.room_name) == (f"Mimi {child.last_name}", other_room.pk,
                                                                  "Garden room")
    other_room.name = "Orchard room"
    other_room.save()
    client.force_login(manager.user)
    page = client.get(reverse("inbox"), {"room": other_room.pk}).content.decode()
    assert f"Mimi {child.last_name}" in page and "Orchard room" in page


def _inbox_by_the_orm(user, **filters):
    """What the inbox must list, built with the ORM on every call: the reference for the hand-written SQL."""
    from django.db.models import F, Q

    from workflows.inbox import INBOX_COLUMNS, claimable_roles
    from workflows.models import InboxEntry

    staff = user.staff
    roles = claimable_roles(staff)
    scope = Q(owner_id=user.pk) | Q(owner__isnull=True, role__in=roles) if roles else Q(owner_id=user.pk)
    return list(InboxEntry.objects.filter(scope, is_open=True, setting_id=staff.setting_id, **filters)
                .order_by(F("priority").desc(), F("due_at").asc(nulls_last=True), "task_id").values(*INBOX_COLUMNS))


def test_the_inbox_sql_lists_what_the_orm_would_for_every_user_filter_and_slice(
        setting, room, manager, key_person, other_key_person):
    from workflows.inbox import InboxFilter, inbox_entries

    other_room = RoomFactory(setting=setting, name="Babies", min_age_months=0, max_age_months=24)
    children = _register_many(7, setting=setting, room=room, manager=manager)
    children += _register_many(3, setting=setting, room=other_room, manager=manager)
    for child in children[:4]:
        allocate(child, manager, key_person, other_key_person)
    elsewhere = SettingFactory()
    register(setting=elsewhere, room=RoomFactory(setting=elsewhere), manager=StaffFactory(setting=elsewhere,
             is_manager=True), first_name="Elsewhere")
    cases = [({}, InboxFilter()), ({"child_id": children[0].pk}, InboxFilter(child_id=children[0].pk)),
             ({"kind": "allocation"}, InboxFilter(kind="allocation")),
             ({"room_id": other_room.pk}, InboxFilter(room_id=other_room.pk)),
             ({"room_id": room.pk, "kind": "introduction"}, InboxFilter(room_id=room.pk, kind="introduction"))]
    for user in (manager.user, key_person.user):
        for orm_filters, inbox_filter in cases:
            expected = _inbox_by_the_orm(user, **orm_filters)
            inbox = inbox_entries(user, inbox_filter)
            assert list(inbox) == expected
            assert inbox.count() == len(expected)
            assert inbox[2:5] == expected[2:5] and inbox[3:] == expected[3:] and inbox[:0] == []
            if expected:
                assert inbox[len(expected) - 1] == expected[-1]
    assert len(_inbox_by_the_orm(manager.user)) == 6 and len(_inbox_by_the_orm(key_person.user)) == 8


def test_the_second_inbox_page_and_an_api_offset_list_the_rest(client, setting, room, manager):
    _register_many(53, setting=setting, room=room, manager=manager)
    client.force_login(manager.user)
    assert client.get(reverse("inbox"), {"page": 2}).content.decode().count("Allocate a key person") == 3
    body = client.get(reverse("api-task-list"), {"offset": 50, "limit": 10}).json()
    assert body["count"] == 53 and len(body["results"]) == 3


def test_the_inbox_of_someone_who_is_not_staff_is_empty(setting, room, manager, django_user_model):
    from workflows.inbox import inbox_entries

    register(setting=setting, room=room, manager=manager)
    outsider = django_user_model.objects.create_user("outsider", password="x")
    inbox = inbox_entries(outsider)
    assert list(inbox) == [] and inbox.count() == 0 and inbox[:50] == []


def test_the_next_page_of_a_filtered_inbox_keeps_the_filter(client, setting, room, manager):
    _register_many(53, setting=setting, room=room, manager=manager)
    client.force_login(manager.user)
    page = client.get(reverse("inbox"), {"room": room.pk, "process": "allocation"}).content.decode()
    assert f'href="?room={room.pk}&amp;process=allocation&amp;page=2"' in page

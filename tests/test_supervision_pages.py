"""The supervision pages over HTTP as the real roles: the manager lists key persons and holds a supervision;
a key person sees only their own and marks their actions done; the list reads a fixed number of queries."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from processes import services
from processes.models import Supervision, SupervisionAction

from .factories import StaffFactory


@pytest.fixture
def due(key_person, manager):
    return services.supervision_schedule(staff=key_person, by=manager.user, due_on=timezone.localdate())


def test_the_manager_holds_a_supervision_going_through_each_key_child(client, allocated_child, due, manager,
                                                                      key_person):
    client.force_login(manager.user)
    url = reverse("supervision", args=[due.pk])
    page = client.get(url).content.decode()
    assert allocated_child.name in page and "Key children, one by one" in page
    response = client.post(url, {
        "held_on": timezone.localdate().isoformat(), "feedback": "Happy in the room", "training_needs": "Makaton",
        f"c{allocated_child.pk}_to_raise": "Biting at lunch",
        "a0_what": "Talk to the parents", "a0_for": str(key_person.pk), "a0_child": str(allocated_child.pk),
        "a0_due": timezone.localdate().isoformat(),
    })
    assert response.status_code == 302
    due.refresh_from_db()
    assert due.held and due.child_notes.get().to_raise == "Biting at lunch"
    assert SupervisionAction.objects.get().child == allocated_child


def test_a_key_person_sees_their_own_supervision_but_cannot_hold_it_nor_see_a_colleagues(
        client, due, key_person, other_key_person, manager):
    theirs = services.supervision_schedule(staff=other_key_person, by=manager.user, due_on=timezone.localdate())
    client.force_login(key_person.user)
    page = client.get(reverse("supervision", args=[due.pk]))
    assert page.status_code == 200 and "The manager records it with you" in page.content.decode()
    client.post(reverse("supervision", args=[due.pk]), {"held_on": timezone.localdate().isoformat()})
    due.refresh_from_db()
    assert not due.held
    assert client.get(reverse("supervision", args=[theirs.pk])).status_code == 404


def test_another_settings_manager_finds_nothing(client, due):
    client.force_login(StaffFactory(manager=True).user)
    assert client.get(reverse("supervision", args=[due.pk])).status_code == 404


def test_a_key_person_marks_their_action_done(client, due, manager, key_person):
    services.supervision_hold(supervision=due, by=manager.user, held_on=timezone.localdate(), actions=[
        {"what": "Book first aid", "for_staff": key_person, "due_on": timezone.localdate()}])
    action = SupervisionAction.objects.get()
    client.force_login(key_person.user)
    assert "Book first aid" in client.get(reverse("supervisions")).content.decode()
    client.post(reverse("supervision-action-done", args=[action.pk]))
    action.refresh_from_db()
    assert action.done_at is not None


@pytest.mark.parametrize("people", [2, 12])
def test_the_managers_list_reads_a_fixed_number_of_queries(client, setting, manager, people,
                                                         django_assert_num_queries):
    for _ in range(people):
        staff = StaffFactory(setting=setting)
        services.supervision_schedule(staff=staff, by=manager.user, due_on=timezone.localdate())
    client.force_login(manager.user)
    # session, user, staff, key persons, their supervisions, mine, my actions, and the session save (3)
    with django_assert_num_queries(10):
        response = client.get(reverse("supervisions"))
    assert response.status_code == 200 and Supervision.objects.count() == people

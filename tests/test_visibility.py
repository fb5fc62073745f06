"""Who sees which child, over HTTP, for each role (issue 3: "tested over HTTP")."""

from __future__ import annotations

import pytest
from django.urls import reverse

from processes import services
from processes.models import AssignmentRole, AuditEvent

from .factories import ChildFactory, RoomFactory, SettingFactory, StaffFactory

pytestmark = pytest.mark.django_db

LIST = reverse("child-list")


def detail(child) -> str:
    return reverse("child-detail", args=[child.pk])


def names_listed(client) -> set[str]:
    response = client.get(LIST)
    assert response.status_code == 200
    return {child.name for child in response.context["children"]}


@pytest.fixture
def children(setting, room, manager, key_person, other_key_person):
    """Three children of one setting: key_person is primary for one, secondary for one, nothing for the third."""
    primary, secondary, unrelated = (ChildFactory(setting=setting, room=room) for _ in range(3))
    services.key_person_assign(child=primary, staff=key_person, role=AssignmentRole.PRIMARY, by=manager.user)
    services.key_person_assign(child=secondary, staff=other_key_person, role=AssignmentRole.PRIMARY, by=manager.user)
    services.key_person_assign(child=secondary, staff=key_person, role=AssignmentRole.SECONDARY, by=manager.user)
    services.key_person_assign(child=unrelated, staff=other_key_person, role=AssignmentRole.PRIMARY, by=manager.user)
    return {"primary": primary, "secondary": secondary, "unrelated": unrelated}


@pytest.fixture
def other_setting_child(db):
    other = SettingFactory(name="Busy Bees")
    room = RoomFactory(setting=other, name="Toddlers")
    return ChildFactory(setting=other, room=room, first_name="Zara", last_name="Elsewhere")


def test_a_key_person_lists_their_key_children_and_those_they_back_up(client, key_person, children):
    client.force_login(key_person.user)
    assert names_listed(client) == {children["primary"].name, children["secondary"].name}


def test_a_key_person_opens_their_key_child_and_their_secondary_child(client, key_person, children):
    client.force_login(key_person.user)
    assert client.get(detail(children["primary"])).status_code == 200
    assert client.get(detail(children["secondary"])).status_code == 200


def test_a_key_person_asking_for_another_childs_record_by_id_gets_404(client, key_person, children):
    client.force_login(key_person.user)
    response = client.get(detail(children["unrelated"]))
    assert response.status_code == 404
    assert children["unrelated"].name.encode() not in response.content


def test_a_key_person_asking_for_a_child_that_does_not_exist_gets_the_same_404(client, key_person, children):
    client.force_login(key_person.user)
    assert client.get(reverse("child-detail", args=[999999])).status_code == 404


def test_the_senco_sees_every_child_of_the_setting(client, senco, children, other_setting_child):
    client.force_login(senco.user)
    assert names_listed(client) == {c.name for c in children.values()}
    for child in children.values():
        assert client.get(detail(child)).status_code == 200
    assert client.get(detail(other_setting_child)).status_code == 404


def test_the_manager_sees_every_child_of_the_setting(client, manager, children, other_setting_child):
    client.force_login(manager.user)
    assert names_listed(client) == {c.name for c in children.values()}
    for child in children.values():
        assert client.get(detail(child)).status_code == 200


def test_a_manager_of_another_setting_sees_none_of_this_settings_children(client, children, other_setting_child):
    other_manager = StaffFactory(setting=other_setting_child.setting, manager=True, user__username="bees-manager")
    client.force_login(other_manager.user)
    assert names_listed(client) == {other_setting_child.name}
    for child in children.values():
        assert client.get(detail(child)).status_code == 404


def test_a_manager_does_not_see_another_settings_child(client, manager, children, other_setting_child):
    client.force_login(manager.user)
    assert other_setting_child.name not in names_listed(client)
    assert client.get(detail(other_setting_child)).status_code == 404


def test_a_user_who_is_not_staff_sees_no_children(client, children, django_user_model):
    outsider = django_user_model.objects.create_user("outsider", password="pass-word-123")
    client.force_login(outsider)
    assert names_listed(client) == set()
    assert client.get(detail(children["primary"])).status_code == 404


@pytest.mark.parametrize("url_name", ["child-list", "home"])
def test_an_anonymous_visitor_is_sent_to_log_in(client, url_name):
    response = client.get(reverse(url_name))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_an_anonymous_visitor_asking_for_a_child_is_sent_to_log_in(client, children):
    response = client.get(detail(children["primary"]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert not AuditEvent.objects.filter(action="read").exists()


def test_an_inactive_user_is_sent_to_log_in(client, key_person, children):
    client.force_login(key_person.user)
    key_person.user.is_active = False
    key_person.user.save()
    for url in (LIST, detail(children["primary"])):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_a_key_person_whose_assignment_has_ended_no_longer_sees_the_child(client, manager, key_person, children):
    child = children["primary"]
    assignment = child.assignments.current().get(staff=key_person)
    services.key_person_end(assignment=assignment, by=manager.user, reason="Moved to the baby room")
    client.force_login(key_person.user)
    assert child.name not in names_listed(client)
    assert client.get(detail(child)).status_code == 404


def test_a_key_person_replaced_as_secondary_no_longer_sees_the_child(
    client, setting, room, manager, key_person, children
):
    child = children["secondary"]
    replacement = StaffFactory(setting=setting, room=room, user__username="replacement")
    services.key_person_assign(child=child, staff=replacement, role=AssignmentRole.SECONDARY, by=manager.user)
    client.force_login(key_person.user)
    assert child.name not in names_listed(client)
    assert client.get(detail(child)).status_code == 404


def test_viewing_a_childs_record_writes_a_read_audit_row(client, key_person, children):
    child = children["primary"]
    client.force_login(key_person.user)
    client.get(detail(child))
    event = AuditEvent.objects.get(action="read")
    assert event.actor == key_person.user
    assert event.child_id == child.pk
    assert event.setting_id == child.setting_id
    assert event.record_type == "processes.Child"
    assert event.summary == f"Viewed {child.name}'s record"


def test_a_refused_record_writes_no_read_audit_row_only_the_attempt(client, key_person, children):
    client.force_login(key_person.user)
    client.get(detail(children["unrelated"]))
    assert not AuditEvent.objects.filter(action="read", outcome="ok").exists()
    attempt = AuditEvent.objects.get(action="read")
    expected = ("not_found", key_person.user, children["unrelated"].pk)
    assert (attempt.outcome, attempt.actor, attempt.child_id) == expected

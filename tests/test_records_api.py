"""The records API: the services' rules and audit, the pages' scope, pages of results, filters, and API tokens."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from processes.models import AuditEvent, Child, Guardian, StaffAbsence

from .factories import RoomFactory, StaffFactory
from .flowkit import allocate, register

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(manager):
    client = APIClient()
    client.force_authenticate(manager.user)
    return client


def _born() -> str:
    return (timezone.localdate() - dt.timedelta(days=700)).isoformat()


def test_registering_a_child_goes_through_the_service_and_is_audited(api, setting, room, manager):
    response = api.post(reverse("api-children"), {
        "first_name": "Ivy", "last_name": "Stone", "date_of_birth": _born(), "room": room.pk,
        "sessions": ["mon_am", "tue_pm"], "allergies": "Egg"}, format="json")
    assert response.status_code == 201, response.content
    child = Child.objects.get(first_name="Ivy")
    assert response.json()["sessions"] == ["mon_am", "tue_pm"] and child.room == room
    assert AuditEvent.objects.filter(actor=manager.user, action="create", child_id=child.pk).exists()


def test_a_broken_rule_is_the_services_message_and_writes_nothing(api, room):
    later = (timezone.localdate() - dt.timedelta(days=800)).isoformat()
    response = api.post(reverse("api-children"), {
        "first_name": "Ivy", "last_name": "Stone", "date_of_birth": _born(), "start_date": later},
        format="json")
    assert response.status_code == 400 and response.json()["field"] == "start_date"
    assert not Child.objects.exists()


def test_a_room_of_another_setting_is_refused(api):
    response = api.post(reverse("api-children"), {"first_name": "A", "last_name": "B", "date_of_birth": _born(),
                                                  "room": RoomFactory().pk}, format="json")
    assert response.status_code == 400 and response.json()["field"] == "room"


def test_lists_come_in_pages_and_take_filters(api, setting, room, manager):
    other_room = RoomFactory(setting=setting, name="Babies", min_age_months=0, max_age_months=24)
    for n in range(3):
        register(setting=setting, room=room, manager=manager, first_name=f"Kid{n}")
    register(setting=setting, room=other_room, manager=manager, first_name="Baby")
    page = api.get(reverse("api-children"), {"limit": 2}).json()
    assert page["count"] == 4 and len(page["results"]) == 2 and page["next"]
    assert [c["first_name"] for c in api.get(reverse("api-children"), {"room": other_room.pk}).json()["results"]] \
        == ["Baby"]
    bad = api.get(reverse("api-children"), {"state": "asleep"})
    assert bad.status_code == 400 and bad.json()["field"] == "state"


def test_a_parent_is_added_to_a_child_and_a_siblings_parent_linked(api, setting, room, manager):
    first = register(setting=setting, room=room, manager=manager, first_name="Ann")
    second = register(setting=setting, room=room, manager=manager, first_name="Bo")
    made = api.post(reverse("api-guardians"), {"child": first.pk, "first_name": "Maya", "last_name": "Stone",
                                               "relationship": "Mother"}, format="json")
    assert made.status_code == 201, made.content
    linked = api.post(reverse("api-guardians"), {"child": second.pk, "guardian": made.json()["id"],
                                                 "relationship": "Mother"}, format="json")
    assert linked.status_code == 201
    assert {c["child"] for c in linked.json()["children"]} == {first.pk, second.pk}
    assert Guardian.objects.filter(first_name="Maya").count() == 1


def test_a_key_person_sees_only_their_key_childrens_records(setting, room, manager, key_person, other_key_person):
    mine = register(setting=setting, room=room, manager=manager, first_name="Mine")
    allocate(mine, manager, key_person, other_key_person)
    register(setting=setting, room=room, manager=manager, first_name="Theirs")
    client = APIClient()
    client.force_authenticate(key_person.user)
    assert [c["first_name"] for c in client.get(reverse("api-children")).json()["results"]] == ["Mine"]
    assert {a["child"] for a in client.get(reverse("api-assignments")).json()["results"]} == {mine.pk}
    assert client.get(reverse("api-staff")).status_code == 403


def test_the_dsl_sees_a_childs_record_without_its_sen(setting, room, manager):
    child = register(setting=setting, room=room, manager=manager, known_needs="Hearing")
    dsl = StaffFactory(setting=setting, is_dsl=True, is_key_person=False)
    client = APIClient()
    client.force_authenticate(dsl.user)
    assert client.get(reverse("api-child", args=[child.pk])).json()["known_needs"] is None
    client.force_authenticate(manager.user)
    assert client.get(reverse("api-child", args=[child.pk])).json()["known_needs"] == "Hearing"


def test_assigning_and_recording_an_absence_go_through_their_services(api, setting, room, manager, key_person):
    child = register(setting=setting, room=room, manager=manager)
    response = api.post(reverse("api-assignments"), {"child": child.pk, "staff": key_person.pk, "role": "primary"},
                        format="json")
    assert response.status_code == 201 and response.json()["ends_on"] is None
    today = timezone.localdate()
    absence = api.post(reverse("api-absences"), {"staff": key_person.pk, "starts_on": today.isoformat(),
                                                 "ends_on": today.isoformat(), "reason": "Course"}, format="json")
    assert absence.status_code == 201 and StaffAbsence.objects.filter(staff=key_person).exists()
    twice = api.post(reverse("api-absences"), {"staff": key_person.pk, "starts_on": today.isoformat(),
                                               "ends_on": today.isoformat(), "reason": "Course"}, format="json")
    assert twice.status_code == 400


# --- API tokens -------------------------------------------------------------------------------------------------

def _refused(response) -> None:
    # DRF answers 403 rather than 401 when the first authentication (the session) offers no challenge header.
    assert response.status_code in (401, 403)
    detail = response.json()["detail"].lower()
    assert "token" in detail or "inactive" in detail


def test_a_token_made_on_its_page_opens_the_api_until_it_is_revoked(client, setting, room, manager):
    register(setting=setting, room=room, manager=manager, first_name="Tokened")
    client.force_login(manager.user)
    page = client.post(reverse("api-tokens")).content.decode()
    token = AuthToken.objects.get(user=manager.user)
    text = page.split('id="new-token" type="text" readonly value="')[1].split('"')[0]
    assert text.startswith(token.token_key)
    assert AuditEvent.objects.filter(actor=manager.user, record_type="knox.AuthToken", action="create").exists()

    integration = APIClient()
    integration.credentials(HTTP_AUTHORIZATION=f"Token {text}")
    assert [c["first_name"] for c in integration.get(reverse("api-children")).json()["results"]] == ["Tokened"]

    client.post(reverse("api-token-revoke"), {"token_key": token.token_key})
    _refused(integration.get(reverse("api-children")))
    assert AuditEvent.objects.filter(actor=manager.user, record_type="knox.AuthToken", action="delete").exists()


def test_a_token_is_shown_once_and_stored_only_as_a_digest(client, manager):
    client.force_login(manager.user)
    page = client.post(reverse("api-tokens")).content.decode()
    text = page.split('readonly value="')[1].split('"')[0]
    assert text not in client.get(reverse("api-tokens")).content.decode()
    assert not AuthToken.objects.filter(digest=text).exists()


def test_someone_elses_token_cannot_be_revoked(client, manager, key_person):
    AuthToken.objects.create(user=key_person.user)
    client.force_login(manager.user)
    client.post(reverse("api-token-revoke"), {"token_key": AuthToken.objects.get().token_key})
    assert AuthToken.objects.filter(user=key_person.user).exists()


def test_a_closed_accounts_token_is_refused(setting, manager, key_person):
    _, text = AuthToken.objects.create(user=key_person.user)
    key_person.user.is_active = False
    key_person.user.save()
    integration = APIClient()
    integration.credentials(HTTP_AUTHORIZATION=f"Token {text}")
    _refused(integration.get(reverse("api-children")))

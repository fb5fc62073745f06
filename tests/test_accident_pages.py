"""The accident pages over HTTP as the real roles: the key persons, the manager and the safeguarding lead see a
child's accidents; the SENCO and another room's key person get a 404 (audited); a parent's link works once."""

from __future__ import annotations

import pytest
from django.urls import reverse

from processes.models import AccidentRecord, AuditEvent

from .accidentkit import SIGNATURE, accident
from .factories import StaffFactory


@pytest.fixture
def dsl(setting):
    return StaffFactory(setting=setting, is_dsl=True, is_key_person=False, user__username="dsl")


@pytest.mark.parametrize("who, status", [("key_person", 200), ("other_key_person", 200), ("manager", 200),
                                         ("dsl", 200), ("senco", 404), ("stranger", 404)])
def test_who_sees_a_childs_accidents(client, allocated_child, key_person, request, who, status, setting, senco, dsl):
    accident(allocated_child, key_person)
    user = (StaffFactory(setting=setting).user if who == "stranger" else request.getfixturevalue(who).user)
    client.force_login(user)
    response = client.get(reverse("child-accidents", args=[allocated_child.pk]))
    assert response.status_code == status
    outcome = "ok" if status == 200 else "not_found"
    assert AuditEvent.objects.filter(actor=user, action="read", outcome=outcome,
                                     child_id=allocated_child.pk).exists()


def test_a_key_person_records_an_accident_on_the_page(client, allocated_child, key_person):
    client.force_login(key_person.user)
    response = client.post(reverse("child-accidents", args=[allocated_child.pk]), {
        "kind": "accident", "occurred_at": "2020-01-01T10:00", "body_part": "Chin",
        "what_happened": "Fell from the bench", "first_aid": "Ice pack", "witnesses": "",
    })
    assert response.status_code == 400 and "cannot be before" in response.content.decode()
    assert not AccidentRecord.objects.exists()


def test_a_parent_signs_on_the_tablet_and_the_record_shows_it(client, allocated_child, key_person):
    record = accident(allocated_child, key_person)
    client.force_login(key_person.user)
    url = reverse("accident-sign", args=[allocated_child.pk, record.pk])
    assert client.post(url, {"name": "Jo Jones", "signature": ""}).status_code == 400
    response = client.post(url, {"name": "Jo Jones", "signature": SIGNATURE})
    assert response.status_code == 302
    page = client.get(reverse("child-accidents", args=[allocated_child.pk])).content.decode()
    assert "Acknowledged by <strong>Jo Jones</strong>" in page


def test_a_one_time_link_opens_without_a_log_in_once(client, allocated_child, key_person):
    record = accident(allocated_child, key_person)
    client.force_login(key_person.user)
    page = client.post(reverse("accident-sign", args=[allocated_child.pk, record.pk]), {"make_link": "1"})
    link = page.context["link"]
    client.logout()
    path = link.split("testserver", 1)[1]
    assert client.get(path).status_code == 200
    assert client.post(path, {"name": "Jo Jones", "signature": SIGNATURE}).status_code == 200
    assert client.get(path).status_code == 404
    record.refresh_from_db()
    assert record.acknowledged_how == "link"


def test_a_made_up_link_is_a_404(client, db):
    assert client.get(reverse("accident-link", args=["not-a-token"])).status_code == 404

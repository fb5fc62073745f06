"""Malformed input to the JSON API is a 400 or a 404 with a clear message, never a 500, and changes nothing.

Each case here was a 500 once (issue 15): a list for a body, a number for a date, an unknown SEN area, an id
too large for the database, a NUL byte in a filter.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from processes.models import AuditEvent, SenConcern

from . import senkit as sk
from .flowkit import register, the_task

pytestmark = pytest.mark.django_db

TOO_LARGE = "22300085921534200250368"


@pytest.fixture
def api(client):
    # A 500 must reach the test as a response, as it would reach a client, not as the exception.
    client.raise_request_exception = False
    return client


@pytest.fixture
def tell_parents(allocated_child, guardian_link, key_person):
    sk.raise_concern(allocated_child, key_person.user)
    return the_task(allocated_child, "tell_parents")


def _complete_url(task) -> str:
    return reverse("api-task-complete", args=[task.process_id, task.pk])


@pytest.mark.parametrize("body", [[None, None], "text", 5, None])
def test_a_completion_whose_body_is_not_an_object_is_a_400(api, tell_parents, key_person, body):
    api.force_login(key_person.user)
    response = api.post(_complete_url(tell_parents), body, content_type="application/json")
    assert response.status_code == 400, response.content
    assert "detail" in response.json()
    tell_parents.refresh_from_db()
    assert tell_parents.status in ("NEW", "ASSIGNED")


def test_a_number_where_a_date_is_expected_is_a_400_naming_the_field(api, tell_parents, key_person):
    api.force_login(key_person.user)
    response = api.post(_complete_url(tell_parents), {"held_on": 5, "with_whom": "Mum", "parents_view": "x"},
                        content_type="application/json")
    assert response.status_code == 400, response.content
    assert "held_on" in response.json()["errors"]


@pytest.mark.parametrize("value", ["a\x00b", {"nested": "object"}, [["nested list"]], "x" * 20_001])
def test_a_form_value_with_a_nul_byte_a_nested_value_or_too_long_is_a_400(api, tell_parents, key_person, value):
    api.force_login(key_person.user)
    response = api.post(_complete_url(tell_parents), {"held_on": str(sk.TODAY()), "with_whom": value,
                                                      "parents_view": "x"}, content_type="application/json")
    assert response.status_code == 400, response.content
    assert response.json()["field"] == "with_whom"


def test_a_completion_with_numbers_and_booleans_for_text_still_completes(api, tell_parents, key_person):
    api.force_login(key_person.user)
    response = api.post(_complete_url(tell_parents), {"held_on": str(sk.TODAY()), "with_whom": 7,
                                                      "parents_view": True}, content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "DONE"


def test_an_unknown_sen_area_is_a_400_naming_it(api, allocated_child, guardian_link, key_person):
    api.force_login(key_person.user)
    response = api.post(reverse("api-sen-concerns", args=[allocated_child.pk]),
                        {"areas": ["communication", "bogus"], "observed": "x", "since": str(sk.TODAY())},
                        content_type="application/json")
    assert response.status_code == 400, response.content
    assert response.json()["field"] == "areas" and "bogus" in response.json()["detail"]
    assert not SenConcern.objects.filter(child=allocated_child).exists()


def test_a_child_id_too_large_for_the_database_is_not_found_and_the_attempt_is_audited(api, key_person):
    api.force_login(key_person.user)
    response = api.get(f"/api/children/{TOO_LARGE}/sen/")
    assert response.status_code == 404, response.content
    attempt = AuditEvent.objects.get(actor=key_person.user, outcome="not_found")
    assert attempt.record_id == TOO_LARGE and attempt.child_id is None
    assert api.post(f"/api/children/{TOO_LARGE}/consents/", {}, content_type="application/json").status_code == 404
    assert api.get(f"/children/{TOO_LARGE}/sen/").status_code == 404


def test_a_task_id_too_large_for_the_database_is_not_found_and_the_attempt_is_audited(api, setting, room, manager):
    register(setting=setting, room=room, manager=manager)
    api.force_login(manager.user)
    for suffix in ("", "claim/", "release/", "complete/"):
        method = api.get if not suffix else api.post
        assert method(f"/api/processes/1/tasks/{TOO_LARGE}/{suffix}").status_code == 404
        assert method(f"/api/processes/{TOO_LARGE}/tasks/1/{suffix}").status_code == 404
    assert api.get(f"/processes/1/tasks/{TOO_LARGE}/").status_code == 404
    attempts = AuditEvent.objects.filter(actor=manager.user, outcome="not_found", record_type="viewflow.Task")
    assert attempts.filter(record_id=TOO_LARGE).count() == 5


@pytest.mark.parametrize("query", [{"process": "\x00"}, {"process": "bogus"}, {"child": "\x00"},
                                   {"room": TOO_LARGE}, {"child": "x"}, {"limit": "-1"}, {"offset": "x\x00"}])
def test_a_bad_task_list_filter_is_a_400(api, manager, query):
    api.force_login(manager.user)
    response = api.get(reverse("api-task-list"), query)
    assert response.status_code == 400, response.content
    assert response.json()["field"] == next(iter(query))


def test_the_task_list_filters_by_process_child_and_room(api, setting, room, manager):
    child = register(setting=setting, room=room, manager=manager)
    api.force_login(manager.user)
    assert api.get(reverse("api-task-list"), {"process": "allocation", "child": child.pk,
                                              "room": room.pk}).json()["count"] == 1
    assert api.get(reverse("api-task-list"), {"process": "sen"}).json()["count"] == 0


def test_the_inbox_page_ignores_a_nul_byte_in_a_filter(api, manager):
    api.force_login(manager.user)
    assert api.get(reverse("inbox"), {"process": "\x00", "child": "\x00"}).status_code == 200


def test_a_value_the_database_refuses_is_still_a_400_with_nothing_written(api, setting, room, manager,
                                                                          monkeypatch):
    from django.db import DataError

    from workflows import api as task_api

    def refused(**kwargs):
        raise DataError("value too long for type character varying(200)")

    task = the_task(register(setting=setting, room=room, manager=manager), "allocate")
    monkeypatch.setattr(task_api.services, "task_claim", refused)
    api.force_login(manager.user)
    response = api.post(reverse("api-task-claim", args=[task.process_id, task.pk]))
    assert response.status_code == 400 and "Nothing was changed" in response.json()["detail"]

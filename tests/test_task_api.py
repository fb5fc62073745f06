from __future__ import annotations

from django.urls import reverse

from .factories import SettingFactory, StaffFactory
from .flowkit import allocate, register, the_task


def _api(task, action=""):
    name = {"": "api-task-detail", "claim": "api-task-claim", "release": "api-task-release",
            "complete": "api-task-complete"}[action]
    return reverse(name, args=[task.process_id, task.pk])


def test_the_api_drives_allocation_and_introduction_end_to_end(client, setting, room, manager, key_person,
                                                             other_key_person, django_capture_on_commit_callbacks):
    child = register(setting=setting, room=room, manager=manager)
    client.force_login(manager.user)
    [row] = client.get(reverse("api-task-list")).json()["results"]
    assert row["title"] == "Allocate a key person" and row["owner"] is None and row["role"] == "manager"
    task = the_task(child, "allocate")
    detail = client.get(_api(task)).json()
    assert {"primary", "secondary", "over_caseload_reason", "notes"} <= set(detail["form"])
    assert [key_person.pk, str(key_person)] in detail["form"]["primary"]["choices"]
    assert client.post(_api(task, "claim")).json()["owner"] == manager.user.username
    with django_capture_on_commit_callbacks(execute=True):  # the introduction starts once the step commits
        done = client.post(_api(task, "complete"), {"primary": key_person.pk, "secondary": other_key_person.pk},
                           content_type="application/json")
    assert done.status_code == 200 and done.json()["status"] == "DONE"

    client.force_login(key_person.user)
    rows = client.get(reverse("api-task-list")).json()["results"]
    assert {r["title"] for r in rows} == {"Arrange the parents' introduction",
                                          "Complete 'all about me' with the parents"}
    meeting = the_task(child, "arrange_meeting")
    refused = client.post(_api(meeting, "complete"), {"starts_at": "2099-01-01T10:00", "duration_minutes": 30},
                          content_type="application/json")
    assert refused.status_code == 400 and "starts_at" in refused.json()["errors"]


def test_the_api_refuses_a_second_completion_with_409_and_who_did_it(client, setting, room, manager, key_person,
                                                                    other_key_person):
    child = register(setting=setting, room=room, manager=manager)
    task = the_task(child, "allocate")
    allocate(child, manager, key_person, other_key_person)
    other_manager = StaffFactory(setting=setting, manager=True)
    client.force_login(other_manager.user)
    response = client.post(_api(task, "complete"), {"primary": key_person.pk, "secondary": other_key_person.pk},
                           content_type="application/json")
    assert response.status_code == 409
    assert "already completed by" in response.json()["detail"]


def test_the_api_hides_other_settings_tasks(client, setting, room, manager):
    task = the_task(register(setting=setting, room=room, manager=manager), "allocate")
    client.force_login(StaffFactory(setting=SettingFactory(), manager=True).user)
    assert client.get(reverse("api-task-list")).json()["count"] == 0
    assert client.get(_api(task)).status_code == 404
    assert client.post(_api(task, "claim")).status_code == 404


def test_the_api_requires_log_in(client):
    assert client.get(reverse("api-task-list")).status_code in (401, 403)


def test_the_openapi_schema_is_served(client, manager):
    client.force_login(manager.user)
    response = client.get(reverse("api-schema"), {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/tasks/" in paths
    assert any(p.endswith("/complete/") for p in paths)


def test_the_schema_describes_the_task_list_as_a_page_with_its_filters(client, manager):
    client.force_login(manager.user)
    task_list = client.get(reverse("api-schema"), {"format": "json"}).json()["paths"]["/api/tasks/"]["get"]
    assert {p["name"] for p in task_list["parameters"]} == {"child", "process", "room", "limit", "offset"}
    page = task_list["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    components = client.get(reverse("api-schema"), {"format": "json"}).json()["components"]["schemas"]
    assert set(components[page]["properties"]) == {"count", "next", "previous", "results"}
    assert components[page]["properties"]["results"]["type"] == "array"
    assert {"400", "401", "403", "404"} <= set(task_list["responses"])


# Concurrent completions (eight at once, pages and API, PostgreSQL and SQLite): tests/test_one_completion.py

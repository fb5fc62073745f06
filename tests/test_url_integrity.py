"""Every task URL checks, before any lock or write, that the task belongs to the process, the process runs
the task's flow, and both belong to the user's setting; anything else is a 404."""

from __future__ import annotations

from unittest import mock

import pytest
from django.urls import reverse
from viewflow.workflow.models import Task

from processes.models import AuditEvent
from workflows.introduction import IntroductionFlow

from .factories import RoomFactory, SettingFactory, StaffFactory
from .flowkit import register, the_task

# (url name, method, JSON?) for every URL that addresses one task.
TASK_URLS = [
    ("task-detail", "get", False),
    ("task-detail", "post", False),
    ("task-claim", "post", False),
    ("task-release", "post", False),
    ("api-task-detail", "get", True),
    ("api-task-claim", "post", True),
    ("api-task-release", "post", True),
    ("api-task-complete", "post", True),
]


def _request(client, name, method, as_json, process_id, task_id):
    url = reverse(name, args=[process_id, task_id])
    if method == "get":
        return client.get(url)
    if as_json:
        return client.post(url, {"notes": "x"}, content_type="application/json")
    return client.post(url, {"notes": "x"})


@pytest.fixture
def two_tasks(setting, room, manager):
    first = the_task(register(setting=setting, room=room, manager=manager, first_name="Ada"), "allocate")
    second = the_task(register(setting=setting, room=room, manager=manager, first_name="Ben"), "allocate")
    return first, second


@pytest.fixture
def elsewhere():
    """A task of another setting, and that setting's manager."""
    setting = SettingFactory()
    manager = StaffFactory(setting=setting, manager=True)
    task = the_task(register(setting=setting, room=RoomFactory(setting=setting), manager=manager), "allocate")
    return task, manager


def _assert_404_and_untouched(response, *tasks):
    assert response.status_code == 404
    for task in tasks:
        before = (task.status, task.owner_id)
        task.refresh_from_db()
        assert (task.status, task.owner_id) == before


@pytest.fixture
def no_lock_taken():
    refused = AssertionError("locked before the URL was checked")
    with mock.patch("workflows.services._locked", side_effect=refused) as locked:
        yield locked
    assert locked.call_count == 0


@pytest.mark.parametrize("name,method,as_json", TASK_URLS)
def test_a_task_addressed_under_another_process_is_a_404(client, manager, two_tasks, no_lock_taken,
                                                        name, method, as_json):
    first, second = two_tasks
    client.force_login(manager.user)
    last = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    response = _request(client, name, method, as_json, first.process_id, second.pk)
    _assert_404_and_untouched(response, first, second)
    # Nothing recorded but the refused attempt itself (the audit trail keeps who went looking).
    assert set(AuditEvent.objects.filter(pk__gt=last).values_list("outcome", flat=True)) <= {"not_found"}


@pytest.mark.parametrize("name,method,as_json", TASK_URLS)
def test_a_task_of_another_setting_is_a_404_under_either_process(client, manager, two_tasks, elsewhere,
                                                                 no_lock_taken, name, method, as_json):
    mine, _ = two_tasks
    theirs, _ = elsewhere
    client.force_login(manager.user)
    for process_id, task_id in ((theirs.process_id, theirs.pk), (theirs.process_id, mine.pk),
                                (mine.process_id, theirs.pk)):
        _assert_404_and_untouched(_request(client, name, method, as_json, process_id, task_id), mine, theirs)


@pytest.mark.parametrize("name,method,as_json", TASK_URLS)
def test_a_task_whose_node_belongs_to_another_flow_than_its_process_is_a_404(client, manager, two_tasks,
                                                                             no_lock_taken, name, method, as_json):
    first, _ = two_tasks
    # A corrupted or forged row: an introduction node hanging off an allocation process.
    Task.objects.filter(pk=first.pk).update(flow_task=IntroductionFlow.arrange_meeting)
    client.force_login(manager.user)
    _assert_404_and_untouched(_request(client, name, method, as_json, first.process_id, first.pk), first)


def test_the_same_urls_work_when_everything_matches(client, manager, two_tasks):
    first, _ = two_tasks
    client.force_login(manager.user)
    assert client.get(reverse("task-detail", args=[first.process_id, first.pk])).status_code == 200
    assert client.post(reverse("api-task-claim", args=[first.process_id, first.pk])).status_code == 200

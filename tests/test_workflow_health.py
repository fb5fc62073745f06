"""The after-load check finds duplicated steps, half-finished tasks and processes nobody can move on."""

from __future__ import annotations

from viewflow.workflow.models import Task

from workflows.health import workflow_anomalies
from workflows.models import ChildProcess, InboxEntry
from workflows.settling import SettlingFlow

from .flowkit import allocate, register, the_task


def test_a_healthy_run_has_no_anomalies(setting, room, manager, key_person, other_key_person):
    child = register(setting=setting, room=room, manager=manager)
    allocate(child, manager, key_person, other_key_person)
    assert workflow_anomalies() == {"duplicated_tasks": [], "stuck_tasks": [], "stuck_processes": []}


def test_it_flags_a_duplicated_step_a_started_task_and_a_process_with_no_open_task(
    setting, room, manager, key_person, other_key_person
):
    child = register(setting=setting, room=room, manager=manager)
    allocate(child, manager, key_person, other_key_person)
    meeting = the_task(child, "arrange_meeting")
    twin = Task.objects.create(process_id=meeting.process_id, flow_task=meeting.flow_task, status="NEW")
    InboxEntry.objects.create(task=twin, process_id=twin.process_id, flow_task=twin.flow_task, setting=setting,
                              child=child, role="key_person")
    half_done = the_task(child, "all_about_me")
    Task.objects.filter(pk=half_done.pk).update(status="STARTED")
    orphan = ChildProcess.objects.create(child=child, setting=setting, kind="settling", flow_class=SettlingFlow)

    found = workflow_anomalies()
    assert found["duplicated_tasks"] == [f"process {meeting.process_id}: {meeting.flow_task} x2"]
    assert found["stuck_tasks"] == [half_done.pk]
    assert found["stuck_processes"] == [orphan.pk]

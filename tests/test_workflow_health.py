"""The after-load check finds duplicated steps, half-finished tasks and processes nobody can move on."""

from __future__ import annotations

import io

from django.contrib.auth.models import User
from viewflow.workflow.models import Task

from workflows import services as wf
from workflows.health import stuck_processes, workflow_anomalies
from workflows.models import ChildProcess, InboxEntry
from workflows.settling import SettlingFlow

from .flowkit import allocate, register, the_task


def test_a_healthy_run_has_no_anomalies(setting, room, manager, key_person, other_key_person):
    child = register(setting=setting, room=room, manager=manager)
    allocate(child, manager, key_person, other_key_person)
    assert workflow_anomalies() == {"duplicated_tasks": [], "stuck_tasks": [], "stuck_processes": [],
                                    "missing_follow_ons": []}


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


def _senco_task_with_no_senco(setting, room, manager, key_person, other_key_person, senco):
    from . import senkit as sk

    child = register(setting=setting, room=room, manager=manager)
    allocate(child, manager, key_person, other_key_person)
    sk.raise_concern(child, key_person.user)
    sk.tell_parents(child, key_person.user)
    senco.user.is_active = False  # the only SENCO has left: nobody may take "record the parents' consent"
    senco.user.save(update_fields=["is_active"])
    return child, ChildProcess.objects.get(child=child, kind="sen")


def test_a_process_whose_next_step_nobody_active_may_take_is_stuck_until_someone_may(
        setting, room, manager, key_person, other_key_person, senco):
    from .factories import StaffFactory

    _, sen = _senco_task_with_no_senco(setting, room, manager, key_person, other_key_person, senco)
    assert list(stuck_processes(setting_id=setting.pk)) == [sen]
    assert workflow_anomalies()["stuck_processes"] == [sen.pk]

    StaffFactory(setting=setting, senco=True)

    assert list(stuck_processes(setting_id=setting.pk)) == []


def test_a_step_held_by_a_closed_account_is_stuck_and_one_the_manager_may_take_is_not(
        setting, room, manager, key_person, other_key_person):
    child = register(setting=setting, room=room, manager=manager)
    allocate(child, manager, key_person, other_key_person)
    introduction = ChildProcess.objects.get(child=child, kind="introduction")
    User.objects.filter(pk__in=[key_person.user.pk, other_key_person.user.pk]).update(is_active=False)
    assert list(stuck_processes(child_id=child.pk)) == [introduction]  # closed behind the services' back

    for task in Task.objects.filter(process=introduction):  # as closing an account hands them back (saved)
        task.owner, task.status = None, "NEW"
        task.save()
    assert list(stuck_processes(child_id=child.pk)) == []
    meeting = the_task(child, "arrange_meeting")  # the manager may take a key person's task nobody acts for
    wf.task_claim(process_id=meeting.process_id, task_id=meeting.pk, by=manager.user)


def test_a_step_stopped_for_a_withdrawn_consent_waits_for_the_parents_and_is_not_stuck(
        setting, room, manager, key_person, other_key_person, senco):
    from processes.models import ConsentStatus

    from . import senkit as sk

    child = register(setting=setting, room=room, manager=manager)
    allocate(child, manager, key_person, other_key_person)
    sk.raise_concern(child, key_person.user)
    sk.tell_parents(child, key_person.user)
    sk.answer_consent(child, senco.user)
    sk.record_consent(child, key_person.user, ConsentStatus.WITHDRAWN)
    sen = ChildProcess.objects.get(child=child, kind="sen")
    assert not sen.task_set.filter(status__in=("NEW", "ASSIGNED")).exists()
    assert list(stuck_processes(child_id=child.pk)) == []


def test_the_command_and_the_dashboard_report_a_stuck_process(
        client, setting, room, manager, key_person, other_key_person, senco):
    import pytest
    from django.core.management import CommandError, call_command
    from django.urls import reverse

    _, sen = _senco_task_with_no_senco(setting, room, manager, key_person, other_key_person, senco)
    with pytest.raises(CommandError):
        call_command("workflow_health", stdout=io.StringIO())
    client.force_login(manager.user)
    page = client.get(reverse("dashboard")).content.decode()
    assert "Stuck processes (1)" in page and f'data-process="{sen.pk}"' in page

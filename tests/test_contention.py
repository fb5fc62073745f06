"""Contention is not an error: a lock not had in time is a 409 that writes and sends nothing, and nothing
leaves Keyflow (e-mail, Celery) while a lock is held or from a step that rolled back."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from types import SimpleNamespace
from unittest import mock

import pytest
import viewflow.workflow.lock
from django.core import mail
from django.db import connection, transaction
from django.urls import reverse

from notifications import tasks
from processes.models import AuditEvent, Child
from workflows.models import ChildProcess

from .flowkit import allocate, complete, open_tasks, register, the_task
from .test_one_completion import ROOT


def _hold_row(model, pk, *, held: threading.Event, release: threading.Event) -> threading.Thread:
    """Another request holding a row lock until told to let go."""

    def hold():
        try:
            with transaction.atomic():
                model.objects.select_for_update().filter(pk=pk).exists()
                held.set()
                release.wait(timeout=60)
        finally:
            connection.close()

    thread = threading.Thread(target=hold)
    thread.start()
    assert held.wait(timeout=10)
    return thread


def _complete_via_api(client, task, data):
    return client.post(reverse("api-task-complete", args=[task.process_id, task.pk]), data,
                       content_type="application/json")


def _nothing_written(child, task) -> None:
    task.refresh_from_db()
    assert task.status == "NEW" and task.owner_id is None
    assert child.assignments.count() == 0
    assert not AuditEvent.objects.filter(action__in=("complete", "claim", "assign")).exists()
    assert mail.outbox == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_process_locked_by_someone_else_is_a_409_that_writes_and_sends_nothing(
    client, monkeypatch, setting, room, manager, key_person, other_key_person
):
    # Viewflow pauses between its five NOWAIT attempts; the attempts are what is tested, not the pauses.
    monkeypatch.setattr(viewflow.workflow.lock, "time", SimpleNamespace(sleep=lambda seconds: None))
    child = register(setting=setting, room=room, manager=manager)
    task = the_task(child, "allocate")
    client.force_login(manager.user)
    mail.outbox.clear()  # staff were told of the new task at registration; the question is what the step sends
    held, release = threading.Event(), threading.Event()
    holder = _hold_row(ChildProcess, task.process_id, held=held, release=release)
    try:
        response = _complete_via_api(client, task, {"primary": key_person.pk, "secondary": other_key_person.pk})
    finally:
        release.set()
        holder.join()
    assert response.status_code == 409
    assert "being updated" in response.json()["detail"]
    _nothing_written(child, task)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_row_held_past_the_lock_timeout_inside_a_step_is_a_409_not_a_wait_or_a_500(
    client, setting, room, manager, key_person, other_key_person
):
    child = register(setting=setting, room=room, manager=manager)
    task = the_task(child, "allocate")
    client.force_login(manager.user)
    mail.outbox.clear()  # staff were told of the new task at registration; the question is what the step sends
    held, release = threading.Event(), threading.Event()
    holder = _hold_row(Child, child.pk, held=held, release=release)  # e.g. the admin saving the child
    started = time.monotonic()
    try:
        response = _complete_via_api(client, task, {"primary": key_person.pk, "secondary": other_key_person.pk})
    finally:
        release.set()
        holder.join()
    assert response.status_code == 409 and "being updated" in response.json()["detail"]
    assert time.monotonic() - started < 15  # bounded by lock_timeout, not by the other request
    _nothing_written(child, task)


def test_sqlite_busy_past_its_timeout_is_a_409_that_writes_and_sends_nothing(tmp_path):
    run = subprocess.run(
        [sys.executable, "-m", "tests.race_sqlite", str(tmp_path / "busy.sqlite3"), "busy"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    outcome = json.loads(run.stdout.strip().splitlines()[-1])
    [(status, message), (_, emails)] = outcome["results"]
    assert status == 409 and "being updated" in message
    assert emails == 0 and outcome["assignments"] == 0 and outcome["allocate_tasks"] == ["NEW"]


def _process_row_is_free(process_id: int) -> bool:
    """Ask from another connection, without waiting, whether anyone still holds the process row."""
    free = []

    def probe():
        try:
            with transaction.atomic():
                ChildProcess.objects.select_for_update(nowait=True).filter(pk=process_id).exists()
            free.append(True)
        except Exception:  # noqa: BLE001 - the lock is held
            free.append(False)
        finally:
            connection.close()

    thread = threading.Thread(target=probe)
    thread.start()
    thread.join()
    return free[0]


@pytest.mark.django_db(transaction=True)
def test_the_parents_email_is_sent_after_the_step_commits_never_while_the_lock_is_held(
    setting, room, manager, key_person, other_key_person
):
    child = register(setting=setting, room=room, manager=manager)
    task = the_task(child, "allocate")
    seen = []
    send = tasks.key_persons_letter_send

    def send_and_look(*, child_id):
        lock_free = _process_row_is_free(task.process_id) if connection.vendor == "postgresql" else True
        seen.append({"in_transaction": connection.in_atomic_block, "lock_free": lock_free,
                     "allocated": Child.objects.get(pk=child_id).state == "allocated"})
        return send(child_id=child_id)

    with mock.patch.object(tasks, "key_persons_letter_send", send_and_look):
        allocate(child, manager, key_person, other_key_person)
    assert seen == [{"in_transaction": False, "lock_free": True, "allocated": True}]
    assert len([m for m in mail.outbox if "key person at" in m.subject]) == 1  # the parents' letter, once


@pytest.mark.django_db(transaction=True)
def test_a_step_that_rolls_back_queues_no_celery_task_and_a_committed_one_queues_exactly_one(
    setting, room, manager, key_person, other_key_person
):
    child = register(setting=setting, room=room, manager=manager)
    task = the_task(child, "allocate")
    data = {"primary": key_person.pk, "secondary": other_key_person.pk}
    with mock.patch.object(tasks.email_parents_key_persons, "delay") as delay:
        # The step fails at its very end, after the allocation (and its e-mail) were recorded: all of it rolls back.
        with mock.patch("workflows.services.audit_record", side_effect=RuntimeError("boom")):
            with pytest.raises(RuntimeError):
                complete(task, manager.user, **data)
        assert delay.call_count == 0
        assert child.assignments.count() == 0 and the_task(child, "allocate").status == "NEW"

        complete(task, manager.user, **data)
        assert delay.call_count == 1
        delay.assert_called_with(child_id=child.pk)
    assert {t.flow_task.name for t in open_tasks(child)} == {"arrange_meeting", "all_about_me"}

"""workflows 0006 moves an SEN process's JSON state (process.data) into its SenProcess row, and back."""

from __future__ import annotations

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection

from processes.models import SencoDecision
from workflows.models import ChildProcess, SenProcess

from . import senkit as sk
from .flowkit import complete, the_task

pytestmark = pytest.mark.django_db

moving = importlib.import_module("workflows.migrations.0006_sen_process_state_from_json")
EDITOR = SimpleNamespace(connection=connection)


def _as_before_the_migration(child, data) -> ChildProcess:
    """The process as the JSON-keeping flow left it: no SenProcess row, its state in process.data."""
    SenProcess.objects.get(child=child).delete(keep_parents=True)
    process = ChildProcess.objects.get(child=child, kind="sen")
    process.data = data
    process.save(update_fields=["data"])
    return process


def test_a_process_waiting_for_the_meeting_keeps_its_referral_and_goes_on(
    allocated_child, guardian_link, key_person, senco
):
    child = allocated_child
    concern = sk.raise_concern(child, key_person.user)
    sk.tell_parents(child, key_person.user)
    sk.answer_consent(child, senco.user)
    sk.observe(child, senco.user)
    sk.decide(child, senco.user, "refer")
    process = _as_before_the_migration(child, {
        "concern_id": concern.pk, "next": "refer", "refer_to": sk.REFER_TO, "comment": "", "sent_back_from": "",
        "kept": "other keys stay",
    })
    moving.sen_state_to_model(apps, EDITOR)
    sen = SenProcess.objects.get(pk=process.pk)
    assert sen.concern == concern and sen.decision == SencoDecision.objects.get(concern=concern)
    assert sen.refer_to == sk.REFER_TO and sen.decision_is_referral and not sen.is_sent_back
    assert ChildProcess.objects.get(pk=process.pk).data == {"kept": "other keys stay"}
    sk.meet(child, key_person.user)  # the meeting follows the referral decision, as before the move
    assert sk.open_nodes(child) == ["ask_sharing_consent"]


def test_a_step_sent_back_keeps_the_comment_and_where_it_returns(allocated_child, guardian_link, key_person, senco):
    child = allocated_child
    concern = sk.raise_concern(child, key_person.user)
    sk.tell_parents(child, key_person.user)
    sk.answer_consent(child, senco.user)
    sk.observe(child, senco.user, then="send_back", observed_on="", notes="", comment="Snack time too?")
    process = _as_before_the_migration(child, {"concern_id": concern.pk, "next": "send_back",
                                               "sent_back_from": "observe", "comment": "Snack time too?"})
    moving.sen_state_to_model(apps, EDITOR)
    sen = SenProcess.objects.get(pk=process.pk)
    assert (sen.sent_back_from, sen.comment) == ("observe", "Snack time too?")
    complete(the_task(child, "respond"), key_person.user, reply="He points and waits")
    assert sk.open_nodes(child) == ["observe"]
    moving.sen_state_to_json(apps, EDITOR)
    assert not SenProcess.objects.filter(pk=process.pk).exists()
    data = ChildProcess.objects.get(pk=process.pk).data
    assert data["concern_id"] == concern.pk and data["sent_back_from"] == "observe"

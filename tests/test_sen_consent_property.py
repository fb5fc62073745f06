"""Property: whatever the order of concern, consent, withdrawal and completion steps, no SENCO observation or
referral task is ever open, or completed, without the matching consent in force at that moment."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from processes.errors import RuleViolation
from processes.models import ConsentPurpose, ConsentStatus, SenObservation
from processes.services.consent import consent_in_force, consent_latest
from workflows.models import ChildProcess, ProcessKind

from . import senkit as sk
from .factories import ChildGuardianFactory
from .flowkit import complete, open_tasks

pytestmark = pytest.mark.django_db

GATED = {"observe": ConsentPurpose.SENCO_OBSERVATION, "refer": ConsentPurpose.SHARE_PROFESSIONAL,
         "track": ConsentPurpose.SHARE_PROFESSIONAL}

# The professional, as staff type them each time: capitals, spaces, "ß", Turkish dotted and dotless i. Every
# spelling names the same recipient (processes.models.consent_recipient_key).
RECIPIENT = "Dr Ayşe Kılıç, Straße-Klinik (İzmir)"
SPELLINGS = st.sampled_from([
    RECIPIENT, RECIPIENT.upper(), RECIPIENT.lower(), RECIPIENT.casefold(), RECIPIENT.title(),
    RECIPIENT.upper().replace("I", "İ"),  # upper case as a Turkish keyboard writes it
    "  " + RECIPIENT.replace(" ", "   ") + " ",
])

STEPS = st.lists(st.tuples(st.sampled_from([
    "complete", "complete", "complete", "complete", "complete_other_branch",
    "grant_observation", "withdraw_observation", "decline_observation",
    "grant_sharing", "withdraw_sharing",
]), SPELLINGS), min_size=1, max_size=25)


def _data_for(task, child, branch: int, spelling: str) -> dict:
    """Valid data for whichever step is open; `branch` picks between the ways a step can go."""
    guardian = sk.guardian_of(child).pk
    today = str(sk.TODAY())
    name = task.flow_task.name
    if name == "tell_parents":
        return {"held_on": today, "with_whom": "Mum", "parents_view": "Agree"}
    if name in ("ask_consent", "ask_sharing_consent"):
        return {"guardian": guardian, "decision": ["granted", "declined"][branch % 2], "method": "email"}
    if name == "follow_up":
        return {"held_on": today, "parents_view": "x", "next": ["ask_again", "close"][branch % 2]}
    if name == "observe":
        return {"observed_on": today, "notes": "x", "next": ["decide", "observe_again", "send_back"][branch % 3],
                "comment": "look again"}
    if name == "respond":
        return {"reply": "done"}
    if name == "decide":
        return {"next": ["refer", "sen_support", "send_back", "monitor"][branch % 4], "reasons": "r",
                "refer_to": spelling, "review_on": str(sk.TODAY().replace(year=sk.TODAY().year + 1)),
                "comment": "why?"}
    if name == "monitor_review":
        return {"held_on": today, "notes": "x"}
    if name == "meeting":
        return {"held_on": today, "attendees": "Mum", "outcome": "o", "agreed_actions": "a"}
    if name == "refer":
        return {"sent_on": today, "what_was_sent": "x", "next": ["sent", "send_back"][branch % 2], "comment": "c"}
    if name == "track":
        return {"kind": "reply", "on": today, "notes": "x", "concluded": ["", "on"][branch % 2]}
    if name == "plan":
        return {"targets": "t | s", "review_on": str(sk.TODAY().replace(year=sk.TODAY().year + 1))}
    if name == "review":
        form = task.flow_task.form_class(task=task)
        progress = {f: "p" for f in form.fields if f.startswith("progress_")}
        return {"held_on": today, "parents_view": "v", "outcome": ["continue", "end"][branch % 2], **progress}
    raise AssertionError(f"no data for {name}")


def _in_force(child, purpose) -> bool:
    recipient = RECIPIENT if purpose == ConsentPurpose.SHARE_PROFESSIONAL else ""
    return consent_in_force(child=child, purpose=purpose, recipient=recipient) is not None


def _check(child) -> None:
    for task in open_tasks(child):
        purpose = GATED.get(task.flow_task.name)
        assert purpose is None or _in_force(child, purpose), f"{task.flow_task.name} open without consent"


def _set_consent(child, by, purpose, status, spelling: str) -> None:
    recipient = spelling if purpose == ConsentPurpose.SHARE_PROFESSIONAL else ""
    latest = consent_latest(child=child, purpose=purpose, recipient=recipient)
    if status == ConsentStatus.WITHDRAWN and (latest is None or latest.status != ConsentStatus.GRANTED):
        return
    sk.record_consent(child, by, status, purpose=purpose, recipient=recipient)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(steps=STEPS)
def test_no_gated_step_is_open_or_done_without_consent(steps, setting, room, manager, key_person,
                                                       other_key_person, senco):
    from processes import services
    from processes.models import AssignmentRole

    from .factories import ChildFactory

    key_person.max_caseload = 10_000  # the fixtures outlive the examples; so does the caseload they build
    key_person.save(update_fields=["max_caseload"])
    child = ChildFactory(setting=setting, room=room)
    ChildGuardianFactory(child=child)
    services.key_person_assign(child=child, staff=key_person, role=AssignmentRole.PRIMARY, by=manager.user)
    sk.raise_concern(child, key_person.user)
    users = {"key_person": key_person.user, "senco": senco.user}
    for number, (step, spelling) in enumerate(steps):
        if step.startswith("complete"):
            tasks = open_tasks(child)
            if not tasks:
                continue
            task = tasks[0]
            purpose = GATED.get(task.flow_task.name)
            consented = purpose is None or _in_force(child, purpose)
            before = SenObservation.objects.filter(concern__child=child).count()
            try:
                complete(task, users[task.inbox.role], **_data_for(task, child, number if step == "complete" else 1,
                                                                       spelling))
            except RuleViolation:
                assert not consented or purpose is None
            else:
                assert consented, f"{task.flow_task.name} completed without consent in force"
            if not consented:
                assert SenObservation.objects.filter(concern__child=child).count() == before
        else:
            action, _, what = step.partition("_")
            purpose = ConsentPurpose.SENCO_OBSERVATION if what == "observation" else ConsentPurpose.SHARE_PROFESSIONAL
            status = {"grant": ConsentStatus.GRANTED, "withdraw": ConsentStatus.WITHDRAWN,
                      "decline": ConsentStatus.DECLINED}[action]
            _set_consent(child, key_person.user, purpose, status, spelling)
        _check(child)
    # The process is never left with two open tasks, nor with more than one open SEN process.
    assert ChildProcess.objects.filter(child=child, kind=ProcessKind.SEN, open_kind__isnull=False).count() <= 1
    assert len(open_tasks(child)) <= 1

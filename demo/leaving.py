"""The demo's leavers (issue 18 part 3): the summer's school leavers at each step of the leaving workflow,
driven through the real services and steps, so the key persons' inboxes and the Leavers page show them.

The pre-schoolers already "leaving" in demo.steps have no leaving plan yet: they wait on the school leavers
screen, to be started together.
"""

from __future__ import annotations

import re
from typing import Any

from viewflow.workflow.models import Task

from processes.models import Child, ConsentMethod, ConsentPurpose, ConsentStatus, LifecycleState
from processes.services import consent_record, leaving_record
from workflows.services import task_complete

from .context import DemoContext

REPORT = {
    "personal_social_emotional": "Confident with familiar adults; takes turns in small groups with a reminder.",
    "physical": "Runs, climbs and balances; holds a pencil with a tripod grip.",
    "communication_language": "Talks in sentences about what she has done; listens to a story in a group.",
    "literacy": "Recognises her name and some letters; loves sharing books.",
    "mathematics": "Counts objects to ten; talks about bigger and smaller.",
    "understanding_world": "Curious about minibeasts in the garden; talks about her family.",
    "expressive_arts": "Builds stories with small-world toys; sings familiar songs.",
    "effective_learning": "Keeps trying when a puzzle is hard; has her own ideas in play.",
    "interests": "Dinosaurs, the mud kitchen, drawing maps.",
    "what_helps": "A warning before a change of activity; a quiet corner when it is loud.",
    "friendships": "Plays most with two friends from her room, who go to the same school.",
    "parents_view": "Proud and a little anxious; she talks about 'big school' every day.",
    "child_voice": "“I want to play in the big playground and have my own peg.”",
}

# Each step: (node, what the key person records); the consent steps record the parents' decision first.
STEP: dict[str, tuple[str, dict[str, Any]]] = {
    "report": ("report", REPORT),
    "meeting": ("meeting", {"notes": "Went through the report; agreed what to tell the school about settling."}),
    "consented": ("ask_consent", {"next": "given"}),
    "declined": ("ask_consent", {"next": "no_records", "notes": "They prefer to talk to the school themselves."}),
    "sent": ("pack", {"how": "link"}),
    "received": ("receipt", {"note": "The school's office confirmed by phone."}),
    "given": ("learning_record", {"how": "Tapestry learning journal exported and e-mailed to both parents"}),
}
DATE_FIELDS = {"meeting": "held_on", "receipt": "received_on", "learning_record": "given_on"}

STAGES: list[tuple[str, list[str]]] = [
    ("transition report to write", []),
    ("meeting with the parents due", ["report"]),
    ("asking the parents for consent to send the records", ["report", "meeting"]),
    ("records pack to send", ["report", "meeting", "consented"]),
    ("pack sent by download link, receipt awaited", ["report", "meeting", "consented", "sent"]),
    ("learning record to give the parents", ["report", "meeting", "consented", "sent", "received"]),
    ("parents declined sharing; learning record to give", ["report", "meeting", "declined"]),
    ("every step done, leaving in the summer", ["report", "meeting", "consented", "sent", "received", "given"]),
]


def _contact(school: str) -> tuple[str, str]:
    slug = re.sub(r"[^a-z]+", "", school.lower().replace("school", ""))[:20]
    return "Reception class teacher", f"reception@{slug}.example.org"


def build_leaving_stories(ctx: DemoContext) -> int:
    """One settled school leaver (a school named) per stage, driven to it. Returns how many."""
    candidates = (Child.objects.filter(setting=ctx.setting, state=LifecycleState.SETTLED,
                                       guardian_links__has_parental_responsibility=True)
                  .exclude(destination_school="").exclude(expected_leaving_date=None)
                  .distinct().order_by("-date_of_birth", "pk"))
    built = 0
    for child, (_label, steps) in zip(candidates, STAGES):
        contact_name, contact_email = _contact(child.destination_school)
        leaving_record(child=child, by=ctx.manager, leaving_on=child.expected_leaving_date,
                       destination=child.destination_school, contact_name=contact_name,
                       contact_email=contact_email)
        for name in steps:
            node, data = STEP[name]
            if name in ("consented", "declined"):
                guardian = child.guardian_links.filter(has_parental_responsibility=True).first().guardian
                consent_record(child=child, guardian=guardian, purpose=ConsentPurpose.SHARE_SCHOOL,
                               recipient=child.destination_school, method=ConsentMethod.SIGNED_FORM, by=ctx.manager,
                               status=ConsentStatus.GRANTED if name == "consented" else ConsentStatus.DECLINED)
            waiting = Task.objects.filter(process__childprocess__child=child, status__in=("NEW", "ASSIGNED"))
            task = next(t for t in waiting if t.flow_task.name == node)
            data = {**data, **({DATE_FIELDS[node]: ctx.today.isoformat()} if node in DATE_FIELDS else {})}
            task_complete(process_id=task.process_id, task_id=task.pk, by=task.owner or ctx.manager, data=data)
        built += 1
    return built


__all__ = ["STAGES", "build_leaving_stories"]

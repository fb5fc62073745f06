"""The demo's SEN stories: children at each stage of the SEN workflow, driven through the real steps.

Each story is a list of steps completed as the person would (through workflows.services.task_complete), so
the inboxes show what is waiting: the key person's conversations, the SENCO's consent requests and
approvals, a referral waiting for the parents' consent to share, a support review, the EHC clock.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from viewflow.workflow.models import Task

from processes.models import Child, ConsentMethod, ConsentPurpose, LifecycleState
from processes.services import sen_concern_raise
from workflows.services import task_complete

from .context import DemoContext

REFER_TO = "Speech and language therapy (Northshire NHS)"


def _today() -> str:
    return timezone.localdate().isoformat()


# Each step: (node, who takes it, what they record).
STEP: dict[str, tuple[str, str, dict[str, Any]]] = {
    "told": ("tell_parents", "key_person", {"with_whom": "Both parents",
                                            "parents_view": "They have wondered about it too and want to help."}),
    "consented": ("ask_consent", "senco", {"decision": "granted", "method": ConsentMethod.SIGNED_FORM}),
    "declined": ("ask_consent", "senco", {"decision": "declined", "method": ConsentMethod.IN_PERSON,
                                          "notes": "Would like to wait until after the holidays."}),
    "observed": ("observe", "senco", {"notes": "At group time she watched, pointed, and used two single words.",
                                      "next": "decide"}),
    "sent_back": ("observe", "senco", {"next": "send_back",
                                       "comment": "Could you note how she communicates at snack time this week?"}),
    "support": ("decide", "senco", {"next": "sen_support", "reasons": "Expressive language well below age."}),
    "refer": ("decide", "senco", {"next": "refer", "reasons": "Little progress; specialist advice needed.",
                                  "refer_to": REFER_TO}),
    "met": ("meeting", "key_person", {"attendees": "Parents, key person, SENCO",
                                      "outcome": "Parents agree with the plan.",
                                      "agreed_actions": "Targets at home and in the room; review in six weeks."}),
    "share_ok": ("ask_sharing_consent", "key_person", {"decision": "granted", "method": ConsentMethod.SIGNED_FORM}),
    "referred": ("refer", "senco", {"what_was_sent": "Referral form, SENCO observations, parents' views",
                                    "next": "sent"}),
    "planned": ("plan", "key_person", {"targets": "Use two-word phrases | model at snack time\n"
                                                  "Take turns in a small group | sand timer, two children",
                                       "strategies": "Makaton signs for key words."}),
    "reviewed_ehc": ("review", "key_person", {"outcome": "request_ehc", "parents_view": "Worried; want more help."}),
    "ehc_requested": ("ehc_request", "senco", {"local_authority": "Northshire County Council"}),
}

STAGES: list[tuple[str, list[str]]] = [
    ("concern raised, parents to be told", []),
    ("waiting for the SENCO to record consent", ["told"]),
    ("parents declined; follow-up due", ["told", "declined"]),
    ("SENCO observation waiting", ["told", "consented"]),
    ("sent back to the key person", ["told", "consented", "sent_back"]),
    ("SENCO decision waiting", ["told", "consented", "observed"]),
    ("referral waiting for consent to share", ["told", "consented", "observed", "refer", "met"]),
    ("referral waiting for the SENCO's approval", ["told", "consented", "observed", "refer", "met", "share_ok"]),
    ("referral sent, reply awaited", ["told", "consented", "observed", "refer", "met", "share_ok", "referred"]),
    ("SEN support plan in place, review due", ["told", "consented", "observed", "support", "met", "planned"]),
    ("EHC needs assessment requested", ["told", "consented", "observed", "support", "met", "planned",
                                        "reviewed_ehc", "ehc_requested"]),
]

DATE_FIELDS = {"tell_parents": "held_on", "observe": "observed_on", "meeting": "held_on", "refer": "sent_on",
               "review": "held_on", "ehc_request": "requested_on"}


def _fill(task, node: str, data: dict[str, Any], child: Child) -> dict[str, Any]:
    data = dict(data)
    if node in DATE_FIELDS:
        data[DATE_FIELDS[node]] = _today()
    if node == "plan":
        form = task.flow_task.form_class(task=task)
        data["review_on"] = form.fields["review_on"].initial.isoformat()
    if node in ("ask_consent", "ask_sharing_consent"):
        data["guardian"] = child.guardian_links.filter(has_parental_responsibility=True).first().guardian_id
    if node == "review":
        form = task.flow_task.form_class(task=task)
        data.update({f: "Some progress; uses a few more words." for f in form.fields if f.startswith("progress_")})
    return data


def build_sen_stories(ctx: DemoContext) -> int:
    """One settled child per stage, with no SEN consent decisions yet, driven to it. Returns how many."""
    candidates = (
        Child.objects.filter(setting=ctx.setting, state=LifecycleState.SETTLED,
                             guardian_links__has_parental_responsibility=True)
        .exclude(consents__purpose__in=[ConsentPurpose.SENCO_OBSERVATION, ConsentPurpose.SHARE_PROFESSIONAL])
        .distinct().order_by("date_of_birth", "pk")
    )
    built = 0
    for child, (_label, steps) in zip(candidates, STAGES):
        key_person = ctx.primary_of(child)
        if key_person is None:
            continue
        people = {"key_person": key_person.user, "senco": ctx.senco}
        sen_concern_raise(child=child, by=key_person.user, areas=["communication", "psed"],
                          observed="Says very few words and plays alone; does not yet join group games.",
                          since=ctx.today - dt.timedelta(weeks=8))
        for name in steps:
            node, who, data = STEP[name]
            waiting = Task.objects.filter(process__childprocess__child=child, status__in=("NEW", "ASSIGNED"))
            task = next(t for t in waiting if t.flow_task.name == node)
            # A key-person step may be with the secondary while the key person is away (workflows.routing).
            task_complete(process_id=task.process_id, task_id=task.pk, by=task.owner or people[who],
                          data=_fill(task, node, data, child))
        built += 1
    return built


__all__ = ["STAGES", "build_sen_stories"]

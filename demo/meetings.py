"""The demo's meetings and progress checks at two, driven through the real services and steps: a check just
due and one drafted; a meeting held last week (its next steps with the key person), a progress meeting and a
meeting the parents asked for still to come, and a key person's drop-in slots next week."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from viewflow.workflow.models import Task

from processes import deadlines
from processes.models import Child, LifecycleState, MeetingKind
from processes.services import drop_ins_offer, meeting_arrange
from workflows.services import task_complete
from workflows.starts import meeting_process_start, two_year_check_start

from .context import DemoContext

DRAFT = {
    "communication": "Joins in with songs and uses two- and three-word phrases; understands simple questions.",
    "physical": "Runs, climbs the low frame and feeds herself with a spoon.",
    "personal_social": "Settles quickly; plays alongside friends and is beginning to take turns.",
    "going_well": "Loves books and the water tray.", "support_needed": "Sharing toys in a busy room.",
    "setting_plan": "Small-group turn-taking games twice a week.",
    "home_help": "Share a book at bedtime and name what you see.",
}


def _step(child: Child, node: str, by, data: dict[str, Any]) -> None:
    task = Task.objects.filter(process__childprocess__child=child, status__in=("NEW", "ASSIGNED"),
                               flow_task__endswith=f".{node}").order_by("pk").first()
    task_complete(process_id=task.process_id, task_id=task.pk, by=task.owner or by, data=data)


def _at(days: int, hour: int) -> dt.datetime:
    day = timezone.localdate() + dt.timedelta(days=days)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def build_meeting_stories(ctx: DemoContext) -> int:
    settled = [c for c in Child.objects.filter(setting=ctx.setting, state=LifecycleState.SETTLED).order_by("pk")
               if ctx.primary_of(c) is not None]
    today = timezone.localdate()
    two_year_olds = [c for c in settled
                     if deadlines.two_year_check_window(c.date_of_birth)[0] <= today
                     <= deadlines.two_year_check_window(c.date_of_birth)[1]]
    told = 0
    for index, child in enumerate(two_year_olds[:2]):  # one just due, one drafted
        two_year_check_start(child=child)
        if index == 1:
            _step(child, "draft", ctx.primary_of(child).user, DRAFT)
        told += 1
    others = [c for c in settled if c not in two_year_olds[:2]]
    if len(others) >= 3:
        held, coming, asked = others[:3]
        key_person = ctx.primary_of(held)
        meeting = meeting_arrange(child=held, by=key_person.user, kind=MeetingKind.PROGRESS,
                                  starts_at=_at(-5, 16), location="Quiet room", with_whom="Mum")
        meeting_process_start(meeting=meeting)
        _step(held, "prepare", key_person.user, {"notes": "Photos of the block play; new words list."})
        _step(held, "record", key_person.user, {
            "held": "held", "parents_present": "on", "discussed": "Settled well; loves construction.",
            "next_steps": "Build on counting during block play.", "setting_actions": "Send home the songs list",
            "action_by": key_person.pk, "parents_actions": "Count stairs together at home"})
        for child, kind, asked_by in ((coming, MeetingKind.PROGRESS, "setting"),
                                      (asked, MeetingKind.REQUESTED, "parents")):
            meeting = meeting_arrange(child=child, by=ctx.primary_of(child).user, kind=kind, asked_by=asked_by,
                                      starts_at=_at(4, 15), location="Quiet room")
            meeting_process_start(meeting=meeting)
            told += 2
        drop_ins_offer(host=key_person, by=key_person.user, starts_at=_at(7, 15), count=3)
    return told

"""A meeting with the parents (seeds 002 and 004): the introduction, termly progress meetings, meetings the
parents or the key person ask for, and drop-in slots taken.

The parents are invited with a calendar entry (processes.calendar_ics; a change or a cancellation updates it).
Before a termly progress meeting the key person prepares. After the meeting the key person records it:
held → what was discussed, the next steps and who does what; if the parents were not there, the key person
tells them (seed 004: "if the parents are not at the meeting, the key worker will keep the parents informed");
the setting's agreed steps are a task for the person who does them. Not held → the key person rearranges it
(a new time, sent as an update) or calls it off (sent as a cancellation).
"""

from __future__ import annotations

import datetime as dt

from viewflow import this
from viewflow.workflow import act, flow, lock

from processes import deadlines, services
from processes.dates import when_text
from processes.models import ParentMeeting

from . import meeting_forms as f
from .base import ChildFlowMixin
from .models import MeetingProcess, ProcessKind, TaskRole
from .nodes import HumanTask


def rearrange(meeting, data, by) -> None:
    """A meeting not held: a new time (sent as the calendar's update) or called off (its cancellation)."""
    if data["next"] == f.CANCEL:
        services.meeting_cancel(meeting=meeting, by=by, reason=data["reason"])
    else:
        services.meeting_reschedule(meeting=meeting, by=by, starts_at=data["starts_at"])


def _setting(activation):
    return activation.process.child.setting


class MeetingFlow(ChildFlowMixin, flow.Flow):
    """Meeting with the parents: (prepare) → record → not held: rearrange; parents absent: tell them;
    the setting's next steps: done."""

    process_class = MeetingProcess
    lock_impl = lock.select_for_update_lock
    kind = ProcessKind.MEETING
    process_title = "Meeting with the parents"

    start = flow.StartHandle(this.start_meeting).Next(this.prepared)
    prepared = flow.If(act.process.is_progress_meeting).Then(this.prepare).Else(this.record)

    # key person
    prepare = (
        HumanTask(f.PrepareForm, role=TaskRole.KEY_PERSON, due=this.prepare_due, on_complete=this.noted)
        .Annotation(title="Prepare for the progress meeting")
        .Next(this.record)
    )
    record = (
        HumanTask(f.MeetingOutcomeForm, role=TaskRole.KEY_PERSON, due=this.record_due, on_complete=this.recorded)
        .Annotation(title="Record the meeting with the parents")
        .Next(this.after_record)
    )
    after_record = (
        flow.Switch()
        .Case(this.end, act.process.was_cancelled)
        .Case(this.rearrange, this.not_held)
        .Case(this.tell_parents, act.process.parents_were_absent)
        .Case(this.do_actions, act.process.has_setting_actions)
        .Default(this.end)
    )
    rearrange = (
        HumanTask(f.RearrangeForm, role=TaskRole.KEY_PERSON, due=this.soon_due, on_complete=this.rearranged)
        .Annotation(title="Rearrange the meeting with the parents")
        .Next(this.after_rearrange)
    )
    after_rearrange = flow.If(act.process.was_cancelled).Then(this.end).Else(this.record)
    tell_parents = (
        HumanTask(f.ParentsToldForm, role=TaskRole.KEY_PERSON, due=this.soon_due, on_complete=this.told)
        .Annotation(title="Tell the parents what the meeting discussed")
        .Next(this.after_told)
    )
    after_told = flow.If(act.process.has_setting_actions).Then(this.do_actions).Else(this.end)

    # whoever the agreed steps are for (the key person when nobody was named)
    do_actions = (
        HumanTask(f.ActionsDoneForm, role=TaskRole.KEY_PERSON, due=this.fortnight_due, on_complete=this.acted)
        .Annotation(title="Carry out the next steps agreed with the parents")
        .Assign(this.action_owner)
        .Next(this.end)
    )

    end = flow.End()

    def start_meeting(self, activation, child, by=None, meeting: ParentMeeting | None = None):
        process = self.start_process(activation, child, by)
        process.meeting = meeting
        return process

    def not_held(self, activation) -> bool:
        return not activation.process.was_held and not activation.process.was_cancelled

    def task_facts(self, process) -> list[tuple[str, str]]:
        meeting = process.coerced.meeting
        facts = [("Meeting", meeting.get_kind_display()), ("When", when_text(meeting.starts_at)),
                 ("Where", meeting.location or "At the setting"), ("Status", meeting.get_status_display())]
        if meeting.with_whom:
            facts.append(("With", meeting.with_whom))
        if meeting.discussed:
            facts.append(("Discussed", meeting.discussed))
        actions = [a for a in meeting.actions.all() if a.staff_id]
        if actions:
            facts.append(("Agreed next steps", "; ".join(a.what for a in actions)))
        return facts

    def action_owner(self, activation):
        action = activation.process.meeting.actions.filter(staff__isnull=False).select_related("staff").first()
        if action is not None and action.staff.user.is_active:
            return action.staff.user
        from .routing import key_person_user_for

        return key_person_user_for(activation.process.child_id, None)

    # Deadlines, from the meeting's time, on the setting's open days.
    def prepare_due(self, activation):
        day = dt.date.fromordinal(activation.process.meeting.starts_at.date().toordinal() - 1)
        return deadlines.at_end_of(day, _setting(activation))

    def record_due(self, activation):
        return deadlines.at_end_of(activation.process.meeting.starts_at.date(), _setting(activation))

    def soon_due(self, activation):
        return deadlines.sen_task_due(weeks=1, setting=_setting(activation))

    def fortnight_due(self, activation):
        return deadlines.sen_task_due(weeks=2, setting=_setting(activation))

    # Step handlers, through processes.services.
    def noted(self, activation, data, by) -> None:
        services.meeting_prepared(meeting=activation.process.the_meeting, by=by, notes=data["notes"])

    def recorded(self, activation, data, by) -> None:
        held = data["held"] == f.HELD
        actions = ([(w, data.get("action_by")) for w in f.lines(data.get("setting_actions"))]
                   + [(w, None) for w in f.lines(data.get("parents_actions"))]) if held else []
        activation.process.actions_noted(any(staff is not None for _, staff in actions))
        services.meeting_outcome_record(meeting=activation.process.the_meeting, by=by, held=held,
                                        parents_present=bool(data.get("parents_present")),
                                        discussed=data["discussed"], next_steps=data.get("next_steps", ""),
                                        actions=actions)

    def rearranged(self, activation, data, by) -> None:
        rearrange(activation.process.the_meeting, data, by)

    def told(self, activation, data, by) -> None:
        services.meeting_parents_told(meeting=activation.process.the_meeting, by=by, how=data["how"])

    def acted(self, activation, data, by) -> None:
        services.meeting_actions_done(meeting=activation.process.the_meeting, by=by, notes=data["notes"])

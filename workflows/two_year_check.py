"""The progress check at two (EYFS 2.5; seed 004: "if a key worker feels that their key child is not developing
as they should, the key worker will inform the parents or carers of their concern and the nursery SENCO will be
informed").

The window opens on the second birthday (or the first day, for a child who joins after it): the key person
drafts the summary of the three prime areas, arranges a meeting with the parents (invited with a calendar entry)
and records it with the parents' view and their decision on sharing with the health visitor; not held, the
meeting is rearranged. The key person signs the record off; a concern marked goes to the SENCO, who may start an
SEN concern from it in one step. Then it is shared: the PDF to the parents, and, only with their consent, the
check to the health visitor for the integrated review.
"""

from __future__ import annotations

from django.db import transaction
from viewflow import this
from viewflow.workflow import act, flow, lock

from processes import deadlines, services
from processes.dates import day_text
from processes.models import ConsentPurpose, MeetingKind, TwoYearCheck

from . import meeting_forms as f
from .base import ChildFlowMixin
from .meetings import rearrange
from .models import ProcessKind, TaskRole, TwoYearCheckProcess
from .nodes import HumanTask


def _setting(activation):
    return activation.process.child.setting


class TwoYearCheckFlow(ChildFlowMixin, flow.Flow):
    """Progress check at two: draft → meeting arranged → meeting recorded (not held: rearranged) → signed off
    → (a concern: the SENCO) → shared."""

    process_class = TwoYearCheckProcess
    lock_impl = lock.select_for_update_lock
    kind = ProcessKind.TWO_YEAR_CHECK
    process_title = "Progress check at two"

    start = flow.StartHandle(this.start_check).Next(this.draft)

    # key person
    draft = (
        HumanTask(f.CheckDraftForm, role=TaskRole.KEY_PERSON, due=this.check_due, on_complete=this.drafted)
        .Annotation(title="Write the progress check at two")
        .Next(this.arrange_meeting)
    )
    arrange_meeting = (
        HumanTask(f.CheckMeetingForm, role=TaskRole.KEY_PERSON, due=this.week_due, on_complete=this.arranged)
        .Annotation(title="Arrange to discuss the check with the parents")
        .Next(this.meet)
    )
    meet = (
        HumanTask(f.CheckDiscussedForm, role=TaskRole.KEY_PERSON, due=this.meeting_due, on_complete=this.met)
        .Annotation(title="Record the parents' meeting about the check")
        .Next(this.after_meeting)
    )
    after_meeting = flow.If(act.process.meeting_held).Then(this.sign_off).Else(this.rearrange)
    rearrange = (
        HumanTask(f.RearrangeForm, role=TaskRole.KEY_PERSON, due=this.week_due, on_complete=this.rearranged)
        .Annotation(title="Rearrange the meeting about the check")
        .Next(this.after_rearrange)
    )
    # Called off: the check is still discussed with the parents, at a meeting arranged afresh.
    after_rearrange = flow.If(act.process.meeting_cancelled).Then(this.arrange_meeting).Else(this.meet)
    sign_off = (
        HumanTask(f.SignOffForm, role=TaskRole.KEY_PERSON, due=this.week_due, on_complete=this.signed_off)
        .Annotation(title="Sign off the progress check at two")
        .Next(this.concern_gate)
    )
    concern_gate = flow.If(act.process.has_concern).Then(this.senco_review).Else(this.share)
    share = (
        HumanTask(f.ShareForm, role=TaskRole.KEY_PERSON, due=this.week_due, on_complete=this.shared)
        .Annotation(title="Share the progress check at two")
        .Next(this.end)
    )

    # SENCO
    senco_review = (
        HumanTask(f.SencoReviewForm, role=TaskRole.SENCO, due=this.week_due, on_complete=this.senco_reviewed)
        .Annotation(title="Review the concern in the progress check at two")
        .Next(this.share)
    )

    end = flow.End()

    def start_check(self, activation, child, by=None, check: TwoYearCheck | None = None):
        process = self.start_process(activation, child, by)
        process.check_record = check
        return process

    def task_facts(self, process) -> list[tuple[str, str]]:
        process = process.coerced
        check = process.check_record
        facts = [("Due by", day_text(check.due_by)), ("Status", check.get_status_display()),
                 ("Form version", str(check.template.version))]
        if check.concern:
            facts.append(("Concern", check.concern_notes))
        if process.meeting is not None:
            facts.append(("Meeting", f"{process.meeting.get_status_display()}, {day_text(process.meeting.starts_at)}"))
        return facts

    def check_due(self, activation):
        return deadlines.at_end_of(activation.process.check_record.due_by, _setting(activation))

    def week_due(self, activation):
        return deadlines.sen_task_due(weeks=1, setting=_setting(activation))

    def meeting_due(self, activation):
        meeting = activation.process.meeting
        return deadlines.at_end_of(meeting.starts_at.date(), _setting(activation)) if meeting else None

    def drafted(self, activation, data, by) -> None:
        services.two_year_check_draft(check=activation.process.the_check, by=by, **data)

    def arranged(self, activation, data, by) -> None:
        process = activation.process
        process.meeting = services.meeting_arrange(child=process.child, by=by, kind=MeetingKind.TWO_YEAR_CHECK,
                                                   asked_by="setting", **data)
        process.save(update_fields=["meeting"])

    def met(self, activation, data, by) -> None:
        process = activation.process
        held = data["held"] == f.HELD
        services.meeting_outcome_record(meeting=process.the_meeting, by=by, held=held,
                                        parents_present=bool(data.get("parents_present")),
                                        discussed=data["discussed"], next_steps=data.get("next_steps", ""))
        if held:
            services.two_year_check_discuss(check=process.the_check, by=by, meeting=process.meeting,
                                            parents_view=data["parents_view"])
        if data.get("health_visitor_consent"):
            services.consent_record(child=process.child, guardian=data["guardian"], method="in_person", by=by,
                                    purpose=ConsentPurpose.SHARE_HEALTH_VISITOR,
                                    status=data["health_visitor_consent"])

    def rearranged(self, activation, data, by) -> None:
        rearrange(activation.process.the_meeting, data, by)

    def signed_off(self, activation, data, by) -> None:
        services.two_year_check_sign_off(check=activation.process.the_check, by=by,
                                         delay_reason=data.get("delay_reason", ""))

    def senco_reviewed(self, activation, data, by) -> None:
        check = activation.process.the_check
        services.two_year_check_senco_seen(check=check, by=by, notes=data.get("notes", ""))
        if data.get("start_sen_concern"):
            # Another process: started after this step commits (a Celery task), not inside it.
            from .sen_start import sen_concern_from_two_year_check

            transaction.on_commit(lambda: sen_concern_from_two_year_check.delay(check.pk, by.pk))

    def shared(self, activation, data, by) -> None:
        services.two_year_check_share(check=activation.process.the_check, by=by,
                                      health_visitor=data.get("health_visitor", ""))

"""Leaving for school or another setting (issue 18 part 3; seed 002).

"Meeting with parents again before their child leaves for primary school to share pertinent information on
transition and achievements." ... "When the child leaves the setting the learning story will be given
electronically to the parent/carer as a record of their time at pre-school, and where possible sent to the
receiving school." (seed 002)

A manager records the leaving date and the school or setting with its named contact (one child, or the
summer term's school leavers together): processes.services.leaving_record starts this flow. On the leaving
date the nightly step (processes.services.leavers_leave) makes the child "left": every open task of theirs,
this flow's included, closes with that reason (workflows.receivers), and the retention clock starts.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from viewflow import this
from viewflow.workflow import act, flow, lock

from processes import deadlines, services

from . import leaving_forms as f
from .base import ChildFlowMixin
from .models import LeavingProcess, ProcessKind, TaskRole
from .nodes import HumanTask


class LeavingFlow(ChildFlowMixin, flow.Flow):
    """Leaving.

    The key person writes the transition report, meets the parents before the child leaves, and, with the
    parents' consent to share with that named school or setting (recorded on the child's consent page),
    sends the records pack (by hand, by e-mail or as a download link) and records that it arrived. Without
    consent no pack is made: the step says so, and the parents may be asked again, or the records stay here.
    Withdrawn while the pack waits, the pack's step stops until consent is given again (consent_gate). Last,
    the child's learning record is given to the parents.
    """

    process_class = LeavingProcess
    lock_impl = lock.select_for_update_lock
    kind = ProcessKind.LEAVING
    process_title = "Leaving"

    start = flow.StartHandle(this.start_leaving).Next(this.report)

    # key person
    report = (
        HumanTask(f.TransitionReportForm, role=TaskRole.KEY_PERSON, due=this.report_due, on_complete=this.reported)
        .Annotation(title="Write the transition report")
        .Next(this.meeting)
    )
    meeting = (
        HumanTask(f.ParentsMeetingForm, role=TaskRole.KEY_PERSON, due=this.meeting_due, on_complete=this.met)
        .Annotation(title="Meet the parents before the child leaves")
        .Next(this.sharing_gate)
    )
    sharing_gate = flow.If(act.process.has_sharing_consent).Then(this.pack).Else(this.ask_consent)
    ask_consent = (
        HumanTask(f.SharingConsentForm, role=TaskRole.KEY_PERSON, due=this.pack_due, on_complete=this.decided)
        .Annotation(title="Ask the parents for consent to send the records")
        .Next(this.sharing_answer)
    )
    sharing_answer = (
        flow.Switch()
        .Case(this.pack, act.process.has_sharing_consent)
        .Case(this.ask_consent, act.process.is_asking_again)
        .Default(this.learning_record)
    )
    pack = (
        HumanTask(f.PackForm, role=TaskRole.KEY_PERSON, due=this.pack_due, consent=this.sharing_consent,
                  on_complete=this.packed)
        .Annotation(title="Send the records pack to the school or setting")
        .Next(this.receipt)
    )
    receipt = (
        HumanTask(f.ReceiptForm, role=TaskRole.KEY_PERSON, due=this.receipt_due, on_complete=this.received)
        .Annotation(title="Record that the school or setting received the records")
        .Next(this.learning_record)
    )
    learning_record = (
        HumanTask(f.LearningRecordForm, role=TaskRole.KEY_PERSON, due=this.learning_record_due,
                  on_complete=this.given)
        .Annotation(title="Give the learning record to the parents")
        .Next(this.end)
    )
    end = flow.End()

    def start_leaving(self, activation, child, by=None, plan=None):
        process = self.start_process(activation, child, by)
        process.plan = plan
        return process

    def sharing_consent(self, process):
        return process.coerced.sharing_consent

    def _due(self, activation, step: str):
        plan = activation.process.plan_of_child()
        return deadlines.leaving_step_due(plan.leaving_on, step, plan.child.setting)

    def report_due(self, activation):
        return self._due(activation, "report")

    def meeting_due(self, activation):
        return self._due(activation, "meeting")

    def pack_due(self, activation):
        return self._due(activation, "pack")

    def receipt_due(self, activation):
        return self._due(activation, "receipt")

    def learning_record_due(self, activation):
        return self._due(activation, "learning_record")

    def reported(self, activation, data, by) -> None:
        services.transition_report_write(plan=activation.process.plan_of_child(), by=by, **data)

    def met(self, activation, data, by) -> None:
        services.leaving_meeting_record(plan=activation.process.plan_of_child(), by=by, held_on=data["held_on"],
                                        notes=data["notes"])

    def decided(self, activation, data, by) -> None:
        process = activation.process
        if data["next"] == f.NO_RECORDS:
            # The step says so: no pack for this recipient, on the plan the child's page shows.
            plan = process.plan_of_child()
            plan.no_pack_reason = f"No records pack for {plan.recipient}: the parents declined consent to share."
            plan.save(update_fields=["no_pack_reason"])
        ask_again = data["next"] == f.ASK_AGAIN
        if process.ask_again != ask_again:
            process.route(ask_again=ask_again)

    def packed(self, activation, data, by) -> None:
        plan = activation.process.plan_of_child()
        base = settings.KEYFLOW["BASE_URL"].rstrip("/")
        services.records_pack_make(plan=plan, by=by, include_sen=data.get("include_sen", False), send=data["how"],
                                   link_url=lambda token: base + reverse("pack-download", args=[token]))

    def received(self, activation, data, by) -> None:
        pack = activation.process.plan_of_child().packs.order_by("-made_at").first()
        services.records_pack_receipt(pack=pack, by=by, received_on=data["received_on"], note=data.get("note", ""))

    def given(self, activation, data, by) -> None:
        services.learning_record_give(plan=activation.process.plan_of_child(), by=by, given_on=data["given_on"],
                                      how=data["how"])

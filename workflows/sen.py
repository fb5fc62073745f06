"""SEN concern and referral (seed policies 001 and 004; SEND Code of Practice 0-25, chapter 5).

"If a key worker feels that their key child is not developing as they should, the key worker will inform the
parents or carers of their concern and the nursery SENCO will be informed. The nursery SENCO will carry out
observations on that child, with parents' permission." (seed 004)

The key person raises the concern (processes.services.sen_concern_raise starts this flow) and tells the
parents; the SENCO, informed by a task in their inbox, records the parents' consent to observe; observes;
decides (no further action, monitor and review, SEN support, referral) or sends the step back to the key
person. A referral needs the parents' consent to share with the named professional. SEN support runs in
cycles of assess, plan, do, review, and may end in a request for an EHC needs assessment, whose statutory
clock is tracked.

The steps that need consent (the SENCO's observation, the referral and its follow-up) declare it on the node:
such a task is never created, nor completed, without the consent in force, and a withdrawal cancels it until
the consent is granted again (workflows.consent_gate).
"""

from __future__ import annotations

from django.utils import timezone
from viewflow import this
from viewflow.workflow import flow, lock

from processes import deadlines, services
from processes.models import (
    ConsentPurpose,
    ConsentStatus,
    EhcDecision,
    ReviewOutcome,
    SenConcern,
    SenNoteKind,
    SencoDecisionKind,
)
from processes.signals import consent_requested

from . import sen_forms as f
from .base import ChildFlowMixin
from .models import ChildProcess, ProcessKind, TaskRole
from .nodes import HumanTask


def _concern(process) -> SenConcern:
    return SenConcern.objects.select_related("child__setting").get(pk=process.data["concern_id"])


def _route(activation, **values) -> None:
    process = activation.process
    process.data = {**(process.data or {}), **values}
    process.save(update_fields=["data"])


def _next(activation) -> str:
    return (activation.process.data or {}).get("next", "")


def _is(value: str):
    return lambda activation: _next(activation) == value


def _returned_from(node: str):
    return lambda activation: (activation.process.data or {}).get("sent_back_from") == node


class SenFlow(ChildFlowMixin, flow.Flow):
    process_class = ChildProcess
    lock_impl = lock.select_for_update_lock
    kind = ProcessKind.SEN
    process_title = "SEN concern"
    special_category = True  # task pages check processes.access.may_see_sen and audit every read

    start = flow.StartHandle(this.start_concern).Next(this.tell_parents)

    tell_parents = (
        HumanTask(f.ParentsToldForm, role=TaskRole.KEY_PERSON, due=this.parents_told_due,
                  on_complete=this.parents_told)
        .Annotation(title="Tell the parents about your concern")
        .Next(this.observation_gate)
    )
    observation_gate = flow.If(this.observation_consented).Then(this.observe).Else(this.ask_consent)
    ask_consent = (
        HumanTask(f.ConsentDecisionForm, role=TaskRole.SENCO, due=this.senco_due, on_complete=this.consent_decided)
        .Annotation(title="Record the parents' consent to your observation")
        .Next(this.consent_answer)
    )
    consent_answer = flow.If(this.observation_consented).Then(this.observe).Else(this.follow_up)
    follow_up = (
        HumanTask(f.FollowUpForm, role=TaskRole.KEY_PERSON, due=this.follow_up_due, on_complete=this.followed_up)
        .Annotation(title="Talk with the parents again about the concern")
        .Next(this.after_follow_up)
    )
    after_follow_up = flow.If(this.asking_again).Then(this.ask_consent).Else(this.end)

    observe = (
        HumanTask(f.ObservationForm, role=TaskRole.SENCO, approval=True, due=this.senco_due,
                  consent=this.observation_consent, on_complete=this.observed)
        .Annotation(title="Observe the child (SENCO)")
        .Next(this.after_observe)
    )
    after_observe = (
        flow.Switch()
        .Case(this.respond, this.sent_back)
        .Case(this.observation_gate, this.observing_again)
        .Default(this.decide)
    )
    respond = (
        HumanTask(f.ReplyForm, role=TaskRole.KEY_PERSON, due=this.week_due, on_complete=this.responded)
        .Annotation(title="Answer the SENCO's comment")
        .Next(this.back_to_senco)
    )
    back_to_senco = (
        flow.Switch()
        .Case(this.observation_gate, _returned_from("observe"))
        .Case(this.decide, _returned_from("decide"))
        .Default(this.sharing_gate)
    )
    decide = (
        HumanTask(f.DecisionForm, role=TaskRole.SENCO, approval=True, due=this.senco_due, on_complete=this.decided)
        .Annotation(title="Decide what happens next (SENCO)")
        .Next(this.after_decision)
    )
    after_decision = (
        flow.Switch()
        .Case(this.respond, this.sent_back)
        .Case(this.end, _is(SencoDecisionKind.NO_FURTHER_ACTION))
        .Case(this.monitor_review, _is(SencoDecisionKind.MONITOR))
        .Default(this.meeting)
    )
    monitor_review = (
        HumanTask(f.MonitorReviewForm, role=TaskRole.KEY_PERSON, due=this.monitor_due,
                  on_complete=this.monitored)
        .Annotation(title="Review the child's progress for the SENCO")
        .Next(this.decide)
    )
    meeting = (
        HumanTask(f.SenMeetingForm, role=TaskRole.KEY_PERSON, due=this.fortnight_due, on_complete=this.met)
        .Annotation(title="Meet the parents with the SENCO")
        .Next(this.after_meeting)
    )
    after_meeting = flow.If(_is(SencoDecisionKind.REFER)).Then(this.sharing_gate).Else(this.plan)
    sharing_gate = flow.If(this.sharing_consented).Then(this.refer).Else(this.ask_sharing_consent)
    ask_sharing_consent = (
        HumanTask(f.ConsentDecisionForm, role=TaskRole.KEY_PERSON, due=this.week_due,
                  on_complete=this.sharing_decided)
        .Annotation(title="Ask the parents for consent to the referral")
        .Next(this.sharing_answer)
    )
    # Declined: no referral; SEN support goes on in the setting.
    sharing_answer = flow.If(this.sharing_consented).Then(this.refer).Else(this.plan)
    refer = (
        HumanTask(f.ReferralForm, role=TaskRole.SENCO, approval=True, due=this.senco_due,
                  consent=this.sharing_consent, on_complete=this.referred)
        .Annotation(title="Approve and send the referral (SENCO)")
        .Next(this.after_referral)
    )
    after_referral = flow.If(this.sent_back).Then(this.respond).Else(this.track)
    track = (
        HumanTask(f.ReferralUpdateForm, role=TaskRole.SENCO, due=this.chase_due, consent=this.sharing_consent,
                  on_complete=this.tracked)
        .Annotation(title="Record the referral's reply or appointment")
        .Next(this.after_tracking)
    )
    after_tracking = flow.If(_is("concluded")).Then(this.plan).Else(this.track)
    plan = (
        HumanTask(f.SupportPlanForm, role=TaskRole.KEY_PERSON, due=this.week_due, on_complete=this.planned)
        .Annotation(title="Write the SEN support plan with the SENCO")
        .Next(this.review)
    )
    review = (
        HumanTask(f.SupportReviewForm, role=TaskRole.KEY_PERSON, due=this.review_due, on_complete=this.reviewed)
        .Annotation(title="Review SEN support with the parents")
        .Next(this.after_review)
    )
    after_review = (
        flow.Switch()
        .Case(this.plan, _is(ReviewOutcome.CONTINUE))
        .Case(this.ehc_request, _is(ReviewOutcome.REQUEST_EHC))
        .Default(this.end)
    )
    ehc_request = (
        HumanTask(f.EhcRequestForm, role=TaskRole.SENCO, approval=True, due=this.senco_due,
                  on_complete=this.ehc_requested)
        .Annotation(title="Request an EHC needs assessment (SENCO)")
        .Next(this.ehc_decision)
    )
    ehc_decision = (
        HumanTask(f.EhcDecisionForm, role=TaskRole.SENCO, due=this.ehc_decision_due, on_complete=this.ehc_decided)
        .Annotation(title="Record the local authority's decision to assess")
        .Next(this.after_ehc_decision)
    )
    after_ehc_decision = flow.If(_is(EhcDecision.ASSESS)).Then(this.ehc_plan).Else(this.plan)
    ehc_plan = (
        HumanTask(f.EhcPlanForm, role=TaskRole.SENCO, due=this.ehc_plan_due, on_complete=this.ehc_planned)
        .Annotation(title="Record the EHC plan")
        .Next(this.end)
    )
    end = flow.End()

    def start_concern(self, activation, child, by=None, concern: SenConcern | None = None):
        process = self.start_process(activation, child, by)
        process.data = {"concern_id": concern.pk}
        return process

    # What the task page shows besides the child: the concern and where it stands.
    def task_facts(self, process) -> list[tuple[str, str]]:
        concern = _concern(process)
        facts = [("Areas of concern", ", ".join(concern.area_labels())), ("Observed", concern.observed),
                 ("Since", f"{concern.since:%d %b %Y}"), ("Status", concern.get_status_display())]
        data = process.data or {}
        if data.get("comment"):
            facts.append(("SENCO's comment", data["comment"]))
        if data.get("refer_to"):
            facts.append(("Referral to", data["refer_to"]))
        return facts

    # Consent each gated step needs: (purpose, recipient).
    def observation_consent(self, process):
        return ConsentPurpose.SENCO_OBSERVATION, ""

    def sharing_consent(self, process):
        return ConsentPurpose.SHARE_PROFESSIONAL, (process.data or {}).get("refer_to", "")

    def _consented(self, process, needed) -> bool:
        purpose, recipient = needed
        return services.consent_in_force(child=process.child, purpose=purpose, recipient=recipient) is not None

    def observation_consented(self, activation) -> bool:
        return self._consented(activation.process, self.observation_consent(activation.process))

    def sharing_consented(self, activation) -> bool:
        return self._consented(activation.process, self.sharing_consent(activation.process))

    # Routing: each step's handler says where the process goes next (_route), the gateways read it.
    def sent_back(self, activation) -> bool:
        return _next(activation) == f.SEND_BACK

    def observing_again(self, activation) -> bool:
        return _next(activation) == "observe_again"

    def asking_again(self, activation) -> bool:
        return _next(activation) == "ask_again"

    # Deadlines, all from processes.deadlines.
    def parents_told_due(self, activation):
        return deadlines.sen_parents_told_due()

    def senco_due(self, activation):
        return deadlines.senco_response_due()

    def week_due(self, activation):
        return deadlines.sen_task_due(weeks=1)

    def fortnight_due(self, activation):
        return deadlines.sen_task_due(weeks=2)

    def chase_due(self, activation):
        return deadlines.referral_chase_due()

    def follow_up_due(self, activation):
        return deadlines.at_end_of(deadlines.consent_follow_up_date(activation.process.child.setting))

    def monitor_due(self, activation):
        decision = _concern(activation.process).decisions.order_by("-decided_at", "-id").first()
        return deadlines.at_end_of(decision.review_on) if decision and decision.review_on else None

    def review_due(self, activation):
        plan = f.current_plan(_concern(activation.process))
        return deadlines.at_end_of(plan.review_on) if plan else None

    def ehc_decision_due(self, activation):
        return deadlines.at_end_of(_concern(activation.process).ehc_request.decision_due_on)

    def ehc_plan_due(self, activation):
        return deadlines.at_end_of(_concern(activation.process).ehc_request.plan_due_on)

    # Step handlers: each writes through processes.services.
    def _ask_for(self, activation, purpose, recipient, by) -> None:
        process = activation.process
        if services.consent_in_force(child=process.child, purpose=purpose, recipient=recipient) is None:
            consent_requested.send(sender=SenConcern, child=process.child, purpose=purpose, recipient=recipient,
                                   by=by)

    def parents_told(self, activation, data, by) -> None:
        concern = _concern(activation.process)
        services.sen_conversation_record(concern=concern, kind=SenNoteKind.PARENTS_TOLD, held_on=data["held_on"],
                                         with_whom=data["with_whom"], parents_view=data["parents_view"], by=by)
        self._ask_for(activation, ConsentPurpose.SENCO_OBSERVATION, "", by)

    def _record_consent(self, activation, data, by, purpose, recipient="") -> None:
        services.consent_record(child=activation.process.child, guardian=data["guardian"], purpose=purpose,
                                recipient=recipient, status=data["decision"], method=data["method"],
                                notes=data.get("notes", ""), by=by)

    def consent_decided(self, activation, data, by) -> None:
        self._record_consent(activation, data, by, ConsentPurpose.SENCO_OBSERVATION)
        if data["decision"] == ConsentStatus.DECLINED:
            services.sen_concern_close(concern=_concern(activation.process), status="consent_declined", by=by)

    def followed_up(self, activation, data, by) -> None:
        concern = _concern(activation.process)
        services.sen_conversation_record(concern=concern, kind=SenNoteKind.FOLLOW_UP, held_on=data["held_on"],
                                         parents_view=data["parents_view"], by=by)
        _route(activation, next=data["next"])
        if data["next"] == "ask_again":
            self._ask_for(activation, ConsentPurpose.SENCO_OBSERVATION, "", by)

    def _send_back(self, activation, data, node: str) -> None:
        _route(activation, next=f.SEND_BACK, sent_back_from=node, comment=data["comment"].strip())

    def observed(self, activation, data, by) -> None:
        if data["next"] == f.SEND_BACK:
            return self._send_back(activation, data, "observe")
        services.sen_observation_record(concern=_concern(activation.process), observed_on=data["observed_on"],
                                        notes=data["notes"], by=by)
        _route(activation, next=data["next"], comment="")

    def responded(self, activation, data, by) -> None:
        services.sen_conversation_record(concern=_concern(activation.process), kind=SenNoteKind.KEY_PERSON_REPLY,
                                         held_on=timezone.localdate(), notes=data["reply"], by=by)
        _route(activation, next="", comment="")

    def decided(self, activation, data, by) -> None:
        if data["next"] == f.SEND_BACK:
            return self._send_back(activation, data, "decide")
        decision = services.senco_decision_record(
            concern=_concern(activation.process), decision=data["next"], reasons=data["reasons"],
            review_on=data.get("review_on"), refer_to=data.get("refer_to") or "", by=by,
        )
        _route(activation, next=decision.decision, refer_to=decision.refer_to, comment="")
        if decision.decision == SencoDecisionKind.NO_FURTHER_ACTION:
            services.sen_concern_close(concern=decision.concern, status="no_further_action", by=by)

    def monitored(self, activation, data, by) -> None:
        services.sen_conversation_record(concern=_concern(activation.process), kind=SenNoteKind.MONITOR_REVIEW,
                                         held_on=data["held_on"], notes=data["notes"], by=by)

    def met(self, activation, data, by) -> None:
        services.sen_meeting_record(concern=_concern(activation.process), held_on=data["held_on"],
                                    attendees=data["attendees"], outcome=data["outcome"],
                                    agreed_actions=data["agreed_actions"], by=by)
        if _next(activation) == SencoDecisionKind.REFER:
            self._ask_for(activation, *self.sharing_consent(activation.process), by)

    def sharing_decided(self, activation, data, by) -> None:
        self._record_consent(activation, data, by, *self.sharing_consent(activation.process))
        _route(activation, next="")

    def referred(self, activation, data, by) -> None:
        if data["next"] == f.SEND_BACK:
            return self._send_back(activation, data, "refer")
        process = activation.process
        referral = services.referral_send(concern=_concern(process), recipient=process.data["refer_to"],
                                          sent_on=data["sent_on"], what_was_sent=data["what_was_sent"], by=by)
        _route(activation, next="", referral_id=referral.pk, comment="")

    def tracked(self, activation, data, by) -> None:
        concern = _concern(activation.process)
        referral = concern.referrals.get(pk=activation.process.data["referral_id"])
        services.referral_update_record(referral=referral, kind=data["kind"], on=data["on"], notes=data["notes"],
                                        concluded=data["concluded"], by=by)
        _route(activation, next="concluded" if data["concluded"] else "")

    def planned(self, activation, data, by) -> None:
        services.support_plan_write(concern=_concern(activation.process), targets=data["targets"],
                                    strategies=data.get("strategies", ""), review_on=data["review_on"], by=by)

    def reviewed(self, activation, data, by) -> None:
        concern = _concern(activation.process)
        plan = f.current_plan(concern)
        progress = {int(k.removeprefix("progress_")): v for k, v in data.items() if k.startswith("progress_")}
        services.support_review_record(plan=plan, held_on=data["held_on"], parents_view=data["parents_view"],
                                       progress=progress, outcome=data["outcome"], by=by)
        _route(activation, next=data["outcome"])

    def ehc_requested(self, activation, data, by) -> None:
        services.ehc_request_record(concern=_concern(activation.process), requested_on=data["requested_on"],
                                    local_authority=data["local_authority"], by=by)

    def ehc_decided(self, activation, data, by) -> None:
        concern = _concern(activation.process)
        services.ehc_decision_record(request=concern.ehc_request, decision=data["decision"],
                                     decided_on=data["decided_on"], by=by)
        _route(activation, next=data["decision"])

    def ehc_planned(self, activation, data, by) -> None:
        concern = _concern(activation.process)
        services.ehc_plan_record(request=concern.ehc_request,
                                 issued_on=data.get("issued_on") if data["issued"] == "issued" else None, by=by)

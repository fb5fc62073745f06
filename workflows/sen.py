"""SEN concern and referral (seed policies 001 and 004; SEND Code of Practice 0-25, chapter 5).

"If a key worker feels that their key child is not developing as they should, the key worker will inform the
parents or carers of their concern and the nursery SENCO will be informed. The nursery SENCO will carry out
observations on that child, with parents' permission." (seed 004)

The key person raises the concern (processes.services.sen_concern_raise starts this flow). The process row
(workflows.models.SenProcess) points at the concern and at the records the flow follows; its named
predicates are what the gateways ask. The forms are in workflows.sen_forms, the rules in processes.services.

The steps that need consent (the SENCO's observation, the referral and its follow-up) declare it on the node:
such a task is never created, nor completed, without the consent in force, and a withdrawal cancels it until
the consent is granted again (workflows.consent_gate).
"""

from __future__ import annotations

from django.utils import timezone
from viewflow import this
from viewflow.workflow import act, flow, lock

from processes import deadlines, services
from processes.dates import day_text
from processes.models import (
    ConsentStatus,
    SenConcern,
    SenNoteKind,
)
from processes.signals import consent_requested

from . import sen_forms as f
from .base import ChildFlowMixin
from .models import ProcessKind, SenProcess, SentBackFrom, TaskRole
from .nodes import End, HumanTask, If, StartHandle


def _setting(activation):
    return activation.process.child.setting


class SenFlow(ChildFlowMixin, flow.Flow):
    """SEN concern and referral.

    The key person tells the parents of the concern; the SENCO records their consent to an observation
    (declined: the key person talks with them again in six weeks), observes, and decides: no further action,
    monitor and review on a date, SEN support, or a referral, or sends the step back to the key person. SEN
    support and a referral begin with a meeting with the parents; a referral needs their consent to share with
    the named professional, then its replies are tracked. SEN support runs in cycles of plan and review, and
    may end in a request for an EHC needs assessment, whose statutory dates become the next steps' due dates.
    """

    process_class = SenProcess
    lock_impl = lock.select_for_update_lock
    kind = ProcessKind.SEN
    process_title = "SEN concern"
    special_category = True  # task pages check processes.access.may_see_sen and audit every read

    start = StartHandle(this.start_concern).Next(this.tell_parents)

    # key person
    tell_parents = (
        HumanTask(f.ParentsToldForm, role=TaskRole.KEY_PERSON, due=this.parents_told_due,
                  on_complete=this.parents_told)
        .Annotation(title="Tell the parents about your concern")
        .Next(this.observation_gate)
    )
    follow_up = (
        HumanTask(f.FollowUpForm, role=TaskRole.KEY_PERSON, due=this.follow_up_due, on_complete=this.followed_up)
        .Annotation(title="Talk with the parents again about the concern")
        .Next(this.after_follow_up)
    )
    after_follow_up = If(act.process.is_asking_again).Then(this.ask_consent).Else(this.end)
    respond = (
        HumanTask(f.ReplyForm, role=TaskRole.KEY_PERSON, due=this.week_due, on_complete=this.responded)
        .Annotation(title="Answer the SENCO's comment")
        .Next(this.back_to_senco)
    )
    # Back to the step that was sent back, through its consent gate: one gateway where two would cost a step
    # three more statements.
    back_to_senco = (
        flow.Switch()
        .Case(this.decide, act.process.was_sent_back_from_decision)
        .Case(this.observe, act.process.returns_to_observation)
        .Case(this.ask_consent, act.process.was_sent_back_from_observation)
        .Case(this.refer, act.process.may_refer)
        .Default(this.ask_sharing_consent)
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
    after_meeting = (
        flow.Switch()
        .Case(this.refer, act.process.may_refer)
        .Case(this.ask_sharing_consent, act.process.decision_is_referral)
        .Default(this.plan)
    )
    ask_sharing_consent = (
        HumanTask(f.ConsentDecisionForm, role=TaskRole.KEY_PERSON, due=this.week_due,
                  on_complete=this.sharing_decided)
        .Annotation(title="Ask the parents for consent to the referral")
        .Next(this.sharing_answer)
    )
    # Declined: no referral; SEN support goes on in the setting.
    sharing_answer = If(act.process.has_sharing_consent).Then(this.refer).Else(this.plan)
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
        .Case(this.plan, act.process.review_continues_support)
        .Case(this.ehc_request, act.process.review_requests_ehc)
        .Default(this.end)
    )

    # SENCO
    observation_gate = If(act.process.has_observation_consent).Then(this.observe).Else(this.ask_consent)
    ask_consent = (
        HumanTask(f.ConsentDecisionForm, role=TaskRole.SENCO, due=this.senco_due, on_complete=this.consent_decided)
        .Annotation(title="Record the parents' consent to your observation")
        .Next(this.consent_answer)
    )
    consent_answer = If(act.process.has_observation_consent).Then(this.observe).Else(this.follow_up)
    observe = (
        HumanTask(f.ObservationForm, role=TaskRole.SENCO, approval=True, due=this.senco_due,
                  consent=this.observation_consent, on_complete=this.observed)
        .Annotation(title="Observe the child (SENCO)")
        .Next(this.after_observe)
    )
    # Observing again needs no gate: this completion has just checked the consent, under the process's lock.
    after_observe = (
        flow.Switch()
        .Case(this.respond, act.process.is_sent_back)
        .Case(this.observe, act.process.is_observing_again)
        .Default(this.decide)
    )
    decide = (
        HumanTask(f.DecisionForm, role=TaskRole.SENCO, approval=True, due=this.senco_due, on_complete=this.decided)
        .Annotation(title="Decide what happens next (SENCO)")
        .Next(this.after_decision)
    )
    after_decision = (
        flow.Switch()
        .Case(this.respond, act.process.is_sent_back)
        .Case(this.end, act.process.decision_is_no_further_action)
        .Case(this.monitor_review, act.process.decision_is_monitoring)
        .Default(this.meeting)
    )
    refer = (
        HumanTask(f.ReferralForm, role=TaskRole.SENCO, approval=True, due=this.senco_due,
                  consent=this.sharing_consent, on_complete=this.referred)
        .Annotation(title="Approve and send the referral (SENCO)")
        .Next(this.after_referral)
    )
    after_referral = If(act.process.is_sent_back).Then(this.respond).Else(this.track)
    track = (
        HumanTask(f.ReferralUpdateForm, role=TaskRole.SENCO, due=this.chase_due, consent=this.sharing_consent,
                  on_complete=this.tracked)
        .Annotation(title="Record the referral's reply or appointment")
        .Next(this.after_tracking)
    )
    after_tracking = If(act.process.referral_is_concluded).Then(this.plan).Else(this.track)
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
    # Not assessed: SEN support goes on (SEND Code, chapter 9); a new request needs new evidence (the review).
    after_ehc_decision = If(act.process.local_authority_will_assess).Then(this.ehc_plan).Else(this.plan)
    ehc_plan = (
        HumanTask(f.EhcPlanForm, role=TaskRole.SENCO, due=this.ehc_plan_due, on_complete=this.ehc_planned)
        .Annotation(title="Record the EHC plan")
        .Next(this.end)
    )

    end = End()

    def start_concern(self, activation, child, by=None, concern: SenConcern | None = None):
        process = self.start_process(activation, child, by)
        process.concern = concern
        return process

    # What the task page shows besides the child: the concern and where it stands.
    def task_facts(self, process) -> list[tuple[str, str]]:
        process = process.coerced
        concern = process.concern
        facts = [("Areas of concern", ", ".join(concern.area_labels())), ("Observed", concern.observed),
                 ("Since", f"{day_text(concern.since)}"), ("Status", concern.get_status_display())]
        if process.comment:
            facts.append(("SENCO's comment", process.comment))
        if process.refer_to:
            facts.append(("Referral to", process.refer_to))
        return facts

    # Consent each gated step needs, (purpose, recipient): asked with whichever process row the caller holds.
    def observation_consent(self, process):
        return process.coerced.observation_consent

    def sharing_consent(self, process):
        return process.coerced.sharing_consent

    # Deadlines, all from processes.deadlines, on the setting's open days.
    def parents_told_due(self, activation):
        return deadlines.sen_parents_told_due(_setting(activation))

    def senco_due(self, activation):
        return deadlines.senco_response_due(setting=_setting(activation))

    def week_due(self, activation):
        return deadlines.sen_task_due(weeks=1, setting=_setting(activation))

    def fortnight_due(self, activation):
        return deadlines.sen_task_due(weeks=2, setting=_setting(activation))

    def chase_due(self, activation):
        return deadlines.referral_chase_due(_setting(activation))

    def follow_up_due(self, activation):
        setting = _setting(activation)
        return deadlines.at_end_of(deadlines.consent_follow_up_date(setting), setting)

    def monitor_due(self, activation):
        decision = activation.process.decision
        if decision is None or decision.review_on is None:
            return None
        return deadlines.at_end_of(decision.review_on, _setting(activation))

    def review_due(self, activation):
        plan = activation.process.plan
        return deadlines.at_end_of(plan.review_on, _setting(activation)) if plan else None

    def ehc_decision_due(self, activation):
        return deadlines.at_end_of(activation.process.ehc_request.decision_due_on, _setting(activation))

    def ehc_plan_due(self, activation):
        return deadlines.at_end_of(activation.process.ehc_request.plan_due_on, _setting(activation))

    # Step handlers: each writes through processes.services, then routes the process (SenProcess.route).
    def _ask_for(self, activation, needed: tuple[str, str], in_force: bool, by) -> None:
        if not in_force:
            purpose, recipient = needed
            consent_requested.send(sender=SenConcern, child=activation.process.child, purpose=purpose,
                                   recipient=recipient, by=by)

    def _record_consent(self, activation, data, by, needed: tuple[str, str]) -> None:
        purpose, recipient = needed
        services.consent_record(child=activation.process.child, guardian=data["guardian"], purpose=purpose,
                                recipient=recipient, status=data["decision"], method=data["method"],
                                notes=data.get("notes", ""), by=by)
        activation.process.consent_noted(purpose, recipient, data["decision"] == ConsentStatus.GRANTED)

    def _send_back(self, activation, data, node: SentBackFrom) -> None:
        activation.process.route(sent_back_from=node, comment=data["comment"].strip())

    def parents_told(self, activation, data, by) -> None:
        services.sen_conversation_record(concern=activation.process.concern_of_child(),
                                         kind=SenNoteKind.PARENTS_TOLD, held_on=data["held_on"],
                                         with_whom=data["with_whom"], parents_view=data["parents_view"], by=by)
        process = activation.process
        self._ask_for(activation, process.observation_consent, process.has_observation_consent, by)

    def consent_decided(self, activation, data, by) -> None:
        self._record_consent(activation, data, by, activation.process.observation_consent)
        if data["decision"] == ConsentStatus.DECLINED:
            services.sen_concern_close(concern=activation.process.concern_of_child(), status="consent_declined",
                                       by=by)

    def followed_up(self, activation, data, by) -> None:
        services.sen_conversation_record(concern=activation.process.concern_of_child(),
                                         kind=SenNoteKind.FOLLOW_UP, held_on=data["held_on"],
                                         parents_view=data["parents_view"], by=by)
        process = activation.process
        process.route(ask_again=data["next"] == "ask_again")
        if process.is_asking_again:
            self._ask_for(activation, process.observation_consent, process.has_observation_consent, by)

    def observed(self, activation, data, by) -> None:
        if data["next"] == f.SEND_BACK:
            return self._send_back(activation, data, SentBackFrom.OBSERVE)
        services.sen_observation_record(concern=activation.process.concern_of_child(),
                                        observed_on=data["observed_on"], notes=data["notes"], by=by)
        activation.process.route(sent_back_from="", comment="", observe_again=data["next"] == "observe_again")

    def responded(self, activation, data, by) -> None:
        services.sen_conversation_record(concern=activation.process.concern_of_child(),
                                         kind=SenNoteKind.KEY_PERSON_REPLY, held_on=timezone.localdate(),
                                         notes=data["reply"], by=by)
        # sent_back_from stays: back_to_senco reads it to return to the step that was sent back. So does the
        # comment, shown to the SENCO with their returned step; the SENCO's completion of it clears both.

    def decided(self, activation, data, by) -> None:
        if data["next"] == f.SEND_BACK:
            return self._send_back(activation, data, SentBackFrom.DECIDE)
        decision = services.senco_decision_record(
            concern=activation.process.concern_of_child(), decision=data["next"], reasons=data["reasons"],
            review_on=data.get("review_on"), refer_to=data.get("refer_to") or "", by=by,
        )
        # No further action closes the concern: the decision's service sets its status and audits it.
        activation.process.route(decision=decision, sent_back_from="", comment="")

    def monitored(self, activation, data, by) -> None:
        services.sen_conversation_record(concern=activation.process.concern_of_child(),
                                         kind=SenNoteKind.MONITOR_REVIEW, held_on=data["held_on"],
                                         notes=data["notes"], by=by)

    def met(self, activation, data, by) -> None:
        services.sen_meeting_record(concern=activation.process.concern_of_child(), held_on=data["held_on"],
                                    attendees=data["attendees"], outcome=data["outcome"],
                                    agreed_actions=data["agreed_actions"], by=by)
        process = activation.process
        if process.decision_is_referral:
            self._ask_for(activation, process.sharing_consent, process.has_sharing_consent, by)

    def sharing_decided(self, activation, data, by) -> None:
        self._record_consent(activation, data, by, activation.process.sharing_consent)

    def referred(self, activation, data, by) -> None:
        if data["next"] == f.SEND_BACK:
            return self._send_back(activation, data, SentBackFrom.REFER)
        process = activation.process
        referral = services.referral_send(concern=process.concern_of_child(), recipient=process.refer_to,
                                          sent_on=data["sent_on"], what_was_sent=data["what_was_sent"], by=by)
        process.route(referral=referral, sent_back_from="", comment="")

    def tracked(self, activation, data, by) -> None:
        referral = activation.process.referral
        referral.concern = activation.process.concern_of_child()
        services.referral_update_record(referral=referral, kind=data["kind"], on=data["on"], notes=data["notes"],
                                        concluded=data["concluded"], by=by)

    def planned(self, activation, data, by) -> None:
        plan = services.support_plan_write(concern=activation.process.concern_of_child(), targets=data["targets"],
                                           strategies=data.get("strategies", ""), review_on=data["review_on"],
                                           by=by)
        activation.process.route(plan=plan)

    def reviewed(self, activation, data, by) -> None:
        plan = activation.process.plan
        plan.concern = activation.process.concern_of_child()
        progress = {int(k.removeprefix("progress_")): v for k, v in data.items() if k.startswith("progress_")}
        services.support_review_record(plan=plan, held_on=data["held_on"],
                                       parents_view=data["parents_view"], progress=progress,
                                       outcome=data["outcome"], what_changed=data.get("what_changed") or "",
                                       by=by)

    def ehc_requested(self, activation, data, by) -> None:
        request = services.ehc_request_record(concern=activation.process.concern_of_child(),
                                              requested_on=data["requested_on"],
                                              local_authority=data["local_authority"], by=by)
        activation.process.route(ehc_request=request)

    def ehc_decided(self, activation, data, by) -> None:
        request = activation.process.ehc_request
        request.concern = activation.process.concern_of_child()
        services.ehc_decision_record(request=request, decision=data["decision"], decided_on=data["decided_on"],
                                     by=by)

    def ehc_planned(self, activation, data, by) -> None:
        request = activation.process.ehc_request
        request.concern = activation.process.concern_of_child()
        services.ehc_plan_record(request=request,
                                 issued_on=data.get("issued_on") if data["issued"] == "issued" else None, by=by)

"""SEN records: every write of a concern, observation, decision, meeting, referral, plan, review and EHC request.

The SEN workflow (workflows.sen) calls these from its steps; the API and the admin call the same. The consent
rules live here as well as in the flow: an observation or a referral is refused, whoever asks, unless the
parents' consent is in force at that moment.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from django.db import transaction
from django.utils import timezone

from .. import deadlines
from ..access import may_see_sen, staff_of
from ..date_bounds import date_check
from ..dates import day_text
from ..errors import NotPermitted, RuleViolation
from ..models import (
    Child,
    ConcernStatus,
    Consent,
    ConsentPurpose,
    EhcDecision,
    EhcRequest,
    LearningArea,
    Referral,
    ReferralUpdate,
    ReferralUpdateKind,
    ReviewOutcome,
    SencoDecision,
    SencoDecisionKind,
    SenConcern,
    SenConversation,
    SenMeeting,
    SenNoteKind,
    SenObservation,
    SupportPlan,
    SupportReview,
    SupportTarget,
    TargetProgress,
)
from ..signals import sen_concern_raised
from .audit import audit_record
from .consent import consent_in_force


def _audit(by, action: str, record, concern: SenConcern, summary: str, **changes) -> None:
    audit_record(actor=by, action=action, record=record, setting_id=concern.child.setting_id,
                 child_id=concern.child_id, summary=summary, changes={k: str(v) for k, v in changes.items()})


def _require_sen_access(by, child: Child) -> None:
    if by is not None and not may_see_sen(by, child):
        raise NotPermitted("Only the child's key person, the SENCO and the manager work on SEN records.")


def _require_senco(by, child: Child) -> None:
    staff = staff_of(by)
    if by is not None and (staff is None or not staff.is_senco or staff.setting_id != child.setting_id):
        raise NotPermitted("Only the setting's SENCO can do this.")


def _check_date(day: dt.date, concern: SenConcern, *, what: str, field: str, when="past", after=()) -> None:
    # Seed 004 / issue 16: what happens about a concern happens after the child's birth and after the concern
    # began ("since"), besides any bound of its own.
    date_check(day, what=what, field=field, when=when, child=concern.child,
               not_before=[(concern.since, "the concern began"), *after])


def sen_observation_consent(*, child: Child) -> Consent:
    consent = consent_in_force(child=child, purpose=ConsentPurpose.SENCO_OBSERVATION)
    if consent is None:
        raise RuleViolation(
            f"There is no parental consent in force for the SENCO to observe {child}: nothing was recorded."
        )
    return consent


def sen_sharing_consent(*, child: Child, recipient: str) -> Consent:
    consent = consent_in_force(child=child, purpose=ConsentPurpose.SHARE_PROFESSIONAL, recipient=recipient)
    if consent is None:
        raise RuleViolation(
            f"The parents have not consented to sharing {child}'s records with {recipient}: nothing was sent."
        )
    return consent


@transaction.atomic
def sen_concern_raise(*, child: Child, by, areas: Iterable[str], observed: str, since: dt.date) -> SenConcern:
    """A key person's concern about a key child's development. Starts the SEN workflow (workflows.sen)."""
    _require_sen_access(by, child)
    areas = list(dict.fromkeys(areas))
    unknown = [a for a in areas if a not in LearningArea.values]
    if unknown:
        raise RuleViolation(f"Unknown area of learning: {', '.join(unknown)}.", field="areas")
    if not areas:
        raise RuleViolation("Say which areas of learning the concern is about.", field="areas")
    if not observed.strip():
        raise RuleViolation("Describe what you observed.", field="observed")
    date_check(since, what="'Since when'", field="since", child=child)
    concern = SenConcern.objects.create(child=child, areas=areas, observed=observed.strip(), since=since,
                                        raised_by=by)
    _audit(by, "create", concern, concern, "Raised an SEN concern",
           areas=", ".join(concern.area_labels()), since=since)
    sen_concern_raised.send(sender=SenConcern, concern=concern, by=by)
    return concern


def sen_conversation_record(
    *, concern: SenConcern, kind: str, held_on: dt.date, by, with_whom: str = "", parents_view: str = "",
    notes: str = "",
) -> SenConversation:
    _require_sen_access(by, concern.child)
    _check_date(held_on, concern, what="The conversation's date", field="held_on")
    note = SenConversation.objects.create(concern=concern, kind=SenNoteKind(kind), held_on=held_on,
                                          with_whom=with_whom, parents_view=parents_view, notes=notes,
                                          recorded_by=by)
    _audit(by, "create", note, concern, f"Recorded: {note.get_kind_display().lower()}", held_on=held_on)
    return note


def sen_observation_record(*, concern: SenConcern, observed_on: dt.date, notes: str, by) -> SenObservation:
    _require_senco(by, concern.child)
    consent = sen_observation_consent(child=concern.child)
    if observed_on < timezone.localdate(consent.given_at):
        raise RuleViolation("An observation cannot predate the parents' consent to it.", field="observed_on")
    _check_date(observed_on, concern, what="An observation", field="observed_on")
    observation = SenObservation.objects.create(concern=concern, observed_on=observed_on, notes=notes,
                                                observed_by=by, consent=consent)
    _audit(by, "create", observation, concern, f"SENCO observation of {day_text(observed_on)}")
    return observation


def senco_decision_record(
    *, concern: SenConcern, decision: str, reasons: str, by, review_on: dt.date | None = None,
    refer_to: str = "",
) -> SencoDecision:
    _require_senco(by, concern.child)
    decision = SencoDecisionKind(decision)
    if decision == SencoDecisionKind.MONITOR and (review_on is None or review_on <= timezone.localdate()):
        raise RuleViolation("Set a review date in the future to monitor and review.", field="review_on")
    if review_on is not None and decision == SencoDecisionKind.MONITOR:
        date_check(review_on, what="The review date", field="review_on", when="future")
    refer_to = " ".join(refer_to.split())
    if decision == SencoDecisionKind.REFER and not refer_to:
        raise RuleViolation("Name the professional or service to refer to.", field="refer_to")
    if not concern.observations.exists():
        raise RuleViolation("The SENCO decides after observing the child at least once.")
    record = SencoDecision.objects.create(
        concern=concern, decision=decision, reasons=reasons, decided_by=by,
        review_on=review_on if decision == SencoDecisionKind.MONITOR else None,
        refer_to=refer_to if decision == SencoDecisionKind.REFER else "",
    )
    concern.status = {
        SencoDecisionKind.NO_FURTHER_ACTION: ConcernStatus.NO_FURTHER_ACTION,
        SencoDecisionKind.MONITOR: ConcernStatus.MONITORING,
        SencoDecisionKind.SEN_SUPPORT: ConcernStatus.SEN_SUPPORT,
        SencoDecisionKind.REFER: ConcernStatus.OPEN,  # referred once the referral is sent
    }[decision]
    concern.save(update_fields=["status"])
    _audit(by, "decide", record, concern, f"SENCO decision: {record.get_decision_display().lower()}",
           reasons=reasons, review_on=review_on or "", refer_to=refer_to)
    return record


def sen_meeting_record(
    *, concern: SenConcern, held_on: dt.date, attendees: str, outcome: str, agreed_actions: str, by,
) -> SenMeeting:
    _require_sen_access(by, concern.child)
    _check_date(held_on, concern, what="A meeting is recorded once held; its date", field="held_on")
    meeting = SenMeeting.objects.create(concern=concern, held_on=held_on, attendees=attendees, outcome=outcome,
                                        agreed_actions=agreed_actions, recorded_by=by)
    _audit(by, "create", meeting, concern, f"Meeting with the parents on {day_text(held_on)}")
    return meeting


def referral_send(*, concern: SenConcern, recipient: str, sent_on: dt.date, what_was_sent: str, by) -> Referral:
    _require_senco(by, concern.child)
    consent = sen_sharing_consent(child=concern.child, recipient=recipient)
    _check_date(sent_on, concern, what="A referral is recorded once sent; its date", field="sent_on")
    referral = Referral.objects.create(concern=concern, recipient=consent.recipient, sent_on=sent_on,
                                       what_was_sent=what_was_sent, consent=consent, sent_by=by)
    concern.status = ConcernStatus.REFERRED
    concern.save(update_fields=["status"])
    _audit(by, "share", referral, concern, f"Referral sent to {referral.recipient}", what_was_sent=what_was_sent)
    return referral


def referral_update_record(
    *, referral: Referral, kind: str, on: dt.date, notes: str, by, concluded: bool = False,
) -> ReferralUpdate:
    concern = referral.concern
    _require_sen_access(by, concern.child)
    sen_sharing_consent(child=concern.child, recipient=referral.recipient)
    # A reply or a chase has happened; an appointment may be booked ahead. None comes before the referral.
    kind = ReferralUpdateKind(kind)
    _check_date(on, concern, what="The update's date", field="on",
                when="any" if kind == ReferralUpdateKind.APPOINTMENT else "past",
                after=[(referral.sent_on, "the referral was sent")])
    update = ReferralUpdate.objects.create(referral=referral, kind=ReferralUpdateKind(kind), on=on, notes=notes,
                                           recorded_by=by)
    if concluded:
        referral.concluded_on = on
        referral.save(update_fields=["concluded_on"])
    _audit(by, "create", update, concern, f"Referral to {referral.recipient}: {update.get_kind_display().lower()}"
           + (", concluded" if concluded else ""))
    return update


def support_plan_write(
    *, concern: SenConcern, targets: Iterable[tuple[str, str]], by, review_on: dt.date | None = None,
    strategies: str = "",
) -> SupportPlan:
    _require_sen_access(by, concern.child)
    targets = [(d.strip(), s.strip()) for d, s in targets if d.strip()]
    if not targets:
        raise RuleViolation("A support plan needs at least one target.", field="targets")
    today = timezone.localdate()
    review_on = review_on or deadlines.sen_review_date(concern.child.setting, starts_on=today)
    if review_on <= today:
        raise RuleViolation("The review date must be in the future.", field="review_on")
    date_check(review_on, what="The review date", field="review_on", when="future")
    cycle = concern.plans.count() + 1
    plan = SupportPlan.objects.create(concern=concern, cycle=cycle, starts_on=today, review_on=review_on,
                                      strategies=strategies, written_by=by)
    SupportTarget.objects.bulk_create(SupportTarget(plan=plan, description=d, strategy=s) for d, s in targets)
    concern.status = ConcernStatus.SEN_SUPPORT
    concern.save(update_fields=["status"])
    _audit(by, "create", plan, concern, f"SEN support plan, cycle {cycle}: {len(targets)} targets, review "
           f"{day_text(review_on)}")
    return plan


def support_review_record(
    *, plan: SupportPlan, held_on: dt.date, parents_view: str, progress: Mapping[int, str], outcome: str, by,
    what_changed: str = "",
) -> SupportReview:
    concern = plan.concern
    _require_sen_access(by, concern.child)
    _check_date(held_on, concern, what="A review is recorded once held; its date", field="held_on",
                after=[(plan.starts_on, "the plan it reviews began")])
    if hasattr(plan, "review"):
        raise RuleViolation(f"Cycle {plan.cycle} has already been reviewed.")
    outcome = ReviewOutcome(outcome)
    what_changed = what_changed.strip() if outcome == ReviewOutcome.REQUEST_EHC else ""
    if outcome == ReviewOutcome.REQUEST_EHC and (refusal := ehc_request_refusal(concern=concern,
                                                                                what_changed=what_changed)):
        raise RuleViolation(refusal, field="what_changed")
    targets = list(plan.targets.all())
    missing = [t for t in targets if not (progress.get(t.pk) or "").strip()]
    if missing:
        raise RuleViolation(f"Record progress against every target: '{missing[0].description}' has none.",
                            field="progress")
    review = SupportReview.objects.create(plan=plan, held_on=held_on, parents_view=parents_view,
                                          outcome=outcome, what_changed=what_changed, recorded_by=by)
    TargetProgress.objects.bulk_create(TargetProgress(review=review, target=t, progress=progress[t.pk].strip())
                                       for t in targets)
    if review.outcome == ReviewOutcome.END:
        concern.status = ConcernStatus.SUPPORT_ENDED
        concern.save(update_fields=["status"])
    _audit(by, "review", review, concern, f"Reviewed SEN support cycle {plan.cycle}: "
           f"{review.get_outcome_display().lower()}")
    return review


def ehc_request_current(*, concern: SenConcern) -> EhcRequest | None:
    """The concern's latest request for an EHC needs assessment, if any."""
    return concern.ehc_requests.order_by("-requested_on", "-id").first()


def ehc_request_refusal(*, concern: SenConcern, what_changed: str) -> str | None:
    """Why an EHC needs assessment cannot be requested for `concern` now; None when it can.

    SEND Code of Practice, chapter 9: the local authority decides within six weeks whether to assess (9.14). While
    that decision is awaited, or once it agreed to assess, there is nothing to request. When it decides not
    to, the setting goes on with SEN support (the parents may appeal, outside Keyflow), and a new request may
    be made later, but only on new evidence: when the child's needs or circumstances have changed since the
    refusal. So a review may choose to request again only by saying what has changed (`what_changed`), and
    the SENCO's request that follows it is then always possible: no choice leads to a task that cannot be
    completed.
    """
    last = ehc_request_current(concern=concern)
    if last is None:
        return None
    if last.decision != EhcDecision.NOT_ASSESS:
        return "An EHC needs assessment has already been requested for this concern" + (
            " and the local authority is assessing." if last.decision == EhcDecision.ASSESS
            else f"; the local authority's decision is due by {last.decision_due_on:%d %b %Y}.")
    if not what_changed.strip():
        return (f"The local authority decided not to assess on {last.decided_on:%d %b %Y}: a new request can "
                "be made only when the child's needs or circumstances have changed. Say what has changed.")
    return None


def _what_changed_since_refusal(concern: SenConcern) -> str:
    # The review that chose to request again says what changed (support_review_record checked it).
    review = (SupportReview.objects.filter(plan__concern=concern, outcome=ReviewOutcome.REQUEST_EHC)
              .order_by("-plan__cycle").only("what_changed").first())
    return review.what_changed if review else ""


def ehc_request_record(*, concern: SenConcern, requested_on: dt.date, local_authority: str, by) -> EhcRequest:
    _require_senco(by, concern.child)
    last = ehc_request_current(concern=concern)
    refused = last is not None and last.decision == EhcDecision.NOT_ASSESS
    refusal = ehc_request_refusal(concern=concern,
                                  what_changed=_what_changed_since_refusal(concern) if refused else "")
    if refusal:
        raise RuleViolation(refusal)
    _check_date(requested_on, concern, what="The request's date", field="requested_on",
                after=[(last.decided_on, "the local authority's last decision")] if refused else [])
    request = EhcRequest.objects.create(
        concern=concern, requested_on=requested_on, local_authority=local_authority, requested_by=by,
        decision_due_on=deadlines.ehc_decision_due_on(requested_on),
        plan_due_on=deadlines.ehc_plan_due_on(requested_on),
    )
    concern.status = ConcernStatus.EHC_REQUESTED
    concern.save(update_fields=["status"])
    _audit(by, "create", request, concern, f"Requested an EHC needs assessment from {local_authority}",
           decision_due_on=request.decision_due_on, plan_due_on=request.plan_due_on)
    return request


def ehc_decision_record(*, request: EhcRequest, decision: str, decided_on: dt.date, by) -> EhcRequest:
    _require_senco(by, request.concern.child)
    if decided_on < request.requested_on:
        raise RuleViolation("The decision cannot come before the request.", field="decided_on")
    _check_date(decided_on, request.concern, what="The local authority's decision", field="decided_on")
    request.decision = EhcDecision(decision)
    request.decided_on = decided_on
    request.save(update_fields=["decision", "decided_on"])
    late = decided_on > request.decision_due_on
    _audit(by, "update", request, request.concern, f"Local authority: {request.get_decision_display().lower()}"
           + (f" ({(decided_on - request.decision_due_on).days} days after the statutory date)" if late else ""))
    if request.decision == EhcDecision.NOT_ASSESS:
        request.concern.status = ConcernStatus.SEN_SUPPORT
        request.concern.save(update_fields=["status"])
    return request


def ehc_plan_record(*, request: EhcRequest, issued_on: dt.date | None, by) -> EhcRequest:
    _require_senco(by, request.concern.child)
    if issued_on is not None:
        _check_date(issued_on, request.concern, what="The plan's date", field="issued_on",
                    after=[(request.decided_on, "the decision to assess")])
    request.plan_issued_on = issued_on
    request.save(update_fields=["plan_issued_on"])
    concern = request.concern
    concern.status = ConcernStatus.CLOSED
    concern.save(update_fields=["status"])
    _audit(by, "update", request, concern, f"EHC plan issued on {day_text(issued_on)}" if issued_on
           else "The local authority decided not to issue an EHC plan")
    return request


def sen_concern_close(*, concern: SenConcern, status: str, by) -> SenConcern:
    concern.status = ConcernStatus(status)
    concern.save(update_fields=["status"])
    _audit(by, "close", concern, concern, f"SEN concern closed: {concern.get_status_display().lower()}")
    return concern

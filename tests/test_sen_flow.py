"""The SEN workflow through the service layer: every branch, the consent gates, the EHC clock."""

from __future__ import annotations

import datetime as dt

import pytest
from viewflow.workflow.models import Task

from processes import deadlines
from processes.errors import Conflict, NotPermitted, RuleViolation
from processes.models import (
    AuditEvent,
    ConcernStatus,
    ConsentPurpose,
    EhcRequest,
    Referral,
    SenConcern,
    SenObservation,
    SupportPlan,
)
from workflows.models import ChildProcess, ProcessKind, SenProcess

from . import senkit as sk
from .flowkit import complete, open_tasks, the_task

pytestmark = pytest.mark.django_db


@pytest.fixture
def concern(allocated_child, guardian_link, key_person):
    return sk.raise_concern(allocated_child, key_person.user)


@pytest.fixture
def observing(concern, key_person, senco):
    """The parents told, consent granted: the SENCO's observation is waiting."""
    child = concern.child
    sk.tell_parents(child, key_person.user)
    sk.answer_consent(child, senco.user)
    return child


def test_raising_a_concern_gives_the_key_person_a_task_to_tell_the_parents(concern, key_person):
    task = the_task(concern.child, "tell_parents")
    assert task.owner == key_person.user
    # The process row points at the concern (a foreign key; it was JSON before workflows 0006).
    assert SenProcess.objects.get(child=concern.child, open_kind=ProcessKind.SEN).concern_id == concern.pk


def test_a_second_concern_while_one_is_open_is_refused_and_leaves_nothing(concern, key_person):
    with pytest.raises(Conflict, match="already has an open sen concern"):
        sk.raise_concern(concern.child, key_person.user)
    assert SenConcern.objects.filter(child=concern.child).count() == 1


def test_only_the_childs_key_persons_the_senco_and_the_manager_raise_a_concern(allocated_child, setting, room):
    from .factories import StaffFactory

    colleague = StaffFactory(setting=setting, is_key_person=True)
    with pytest.raises(NotPermitted):
        sk.raise_concern(allocated_child, colleague.user)
    assert not SenConcern.objects.exists()


def test_a_concern_names_at_least_one_known_area_and_a_past_date(allocated_child, key_person):
    with pytest.raises(RuleViolation, match="areas"):
        sk.raise_concern(allocated_child, key_person.user, areas=[])
    with pytest.raises(RuleViolation, match="Unknown area"):
        sk.raise_concern(allocated_child, key_person.user, areas=["juggling"])
    with pytest.raises(RuleViolation, match="future"):
        sk.raise_concern(allocated_child, key_person.user, since=sk.TODAY() + dt.timedelta(days=3))


def test_telling_the_parents_informs_the_senco_with_a_consent_task(concern, key_person, senco):
    sk.tell_parents(concern.child, key_person.user)
    task = the_task(concern.child, "ask_consent")
    assert task.owner is None and task.inbox.role == "senco"
    assert sk.open_nodes(concern.child) == ["ask_consent"]


def test_declined_consent_ends_the_observation_path_and_a_follow_up_falls_due_in_six_weeks(
    concern, key_person, senco
):
    child = concern.child
    sk.tell_parents(child, key_person.user)
    sk.answer_consent(child, senco.user, decision="declined")
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.CONSENT_DECLINED
    follow_up = the_task(child, "follow_up")
    assert follow_up.owner == key_person.user
    assert follow_up.inbox.due_at.date() == sk.TODAY() + dt.timedelta(weeks=6)
    assert not Task.objects.filter(process=follow_up.process, flow_task="workflows/sen.SenFlow.observe").exists()
    assert not SenObservation.objects.exists()
    complete(follow_up, key_person.user, held_on=sk.TODAY(), parents_view="Still not ready", next="close")
    assert open_tasks(child) == []
    assert ChildProcess.objects.get(kind=ProcessKind.SEN, child=child).status == "DONE"


def test_parents_who_later_agree_at_the_follow_up_are_asked_again(concern, key_person, senco):
    child = concern.child
    sk.tell_parents(child, key_person.user)
    sk.answer_consent(child, senco.user, decision="declined")
    complete(the_task(child, "follow_up"), key_person.user, held_on=sk.TODAY(), parents_view="Ready now",
             next="ask_again")
    sk.answer_consent(child, senco.user)
    assert sk.open_nodes(child) == ["observe"]


def test_consent_already_in_force_goes_straight_to_the_observation(concern, key_person, senco):
    sk.record_consent(concern.child, senco.user, "granted")
    sk.tell_parents(concern.child, key_person.user)
    assert sk.open_nodes(concern.child) == ["observe"]


def test_the_senco_observes_more_than_once_then_decides(observing, senco):
    sk.observe(observing, senco.user, then="observe_again")
    sk.observe(observing, senco.user, then="decide")
    assert SenObservation.objects.count() == 2
    assert all(o.consent.purpose == ConsentPurpose.SENCO_OBSERVATION for o in SenObservation.objects.all())
    assert sk.open_nodes(observing) == ["decide"]


def test_withdrawal_mid_observation_cancels_the_task_and_nothing_is_created_after(observing, senco, key_person):
    task = the_task(observing, "observe")
    sk.record_consent(observing, key_person.user, "withdrawn")
    task.refresh_from_db()
    assert task.status == "CANCELED"
    assert "withdrawn consent" in task.data["cancelled_because"]
    assert open_tasks(observing) == []
    with pytest.raises(Conflict, match="cancelled"):
        complete(task, senco.user, observed_on=sk.TODAY(), notes="x", next="decide")
    assert not SenObservation.objects.exists()
    assert AuditEvent.objects.filter(action="cancel", record_id=str(task.pk)).exists()


def test_granting_consent_again_resumes_where_it_stopped(observing, senco, key_person):
    sk.observe(observing, senco.user, then="observe_again")
    sk.record_consent(observing, key_person.user, "withdrawn")
    assert open_tasks(observing) == []
    sk.record_consent(observing, key_person.user, "granted")
    assert sk.open_nodes(observing) == ["observe"]
    sk.observe(observing, senco.user)
    assert sk.open_nodes(observing) == ["decide"]
    assert SenObservation.objects.count() == 2


def test_no_observation_task_can_be_created_without_consent(concern, key_person, senco):
    """The flow's gate sends the process to the consent step; the node itself refuses if reached anyway."""
    from workflows.sen import SenFlow

    process = ChildProcess.objects.get(child=concern.child, kind=ProcessKind.SEN)
    with pytest.raises(RuleViolation, match="consent"):
        SenFlow.observe.require_consent(process)


def test_the_senco_sends_a_step_back_to_the_key_person_with_a_comment(observing, senco, key_person):
    sk.observe(observing, senco.user, then="send_back", observed_on="", notes="",
               comment="Please observe at snack time too")
    assert not SenObservation.objects.exists()
    respond = the_task(observing, "respond")
    assert respond.owner == key_person.user
    from workflows.context import task_context

    assert ("SENCO's comment", "Please observe at snack time too") in task_context(respond).facts
    complete(respond, key_person.user, reply="At snack time he points and waits")
    assert sk.open_nodes(observing) == ["observe"]
    sk.observe(observing, senco.user)
    sk.decide(observing, senco.user, "send_back", comment="What do the parents see at home?")
    complete(the_task(observing, "respond"), key_person.user, reply="Same at home")
    assert sk.open_nodes(observing) == ["decide"]


def test_sending_back_needs_a_comment(observing, senco):
    from workflows.services import FormInvalid

    with pytest.raises(FormInvalid, match="key person should look at again"):
        sk.observe(observing, senco.user, then="send_back", comment="")
    assert sk.open_nodes(observing) == ["observe"]


def test_no_further_action_closes_the_concern(observing, senco):
    sk.observe(observing, senco.user)
    sk.decide(observing, senco.user, "no_further_action")
    assert SenConcern.objects.get().status == ConcernStatus.NO_FURTHER_ACTION
    assert open_tasks(observing) == []


def test_monitor_and_review_sets_a_review_task_on_the_date_then_back_to_the_senco(observing, senco, key_person):
    sk.observe(observing, senco.user)
    sk.decide(observing, senco.user, "monitor")
    task = the_task(observing, "monitor_review")
    assert task.inbox.due_at == deadlines.at_end_of(sk.TODAY() + dt.timedelta(weeks=4))
    complete(task, key_person.user, held_on=sk.TODAY(), notes="More words now")
    assert sk.open_nodes(observing) == ["decide"]


def test_referral_is_refused_without_consent_to_share_with_the_named_service(observing, senco, key_person):
    sk.observe(observing, senco.user)
    sk.decide(observing, senco.user, "refer")
    sk.meet(observing, key_person.user)
    # No sharing consent: the key person is asked to get it; no referral task exists.
    assert sk.open_nodes(observing) == ["ask_sharing_consent"]
    concern = SenConcern.objects.get()
    with pytest.raises(RuleViolation, match="not consented to sharing"):
        from processes import services

        services.referral_send(concern=concern, recipient=sk.REFER_TO, sent_on=sk.TODAY(), what_was_sent="x",
                               by=senco.user)
    # Consent to share with someone else does not count.
    sk.record_consent(observing, key_person.user, "granted", purpose=ConsentPurpose.SHARE_PROFESSIONAL,
                      recipient="Educational psychologist")
    assert sk.open_nodes(observing) == ["ask_sharing_consent"]
    sk.answer_consent(observing, key_person.user, node="ask_sharing_consent")
    assert sk.open_nodes(observing) == ["refer"]
    sk.refer(observing, senco.user)
    referral = Referral.objects.get()
    assert referral.recipient == sk.REFER_TO and referral.consent.recipient == sk.REFER_TO
    assert SenConcern.objects.get().status == ConcernStatus.REFERRED


def test_declined_sharing_consent_means_support_in_the_setting_without_a_referral(observing, senco, key_person):
    sk.observe(observing, senco.user)
    sk.decide(observing, senco.user, "refer")
    sk.meet(observing, key_person.user)
    sk.answer_consent(observing, key_person.user, decision="declined", node="ask_sharing_consent")
    assert sk.open_nodes(observing) == ["plan"]
    assert not Referral.objects.exists()


def test_withdrawing_consent_to_share_stops_the_referral_follow_up_until_granted_again(
    observing, senco, key_person
):
    sk.observe(observing, senco.user)
    sk.decide(observing, senco.user, "refer")
    sk.record_consent(observing, key_person.user, "granted", purpose=ConsentPurpose.SHARE_PROFESSIONAL,
                      recipient="speech and language  therapy")
    sk.meet(observing, key_person.user)
    sk.refer(observing, senco.user)
    sk.track(observing, senco.user, concluded=False)
    sk.record_consent(observing, key_person.user, "withdrawn", purpose=ConsentPurpose.SHARE_PROFESSIONAL,
                      recipient=sk.REFER_TO)
    assert open_tasks(observing) == []
    # Withdrawing consent to observe does not touch the referral's steps, nor does a grant for someone else.
    sk.record_consent(observing, key_person.user, "granted", purpose=ConsentPurpose.SHARE_PROFESSIONAL,
                      recipient="Health visitor")
    assert open_tasks(observing) == []
    sk.record_consent(observing, key_person.user, "granted", purpose=ConsentPurpose.SHARE_PROFESSIONAL,
                      recipient=sk.REFER_TO)
    assert sk.open_nodes(observing) == ["track"]
    sk.track(observing, senco.user, concluded=True)
    assert sk.open_nodes(observing) == ["plan"]


def test_three_review_cycles_then_an_ehc_request_with_its_statutory_dates(observing, senco, key_person):
    sk.observe(observing, senco.user)
    sk.decide(observing, senco.user, "sen_support")
    sk.meet(observing, key_person.user)
    for cycle in (1, 2, 3):
        sk.write_plan(observing, key_person.user)
        review = the_task(observing, "review")
        plan = SupportPlan.objects.get(cycle=cycle)
        assert review.inbox.due_at == deadlines.at_end_of(plan.review_on)
        sk.review(observing, key_person.user, "continue" if cycle < 3 else "request_ehc")
    assert SupportPlan.objects.count() == 3
    assert all(hasattr(p, "review") and p.targets.count() == p.review.progress.count()
               for p in SupportPlan.objects.all())
    requested_on = sk.TODAY() - dt.timedelta(days=2)
    complete(the_task(observing, "ehc_request"), senco.user, requested_on=requested_on,
             local_authority="Northshire County Council")
    request = EhcRequest.objects.get()
    assert request.decision_due_on == requested_on + dt.timedelta(weeks=6)
    assert request.plan_due_on == requested_on + dt.timedelta(weeks=20)
    assert the_task(observing, "ehc_decision").inbox.due_at == deadlines.at_end_of(request.decision_due_on)
    complete(the_task(observing, "ehc_decision"), senco.user, decision="assess", decided_on=sk.TODAY())
    assert the_task(observing, "ehc_plan").inbox.due_at == deadlines.at_end_of(request.plan_due_on)
    complete(the_task(observing, "ehc_plan"), senco.user, issued="issued", issued_on=sk.TODAY())
    assert SenConcern.objects.get().status == ConcernStatus.CLOSED
    assert open_tasks(observing) == []


def test_a_review_records_progress_against_every_target(observing, senco, key_person):
    from workflows.services import FormInvalid

    sk.observe(observing, senco.user)
    sk.decide(observing, senco.user, "sen_support")
    sk.meet(observing, key_person.user)
    sk.write_plan(observing, key_person.user, targets="Two-word phrases | modelling\nTake turns | sand timer")
    with pytest.raises(FormInvalid):
        complete(the_task(observing, "review"), key_person.user, held_on=sk.TODAY(), parents_view="ok",
                 outcome="end")
    sk.review(observing, key_person.user, "end")
    assert SenConcern.objects.get().status == ConcernStatus.SUPPORT_ENDED
    assert open_tasks(observing) == []


def test_only_the_senco_completes_the_sencos_steps(observing, key_person, manager):
    with pytest.raises(NotPermitted):
        sk.observe(observing, key_person.user)
    with pytest.raises(NotPermitted):
        sk.observe(observing, manager.user)
    assert sk.open_nodes(observing) == ["observe"]


def test_the_sencos_approvals_are_marked_as_approvals(observing):
    assert the_task(observing, "observe").flow_task.approval is True


def test_a_child_who_leaves_closes_the_sen_process(observing, manager):
    from processes import services

    services.child_transition(child=observing, transition="withdraw", by=manager.user, reason="Moved away")
    assert open_tasks(observing) == []


def test_every_step_is_audited(observing, senco):
    sk.observe(observing, senco.user)
    actions = set(AuditEvent.objects.filter(child_id=observing.pk).values_list("action", flat=True))
    assert {"create", "consent_granted", "complete"} <= actions


def test_the_parents_are_asked_for_consent_by_e_mail_once_when_told_of_the_concern(
    concern, key_person, senco, django_capture_on_commit_callbacks
):
    from django.core import mail

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        sk.tell_parents(concern.child, key_person.user)
    asked = [m for m in mail.outbox if m.subject.startswith("Your consent for")]
    assert len(asked) == 1 and "senco observation" in asked[0].subject.lower()


def _still_moving(child) -> None:
    """No dead end: the process is finished, or someone has a step to take."""
    process = SenProcess.objects.get(child=child)
    assert process.status == "DONE" or open_tasks(child), "the SEN process is stuck"


def test_after_the_local_authority_refuses_a_review_requests_again_only_saying_what_has_changed(
    observing, senco, key_person
):
    """Issue 15 (demo child 7): the review offered a new request that always refused. SEND Code, chapter 9: a
    new request needs new evidence, so the review asks what changed, and the request it leads to can be made."""
    from workflows.services import FormInvalid

    sk.observe(observing, senco.user)
    sk.decide(observing, senco.user, "sen_support")
    sk.meet(observing, key_person.user)
    sk.write_plan(observing, key_person.user)
    sk.review(observing, key_person.user, "request_ehc")
    complete(the_task(observing, "ehc_request"), senco.user, requested_on=sk.TODAY(), local_authority="Northshire")
    complete(the_task(observing, "ehc_decision"), senco.user, decision="not_assess", decided_on=sk.TODAY())
    assert SenConcern.objects.get().status == ConcernStatus.SEN_SUPPORT
    sk.write_plan(observing, key_person.user)
    review = the_task(observing, "review")
    page = review.flow_task.form_class(task=review)
    assert "what_changed" in page.fields
    assert "again" in dict(page.fields["outcome"].choices)["request_ehc"]
    # Nothing said about what changed: refused, nothing written, the review still waits.
    with pytest.raises((RuleViolation, FormInvalid), match="changed"):
        sk.review(observing, key_person.user, "request_ehc")
    assert sk.open_nodes(observing) == ["review"]
    _still_moving(observing)
    task = the_task(observing, "review")
    form = task.flow_task.form_class(task=task)
    progress = {name: "Some progress" for name in form.fields if name.startswith("progress_")}
    complete(task, key_person.user, held_on=sk.TODAY(), parents_view="Worried", outcome="request_ehc",
             what_changed="Diagnosed with verbal dyspraxia; speech therapy report attached", **progress)
    requested_on = sk.TODAY()
    complete(the_task(observing, "ehc_request"), senco.user, requested_on=requested_on, local_authority="Northshire")
    first, second = EhcRequest.objects.order_by("pk")
    assert (first.decision, second.decision) == ("not_assess", "")
    assert the_task(observing, "ehc_decision").inbox.due_at == deadlines.at_end_of(second.decision_due_on)
    complete(the_task(observing, "ehc_decision"), senco.user, decision="assess", decided_on=sk.TODAY())
    complete(the_task(observing, "ehc_plan"), senco.user, issued="issued", issued_on=sk.TODAY())
    _still_moving(observing)
    assert open_tasks(observing) == []


def test_a_second_request_is_refused_while_one_awaits_the_local_authority(observing, senco, key_person):
    from processes import services

    sk.observe(observing, senco.user)
    sk.decide(observing, senco.user, "sen_support")
    sk.meet(observing, key_person.user)
    sk.write_plan(observing, key_person.user)
    sk.review(observing, key_person.user, "request_ehc")
    complete(the_task(observing, "ehc_request"), senco.user, requested_on=sk.TODAY(), local_authority="Northshire")
    concern = SenConcern.objects.get()
    with pytest.raises(RuleViolation, match="already been requested"):
        services.ehc_request_record(concern=concern, requested_on=sk.TODAY(), local_authority="Northshire",
                                    by=senco.user)
    assert services.ehc_request_refusal(concern=concern, what_changed="anything") is not None
    assert EhcRequest.objects.count() == 1

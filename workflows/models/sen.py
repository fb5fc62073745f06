"""The SEN concern and referral process: its facts as foreign keys, its routing as named predicates."""
from __future__ import annotations

from django.db import models
from django.db.models.signals import pre_save
from viewflow.workflow.managers import ProcessQuerySet

from processes.models import (
    ConsentPurpose,
    EhcDecision,
    EhcRequest,
    Referral,
    ReviewOutcome,
    SencoDecision,
    SencoDecisionKind,
    SenConcern,
    SupportPlan,
)

from .process import ChildProcess, _track_open_kind


class SentBackFrom(models.TextChoices):
    """The SENCO's steps that can go back to the key person with a comment."""

    OBSERVE = "observe", "The SENCO's observation"
    DECIDE = "decide", "The SENCO's decision"
    REFER = "refer", "The referral"


class SenProcessFacts(models.Manager):
    """SEN process rows with the facts they point at, in one statement (the base manager: see SenProcess)."""

    def get_queryset(self):
        return super().get_queryset().select_related("concern", "decision", "plan__review", "referral",
                                                     "ehc_request")


class SenProcess(ChildProcess):
    """The SEN concern and referral workflow (workflows.sen): the concern it follows, and where it is routed.

    Each step records its facts through processes.services; what the flow needs to choose its next node is
    kept here, one field per choice, and read by the named predicates below (the flow's If and Switch nodes).
    """

    # RESTRICT: a concern goes only with its workflow (the retention purge erases the SEN workflows, listed by
    # workflows.child_records, before the concerns).
    concern = models.OneToOneField(SenConcern, on_delete=models.RESTRICT, related_name="process")
    # The SENCO's decision in force (which the meeting and the referral follow), the support plan in force, the
    # referral being followed up, the EHC needs assessment request whose clock runs: each set by its step.
    decision = models.ForeignKey(SencoDecision, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+")
    plan = models.ForeignKey(SupportPlan, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    referral = models.ForeignKey(Referral, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    ehc_request = models.ForeignKey(EhcRequest, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    # A SENCO step sent back to the key person: which one, and the SENCO's comment (shown on the reply task).
    sent_back_from = models.CharField(max_length=20, choices=SentBackFrom.choices, blank=True)
    comment = models.TextField(blank=True)
    # The other choices a step makes that no record holds: observe again, ask the parents again.
    observe_again = models.BooleanField(default=False)
    ask_again = models.BooleanField(default=False)

    objects = ProcessQuerySet.as_manager()
    facts = SenProcessFacts()

    class Meta:
        default_manager_name = "objects"
        # Viewflow reaches a task's process through the parent rows (its `coerced`), that is through the base
        # manager: so a step reads its process and the facts it needs in one statement, not one each.
        base_manager_name = "facts"

    @classmethod
    def of_task(cls, task) -> SenProcess:
        """The task's SEN process (as viewflow's activation will see it), sharing the child read with the task
        (workflows.services._locked) rather than reading it again."""
        process = task.process.coerced
        if not cls.child.is_cached(process) and cls.childprocess_ptr.is_cached(process):
            process.child = process.childprocess_ptr.child
        return process

    def concern_of_child(self) -> SenConcern:
        """The concern, sharing this process's child (read once, not again for the concern)."""
        concern = self.concern
        if not SenConcern.child.is_cached(concern):
            concern.child = self.child
        return concern

    # Consent each gated step needs: (purpose, recipient).
    @property
    def observation_consent(self) -> tuple[str, str]:
        return ConsentPurpose.SENCO_OBSERVATION, ""

    @property
    def sharing_consent(self) -> tuple[str, str]:
        return ConsentPurpose.SHARE_PROFESSIONAL, self.refer_to

    @property
    def refer_to(self) -> str:
        return self.decision.refer_to if self.decision is not None else ""

    # The predicates the flow's gateways read (properties, so `act.process.<name>` gives the answer).
    @property
    def has_observation_consent(self) -> bool:
        return self.has_consent(*self.observation_consent)

    @property
    def has_sharing_consent(self) -> bool:
        return self.has_consent(*self.sharing_consent)

    @property
    def is_asking_again(self) -> bool:
        return self.ask_again

    @property
    def is_observing_again(self) -> bool:
        return self.observe_again

    @property
    def is_sent_back(self) -> bool:
        return bool(self.sent_back_from)

    @property
    def was_sent_back_from_observation(self) -> bool:
        return self.sent_back_from == SentBackFrom.OBSERVE

    @property
    def was_sent_back_from_decision(self) -> bool:
        return self.sent_back_from == SentBackFrom.DECIDE

    def _decided(self, kind: SencoDecisionKind) -> bool:
        return self.decision is not None and self.decision.decision == kind

    @property
    def decision_is_no_further_action(self) -> bool:
        return self._decided(SencoDecisionKind.NO_FURTHER_ACTION)

    @property
    def decision_is_monitoring(self) -> bool:
        return self._decided(SencoDecisionKind.MONITOR)

    @property
    def decision_is_referral(self) -> bool:
        return self._decided(SencoDecisionKind.REFER)

    @property
    def may_refer(self) -> bool:
        """A referral decided, and the parents' consent to share with that professional in force."""
        return self.decision_is_referral and self.has_sharing_consent

    @property
    def returns_to_observation(self) -> bool:
        """Sent back from the observation, and the parents' consent to it still in force."""
        return self.was_sent_back_from_observation and self.has_observation_consent

    @property
    def referral_is_concluded(self) -> bool:
        return self.referral is not None and self.referral.concluded_on is not None

    def _reviewed(self, outcome: ReviewOutcome) -> bool:
        review = getattr(self.plan, "review", None) if self.plan is not None else None
        return review is not None and review.outcome == outcome

    @property
    def review_continues_support(self) -> bool:
        return self._reviewed(ReviewOutcome.CONTINUE)

    @property
    def review_requests_ehc(self) -> bool:
        return self._reviewed(ReviewOutcome.REQUEST_EHC)

    @property
    def local_authority_will_assess(self) -> bool:
        return self.ehc_request is not None and self.ehc_request.decision == EhcDecision.ASSESS


# The open kind is tracked on every save of an SEN process too (pre_save names the concrete class it saves).
pre_save.connect(_track_open_kind, sender=SenProcess, dispatch_uid="sen_process_open_kind")

"""Special educational needs: the concern, the SENCO's observations and decisions, referrals, support plans
and the EHC needs assessment clock (SEND Code of Practice 0-25, chapter 5; seed policies 001 and 004).

Special-category data: only the child's key person(s), the SENCO and the manager see these records
(processes.access.may_see_sen), and every read and write is audited.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from .children import Child


class LearningArea(models.TextChoices):
    """The EYFS areas of learning and development: three prime, four specific."""

    COMMUNICATION = "communication", "Communication and language"
    PHYSICAL = "physical", "Physical development"
    PSED = "psed", "Personal, social and emotional development"
    LITERACY = "literacy", "Literacy"
    MATHEMATICS = "mathematics", "Mathematics"
    WORLD = "world", "Understanding the world"
    EXPRESSIVE = "expressive", "Expressive arts and design"


class ConcernStatus(models.TextChoices):
    OPEN = "open", "Open"
    CONSENT_DECLINED = "consent_declined", "Consent declined"
    NO_FURTHER_ACTION = "no_further_action", "No further action"
    MONITORING = "monitoring", "Monitor and review"
    SEN_SUPPORT = "sen_support", "SEN support"
    REFERRED = "referred", "Referred to outside professionals"
    EHC_REQUESTED = "ehc_requested", "EHC needs assessment requested"
    SUPPORT_ENDED = "support_ended", "SEN support ended"
    CLOSED = "closed", "Closed"


class SenConcern(models.Model):
    """A key person's concern about a key child's development: what started an SEN process."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="sen_concerns")
    areas = models.JSONField(default=list, help_text="EYFS areas of learning concerned.")
    observed = models.TextField(help_text="What the key person observed.")
    since = models.DateField(help_text="Since when.")
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=30, choices=ConcernStatus.choices, default=ConcernStatus.OPEN)

    class Meta:
        ordering = ["-raised_at", "-id"]

    def __str__(self) -> str:
        return f"SEN concern about {self.child} ({self.get_status_display().lower()})"

    def area_labels(self) -> list[str]:
        return [LearningArea(a).label for a in self.areas if a in LearningArea.values]


class SenNoteKind(models.TextChoices):
    PARENTS_TOLD = "parents_told", "Conversation with the parents"
    FOLLOW_UP = "follow_up", "Follow-up conversation with the parents"
    KEY_PERSON_REPLY = "key_person_reply", "Key person's reply to the SENCO"
    MONITOR_REVIEW = "monitor_review", "Monitoring review"


class SenConversation(models.Model):
    """A conversation about the concern: with the parents, or the key person answering the SENCO."""

    concern = models.ForeignKey(SenConcern, on_delete=models.CASCADE, related_name="conversations")
    kind = models.CharField(max_length=20, choices=SenNoteKind.choices)
    held_on = models.DateField()
    with_whom = models.CharField(max_length=200, blank=True)
    parents_view = models.TextField(blank=True)
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["held_on", "id"]


class SenObservation(models.Model):
    concern = models.ForeignKey(SenConcern, on_delete=models.CASCADE, related_name="observations")
    observed_on = models.DateField()
    notes = models.TextField()
    observed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The consent in force when the observation was recorded: the evidence that it was lawful to make.
    consent = models.ForeignKey("processes.Consent", on_delete=models.RESTRICT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["observed_on", "id"]


class SencoDecisionKind(models.TextChoices):
    NO_FURTHER_ACTION = "no_further_action", "No further action"
    MONITOR = "monitor", "Monitor and review on a date"
    SEN_SUPPORT = "sen_support", "Put SEN support in place"
    REFER = "refer", "Refer to outside professionals"


class SencoDecision(models.Model):
    concern = models.ForeignKey(SenConcern, on_delete=models.CASCADE, related_name="decisions")
    decision = models.CharField(max_length=30, choices=SencoDecisionKind.choices)
    reasons = models.TextField()
    review_on = models.DateField(null=True, blank=True)
    refer_to = models.CharField(max_length=200, blank=True, help_text="The named professional or service.")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["decided_at", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(decision="monitor") | Q(review_on__isnull=False),
                                   name="monitor_decision_has_review_date"),
            models.CheckConstraint(condition=~Q(decision="refer") | ~Q(refer_to=""),
                                   name="referral_decision_names_recipient"),
        ]


class SenMeeting(models.Model):
    """The key person and the SENCO meet the parents: the outcome and the actions agreed."""

    concern = models.ForeignKey(SenConcern, on_delete=models.CASCADE, related_name="meetings")
    held_on = models.DateField()
    attendees = models.CharField(max_length=300)
    outcome = models.TextField()
    agreed_actions = models.TextField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["held_on", "id"]


class Referral(models.Model):
    concern = models.ForeignKey(SenConcern, on_delete=models.CASCADE, related_name="referrals")
    recipient = models.CharField(max_length=200, help_text="The named professional or service.")
    sent_on = models.DateField()
    what_was_sent = models.TextField()
    consent = models.ForeignKey("processes.Consent", on_delete=models.RESTRICT, related_name="+")
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    concluded_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["sent_on", "id"]


class ReferralUpdateKind(models.TextChoices):
    REPLY = "reply", "Reply"
    APPOINTMENT = "appointment", "Appointment"
    CHASED = "chased", "Chased, no reply yet"


class ReferralUpdate(models.Model):
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="updates")
    kind = models.CharField(max_length=20, choices=ReferralUpdateKind.choices)
    on = models.DateField()
    notes = models.TextField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["on", "id"]


class SupportPlan(models.Model):
    """One assess-plan-do-review cycle of SEN support, owned by the key person with the SENCO."""

    concern = models.ForeignKey(SenConcern, on_delete=models.CASCADE, related_name="plans")
    cycle = models.PositiveSmallIntegerField()
    starts_on = models.DateField()
    review_on = models.DateField()
    strategies = models.TextField(blank=True)
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    written_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["cycle"]
        constraints = [models.UniqueConstraint(fields=["concern", "cycle"], name="one_plan_per_cycle")]


class SupportTarget(models.Model):
    plan = models.ForeignKey(SupportPlan, on_delete=models.CASCADE, related_name="targets")
    description = models.TextField()
    strategy = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]


class ReviewOutcome(models.TextChoices):
    CONTINUE = "continue", "Another cycle of SEN support"
    END = "end", "End SEN support: needs met"
    REQUEST_EHC = "request_ehc", "Request an EHC needs assessment"


class SupportReview(models.Model):
    plan = models.OneToOneField(SupportPlan, on_delete=models.CASCADE, related_name="review")
    held_on = models.DateField()
    parents_view = models.TextField()
    outcome = models.CharField(max_length=20, choices=ReviewOutcome.choices)
    # A request for an EHC needs assessment after the local authority refused one: what has changed since.
    what_changed = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)


class TargetProgress(models.Model):
    review = models.ForeignKey(SupportReview, on_delete=models.CASCADE, related_name="progress")
    target = models.OneToOneField(SupportTarget, on_delete=models.CASCADE, related_name="progress")
    progress = models.TextField()


class EhcDecision(models.TextChoices):
    ASSESS = "assess", "The local authority will assess"
    NOT_ASSESS = "not_assess", "The local authority will not assess"


class EhcRequest(models.Model):
    """A request to the local authority for an EHC needs assessment, and its statutory clock.

    A concern may hold more than one: a new request after the local authority refused to assess
    (processes.services.sen.ehc_request_refusal says when one may be made).
    """

    concern = models.ForeignKey(SenConcern, on_delete=models.CASCADE, related_name="ehc_requests")
    requested_on = models.DateField()
    local_authority = models.CharField(max_length=200)
    # Computed once, by processes.deadlines, when the request is recorded (SEND Code 9.14, 9.40).
    decision_due_on = models.DateField()
    plan_due_on = models.DateField()
    decision = models.CharField(max_length=20, choices=EhcDecision.choices, blank=True)
    decided_on = models.DateField(null=True, blank=True)
    plan_issued_on = models.DateField(null=True, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["requested_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(decision_due_on__gt=models.F("requested_on"))
                                   & Q(plan_due_on__gt=models.F("decision_due_on")), name="ehc_clock_in_order"),
        ]

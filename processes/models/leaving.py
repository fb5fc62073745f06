"""Leaving for school or another setting (issue 18 part 3; seed 002): where the child goes and who receives
their records, the key person's transition report, and the records pack sent with the parents' consent."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from .children import Child
from .consent import consent_recipient_key


class DestinationKind(models.TextChoices):
    SCHOOL = "school", "School"
    SETTING = "setting", "Another setting"


class LeavingPlan(models.Model):
    """A child's leaving: the date, the school or setting, its named contact; and what each step recorded.

    The meeting with the parents and the learning record handed to them are simple facts of this plan
    (seed 002); the transition report and the records pack are records of their own.
    """

    child = models.OneToOneField(Child, on_delete=models.CASCADE, related_name="leaving_plan")
    leaving_on = models.DateField()
    destination_kind = models.CharField(max_length=10, choices=DestinationKind.choices,
                                        default=DestinationKind.SCHOOL)
    destination = models.CharField(max_length=200, help_text="The school or setting the child goes to.")
    contact_name = models.CharField(max_length=200, help_text="Who receives the records there.")
    contact_email = models.EmailField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    # Seed 002: "meeting with parents again before their child leaves for primary school".
    parents_met_on = models.DateField(null=True, blank=True)
    parents_meeting_notes = models.TextField(blank=True)
    # Seed 002: "the learning story will be given electronically to the parent/carer".
    learning_record_given_on = models.DateField(null=True, blank=True)
    learning_record_how = models.CharField(max_length=200, blank=True)
    # Why no pack went (the parents declined sharing, or the child left first): said on the child's page.
    no_pack_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["leaving_on", "child__first_name"]

    def __str__(self) -> str:
        return f"{self.child} leaves for {self.destination} on {self.leaving_on:%d %b %Y}"

    @property
    def recipient(self) -> str:
        """The consent's named recipient: the school or setting itself (its contact may change)."""
        return self.destination

    @property
    def recipient_key(self) -> str:
        return consent_recipient_key(self.destination)


class TransitionReport(models.Model):
    """The key person's report for the receiving school or setting (EYFS: the seven areas of learning and the
    characteristics of effective learning; the child's interests, what helps them, friendships, SEN support
    and who else is involved, the parents' view and the child's own voice)."""

    plan = models.OneToOneField(LeavingPlan, on_delete=models.CASCADE, related_name="report")
    personal_social_emotional = models.TextField("Personal, social and emotional development")
    physical = models.TextField("Physical development")
    communication_language = models.TextField("Communication and language")
    literacy = models.TextField("Literacy")
    mathematics = models.TextField("Mathematics")
    understanding_world = models.TextField("Understanding the world")
    expressive_arts = models.TextField("Expressive arts and design")
    effective_learning = models.TextField("Characteristics of effective learning",
                                          help_text="Playing and exploring, active learning, creating and thinking "
                                          "critically.")
    interests = models.TextField("Interests")
    what_helps = models.TextField("What helps the child")
    friendships = models.TextField("Friendships")
    sen_support = models.TextField("SEN support", blank=True)
    others_involved = models.TextField("Who else is involved", blank=True)
    parents_view = models.TextField("The parents' view")
    child_voice = models.TextField("The child's own voice")
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    written_at = models.DateTimeField(default=timezone.now)

    SECTIONS = (
        "personal_social_emotional", "physical", "communication_language", "literacy", "mathematics",
        "understanding_world", "expressive_arts", "effective_learning", "interests", "what_helps", "friendships",
        "sen_support", "others_involved", "parents_view", "child_voice",
    )

    def __str__(self) -> str:
        return f"Transition report for {self.plan.child}"

    def sections(self) -> list[tuple[str, str]]:
        return [(str(self._meta.get_field(name).verbose_name), getattr(self, name)) for name in self.SECTIONS]


class SentHow(models.TextChoices):
    BY_HAND = "by_hand", "By hand"
    EMAIL = "email", "By e-mail"
    LINK = "link", "Download link"


class RecordsPack(models.Model):
    """The PDF made for the named school or setting, with the parents' consent to share with it in force.

    Kept as made (the file is what went), with what was in it and how it went.
    """

    plan = models.ForeignKey(LeavingPlan, on_delete=models.CASCADE, related_name="packs")
    recipient = models.CharField(max_length=200)
    # RESTRICT: the consent goes only with the pack (the child's deletion, the retention purge: plans first).
    consent = models.ForeignKey("processes.Consent", on_delete=models.RESTRICT, related_name="+")
    pdf = models.BinaryField()
    includes_sen = models.BooleanField(default=False)
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    made_at = models.DateTimeField(default=timezone.now)
    sent_how = models.CharField(max_length=10, choices=SentHow.choices, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    received_on = models.DateField(null=True, blank=True)
    receipt_note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-made_at"]

    def __str__(self) -> str:
        return f"Records pack for {self.recipient}"


class PackLink(models.Model):
    """A time-limited download link for the receiving school's named contact. The token (in the link) and
    the code (sent apart) are stored hashed: the database alone cannot open the pack."""

    pack = models.ForeignKey(RecordsPack, on_delete=models.CASCADE, related_name="links")
    token_hash = models.CharField(max_length=64, unique=True)
    code_hash = models.CharField(max_length=64)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    # Wrong codes typed: the link dies after a few (processes.services.records_pack.WRONG_CODES_ALLOWED).
    wrong_codes = models.PositiveSmallIntegerField(default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Download link for {self.pack.recipient}"

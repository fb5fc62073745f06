"""Accidents and injuries: the record, the parents' acknowledgement, and the pattern that asks for a second look.

EYFS 3.51: the parents are told of an accident or injury, and any first aid given, the same day. Seed 001: the
key person monitors "patterns of absence, injury and development", referring them on.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from ..dates import day_text
from .children import Child
from .organisation import Setting


class AccidentKind(models.TextChoices):
    ACCIDENT = "accident", "Accident at the setting"
    ON_ARRIVAL = "on_arrival", "Injury seen on arrival"


class AcknowledgedHow(models.TextChoices):
    TABLET = "tablet", "Signed on the tablet at collection"
    LINK = "link", "Signed through a one-time link"


class PatternOutcome(models.TextChoices):
    NO_CONCERN = "no_concern", "No concern: explained, nothing further"
    MONITOR = "monitor", "Keep watching"
    REFERRED = "referred", "Referred on (safeguarding procedures)"


class InjuryPattern(models.Model):
    """Enough accidents or injuries to one child within a few weeks (Setting.injury_pattern_*) to look again.

    Found once: the records that make it up point at it, so a later sweep counts only records not yet in one.
    """

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="injury_patterns")
    setting = models.ForeignKey(Setting, on_delete=models.CASCADE, related_name="+")
    found_at = models.DateTimeField(default=timezone.now)
    within_weeks = models.PositiveSmallIntegerField()
    # Each look, recorded by its task (workflows.injury): the key person's, then the safeguarding lead's.
    key_person_notes = models.TextField(blank=True)
    key_person_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="+")
    dsl_notes = models.TextField(blank=True)
    dsl_outcome = models.CharField(max_length=20, choices=PatternOutcome.choices, blank=True)
    dsl_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="+")

    class Meta:
        ordering = ["-found_at"]

    def __str__(self) -> str:
        return f"Injury pattern for {self.child} found {day_text(self.found_at)}"


class AccidentRecord(models.Model):
    """An accident at the setting, or an injury seen when the child arrived, and the first aid given.

    Kept until the child is 21 years and 3 months old (limitation period for a claim made on their behalf).
    """

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="accidents")
    kind = models.CharField(max_length=20, choices=AccidentKind.choices, default=AccidentKind.ACCIDENT)
    occurred_at = models.DateTimeField("when")
    body_part = models.CharField("where on the body", max_length=100, blank=True)
    what_happened = models.TextField()
    injury = models.TextField(blank=True)
    first_aid = models.TextField("what was done", blank=True)
    witnesses = models.TextField(blank=True)
    parents_told_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by_name = models.CharField("parent's name as typed", max_length=200, blank=True)
    acknowledged_how = models.CharField(max_length=10, choices=AcknowledgedHow.choices, blank=True)
    # The drawn signature as a data: URL (PNG from the page's canvas), kept with the record it acknowledges. A
    # finger's scrawl on a tablet is some 10-40 kB: far past processes.text's limit for what people type.
    signature = models.TextField(blank=True, max_length=200_000)
    pattern = models.ForeignKey(InjuryPattern, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="accidents")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-occurred_at"]
        indexes = [models.Index(fields=["child", "occurred_at"], name="accident_child_when")]
        constraints = [
            models.CheckConstraint(
                condition=Q(acknowledged_at__isnull=True) | ~Q(acknowledged_by_name=""),
                name="accident_acknowledged_by_someone",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.child} on {day_text(self.occurred_at)}"

    @property
    def acknowledged(self) -> bool:
        return self.acknowledged_at is not None


class AccidentAckLink(models.Model):
    """A one-time link for a parent to acknowledge an accident record: only the token's SHA-256 is stored."""

    accident = models.ForeignKey(AccidentRecord, on_delete=models.CASCADE, related_name="ack_links")
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Acknowledgement link for {self.accident}"

"""Records passed on, and the legal hold that keeps a child's records past their retention (processes.retention)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from .children import Child


class LegalHold(models.Model):
    """While a hold is in place (not lifted), none of the child's records are purged, whatever their age."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="legal_holds")
    reason = models.TextField(help_text="A claim, an investigation, a request from the police or the local authority…")
    placed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    placed_at = models.DateTimeField(default=timezone.now)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    lifted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-placed_at"]
        constraints = [
            models.UniqueConstraint(fields=["child"], condition=Q(lifted_at__isnull=True),
                                    name="one_open_hold_per_child"),
        ]

    def __str__(self) -> str:
        return f"Legal hold on {self.child}" + (" (lifted)" if self.lifted_at else "")


class PassedOnKind(models.TextChoices):
    SEN = "sen", "SEN records"
    SAFEGUARDING = "safeguarding", "Safeguarding records"


class RecordsPassedOn(models.Model):
    """SEN or safeguarding records handed to the child's next school or setting, which keeps them from then on.

    The setting's own copy then follows the general period (three years after leaving), not "until 25".
    """

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="records_passed_on")
    kind = models.CharField(max_length=20, choices=PassedOnKind.choices)
    recipient = models.CharField(max_length=200, help_text="The school or setting that received them.")
    passed_on = models.DateField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-passed_on"]
        verbose_name_plural = "records passed on"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.child} passed to {self.recipient}"

from __future__ import annotations

import unicodedata

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from .append_only import AppendOnlyModel
from .children import Child, Guardian


class ConsentPurpose(models.TextChoices):
    SENCO_OBSERVATION = "senco_observation", "SENCO observation"
    SHARE_PROFESSIONAL = "share_professional", "Sharing with a named outside professional"
    SHARE_SCHOOL = "share_school", "Sharing records with the receiving school"
    PHOTOGRAPHS = "photographs", "Photographs"
    # EYFS 2.5: the progress check at two goes to the health visitor for the integrated review, with consent.
    SHARE_HEALTH_VISITOR = "share_health_visitor", "Sharing the progress check at two with the health visitor"


class ConsentStatus(models.TextChoices):
    GRANTED = "granted", "Granted"
    DECLINED = "declined", "Declined"
    WITHDRAWN = "withdrawn", "Withdrawn"


class ConsentMethod(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    SIGNED_FORM = "signed_form", "Signed form"
    EMAIL = "email", "E-mail"
    PHONE = "phone", "Telephone"


def consent_recipient_key(recipient: str) -> str:
    """The one form of a recipient every consent check compares: the same person or service however typed.

    Compatibility forms folded (NFKC: full-width letters, ligatures), case folded as Unicode does it ("ß" is
    "ss"), Turkish dotted and dotless i taken as i (so "KILIÇ" is "kılıç", and "İ" is "i"), spaces collapsed.
    Accents stay: "Müller" and "Muller" may be different people. Stored on the row (Consent.recipient_key) so
    the database's query and Python's check can never disagree, as SQL UPPER and casefold once did (issue 15).
    """
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", recipient).casefold())
    folded = folded.replace("ı", "i").replace("i\u0307", "i")
    return " ".join(folded.split())


class Consent(AppendOnlyModel):
    """One decision by a parent/carer. Append-only: the newest entry for a purpose (and recipient) is in force.

    This is the parents' agreement to a step (a SENCO observation, sharing with a named professional), which
    the setting asks for as good practice and the SEND Code of Practice expects. It is not the lawful basis on
    which the setting holds the child's data (processes.lawful_basis, README "Data protection"): withdrawing
    it stops the step, it does not erase what was lawfully recorded. Photographs alone rest on it.
    """

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="consents")
    guardian = models.ForeignKey(Guardian, on_delete=models.PROTECT, related_name="consents")
    purpose = models.CharField(max_length=30, choices=ConsentPurpose.choices)
    recipient = models.CharField(
        max_length=200, blank=True,
        help_text="The named professional or service, for sharing with an outside professional.",
    )
    # Written by save() from the recipient: what consent_latest matches on, and the consent gate compares.
    recipient_key = models.TextField(blank=True, editable=False)
    status = models.CharField(max_length=10, choices=ConsentStatus.choices)
    given_at = models.DateTimeField(default=timezone.now, help_text="When the parent/carer decided.")
    method = models.CharField(max_length=20, choices=ConsentMethod.choices)
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-recorded_at", "-id"]
        indexes = [models.Index(fields=["child", "purpose", "recipient_key", "-recorded_at"],
                                name="consent_latest_idx")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(purpose=ConsentPurpose.SHARE_PROFESSIONAL) | ~Q(recipient=""),
                name="sharing_consent_names_recipient",
            ),
        ]

    def __str__(self) -> str:
        target = f" ({self.recipient})" if self.recipient else ""
        return f"{self.get_purpose_display()}{target}: {self.get_status_display()}"

    def save(self, *args, **kwargs):
        self.recipient_key = consent_recipient_key(self.recipient)
        return super().save(*args, **kwargs)

    def clean(self) -> None:
        if self.purpose == ConsentPurpose.SHARE_PROFESSIONAL and not self.recipient.strip():
            raise ValidationError({"recipient": "Name the professional or service the records may be shared with."})

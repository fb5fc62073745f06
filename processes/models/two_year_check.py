"""The progress check at two (EYFS 2.5): the summary of the prime areas, and the versioned form it follows."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from ..dates import day_text
from .children import Child
from .records import ParentMeeting

# The check's written parts, in the order the form and the parents' PDF show them.
CHECK_FIELDS = (
    "communication", "physical", "personal_social", "going_well", "support_needed", "setting_plan", "home_help",
)


def default_prompts() -> dict[str, str]:
    return {
        "communication": "Communication and language",
        "physical": "Physical development",
        "personal_social": "Personal, social and emotional development",
        "going_well": "What is going well",
        "support_needed": "Where some extra support may be needed",
        "setting_plan": "What we will do in the setting",
        "home_help": "How you can help at home",
    }


class TwoYearCheckTemplate(models.Model):
    """The form's wording, versioned: a check keeps the version in force when it was started."""

    version = models.PositiveIntegerField(unique=True)
    prompts = models.JSONField(default=default_prompts, help_text="The heading of each part of the check.")
    guidance = models.TextField(blank=True, help_text="Shown to the key person above the form.")
    published_at = models.DateTimeField()
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")

    class Meta:
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"Progress check at two, form version {self.version}"

    def prompt(self, name: str) -> str:
        return self.prompts.get(name) or default_prompts()[name]


class TwoYearCheckStatus(models.TextChoices):
    DUE = "due", "Due"
    DRAFTED = "drafted", "Drafted"
    DISCUSSED = "discussed", "Discussed with the parents"
    SIGNED_OFF = "signed_off", "Signed off"
    SHARED = "shared", "Shared"


class TwoYearCheck(models.Model):
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="two_year_checks")
    template = models.ForeignKey(TwoYearCheckTemplate, on_delete=models.PROTECT, related_name="checks")
    status = models.CharField(max_length=20, choices=TwoYearCheckStatus.choices, default=TwoYearCheckStatus.DUE)
    opened_on = models.DateField()
    due_by = models.DateField(help_text="The day before the third birthday.")
    delay_reason = models.TextField(blank=True, help_text="Why the check was made after it was due.")
    communication = models.TextField(blank=True)
    physical = models.TextField(blank=True)
    personal_social = models.TextField(blank=True)
    going_well = models.TextField(blank=True)
    support_needed = models.TextField(blank=True)
    concern = models.BooleanField(default=False, help_text="A concern about possible delay or SEN.")
    concern_notes = models.TextField(blank=True)
    setting_plan = models.TextField(blank=True)
    home_help = models.TextField(blank=True)
    parents_view = models.TextField(blank=True)
    meeting = models.ForeignKey(ParentMeeting, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    drafted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    drafted_at = models.DateTimeField(null=True, blank=True)
    signed_off_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="+")
    signed_off_at = models.DateTimeField(null=True, blank=True)
    senco_seen_at = models.DateTimeField(null=True, blank=True)
    shared_with_parents_at = models.DateTimeField(null=True, blank=True)
    health_visitor = models.CharField(max_length=200, blank=True)
    shared_with_health_visitor_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_on"]
        constraints = [models.UniqueConstraint(fields=["child"], name="one_two_year_check_per_child")]

    def __str__(self) -> str:
        return f"Progress check at two for {self.child} (due by {day_text(self.due_by)})"

"""Supervision and caseload review: each key person with the manager, regularly (seeds 000, 001, 003 §6).

Seed 003 §6: "keyworkers receive regular supervision sessions" and "keyworker caseloads are regularly
reviewed"; seed 001: the manager gives "opportunities for staff to give regular feedback".
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from ..dates import day_text
from .children import Child
from .organisation import Setting
from .staff import Staff


class Supervision(models.Model):
    """One supervision session of a key person with the manager: due, then held."""

    setting = models.ForeignKey(Setting, on_delete=models.CASCADE, related_name="+")
    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="supervisions")
    due_on = models.DateField()
    held_on = models.DateField(null=True, blank=True)
    held_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="+")
    feedback = models.TextField("the key person's own feedback", blank=True)
    training_needs = models.TextField(blank=True)

    class Meta:
        ordering = ["due_on"]
        constraints = [
            # The next session is scheduled once, whoever or whatever asks twice.
            models.UniqueConstraint(fields=["staff"], condition=Q(held_on__isnull=True),
                                    name="one_supervision_due_per_key_person"),
        ]

    def __str__(self) -> str:
        return f"Supervision of {self.staff} due {day_text(self.due_on)}"

    @property
    def held(self) -> bool:
        return self.held_on is not None


class SupervisionChildNote(models.Model):
    """One key child talked through: anything to raise, transitions due, SEN concerns."""

    supervision = models.ForeignKey(Supervision, on_delete=models.CASCADE, related_name="child_notes")
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="+")
    to_raise = models.TextField("anything to raise", blank=True)
    transitions_due = models.TextField(blank=True)
    sen_concerns = models.TextField("SEN concerns", blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["supervision", "child"], name="one_note_per_child")]


class SupervisionAction(models.Model):
    """Something agreed at supervision, for the key person or the manager, by a date."""

    supervision = models.ForeignKey(Supervision, on_delete=models.CASCADE, related_name="actions")
    what = models.CharField(max_length=300)
    for_staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="supervision_actions")
    # About one key child: it becomes a task in the inbox (workflows.supervision); otherwise it is listed on the
    # supervision pages of whoever it is for.
    child = models.ForeignKey(Child, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    due_on = models.DateField()
    done_at = models.DateTimeField(null=True, blank=True)
    what_was_done = models.TextField(blank=True)

    class Meta:
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return f"{self.what} ({self.for_staff}, by {day_text(self.due_on)})"

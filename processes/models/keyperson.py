from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from .children import Child
from .staff import Staff


class AssignmentRole(models.TextChoices):
    PRIMARY = "primary", "Key person"
    SECONDARY = "secondary", "Secondary key person"


class AssignmentQuerySet(models.QuerySet):
    def current(self) -> AssignmentQuerySet:
        return self.filter(ends_on__isnull=True)


class KeyPersonAssignment(models.Model):
    """Who is (or was) a child's key person or secondary. History: a change ends a row and adds another."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="assignments")
    staff = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="assignments")
    role = models.CharField(max_length=10, choices=AssignmentRole.choices)
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    reason = models.TextField(blank=True)
    end_reason = models.TextField(blank=True)
    over_caseload_reason = models.TextField(
        blank=True, help_text="Why this assignment takes the key person over their maximum caseload."
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "-id"]
        constraints = [
            # At most one current key person and one current secondary per child, whatever the entry point.
            models.UniqueConstraint(
                fields=["child", "role"], condition=Q(ends_on__isnull=True), name="one_current_assignment_per_role"
            ),
            # A secondary is a different person: the backup for when the key person is away.
            models.UniqueConstraint(
                fields=["child", "staff"], condition=Q(ends_on__isnull=True), name="staff_holds_one_current_role"
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")), name="assignment_ends_after_start"
            ),
        ]
        indexes = [models.Index(fields=["staff", "role"], condition=Q(ends_on__isnull=True), name="current_caseload")]

    def __str__(self) -> str:
        return f"{self.staff} — {self.get_role_display()} of {self.child}"

    @property
    def is_current(self) -> bool:
        return self.ends_on is None

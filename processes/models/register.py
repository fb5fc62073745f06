"""The daily register: who is in which room, from when until when, and the absences followed up."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from .children import Child
from .organisation import Room, Setting
from .staff import Staff


class ChildAttendance(models.Model):
    """A child's day: signed in and out of a room, or absent with the reason the parents gave.

    One row per child and day (a constraint): the register, the ratios and the absence sweeps all read it.
    """

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="attendances")
    setting = models.ForeignKey(Setting, on_delete=models.CASCADE, related_name="+")
    room = models.ForeignKey(Room, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    day = models.DateField()
    signed_in_at = models.DateTimeField(null=True, blank=True)
    signed_out_at = models.DateTimeField(null=True, blank=True)
    brought_by = models.CharField(max_length=100, blank=True)
    collected_by = models.CharField(max_length=100, blank=True)
    absence_reason = models.CharField(
        max_length=200, blank=True, help_text="Why the child is not coming, as the parents said (unwell, holiday…).")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["day", "signed_in_at"]
        constraints = [
            models.UniqueConstraint(fields=["child", "day"], name="one_attendance_per_child_and_day"),
            models.CheckConstraint(
                condition=Q(signed_out_at__isnull=True) | Q(signed_in_at__isnull=False, signed_out_at__gte=F(
                    "signed_in_at")), name="attendance_out_after_in"),
        ]
        indexes = [models.Index(fields=["setting", "day"])]

    def __str__(self) -> str:
        return f"{self.child} on {self.day}"

    @property
    def is_present(self) -> bool:
        return self.signed_in_at is not None and self.signed_out_at is None


class StaffAttendance(models.Model):
    """A member of staff in a room from a time until a time. Moving room ends one row and starts another, so
    the ratio history knows who was where at every moment (a level 6 practitioner leaving the room)."""

    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="attendances")
    setting = models.ForeignKey(Setting, on_delete=models.CASCADE, related_name="+")
    room = models.ForeignKey(Room, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    day = models.DateField()
    signed_in_at = models.DateTimeField()
    signed_out_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["day", "signed_in_at"]
        constraints = [
            models.UniqueConstraint(fields=["staff"], condition=Q(signed_out_at__isnull=True),
                                    name="staff_in_one_room_at_a_time"),
            models.CheckConstraint(condition=Q(signed_out_at__isnull=True) | Q(signed_out_at__gte=F("signed_in_at")),
                                   name="staff_attendance_out_after_in"),
        ]
        indexes = [models.Index(fields=["setting", "day"])]

    def __str__(self) -> str:
        return f"{self.staff} on {self.day}"


class FollowUpKind(models.TextChoices):
    CONTACT = "contact", "Contact the parents"
    WELFARE = "welfare", "Welfare check"


class AbsenceFollowUp(models.Model):
    """A follow-up the absence sweep raised. Unique per child, day and kind: a sweep run twice adds nothing."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="absence_follow_ups")
    setting = models.ForeignKey(Setting, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    kind = models.CharField(max_length=10, choices=FollowUpKind.choices)
    days_absent = models.PositiveSmallIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    started = models.BooleanField(default=False, help_text="Its task has been raised.")
    outcome = models.TextField(blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-day"]
        constraints = [
            models.UniqueConstraint(fields=["child", "day", "kind"], name="one_follow_up_per_child_day_and_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.child} on {self.day}"

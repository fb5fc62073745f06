"""What parent meetings lead to and are offered through: agreed next steps, drop-in slots, staff calendar feeds."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from ..dates import when_text
from .records import ParentMeeting
from .staff import Staff


class MeetingAction(models.Model):
    """One agreed next step of a meeting held: who does what. A step for someone in the setting is their task."""

    meeting = models.ForeignKey(ParentMeeting, on_delete=models.CASCADE, related_name="actions")
    what = models.CharField(max_length=300)
    # Blank: the parents act (nothing for the setting to track).
    staff = models.ForeignKey(Staff, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    done_at = models.DateTimeField(null=True, blank=True)
    done_notes = models.TextField(blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.what} ({self.staff or 'the parents'})"


class DropInSlot(models.Model):
    """Seed 004: "a set time for key workers and parents to have time together". A slot taken is a meeting."""

    setting = models.ForeignKey("processes.Setting", on_delete=models.CASCADE, related_name="+")
    host = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="drop_in_slots")
    starts_at = models.DateTimeField()
    duration_minutes = models.PositiveSmallIntegerField(default=20)
    location = models.CharField(max_length=200, blank=True)
    meeting = models.OneToOneField(ParentMeeting, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="drop_in_slot")
    offered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    offered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["host", "starts_at"], name="one_drop_in_slot_per_host_and_time"),
            models.CheckConstraint(condition=Q(duration_minutes__gte=5), name="drop_in_slot_has_duration"),
        ]

    def __str__(self) -> str:
        return f"Drop-in with {self.host} at {when_text(self.starts_at)}"

    @property
    def taken(self) -> bool:
        return self.meeting_id is not None


class CalendarFeed(models.Model):
    """A member of staff's private iCalendar feed. Only the token's SHA-256 is kept: the URL is shown once."""

    staff = models.OneToOneField(Staff, on_delete=models.CASCADE, related_name="calendar_feed")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Calendar feed of {self.staff}"

"""What the key person records with the parents: meetings, "all about me", settling-in sessions and reviews."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from ..dates import day_text, when_text
from .children import Child


class MeetingKind(models.TextChoices):
    INTRODUCTION = "introduction", "Introduction to the key person"
    SETTLING_REVIEW = "settling_review", "Settling-in review"
    PROGRESS = "progress", "Termly progress meeting"
    REQUESTED = "requested", "Meeting asked for"
    DROP_IN = "drop_in", "Drop-in session"
    TWO_YEAR_CHECK = "two_year_check", "Progress check at two"
    NEW_KEY_PERSON = "new_key_person", "Meeting the new key person"


class MeetingStatus(models.TextChoices):
    ARRANGED = "arranged", "Arranged"
    HELD = "held", "Held"
    NOT_HELD = "not_held", "Not held"
    CANCELLED = "cancelled", "Cancelled"


class ParentMeeting(models.Model):
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="meetings")
    kind = models.CharField(max_length=30, choices=MeetingKind.choices)
    starts_at = models.DateTimeField()
    duration_minutes = models.PositiveSmallIntegerField(default=30)
    location = models.CharField(max_length=200, blank=True)
    with_whom = models.CharField(max_length=200, blank=True, help_text="Which parents/carers will come.")
    notes = models.TextField(blank=True)
    arranged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    arranged_at = models.DateTimeField(auto_now_add=True)
    # Who meets the parents (the key person, usually): the calendar and the staff member's feed list it.
    host = models.ForeignKey("processes.Staff", on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="meetings_hosted")
    asked_by = models.CharField(max_length=20, blank=True, help_text="Who asked for the meeting (seed 002).")
    status = models.CharField(max_length=20, choices=MeetingStatus.choices, default=MeetingStatus.ARRANGED)
    # RFC 5545: an update or a cancellation keeps the UID and raises SEQUENCE, so calendar programs replace
    # the entry they hold instead of adding another.
    sequence = models.PositiveIntegerField(default=0)
    parents_present = models.BooleanField(null=True, blank=True)
    discussed = models.TextField(blank=True, help_text="What was discussed (held), or why not (not held).")
    next_steps = models.TextField(blank=True)
    parents_told_at = models.DateTimeField(null=True, blank=True)
    outcome_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    outcome_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["starts_at"], name="meeting_starts_idx")]
        constraints = [models.CheckConstraint(condition=Q(duration_minutes__gte=5), name="meeting_has_duration")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.child} at {when_text(self.starts_at)}"

    @property
    def ends_at(self):
        import datetime as dt

        return self.starts_at + dt.timedelta(minutes=self.duration_minutes)

    @property
    def uid(self) -> str:
        return f"parent-meeting-{self.pk}@keyflow"


class AllAboutMe(models.Model):
    """The child as the parents describe them, completed with the key person before the first day."""

    child = models.OneToOneField(Child, on_delete=models.CASCADE, related_name="all_about_me")
    routines = models.TextField(blank=True)
    sleep = models.TextField(blank=True)
    feeding = models.TextField("feeding and dietary needs", blank=True)
    allergies = models.TextField(blank=True)
    comforters = models.TextField(blank=True)
    likes = models.TextField(blank=True)
    dislikes = models.TextField(blank=True)
    home_language = models.CharField(max_length=60, blank=True)
    parents_want_known = models.TextField("what the parents want us to know", blank=True)
    completed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    completed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "all about me"
        verbose_name_plural = "all about me"

    def __str__(self) -> str:
        return f"All about {self.child}"


class SettlingSession(models.Model):
    """One settling-in visit: short at first, growing longer (the plan is editable)."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="settling_sessions")
    on = models.DateField()
    starts_at = models.TimeField()
    duration_minutes = models.PositiveSmallIntegerField()
    parent_stays = models.BooleanField(default=True)
    how_it_went = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["on", "starts_at"]
        constraints = [
            models.CheckConstraint(condition=Q(duration_minutes__gte=15), name="settling_session_min_length"),
            models.UniqueConstraint(fields=["child", "on", "starts_at"], name="one_settling_session_per_slot"),
        ]

    def __str__(self) -> str:
        return f"{self.child}: {day_text(self.on, weekday=True)} {self.starts_at:%H:%M} for {self.duration_minutes} min"

    @property
    def recorded(self) -> bool:
        return self.recorded_at is not None


class SettlingOutcome(models.TextChoices):
    SETTLED = "settled", "Settled"
    NEEDS_LONGER = "needs_longer", "Needs longer"


class SettlingReview(models.Model):
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="settling_reviews")
    due_on = models.DateField()
    held_on = models.DateField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=SettlingOutcome.choices, blank=True)
    notes = models.TextField(blank=True)
    parents_view = models.TextField(blank=True)
    next_review_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    class Meta:
        ordering = ["due_on"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(outcome="needs_longer") | Q(next_review_on__isnull=False),
                name="longer_settling_has_next_review",
            ),
        ]

    def __str__(self) -> str:
        return f"Settling-in review for {self.child} due {day_text(self.due_on)}"

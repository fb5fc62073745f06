"""Room moves and changes of key person: the facts the two processes keep (workflows.room_move and
workflows.key_person_change point at them).

Steps Ahead: "keyworkers will change when the child moves rooms or a member of staff leaves, however the
transition to a new keyworker will be done wherever possible at the child's pace and sympathetically";
Potton: "with gradual introductions and parental involvement".
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from ..dates import day_text
from .children import Child
from .organisation import Room
from .staff import Staff


class TransitionStatus(models.TextChoices):
    OPEN = "open", "In progress"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


class RoomMove(models.Model):
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="room_moves")
    from_room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    to_room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="+")
    planned_on = models.DateField()
    why = models.TextField(blank=True)
    new_key_person = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    new_secondary = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    old_key_person = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    ready_on = models.DateField(null=True, blank=True, help_text="When the new key person judged the child ready.")
    status = models.CharField(max_length=10, choices=TransitionStatus.choices, default=TransitionStatus.OPEN)
    end_reason = models.TextField(blank=True)
    # The old key person stays secondary until this day (a Setting option), then the chosen secondary takes over.
    old_key_person_secondary_until = models.DateField(null=True, blank=True)
    moved_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["planned_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["child"], condition=Q(status="open"), name="one_open_room_move_per_child"),
            models.CheckConstraint(condition=Q(new_secondary__isnull=True) | ~Q(new_secondary=F("new_key_person")),
                                   name="room_move_secondary_differs"),
        ]

    def __str__(self) -> str:
        return f"{self.child} to {self.to_room} on {day_text(self.planned_on)}"


class TransitionVisit(models.Model):
    """A visit to the new room before the move: several, growing longer, the old key person along at first."""

    move = models.ForeignKey(RoomMove, on_delete=models.CASCADE, related_name="visits")
    on = models.DateField()
    starts_at = models.TimeField()
    duration_minutes = models.PositiveSmallIntegerField()
    with_old_key_person = models.BooleanField(default=True)
    how_it_went = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    null=True, blank=True)
    recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["on", "starts_at"]
        constraints = [
            models.CheckConstraint(condition=Q(duration_minutes__gte=15), name="transition_visit_min_length"),
            models.UniqueConstraint(fields=["move", "on", "starts_at"], name="one_transition_visit_per_slot"),
        ]

    def __str__(self) -> str:
        return f"{day_text(self.on, weekday=True)} {self.starts_at:%H:%M} for {self.duration_minutes} min"


class RoomMovePostponement(models.Model):
    """The date moved because the child was not ready (or visits were still open): the reason kept."""

    move = models.ForeignKey(RoomMove, on_delete=models.CASCADE, related_name="postponements")
    from_date = models.DateField()
    to_date = models.DateField()
    reason = models.TextField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at"]


class ChangeReason(models.TextChoices):
    PARENTS_ASK = "parents_ask", "The parents asked"
    NOT_CLICKED = "not_clicked", "The relationship has not clicked"
    CASELOAD_REVIEW = "caseload_review", "Caseload review"
    STAFF_LEAVING = "staff_leaving", "The key person is leaving"
    LONG_ABSENCE = "long_absence", "The key person is away for a long time"


class KeyPersonChange(models.Model):
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="key_person_changes")
    reason = models.CharField(max_length=20, choices=ChangeReason.choices)
    notes = models.TextField(blank=True)
    from_staff = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    to_staff = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    to_secondary = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    # The day the new key person takes over: the leaver's last day, or today.
    change_on = models.DateField()
    # The gradual introduction: the new key person with the child and the parents, before taking over.
    introduced_on = models.DateField(null=True, blank=True)
    introduction_notes = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=TransitionStatus.choices, default=TransitionStatus.OPEN)
    end_reason = models.TextField(blank=True)
    changed_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["change_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["child"], condition=Q(status="open"),
                                    name="one_open_key_person_change_per_child"),
            models.CheckConstraint(condition=~Q(to_secondary=F("to_staff")),
                                   name="key_person_change_secondary_differs"),
        ]

    def __str__(self) -> str:
        return f"{self.child}: {self.to_staff} from {day_text(self.change_on)}"

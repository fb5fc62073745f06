from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from .. import sessions
from .organisation import Room, Setting


class Staff(models.Model):
    """A member of staff of one setting, linked to the user who logs in."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff")
    setting = models.ForeignKey(Setting, on_delete=models.PROTECT, related_name="staff")
    room = models.ForeignKey(Room, on_delete=models.SET_NULL, null=True, blank=True, related_name="staff")
    job_title = models.CharField(max_length=100, blank=True)

    is_key_person = models.BooleanField("practitioner / key person", default=True)
    is_senco = models.BooleanField("SENCO", default=False)
    is_manager = models.BooleanField("manager", default=False)
    is_dsl = models.BooleanField("designated safeguarding lead", default=False)

    working_sessions = models.PositiveSmallIntegerField(
        default=sessions.ALL, help_text="Bitmask of the morning/afternoon sessions worked (processes.sessions)."
    )
    sen_experience = models.TextField(blank=True, help_text="Specific knowledge or experience of SEN.")
    max_caseload = models.PositiveSmallIntegerField(default=8, help_text="Most key children as primary key person.")

    # What the ratios count (processes.ratios): EYFS 3.40-3.47 and 3.27.
    class Level(models.IntegerChoices):
        NONE = 0, "Unqualified"
        LEVEL_2 = 2, "Level 2"
        LEVEL_3 = 3, "Level 3 (full and relevant)"
        LEVEL_6 = 6, "Level 6 (QTS, EYTS, EYPS or another suitable level 6)"

    qualification_level = models.PositiveSmallIntegerField(choices=Level.choices, default=Level.NONE)
    qualified_on = models.DateField(null=True, blank=True, help_text="When the qualification was gained.")
    first_aid_until = models.DateField(
        "paediatric first aid until", null=True, blank=True,
        help_text="When the paediatric first aid certificate runs out (renewed every three years).")
    is_student = models.BooleanField("student or apprentice", default=False)
    is_competent = models.BooleanField(
        "marked competent", default=False, help_text="A student or apprentice counts in the ratios only once the "
        "setting judges them competent and responsible.")

    class Meta:
        verbose_name_plural = "staff"
        ordering = ["user__first_name", "user__last_name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(working_sessions__lte=sessions.ALL), name="staff_working_sessions_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.user.get_full_name() or self.user.get_username()

    @property
    def roles(self) -> list[str]:
        flags = [
            (self.is_manager, "manager"),
            (self.is_senco, "SENCO"),
            (self.is_dsl, "DSL"),
            (self.is_key_person, "key person"),
        ]
        return [label for on, label in flags if on]

    def works_on(self, day: dt.date) -> bool:
        return bool(self.working_sessions & sessions.day_mask(day))


class StaffAbsence(models.Model):
    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="absences")
    starts_on = models.DateField()
    ends_on = models.DateField()
    reason = models.CharField(max_length=200)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="absence_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.staff} absent {self.starts_on}–{self.ends_on}"

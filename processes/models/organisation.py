from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q


class Organisation(models.Model):
    """A provider that may run several settings (a nursery chain, a local authority)."""

    name = models.CharField(max_length=200)

    def __str__(self) -> str:
        return self.name


class Setting(models.Model):
    """One nursery or pre-school. Every record belongs to exactly one; nobody sees another's."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="settings")
    name = models.CharField(max_length=200)
    ofsted_urn = models.CharField("Ofsted URN", max_length=20, blank=True)
    address = models.TextField(blank=True)
    email = models.EmailField(blank=True)

    # How the allocation ranking weighs each factor (0 switches it off). One seed policy deliberately does
    # not allocate by age or stage, so "room" can be set to 0.
    weight_sessions = models.PositiveSmallIntegerField(default=5)
    weight_caseload = models.PositiveSmallIntegerField(default=3)
    weight_room = models.PositiveSmallIntegerField(default=2)
    weight_sen_experience = models.PositiveSmallIntegerField(default=3)
    weight_sibling = models.PositiveSmallIntegerField(default=2)
    weight_parent_preference = models.PositiveSmallIntegerField(default=4)

    settling_review_weeks = models.PositiveSmallIntegerField(
        default=4, help_text="When the settling-in review with the parents falls due, after the start date."
    )
    sen_review_weeks = models.PositiveSmallIntegerField(
        default=6, help_text="How long a cycle of SEN support runs before its review with the parents (six to eight "
        "weeks is usual)."
    )
    consent_follow_up_weeks = models.PositiveSmallIntegerField(
        default=6, help_text="When to talk to the parents again after they decline consent."
    )
    progress_meetings_per_year = models.PositiveSmallIntegerField(
        default=3, help_text="How many progress meetings with the parents each child has a year (one a term)."
    )
    # Seed 001: "monitoring patterns of absence, injury and development": this many accident or injury records
    # for one child within this many weeks raise a task for the key person and the safeguarding lead.
    injury_pattern_count = models.PositiveSmallIntegerField(
        default=3, help_text="How many accidents or injuries to one child make a pattern to look into."
    )
    injury_pattern_weeks = models.PositiveSmallIntegerField(
        default=6, help_text="Within how many weeks those accidents or injuries fall."
    )
    # Seed 003 §6: "keyworkers receive regular supervision sessions"; a school term is about 13 weeks.
    supervision_every_weeks = models.PositiveSmallIntegerField(
        default=13, help_text="How often each key person has supervision with the manager (13: once a term)."
    )
    room_move_notice_weeks = models.PositiveSmallIntegerField(
        default=8, help_text="How far ahead the upcoming room moves list shows a child nearing their room's upper age.",
    )
    room_move_old_key_person_weeks = models.PositiveSmallIntegerField(
        default=0, help_text="After a room move, the old key person stays the child's secondary for this many weeks "
        "before the chosen secondary takes over (0: the chosen secondary from the move).",
    )
    long_absence_weeks = models.PositiveSmallIntegerField(
        default=4, help_text="An absence longer than this offers a change of key person for the absent key person's "
        "children; a shorter one stays with the secondary.",
    )
    # Deadlines fall on these days only (processes.deadlines): a task due on a Saturday at a nursery open
    # Monday to Friday would be overdue before anyone could do it.
    WEEKDAYS = frozenset(range(1, 6))
    open_days = models.CharField(
        max_length=7, default="12345",
        validators=[RegexValidator(r"^(?!.*(.).*\1)[1-7]{1,7}$", "Days as the digits 1 (Monday) to 7 (Sunday), "
                                   "each at most once, e.g. 12345 for Monday to Friday.")],
        help_text="The days the setting is open, as digits: 1 Monday … 7 Sunday (12345: Monday to Friday). "
        "Deadlines that would fall on another day fall on the open day before.",
    )

    # The register (processes.register): the day's halves, and when an expected child not yet in is followed up.
    opens_at = models.TimeField(default=dt.time(8, 0))
    midday_at = models.TimeField(default=dt.time(13, 0), help_text="Where the morning session ends.")
    closes_at = models.TimeField(default=dt.time(18, 0))
    absence_check_at = models.TimeField(
        default=dt.time(10, 0), help_text="An expected child not signed in by then, with no reason given: their key "
        "person is asked to contact the parents that day.")
    absence_welfare_days = models.PositiveSmallIntegerField(
        default=3, help_text="Days of unexplained absence in a row after which the manager and the designated "
        "safeguarding lead are asked to check on the child's welfare.")

    def __str__(self) -> str:
        return self.name

    @property
    def open_weekdays(self) -> frozenset[int]:
        return frozenset(int(d) for d in self.open_days if d.isdigit()) or self.WEEKDAYS


class Room(models.Model):
    setting = models.ForeignKey(Setting, on_delete=models.CASCADE, related_name="rooms")
    name = models.CharField(max_length=100)
    min_age_months = models.PositiveSmallIntegerField()
    max_age_months = models.PositiveSmallIntegerField()
    # EYFS ratios: 1:3 under two, 1:5 two-year-olds (since September 2023), 1:8 (or 1:13 with a level 6
    # practitioner working directly with the children) three and over.
    children_per_adult = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["min_age_months"]
        constraints = [
            models.UniqueConstraint(fields=["setting", "name"], name="room_name_unique_in_setting"),
            models.CheckConstraint(condition=Q(min_age_months__lt=F("max_age_months")), name="room_age_range_valid"),
            models.CheckConstraint(condition=Q(children_per_adult__gte=1), name="room_ratio_positive"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def ratio(self) -> str:
        return f"1:{self.children_per_adult}"


class OrganisationMember(models.Model):
    """Someone above the settings: a chain's area manager, or a local authority's early years team (with the
    settings' agreement). They see each setting's figures side by side, never a child's name: a child's record
    needs a staff profile in that setting (processes.access)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="members")
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="organisation_membership")
    title = models.CharField(max_length=100, blank=True, help_text="Area manager, early years team…")

    def __str__(self) -> str:
        return f"{self.user.get_full_name() or self.user.get_username()} ({self.organisation})"

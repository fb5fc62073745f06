from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django_fsm import ConcurrentTransitionMixin, FSMField, transition
from django_fsm_log.decorators import fsm_log_by, fsm_log_description

from .. import sessions
from .organisation import Room, Setting
from .staff import Staff


class LifecycleState(models.TextChoices):
    REGISTERED = "registered", "Registered"
    ALLOCATED = "allocated", "Key person allocated"
    SETTLING_IN = "settling_in", "Settling in"
    SETTLED = "settled", "Settled"
    IN_TRANSITION = "in_transition", "Moving room"
    LEAVING = "leaving", "Leaving"
    LEFT = "left", "Left"
    WITHDRAWN = "withdrawn", "Withdrawn"


S = LifecycleState
ATTENDING = [S.REGISTERED, S.ALLOCATED, S.SETTLING_IN, S.SETTLED, S.IN_TRANSITION, S.LEAVING]


def months_old(born: dt.date, on: dt.date) -> int:
    """Whole months from `born` to `on`: a child born on the 20th turns a month older on the 20th."""
    months = (on.year - born.year) * 12 + on.month - born.month
    return months - (1 if on.day < born.day else 0)


def _is_manager(child: Child, user) -> bool:
    staff = getattr(user, "staff", None)
    return bool(user.is_active and staff and staff.setting_id == child.setting_id and staff.is_manager)


def _is_manager_or_key_person(child: Child, user) -> bool:
    if _is_manager(child, user):
        return True
    staff = getattr(user, "staff", None)
    return bool(user.is_active and staff and child.assignments.current().filter(staff=staff).exists())


class Guardian(models.Model):
    """A parent or carer. Family details are special-category personal data."""

    setting = models.ForeignKey(Setting, on_delete=models.PROTECT, related_name="guardians")
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    address = models.TextField(blank=True)
    preferred_language = models.CharField(max_length=60, blank=True)

    class Meta:
        ordering = ["last_name", "first_name"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class Child(ConcurrentTransitionMixin, models.Model):
    """A child at the setting, driven through its lifecycle by services (see processes.services.lifecycle)."""

    setting = models.ForeignKey(Setting, on_delete=models.PROTECT, related_name="children")
    room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="children", null=True, blank=True)
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    preferred_name = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField()
    start_date = models.DateField(null=True, blank=True)
    expected_leaving_date = models.DateField(null=True, blank=True)
    destination_school = models.CharField(max_length=200, blank=True)
    attending_sessions = models.PositiveSmallIntegerField(default=0, help_text="Bitmask (processes.sessions).")
    home_language = models.CharField(max_length=60, default="English")
    dietary_needs = models.TextField(blank=True)
    allergies = models.TextField(blank=True)
    known_needs = models.TextField(
        blank=True, help_text="Known special educational needs or disabilities at registration."
    )
    # Seed 002: in any session every member of staff is responsible for ALL children present, so these two
    # are on the room's need-to-know cards (processes.room_care) with the allergies and routines.
    medical_notes = models.TextField(
        blank=True, help_text="Conditions, medication and care plans the staff caring for the child must know."
    )
    collected_by = models.TextField(
        "who collects", blank=True, help_text="The adults the parents allow to collect the child."
    )
    preferred_key_person = models.ForeignKey(
        Staff, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        help_text="The parents' preference, if they have one.",
    )
    guardians = models.ManyToManyField(Guardian, through="ChildGuardian", related_name="children")

    state = FSMField(default=S.REGISTERED, choices=S.choices, protected=True)
    state_changed_at = models.DateTimeField(default=timezone.now)
    registered_at = models.DateTimeField(default=timezone.now)
    left_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["first_name", "last_name"]
        verbose_name_plural = "children"
        constraints = [
            models.CheckConstraint(
                condition=Q(attending_sessions__lte=sessions.ALL), name="child_attending_sessions_valid"
            ),
            models.CheckConstraint(
                condition=Q(start_date__isnull=True) | Q(start_date__gte=F("date_of_birth")),
                name="child_starts_after_birth",
            ),
            models.CheckConstraint(
                condition=Q(expected_leaving_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(expected_leaving_date__gt=F("start_date")),
                name="child_leaves_after_start",
            ),
        ]
        indexes = [models.Index(fields=["setting", "state"])]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return f"{self.preferred_name or self.first_name} {self.last_name}"

    def age_in_months(self, on: dt.date | None = None) -> int:
        return months_old(self.date_of_birth, on or timezone.localdate())

    # Guards: named so a refused transition can say which condition failed.
    def has_primary_key_person(self) -> bool:
        return self._has_current_role("primary")

    def has_secondary_key_person(self) -> bool:
        return self._has_current_role("secondary")

    def _has_current_role(self, role: str) -> bool:
        noted = self.__dict__.get("_current_roles")
        if noted is not None:
            return role in noted
        return self.assignments.current().filter(role=role).exists()

    def current_roles_noted(self, roles: set[str] | None) -> None:
        """The key person roles current now, as a service that has just read and written them under this child's
        lock knows them (processes.services.keyperson.child_allocate): the guards read them from here instead
        of asking again. None forgets them."""
        self.__dict__["_current_roles"] = None if roles is None else frozenset(roles)

    def has_leaving_date(self) -> bool:
        return self.expected_leaving_date is not None

    # EYFS 3.26: every child must be assigned a key person, so "allocated" needs both assignments in place.
    @fsm_log_by
    @fsm_log_description
    @transition(
        field=state, source=S.REGISTERED, target=S.ALLOCATED,
        conditions=[has_primary_key_person, has_secondary_key_person], permission=_is_manager,
    )
    def allocate(self, by=None, description=None) -> None:
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=state, source=S.ALLOCATED, target=S.SETTLING_IN,
        conditions=[has_primary_key_person], permission=_is_manager_or_key_person,
    )
    def begin_settling_in(self, by=None, description=None) -> None:
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=state, source=S.SETTLING_IN, target=S.SETTLED, permission=_is_manager_or_key_person,
    )
    def settle(self, by=None, description=None) -> None:
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=S.SETTLED, target=S.IN_TRANSITION, permission=_is_manager)
    def begin_room_move(self, by=None, description=None) -> None:
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=state, source=S.IN_TRANSITION, target=S.SETTLED,
        conditions=[has_primary_key_person], permission=_is_manager_or_key_person,
    )
    def complete_room_move(self, by=None, description=None) -> None:
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(
        field=state, source=[S.SETTLED, S.IN_TRANSITION], target=S.LEAVING,
        conditions=[has_leaving_date], permission=_is_manager,
    )
    def prepare_to_leave(self, by=None, description=None) -> None:
        pass

    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=S.LEAVING, target=S.LEFT, permission=_is_manager)
    def leave(self, by=None, description=None) -> None:
        self.left_on = timezone.localdate()

    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source=ATTENDING, target=S.WITHDRAWN, permission=_is_manager)
    def withdraw(self, by=None, description=None) -> None:
        self.left_on = timezone.localdate()


class ChildGuardian(models.Model):
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="guardian_links")
    guardian = models.ForeignKey(Guardian, on_delete=models.CASCADE, related_name="child_links")
    relationship = models.CharField(max_length=60, help_text="Mother, father, grandparent, foster carer…")
    has_parental_responsibility = models.BooleanField(default=True)
    is_primary_contact = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["child", "guardian"], name="guardian_linked_once_per_child"),
        ]

    def __str__(self) -> str:
        return f"{self.guardian} ({self.relationship} of {self.child})"

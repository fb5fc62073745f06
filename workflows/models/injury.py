"""Process rows that follow one domain record each: an injury pattern, an action agreed at supervision."""
from __future__ import annotations

from django.db import models
from django.db.models.signals import pre_save
from viewflow.workflow.managers import ProcessQuerySet

from processes.models import InjuryPattern, SupervisionAction

from .process import ChildProcess, _track_open_kind


def _reading_with(record: str) -> models.Manager:
    """A manager reading the process row with the record it follows, in one statement."""

    class WithRecord(models.Manager):
        def get_queryset(self):
            return super().get_queryset().select_related(record)

    return WithRecord()


class InjuryPatternProcess(ChildProcess):
    """The key person's and the safeguarding lead's look at a pattern of accidents (workflows.injury)."""

    # One process per pattern: a second start (a sweep run twice, a retry) fails on this constraint.
    pattern = models.OneToOneField(InjuryPattern, on_delete=models.RESTRICT, related_name="process")

    objects = ProcessQuerySet.as_manager()
    with_pattern = _reading_with("pattern")

    class Meta:
        default_manager_name = "objects"
        # A step reaches its process through viewflow's `coerced` (the base manager): with the pattern, in one read.
        base_manager_name = "with_pattern"


pre_save.connect(_track_open_kind, sender=InjuryPatternProcess, dispatch_uid="injury_pattern_process_open_kind")


class SupervisionActionProcess(ChildProcess):
    """An action agreed at supervision about one key child, as a task in the right inbox (workflows.supervision).

    Several may be open for one child at once (each its own action), so the open kind is not tracked here: the
    one-per-action rule is this OneToOne.
    """

    action = models.OneToOneField(SupervisionAction, on_delete=models.CASCADE, related_name="process")

    objects = ProcessQuerySet.as_manager()
    with_action = _reading_with("action")

    class Meta:
        default_manager_name = "objects"
        # A step reaches its process through viewflow's `coerced` (the base manager): with the action, in one read.
        base_manager_name = "with_action"

"""The absence follow-up process: the follow-up the sweep raised, which it answers."""
from __future__ import annotations

from django.db import models
from django.db.models.signals import pre_save
from viewflow.workflow.managers import ProcessQuerySet

from processes.models import AbsenceFollowUp

from .process import ChildProcess, _track_open_kind


class AbsenceProcessFacts(models.Manager):
    def get_queryset(self):
        return super().get_queryset().select_related("follow_up")


class AbsenceProcess(ChildProcess):
    """Contacting the parents of a child not brought in, or checking on a child's welfare after a run of
    unexplained absence (workflows.absence)."""

    follow_up = models.OneToOneField(AbsenceFollowUp, on_delete=models.RESTRICT, related_name="process")

    objects = ProcessQuerySet.as_manager()
    facts = AbsenceProcessFacts()

    class Meta:
        default_manager_name = "objects"
        # A step reads its process and the follow-up it answers in one statement (as SenProcess does).
        base_manager_name = "facts"


pre_save.connect(_track_open_kind, sender=AbsenceProcess, dispatch_uid="absence_process_open_kind")

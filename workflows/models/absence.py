"""The absence follow-up process: the follow-up the sweep raised, which it answers."""
from __future__ import annotations

from django.db import models
from django.db.models.signals import pre_save

from processes.models import AbsenceFollowUp

from .process import ChildProcess, _track_open_kind


class AbsenceProcess(ChildProcess):
    """Contacting the parents of a child not brought in, or checking on a child's welfare after a run of
    unexplained absence (workflows.absence)."""

    follow_up = models.OneToOneField(AbsenceFollowUp, on_delete=models.PROTECT, related_name="process")


pre_save.connect(_track_open_kind, sender=AbsenceProcess, dispatch_uid="absence_process_open_kind")

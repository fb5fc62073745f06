"""The room move and the change of key person: each process points at its record (processes.models.transitions),
so a pipeline reads the step reached, since when, and the visits done and planned from real rows."""
from __future__ import annotations

from django.db import models
from django.db.models.signals import pre_save
from viewflow.workflow.managers import ProcessQuerySet

from processes.models import KeyPersonChange, RoomMove

from .process import ChildProcess, _track_open_kind


class RoomMoveFacts(models.Manager):
    def get_queryset(self):
        return super().get_queryset().select_related(
            "move__to_room", "move__new_key_person__user__notification_preference", "move__new_secondary__user",
            "move__old_key_person")


class RoomMoveProcess(ChildProcess):
    """The room move workflow (workflows.room_move) of one RoomMove."""

    move = models.OneToOneField(RoomMove, on_delete=models.CASCADE, related_name="process")

    objects = ProcessQuerySet.as_manager()
    facts = RoomMoveFacts()

    class Meta:
        default_manager_name = "objects"
        base_manager_name = "facts"  # a step reads its process with the move it needs (see SenProcess)

    def visits_done_and_planned(self) -> tuple[int, int]:
        """(visits recorded, visits planned) to the new room: what a pipeline shows."""
        visits = list(self.move.visits.all())
        return sum(1 for v in visits if v.recorded_at), len(visits)


class KeyPersonChangeFacts(models.Manager):
    def get_queryset(self):
        return super().get_queryset().select_related("change__to_staff__user__notification_preference",
                                                     "change__to_secondary__user", "change__from_staff")


class KeyPersonChangeProcess(ChildProcess):
    """The change of key person workflow (workflows.key_person_change) of one KeyPersonChange."""

    change = models.OneToOneField(KeyPersonChange, on_delete=models.CASCADE, related_name="process")

    objects = ProcessQuerySet.as_manager()
    facts = KeyPersonChangeFacts()

    class Meta:
        default_manager_name = "objects"
        base_manager_name = "facts"


pre_save.connect(_track_open_kind, sender=RoomMoveProcess, dispatch_uid="room_move_process_open_kind")
pre_save.connect(_track_open_kind, sender=KeyPersonChangeProcess, dispatch_uid="key_person_change_open_kind")

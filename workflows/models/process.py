"""The process every flow about a child extends, and the words for its kinds and roles."""
from __future__ import annotations

from django.db import models
from django.db.models.signals import pre_save
from django.dispatch import receiver
from viewflow.workflow.models import Process
from viewflow.workflow.status import PROCESS

from processes.models import Child, Setting
from processes.services import consent_in_force


class ProcessKind(models.TextChoices):
    ALLOCATION = "allocation", "Key person allocation"
    INTRODUCTION = "introduction", "Introduction to the parents"
    SETTLING = "settling", "Settling in"
    SEN = "sen", "SEN concern"
    MEETING = "meeting", "Meeting with the parents"
    TWO_YEAR_CHECK = "two_year_check", "Progress check at two"
    ABSENCE_CONTACT = "absence_contact", "Absence: contact the parents"
    ABSENCE_WELFARE = "absence_welfare", "Absence: welfare check"
    INJURY_PATTERN = "injury_pattern", "Injury pattern"
    SUPERVISION_ACTION = "supervision_action", "Action from supervision"
    LEAVING = "leaving", "Leaving"
    ROOM_MOVE = "room_move", "Room move"
    KEY_PERSON_CHANGE = "key_person_change", "Change of key person"


class TaskRole(models.TextChoices):
    """Who may take a human task. Every node declares one (workflows.nodes.HumanTask)."""

    MANAGER = "manager", "Manager"
    SENCO = "senco", "SENCO"
    KEY_PERSON = "key_person", "Key person"
    DSL = "dsl", "Designated safeguarding lead"


FINISHED = (PROCESS.DONE, PROCESS.CANCELED)
OPEN = ("NEW", "ASSIGNED", "STARTED")  # viewflow task statuses still waiting for a person


class ChildProcess(Process):
    """A workflow about one child. Viewflow's Process with the child it concerns, queryable and constrained."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="processes")
    setting = models.ForeignKey(Setting, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=30, choices=ProcessKind.choices)
    # The kind while the process is open, NULL once finished: the unique constraint below then allows at most
    # one open process of each kind per child, whichever entry point tries to start a second.
    open_kind = models.CharField(max_length=30, null=True, blank=True, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["child", "open_kind"], name="one_open_process_of_a_kind_per_child"),
        ]
        indexes = [
            # A setting's open processes, never its finished history (workflows.health.stuck_processes).
            models.Index(fields=["setting"], condition=models.Q(open_kind__isnull=False),
                         name="process_open_by_setting"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.child}"

    def route(self, **fields) -> None:
        """Record where the process goes next: the fields given, in one UPDATE of this row."""
        for name, value in fields.items():
            setattr(self, name, value)
        self.save(update_fields=list(fields))

    def has_consent(self, purpose: str, recipient: str = "") -> bool:
        """Whether the parents' consent for `purpose` (and `recipient`) is in force.

        A step asks more than once (its completion, its gateway, the gated task it creates), so the answer is
        read once per step: the process row is read afresh, under its lock, for every step, and a decision the
        step records itself is noted here (consent_noted). Services check consent themselves.
        """
        answers = self.__dict__.setdefault("_consent_answers", {})
        if (purpose, recipient) not in answers:
            found = consent_in_force(child=self.child, purpose=purpose, recipient=recipient)
            answers[purpose, recipient] = found is not None
        return answers[purpose, recipient]

    def consent_noted(self, purpose: str, recipient: str, in_force: bool) -> None:
        """This step recorded the parents' decision: what follows in the step reads it from here."""
        self.__dict__.setdefault("_consent_answers", {})[purpose, recipient] = in_force


@receiver(pre_save, sender=ChildProcess)
def _track_open_kind(sender, instance: ChildProcess, **kwargs) -> None:
    instance.open_kind = None if instance.status in FINISHED else instance.kind

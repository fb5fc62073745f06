from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.db.models.signals import pre_save
from django.dispatch import receiver
from viewflow.workflow.models import Process, Task
from viewflow.workflow.status import PROCESS

from processes.models import Child, Setting


class ProcessKind(models.TextChoices):
    ALLOCATION = "allocation", "Key person allocation"
    INTRODUCTION = "introduction", "Introduction to the parents"
    SETTLING = "settling", "Settling in"
    SEN = "sen", "SEN concern"


class TaskRole(models.TextChoices):
    """Who may take a human task. Every node declares one (workflows.nodes.HumanTask)."""

    MANAGER = "manager", "Manager"
    SENCO = "senco", "SENCO"
    KEY_PERSON = "key_person", "Key person"


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

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.child}"


@receiver(pre_save, sender=ChildProcess)
def _track_open_kind(sender, instance: ChildProcess, **kwargs) -> None:
    instance.open_kind = None if instance.status in FINISHED else instance.kind


class InboxEntry(models.Model):
    """What the inbox needs to know about a human task that viewflow's Task row does not hold.

    Written once when the task is created; status and owner stay on the Task row, the single source of truth.
    """

    task = models.OneToOneField(Task, on_delete=models.CASCADE, primary_key=True, related_name="inbox")
    setting = models.ForeignKey(Setting, on_delete=models.CASCADE, related_name="+")
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="+")
    role = models.CharField(max_length=20, choices=TaskRole.choices)
    due_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["setting", "role", "due_at"], name="inbox_claimable"),
            models.Index(fields=["child", "due_at"], name="inbox_by_child"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(role__in=TaskRole.values), name="inbox_role_valid"),
        ]

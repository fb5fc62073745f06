from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.signals import post_save, pre_save
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
    """What the inbox needs to know about a human task, on one row, so the inbox is one indexed scan.

    Setting, child, process kind, role, due date and priority are written once when the task is created. The owner and
    whether the task is still open are copies of the Task row's, kept in step by `inbox_sync` on every save
    of a task (a post_save receiver, so viewflow's own transitions cannot miss it); Task stays the truth.
    """

    task = models.OneToOneField(Task, on_delete=models.CASCADE, primary_key=True, related_name="inbox")
    setting = models.ForeignKey(Setting, on_delete=models.CASCADE, related_name="+")
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="+")
    role = models.CharField(max_length=20, choices=TaskRole.choices)
    due_at = models.DateTimeField(null=True, blank=True)
    # The process's kind, copied so the inbox names and filters it without joining two process tables.
    kind = models.CharField(max_length=30, choices=ProcessKind.choices, blank=True)
    # Approvals (HumanTask(approval=True)) come first in whoever's inbox they wait in.
    priority = models.SmallIntegerField(default=0)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+", db_index=False)
    is_open = models.BooleanField(default=True)

    class Meta:
        indexes = [
            # "Assigned to me", in inbox order: the partial index holds only the ~5% of rows still open.
            models.Index(fields=["owner", "setting", "-priority", "due_at", "task"], condition=Q(is_open=True),
                         name="inbox_open_owner"),
            # "Claimable by my role in my setting", in inbox order.
            models.Index(fields=["setting", "role", "-priority", "due_at", "task"],
                         condition=Q(is_open=True, owner__isnull=True), name="inbox_open_claimable"),
            # The manager's overdue list.
            models.Index(fields=["setting", "due_at"], condition=Q(is_open=True), name="inbox_open_due"),
            # A child's open tasks (the dashboard's allocations, rerouting a child's tasks).
            models.Index(fields=["child", "kind"], condition=Q(is_open=True), name="inbox_open_child"),
            models.Index(fields=["child", "due_at"], name="inbox_by_child"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(role__in=TaskRole.values), name="inbox_role_valid"),
        ]


def inbox_sync(task: Task) -> None:
    """Copy the task's owner and open/closed state onto its inbox row: the one place they are mirrored.

    Free when nothing changed and the row is loaded with the task (select_related("inbox")); otherwise one
    UPDATE. Tasks without an inbox row (gateways, start and end events) cost nothing.
    """
    if task.flow_task_type != "HUMAN":
        return
    is_open = task.status in OPEN
    cache = task._state.fields_cache
    entry = cache.get("inbox")
    if "inbox" in cache and (entry is None or (entry.owner_id == task.owner_id and entry.is_open == is_open)):
        return
    InboxEntry.objects.filter(task_id=task.pk).update(owner_id=task.owner_id, is_open=is_open)
    if entry is not None:
        entry.owner_id, entry.is_open = task.owner_id, is_open
        entry._state.fields_cache.pop("owner", None)


@receiver(post_save, sender=Task)
def _mirror_task_on_inbox(sender, instance: Task, created: bool, update_fields=None, **kwargs) -> None:
    if created:  # a new task's inbox row is written with its mirror (workflows.nodes.HumanTaskActivation)
        return
    if update_fields is not None and not {"status", "owner", "owner_id"} & set(update_fields):
        return
    inbox_sync(instance)

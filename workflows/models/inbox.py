"""The inbox's own table: one row per human task, kept in step with the task, the child and the room."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q, Value
from django.db.models.signals import post_save
from django.dispatch import receiver
from viewflow.workflow.fields import TaskReferenceField
from viewflow.workflow.models import Process, Task

from processes.models import Child, Room, Setting

from .process import OPEN, ProcessKind, TaskRole


class InboxEntry(models.Model):
    """What the inbox shows of a human task, on one row, so the inbox is one indexed scan of one table.

    Setting, process, node, child, process kind, role, due date and priority are written once when the task is
    created. The rest are copies kept in step where they change: the owner and whether the task is still open
    by `inbox_sync` on every save of a task (a post_save receiver, so viewflow's own transitions cannot miss
    it), the child's name and room by `inbox_copy_child` on every save of a child, the room's name on every
    save of a room. Task, Child and Room stay the truth.
    """

    task = models.OneToOneField(Task, on_delete=models.CASCADE, primary_key=True, related_name="inbox")
    # The task's own process and node, so a row links to its task page and names its step without a join.
    # No database constraint: the task's (cascading to this row) already guarantees the process.
    process = models.ForeignKey(Process, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False,
                                related_name="+")
    flow_task = TaskReferenceField()
    setting = models.ForeignKey(Setting, on_delete=models.CASCADE, related_name="+")
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="+")
    child_name = models.CharField(max_length=201, blank=True)
    room = models.ForeignKey(Room, on_delete=models.SET_NULL, null=True, blank=True, db_constraint=False,
                             db_index=False, related_name="+")
    room_name = models.CharField(max_length=100, blank=True)
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
            # A process's open steps (workflows.health.stuck_processes asks it of each open process).
            models.Index(fields=["process"], condition=Q(is_open=True), name="inbox_open_process"),
            models.Index(fields=["child", "due_at"], name="inbox_by_child"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(role__in=TaskRole.values), name="inbox_role_valid"),
        ]

    @property
    def title(self) -> str:
        return node_title(self.flow_task)


def node_title(node) -> str:
    """A step's title as viewflow's Task.title gives it: its annotation, else the node's name."""
    return str(node.task_title or node) if node else ""


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


# Whatever changes a child's name or room (the record form, the admin, a room move) saves the child: its inbox
# rows follow in one UPDATE. A new child has no tasks yet.
CHILD_COPIED = {"first_name", "last_name", "preferred_name", "room", "room_id"}


def inbox_copy_child(child: Child) -> None:
    room_name = Room.objects.filter(pk=child.room_id).values("name")[:1] if child.room_id else Value("")
    InboxEntry.objects.filter(child_id=child.pk).update(child_name=child.name, room_id=child.room_id,
                                                        room_name=room_name)


@receiver(post_save, sender=Child)
def _copy_child_on_inbox(sender, instance: Child, created: bool, update_fields=None, raw=False, **kwargs) -> None:
    if created or raw or (update_fields is not None and not CHILD_COPIED & set(update_fields)):
        return
    inbox_copy_child(instance)


@receiver(post_save, sender=Room)
def _copy_room_on_inbox(sender, instance: Room, created: bool, update_fields=None, raw=False, **kwargs) -> None:
    if created or raw or (update_fields is not None and "name" not in update_fields):
        return
    InboxEntry.objects.filter(room_id=instance.pk).update(room_name=instance.name)

"""Who a key person's task goes to on a given day.

Seed 004: "In the event of the key worker being on holiday ... off work due to illness, the secondary key
worker system comes into effect." A key-person task belongs to the key person unless they are absent that day,
when it goes to the secondary; `tasks_reroute` hands it back once they return.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from viewflow.workflow.status import STATUS

from processes.models import AssignmentRole, KeyPersonAssignment, StaffAbsence


def key_person_user_for(child_id: int, on: dt.date | None = None):
    """The user who acts as the child's key person on `on`: the key person, or the secondary while absent."""
    on = on or timezone.localdate()
    current = {
        a.role: a.staff
        for a in KeyPersonAssignment.objects.current().filter(child_id=child_id).select_related("staff__user")
    }
    primary, secondary = current.get(AssignmentRole.PRIMARY), current.get(AssignmentRole.SECONDARY)
    if primary is None:
        return secondary.user if secondary else None
    absent = StaffAbsence.objects.filter(staff=primary, starts_on__lte=on, ends_on__gte=on).exists()
    if absent and secondary is not None:
        return secondary.user
    return primary.user


def tasks_reroute(*, on: dt.date | None = None, setting_id: int | None = None, child_ids=None) -> int:
    """Hand each open key-person task to whoever acts as the child's key person on its working day.

    The working day is the later of today and the task's due date: an overdue task goes to whoever is in
    today; a task due later stays with whoever will be in on that day. Returns how many tasks moved.
    """
    from django.db import transaction
    from viewflow.workflow.models import Task

    from processes.services import audit_record

    from .models import InboxEntry, TaskRole
    from .services import OPEN

    on = on or timezone.localdate()
    entries = InboxEntry.objects.filter(role=TaskRole.KEY_PERSON, task__status__in=OPEN)
    if setting_id is not None:
        entries = entries.filter(setting_id=setting_id)
    if child_ids is not None:
        entries = entries.filter(child_id__in=child_ids)
    moved = 0
    for entry in entries.select_related("task").order_by("task_id"):
        day = max(on, timezone.localtime(entry.due_at).date()) if entry.due_at else on
        wanted = key_person_user_for(entry.child_id, day)
        if wanted is None or entry.task.owner_id == wanted.pk:
            continue
        task = entry.task
        flow_class = task.flow_task.flow_class
        with flow_class.lock(task.process_id), transaction.atomic():
            task = Task.objects.get(pk=task.pk)
            if task.status not in OPEN or task.owner_id == wanted.pk:
                continue
            previous = task.owner
            task.owner = wanted
            task.status = STATUS.ASSIGNED
            task.assigned = timezone.now()
            task.save(update_fields=["owner", "status", "assigned"])
            audit_record(actor=None, action="reroute", record=task, setting_id=entry.setting_id,
                         child_id=entry.child_id,
                         summary=f"'{task.title}' moved from {previous} to {wanted} for {day:%d %b}")
            moved += 1
    return moved



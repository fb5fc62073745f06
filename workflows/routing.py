"""Who a key person's task goes to on a given day.

Seed 004: "In the event of the key worker being on holiday ... off work due to illness, the secondary key
worker system comes into effect." A key-person task belongs to the key person unless they are absent that day,
when it goes to the secondary; `tasks_reroute` hands it back once they return.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import BooleanField
from django.db.models.expressions import RawSQL
from django.utils import timezone
from viewflow.workflow.status import STATUS

from processes.models import AssignmentRole, KeyPersonAssignment, StaffAbsence

from .compiled import CompiledQuery


def _acting(primary, secondary, absent: bool):
    """The key person, or the secondary while the key person is absent (the rule, in one place).

    Someone whose account is closed (they left the setting) acts for nobody: their tasks would wait in an inbox
    no one can open. With neither able to act, nobody: the task waits unowned for the manager to take.
    """
    primary_user = primary.user if primary is not None and primary.user.is_active else None
    secondary_user = secondary.user if secondary is not None and secondary.user.is_active else None
    if primary_user is None or (absent and secondary_user is not None):
        return secondary_user
    return primary_user


# Enough of the assignment, staff and user rows to name who acts; tasks are created with this user as owner.
# With the user's e-mail choice: the new task's notice reads it (notifications.services.for_staff), and it
# comes cheaper in this statement than in one of its own.
ACTING_COLUMNS = ("role", "staff__user__username", "staff__user__first_name", "staff__user__last_name",
                  "staff__user__email", "staff__user__is_active", "staff__user__notification_preference__email")


# Whether the holder of an assignment is away on a day. Written out because the ORM's Exists(OuterRef(...))
# took longer to build than the whole query takes to run, on a path every new task passes.
AWAY_ON = (f"EXISTS (SELECT 1 FROM {StaffAbsence._meta.db_table} away WHERE away.staff_id = "
           f"{KeyPersonAssignment._meta.db_table}.staff_id AND away.starts_on <= %s AND away.ends_on >= %s)")


def _current_assignments(*, child_id: int, on: dt.date):
    return (KeyPersonAssignment.objects.current().filter(child_id=child_id).order_by()
            .select_related("staff__user__notification_preference").only(*ACTING_COLUMNS)
            .annotate(away=RawSQL(AWAY_ON, (on, on), output_field=BooleanField())))


# Compiled once (workflows.compiled): every new key-person task asks.
_CURRENT_ASSIGNMENTS = CompiledQuery(KeyPersonAssignment, _current_assignments)


def key_person_user_for(child_id: int, on: dt.date | None = None):
    """The user who acts as the child's key person on `on`: the key person, or the secondary while absent.

    One query: the current assignments, each with whether its holder is absent that day.
    """
    current = {a.role: a for a in _CURRENT_ASSIGNMENTS.instances(child_id=child_id, on=on or timezone.localdate())}
    primary, secondary = current.get(AssignmentRole.PRIMARY), current.get(AssignmentRole.SECONDARY)
    return _acting(primary and primary.staff, secondary and secondary.staff, bool(primary and primary.away))


def tasks_reroute(*, on: dt.date | None = None, setting_id: int | None = None, child_ids=None) -> int:
    """Hand each open key-person task to whoever acts as the child's key person on its working day.

    The working day is the later of today and the task's due date: an overdue task goes to whoever is in
    today; a task due later stays with whoever will be in on that day. Returns how many tasks moved.
    Reads in three queries whatever the number of tasks; only a task that moves is locked and written.
    """
    from .models import OPEN, InboxEntry, TaskRole

    on = on or timezone.localdate()
    entries = InboxEntry.objects.filter(role=TaskRole.KEY_PERSON, task__status__in=OPEN)
    if setting_id is not None:
        entries = entries.filter(setting_id=setting_id)
    if child_ids is not None:
        entries = entries.filter(child_id__in=child_ids)
    entries = list(entries.select_related("task").order_by("task_id"))
    children = {e.child_id for e in entries}
    current: dict[int, dict[str, object]] = {}
    for a in KeyPersonAssignment.objects.current().filter(child_id__in=children).select_related("staff__user"):
        current.setdefault(a.child_id, {})[a.role] = a.staff
    primaries = {roles[AssignmentRole.PRIMARY].pk for roles in current.values() if AssignmentRole.PRIMARY in roles}
    absences: dict[int, list[tuple[dt.date, dt.date]]] = {}
    for staff_id, starts, ends in StaffAbsence.objects.filter(staff_id__in=primaries, ends_on__gte=on).values_list(
            "staff_id", "starts_on", "ends_on"):
        absences.setdefault(staff_id, []).append((starts, ends))

    moved = 0
    for entry in entries:
        day = max(on, timezone.localtime(entry.due_at).date()) if entry.due_at else on
        roles = current.get(entry.child_id, {})
        primary, secondary = roles.get(AssignmentRole.PRIMARY), roles.get(AssignmentRole.SECONDARY)
        absent = primary is not None and any(s <= day <= e for s, e in absences.get(primary.pk, ()))
        wanted = _acting(primary, secondary, absent)
        if wanted is None or entry.task.owner_id == wanted.pk:
            continue
        task = _task_owner_move(entry, owner=wanted, action="reroute", summary=lambda task, previous:
                                f"'{task.title}' moved from {previous} to {wanted} for {day:%d %b}")
        if task is not None:
            moved += 1
    return moved


def tasks_hand_on_from(*, user) -> int:
    """The open tasks of someone whose account has just been closed, handed on so that none waits for them:
    a key-person task to whoever acts for the child now (tasks_reroute), any other back to the unowned tasks
    its role may take. Each move is audited. Returns how many tasks moved."""
    from .models import InboxEntry

    children = list(KeyPersonAssignment.objects.current().filter(staff__user=user)
                    .values_list("child_id", flat=True))
    moved = tasks_reroute(child_ids=children) if children else 0
    for entry in InboxEntry.objects.filter(owner=user, is_open=True).select_related("task").order_by("task_id"):
        task = _task_owner_move(entry, owner=None, only_from=user, action="release", summary=lambda task, previous:
                                f"'{task.title}' given back: {user.get_username()}'s account is closed")
        if task is not None:
            moved += 1
    return moved


def _task_owner_move(entry, *, owner, action: str, summary, only_from=None):
    """Give an open task to `owner`, or back to the unowned tasks of its role (None), under its flow's lock,
    audited; the new owner is told. Checked again once the lock is ours: a task closed, already theirs or
    (with `only_from`) no longer held by that user is left alone and None returned."""
    from django.db import transaction
    from viewflow.workflow.models import Task

    from processes.services import audit_record

    from .models import OPEN
    from .signals import task_rerouted

    with entry.task.flow_task.flow_class.lock(entry.process_id), transaction.atomic():
        task = Task.objects.select_related("owner").get(pk=entry.task_id)
        if (task.status not in OPEN or task.owner_id == getattr(owner, "pk", None)
                or (only_from is not None and task.owner_id != only_from.pk)):
            return None
        previous = task.owner
        task.owner = owner
        task.status, task.assigned = (STATUS.ASSIGNED, timezone.now()) if owner else (STATUS.NEW, None)
        task.save(update_fields=["owner", "status", "assigned"])
        audit_record(actor=None, action=action, record=task, setting_id=entry.setting_id, child_id=entry.child_id,
                     summary=summary(task, previous))
        if owner is not None:
            task_rerouted.send(sender=Task, task=task, previous=previous, by=None)
        return task

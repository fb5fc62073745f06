"""Who a key person's task goes to on a given day.

Seed 004: "There will be times when the key worker is on holiday, unwell or on a different shift ... A
secondary key worker is chosen to look after the children during these times of absence." A key-person task
belongs to the key person unless they are away that day, when it goes to the secondary; `tasks_reroute` hands
it back once they return. Away means any of: a recorded absence; a working pattern without that day (a
different shift); or, today and once the setting's absence check time has passed on a day its register is
being kept, not signed in (processes.register).
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone
from viewflow.workflow.status import STATUS

from processes import sessions
from processes.dates import day_text
from processes.models import AssignmentRole, KeyPersonAssignment, StaffAbsence, StaffAttendance

from .rows import Columns


def _acting(primary_user, secondary_user, absent: bool):
    """The key person, or the secondary while the key person is absent (the rule, in one place).

    Someone whose account is closed (they left the setting) acts for nobody: their tasks would wait in an inbox
    no one can open. With neither able to act, nobody: the task waits unowned for the manager to take.
    """
    primary_user = primary_user if primary_user is not None and primary_user.is_active else None
    secondary_user = secondary_user if secondary_user is not None and secondary_user.is_active else None
    if primary_user is None or (absent and secondary_user is not None):
        return secondary_user
    return primary_user


User = get_user_model()
# Enough of the user to be a task's owner and be named in its notice; the rest loads if ever read.
USER = Columns(User, "u", ("id", "username", "first_name", "last_name", "email", "is_active"))
# With the user's e-mail choice: the new task's notice reads it (notifications.services.email_preference_of),
# and it comes cheaper in this statement than in one of its own. The model is the one behind the user's
# `notification_preference` relation, so routing names no module of the notifications app.
PREFERENCE_RELATION = User._meta.get_field("notification_preference")
PREFERENCE = Columns(PREFERENCE_RELATION.related_model, "pref", ("id", "user", "email"))

# The child's current key person and secondary, each with whether they are away on the day asked about: a
# recorded absence, a working pattern without that day, or (today, past the check time, the register being
# kept) not signed in. Parameters: see _away_params.
ACTING_FOR_CHILD = f"""
    SELECT a.role,
           (EXISTS (SELECT 1 FROM processes_staffabsence away
                     WHERE away.staff_id = a.staff_id AND away.starts_on <= %s AND away.ends_on >= %s)
            OR (%s <> 0 AND (staff.working_sessions & %s) = 0)
            OR (%s >= st.absence_check_at
                AND NOT EXISTS (SELECT 1 FROM processes_staffattendance came
                                 WHERE came.staff_id = a.staff_id AND came.day = %s)
                AND EXISTS (SELECT 1 FROM processes_staffattendance kept
                             WHERE kept.setting_id = staff.setting_id AND kept.day = %s))) AS away,
           {USER.sql}, {PREFERENCE.sql}
      FROM processes_keypersonassignment a
      JOIN processes_staff staff ON staff.id = a.staff_id
      JOIN processes_setting st ON st.id = staff.setting_id
      JOIN auth_user u ON u.id = staff.user_id
      LEFT JOIN notifications_notificationpreference pref ON pref.user_id = u.id
     WHERE a.child_id = %s AND a.ends_on IS NULL"""


def _register_time(on: dt.date):
    """The time of day the register's "not signed in" rule compares with the check time: now, when `on` is
    today; never (NULL) for another day, which nobody has signed in for yet, or has passed."""
    now = timezone.localtime()
    return connection.ops.adapt_timefield_value(now.time().replace(microsecond=0)) if on == now.date() else None


def _away_params(on: dt.date) -> list:
    mask = sessions.day_mask(on)
    return [on, on, mask, mask, _register_time(on), on, on]


def not_in_today(*, staff_by_setting: dict[int, set[int]], check_at: dict[int, dt.time], on: dt.date) -> set[int]:
    """Of the given staff {setting: {staff}}, those not signed in on `on` though their setting's register is
    being kept and its check time has passed (today only): one query. The same rule as ACTING_FOR_CHILD's."""
    now = timezone.localtime()
    if on != now.date():
        return set()
    settings_due = [sid for sid in staff_by_setting if now.time() >= check_at[sid]]
    if not settings_due:
        return set()
    came, kept = set(), set()
    for staff_id, setting_id in StaffAttendance.objects.filter(day=on, setting_id__in=settings_due).values_list(
            "staff_id", "setting_id"):
        came.add(staff_id)
        kept.add(setting_id)
    return {staff for sid in kept for staff in staff_by_setting[sid] if staff not in came}


def current_key_persons(*, child_id: int, on: dt.date) -> dict[str, tuple]:
    """{role: (user, away on `on`)} of the child's current assignments, in one statement.

    Written as SQL by hand because every new key-person task asks it: through the ORM, building the queryset
    (select_related over four tables, only(), an Exists annotation) took longer in Python than the database
    takes to answer (scripts/bench.py). tests/test_hot_reads.py compares it with that queryset. Each user comes
    with their e-mail choice loaded; a user who never chose has no row and reads as the default choice, as
    email_preference_of reads a missing row, without a query.
    """
    with connection.cursor() as cursor:
        cursor.execute(ACTING_FOR_CHILD, [*_away_params(on), child_id])
        rows = cursor.fetchall()
    current = {}
    for role, away, *rest in rows:
        values = iter(rest)
        user = USER.load(values, connection)
        # No row: an unsaved preference with the model's defaults, so reading it sends no query.
        user.notification_preference = (PREFERENCE.load(values, connection)
                                        or PREFERENCE_RELATION.related_model())
        current[role] = (user, bool(away))
    return current


def key_person_user_for(child_id: int, on: dt.date | None = None):
    """The user who acts as the child's key person on `on`: the key person, or the secondary while absent."""
    current = current_key_persons(child_id=child_id, on=on or timezone.localdate())
    primary, away = current.get(AssignmentRole.PRIMARY, (None, False))
    secondary, _ = current.get(AssignmentRole.SECONDARY, (None, False))
    return _acting(primary, secondary, away)


def tasks_reroute(*, on: dt.date | None = None, setting_id: int | None = None, child_ids=None) -> int:
    """Hand each open key-person task to whoever acts as the child's key person on its working day.

    The working day is the later of today and the task's due date: an overdue task goes to whoever is in
    today; a task due later stays with whoever will be in on that day. Returns how many tasks moved.
    Reads in at most four queries whatever the number of tasks; only a task that moves is locked and written.
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
    for a in (KeyPersonAssignment.objects.current().filter(child_id__in=children)
              .select_related("staff__user", "staff__setting")):
        current.setdefault(a.child_id, {})[a.role] = a.staff
    primary_staff = {roles[AssignmentRole.PRIMARY] for roles in current.values() if AssignmentRole.PRIMARY in roles}
    primaries = {staff.pk for staff in primary_staff}
    absences: dict[int, list[tuple[dt.date, dt.date]]] = {}
    for staff_id, starts, ends in StaffAbsence.objects.filter(staff_id__in=primaries, ends_on__gte=on).values_list(
            "staff_id", "starts_on", "ends_on"):
        absences.setdefault(staff_id, []).append((starts, ends))
    by_setting: dict[int, set[int]] = {}
    for staff in primary_staff:
        by_setting.setdefault(staff.setting_id, set()).add(staff.pk)
    not_in = not_in_today(staff_by_setting=by_setting, on=on,
                          check_at={s.setting_id: s.setting.absence_check_at for s in primary_staff})

    moved = 0
    for entry in entries:
        if getattr(entry.task.flow_task, "keeps_owner", False):
            continue  # the new key person's step of a move or change: theirs whoever acts for the child today
        day = max(on, timezone.localtime(entry.due_at).date()) if entry.due_at else on
        roles = current.get(entry.child_id, {})
        primary, secondary = roles.get(AssignmentRole.PRIMARY), roles.get(AssignmentRole.SECONDARY)
        absent = primary is not None and (
            any(s <= day <= e for s, e in absences.get(primary.pk, ()))
            or (sessions.day_mask(day) != 0 and not primary.working_sessions & sessions.day_mask(day))
            or (day == on and primary.pk in not_in))
        wanted = _acting(primary and primary.user, secondary and secondary.user, absent)
        if wanted is None or entry.task.owner_id == wanted.pk:
            continue
        # The summary is written during the move, within this iteration: the defaults only say so to the reader.
        task = _task_owner_move(
            entry, owner=wanted, action="reroute",
            summary=lambda task, previous, wanted=wanted, day=day:
                f"'{task.title}' moved from {previous} to {wanted} for {day_text(day)}",
        )
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

"""Changes of key person: for one child (the parents ask, it has not "clicked", a caseload review), for all of
a leaver's key children at once, or for a long absence.

Steps Ahead: "keyworkers will change when ... a member of staff leaves, however the transition to a new
keyworker will be done wherever possible at the child's pace and sympathetically". Each change gets its own
handover, a gradual introduction and, on the day, the parents' letter naming the new key person (sent on
key_person_changed by notifications). The workflow's steps call these (workflows.key_person_change).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from .. import date_bounds
from ..errors import RuleViolation
from ..models import (
    AssignmentRole,
    ChangeReason,
    Child,
    KeyPersonAssignment,
    KeyPersonChange,
    Staff,
    StaffAbsence,
    TransitionStatus,
)
from ..models.children import ATTENDING
from ..signals import key_person_change_planned, transition_ended
from .audit import audit_record
from .children import _require_manager
from .introduction import require_carer
from .keyperson import _key_persons_replace
from .room_move import _key_person_check


def absence_is_long(absence: StaffAbsence, setting) -> bool:
    """Longer than the setting's threshold: the absent key person's children are offered a change of key
    person; a shorter absence stays with the secondary (seed 004)."""
    return (absence.ends_on - absence.starts_on).days + 1 > 7 * setting.long_absence_weeks


def _require_open(change: KeyPersonChange) -> None:
    if change.status != TransitionStatus.OPEN:
        raise RuleViolation(f"This change of key person is {change.get_status_display().lower()}.")


def _plan(*, child: Child, current: dict, to_staff: Staff, to_secondary: Staff, reason: ChangeReason,
          change_on: dt.date, notes: str, by) -> KeyPersonChange:
    if child.state not in ATTENDING:
        raise RuleViolation(f"{child.name} has left the setting.")
    primary = current.get(AssignmentRole.PRIMARY)
    if primary is None:
        raise RuleViolation(f"{child.name} has no key person yet: allocate one instead.")
    if to_staff.pk == to_secondary.pk:
        raise RuleViolation(f"{child.name}: the secondary must be someone other than the new key person.",
                            field="secondary")
    if to_staff.pk == primary.staff_id:
        raise RuleViolation(f"{to_staff} is already {child.name}'s key person.", field="successor")
    _key_person_check(to_staff, child, "successor")
    _key_person_check(to_secondary, child, "secondary")
    change = KeyPersonChange.objects.create(
        child=child, reason=reason, notes=notes.strip(), from_staff_id=primary.staff_id, to_staff=to_staff,
        to_secondary=to_secondary, change_on=change_on, created_by=by,
    )
    audit_record(actor=by, action="create", record=change, setting_id=child.setting_id, child_id=child.pk,
                 summary=f"Planned {to_staff} as key person from {change_on:%d %b %Y} ({reason.label.lower()})")
    key_person_change_planned.send(sender=KeyPersonChange, change=change, by=by)
    return change


def _reason(reason: str) -> ChangeReason:
    try:
        return ChangeReason(reason)
    except ValueError:
        raise RuleViolation("Choose why the key person changes.", field="reason") from None


def _date(change_on: dt.date | None, child: Child) -> dt.date:
    today = timezone.localdate()
    change_on = change_on or today
    date_bounds.in_the_childs_life(change_on, child, field="change_on")
    date_bounds.not_before(change_on, today, field="change_on", why="today")
    return change_on


@transaction.atomic
def key_person_change_start(*, child: Child, to_staff: Staff, to_secondary: Staff, reason: str, by,
                            change_on: dt.date | None = None, notes: str = "") -> KeyPersonChange:
    """Plan a change of key person for one child; the change workflow starts (workflows.receivers)."""
    _require_manager(by, child.setting_id, "change a key person")
    if child.key_person_changes.filter(status=TransitionStatus.OPEN).exists():
        raise RuleViolation(f"{child.name} already has a change of key person under way.")
    current = {a.role: a for a in child.assignments.current()}
    return _plan(child=child, current=current, to_staff=to_staff, to_secondary=to_secondary, reason=_reason(reason),
                 change_on=_date(change_on, child), notes=notes, by=by)


@transaction.atomic
def key_person_changes_for_leaver(*, staff: Staff, leaving_on: dt.date, rows: Iterable[tuple[Child, Staff, Staff]],
                                  by, reason: str = ChangeReason.STAFF_LEAVING,
                                  notes: str = "") -> list[KeyPersonChange]:
    """All of a leaver's (or a long-absent key person's) key children in one go: a successor and a secondary
    for each, taking over on `leaving_on`. All or nothing: one refusal changes none."""
    _require_manager(by, staff.setting_id, "change key persons")
    rows = list(rows)
    if not rows:
        raise RuleViolation(f"{staff} has no key children to hand on.")
    reason = _reason(reason)
    children = [child for child, _, _ in rows]
    busy = set(KeyPersonChange.objects.filter(child__in=children, status=TransitionStatus.OPEN)
               .values_list("child_id", flat=True))
    current: dict[int, dict] = {}
    for a in KeyPersonAssignment.objects.current().filter(child__in=children):
        current.setdefault(a.child_id, {})[a.role] = a
    changes = []
    for child, successor, secondary in rows:
        if child.setting_id != staff.setting_id:
            raise RuleViolation("That child belongs to another setting.")
        if child.pk in busy:
            raise RuleViolation(f"{child.name} already has a change of key person under way.")
        changes.append(_plan(child=child, current=current.get(child.pk, {}), to_staff=successor,
                             to_secondary=secondary, reason=reason, change_on=_date(leaving_on, child), notes=notes,
                             by=by))
    return changes


@transaction.atomic(savepoint=False)
def key_person_change_introduction_record(*, change: KeyPersonChange, by, introduced_on: dt.date,
                                          notes: str) -> KeyPersonChange:
    """The new key person's gradual introduction to the child and the parents (Potton: "with gradual
    introductions and parental involvement")."""
    require_carer(by, change.child, "record the introduction")
    _require_open(change)
    if not notes.strip():
        raise RuleViolation("Say how the introduction went, and how the parents were involved.", field="notes")
    date_bounds.in_the_childs_life(introduced_on, change.child, field="introduced_on")
    date_bounds.not_in_the_future(introduced_on, field="introduced_on", what="An introduction")
    change.introduced_on, change.introduction_notes = introduced_on, notes.strip()
    change.save(update_fields=["introduced_on", "introduction_notes"])
    audit_record(actor=by, action="update", record=change, setting_id=change.child.setting_id,
                 child_id=change.child_id, summary=f"{change.to_staff} introduced to {change.child.name}")
    return change


@transaction.atomic(savepoint=False)
def key_person_change_complete(*, change: KeyPersonChange, by) -> KeyPersonChange:
    """On the day, the new key person and secondary take over (the old assignments ended, kept as history);
    the parents' letter names them (notifications, on key_person_changed) and the child's tasks follow."""
    # The child read once, locked: the rules below and the assignments work on it.
    child = change.child = Child.objects.select_for_update().get(pk=change.child_id)
    _require_manager(by, child.setting_id, "complete a change of key person")
    _require_open(change)
    today = timezone.localdate()
    if today < change.change_on:
        raise RuleViolation(f"The change is planned for {change.change_on:%-d %b %Y}: it happens on the day.")
    current = {a.role: a for a in child.assignments.current().select_related("staff__user")
               .select_for_update(of=("self",))}
    reason = change.get_reason_display()
    # Both roles in one UPDATE and one INSERT, announced once (the tasks rerouted, the parents' letter queued).
    _key_persons_replace(child=child, current=current, by=by, starts_on=today, wanted=[
        (change.to_staff, AssignmentRole.PRIMARY, reason, "Agreed when the change was planned"),
        (change.to_secondary, AssignmentRole.SECONDARY, reason, "")])
    change.status, change.changed_on = TransitionStatus.DONE, today
    change.save(update_fields=["status", "changed_on"])
    audit_record(actor=by, action="update", record=change, setting_id=child.setting_id, child_id=child.pk,
                 summary=f"{change.to_staff} is now {child.name}'s key person")
    return change


@transaction.atomic
def key_person_change_cancel(*, change: KeyPersonChange, by, reason: str) -> KeyPersonChange:
    _require_manager(by, change.child.setting_id, "cancel a change of key person")
    _require_open(change)
    if not reason.strip():
        raise RuleViolation("Say why the change is cancelled.", field="reason")
    change.status, change.end_reason = TransitionStatus.CANCELLED, reason.strip()
    change.save(update_fields=["status", "end_reason"])
    audit_record(actor=by, action="cancel", record=change, setting_id=change.child.setting_id,
                 child_id=change.child_id, summary=f"Cancelled the change to {change.to_staff}: {reason.strip()}")
    transition_ended.send(sender=KeyPersonChange, child=change.child, kind="key_person_change",
                          reason=reason.strip(), by=by)
    return change

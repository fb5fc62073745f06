from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from .. import date_bounds
from ..errors import Conflict, RuleViolation
from ..models import AssignmentRole, Child, KeyPersonAssignment, LifecycleState, Staff
from ..signals import child_allocated_elsewhere, key_person_changed
from .audit import audit_record
from .children import _require_manager
from .lifecycle import lifecycle_move


def caseload_of(staff: Staff) -> int:
    return KeyPersonAssignment.objects.current().filter(staff=staff, role=AssignmentRole.PRIMARY).count()


@transaction.atomic
def key_person_assign(
    *,
    child: Child,
    staff: Staff,
    role: str,
    by,
    starts_on: dt.date | None = None,
    reason: str = "",
    over_caseload_reason: str = "",
) -> KeyPersonAssignment:
    """Make `staff` the child's key person (primary) or secondary, ending whoever held that role.

    The old row is ended, never overwritten: the child's history of key persons stays whole.
    """
    _require_manager(by, child.setting_id, "allocate key persons")
    try:
        role = AssignmentRole(role)
    except ValueError:
        raise RuleViolation(f"There is no key person role called {role!r}.", field="role") from None
    # Serialise changes to one child's key persons, so two managers cannot both "replace" the same row.
    child = Child.objects.select_for_update().get(pk=child.pk)
    current = {a.role: a for a in child.assignments.current().select_for_update()}
    return _assign(child=child, current=current, staff=staff, role=role, by=by, starts_on=starts_on, reason=reason,
                   over_caseload_reason=over_caseload_reason)


def _assign(*, child: Child, current: dict, staff: Staff, role: AssignmentRole, by, starts_on: dt.date | None,
            reason: str, over_caseload_reason: str) -> KeyPersonAssignment:
    """The assignment itself, on a child and current assignments the caller has locked; `current` is kept
    up to date, so a caller making two assignments reads them once."""
    [made] = _assignments_make(child=child, current=current, by=by, made=[
        _assignment_prepare(child=child, current=current, staff=staff, role=role, by=by, starts_on=starts_on,
                            reason=reason, over_caseload_reason=over_caseload_reason)])
    return made


class _Prepared:
    """An assignment checked and ready to insert, with the rows it ends."""

    def __init__(self, assignment: KeyPersonAssignment, holding, ended: list, over_caseload_reason: str) -> None:
        self.assignment, self.holding, self.ended = assignment, holding, ended
        self.over_caseload_reason = over_caseload_reason


def _assignment_prepare(*, child: Child, current: dict, staff: Staff, role: AssignmentRole, by,
                        starts_on: dt.date | None, reason: str, over_caseload_reason: str,
                        agreed_over_caseload: str = "", save_ended: bool = True,
                        caseload: int | None = None) -> _Prepared:
    """The rules of one assignment, checked; the rows it replaces ended. Nothing is inserted yet.

    `agreed_over_caseload`: the reason to record should the key person be over their caseload, agreed earlier
    (when a move or change was planned); `save_ended=False` leaves the ended rows for the caller to write;
    `caseload`: the staff's primary caseload, should the caller have counted it already under its lock."""
    if staff.setting_id != child.setting_id:
        raise RuleViolation("That member of staff works at another setting.", field="staff")
    if not staff.is_key_person:
        raise RuleViolation(f"{staff} is not a key person.", field="staff")
    if not staff.user.is_active:
        raise RuleViolation(f"{staff} no longer has an active account.", field="staff")
    if child.state in (LifecycleState.LEFT, LifecycleState.WITHDRAWN):
        raise RuleViolation(f"{child} has left the setting.")
    if starts_on is not None:
        date_bounds.in_the_childs_life(starts_on, child, field="starts_on")
    starts_on = starts_on or timezone.localdate()

    holding = current.get(role)
    if holding and holding.staff_id == staff.pk:
        raise RuleViolation(f"{staff} is already {child}'s {role.label.lower()}.", field="staff")
    other = current.get(AssignmentRole.SECONDARY if role == AssignmentRole.PRIMARY else AssignmentRole.PRIMARY)
    if other and other.staff_id == staff.pk and role == AssignmentRole.SECONDARY:
        raise RuleViolation(f"{staff} is already {child}'s key person: the secondary must be someone else.",
                            field="staff")

    if role == AssignmentRole.PRIMARY:
        load = caseload_of(staff) if caseload is None else caseload
        if load >= staff.max_caseload and not over_caseload_reason.strip():
            over_caseload_reason = agreed_over_caseload
        if load >= staff.max_caseload and not over_caseload_reason.strip():
            raise RuleViolation(
                f"{staff} already has {load} key children (maximum {staff.max_caseload}). "
                "Give a reason to go over their caseload.",
                field="over_caseload_reason",
            )
    ended = [a for a in (holding, other if other and other.staff_id == staff.pk else None) if a]
    for old in ended:
        old.ends_on = max(starts_on, old.starts_on)
        old.end_reason = reason or f"Replaced by {staff}"
        if save_ended:
            old.save(update_fields=["ends_on", "end_reason"])
    for old in ended:
        current.pop(old.role, None)
    assignment = KeyPersonAssignment(child=child, staff=staff, role=role, starts_on=starts_on, reason=reason,
                                     over_caseload_reason=over_caseload_reason.strip(), created_by=by)
    return _Prepared(assignment, holding, ended, over_caseload_reason)


def _key_persons_replace(*, child: Child, current: dict, by, starts_on: dt.date,
                         wanted: list[tuple[Staff, AssignmentRole, str, str]],
                         caseloads: dict[int, int] | None = None) -> list[KeyPersonAssignment]:
    """A move's or change's new key persons together, on a child and current assignments the caller has locked:
    `wanted` is (staff, role, reason, reason agreed for going over the caseload); a role the staff already hold
    is kept; `caseloads` by staff id, where the caller counted them. The ended rows in one UPDATE, the new
    ones in one INSERT, announced once."""
    made, ended = [], []
    for staff, role, reason, agreed in wanted:
        holding = current.get(role)
        if holding and holding.staff_id == staff.pk:
            continue
        prepared = _assignment_prepare(child=child, current=current, staff=staff, role=role, by=by,
                                       starts_on=starts_on, reason=reason, over_caseload_reason="",
                                       agreed_over_caseload=agreed, save_ended=False,
                                       caseload=(caseloads or {}).get(staff.pk))
        # The next role's rules see this one as made, as they would one at a time.
        current[role] = prepared.assignment
        made.append(prepared)
        ended.extend(prepared.ended)
    if ended:
        KeyPersonAssignment.objects.bulk_update(ended, ["ends_on", "end_reason"])
    # No savepoint for the INSERT: under the child's and its assignments' locks no one else can have made a
    # current row, and a failure undoes the caller's whole step anyway.
    return _assignments_make(child=child, current=current, by=by, made=made, savepoint=False)


def _assignments_make(*, child: Child, current: dict, by, made: list[_Prepared],
                      announce: bool = True, savepoint: bool = True) -> list[KeyPersonAssignment]:
    """Insert the prepared assignments in one statement, audit each, and (`announce`) tell the other apps once."""
    try:
        with transaction.atomic(savepoint=savepoint):
            KeyPersonAssignment.objects.bulk_create([m.assignment for m in made])
    except IntegrityError:
        raise Conflict(f"{child}'s key persons were changed by someone else just now. Reload and try again.") from None
    for m in made:
        assignment, holding = m.assignment, m.holding
        previous = f" (was {holding.staff})" if holding else ""
        audit_record(
            actor=by, action="assign", record=assignment, child_id=child.pk, setting_id=child.setting_id,
            summary=f"{assignment.staff} is now {child}'s {assignment.get_role_display().lower()}{previous}",
            changes={"role": assignment.role, "staff": assignment.staff_id,
                     "previous": holding.staff_id if holding else None,
                     "over_caseload_reason": m.over_caseload_reason},
        )
        current[assignment.role] = assignment
    if announce and made:
        # Once for the change, however many roles it made: the receivers act on the child (its tasks rerouted,
        # the parents' letter), not on one assignment.
        key_person_changed.send(sender=KeyPersonAssignment, child=child, assignment=made[0].assignment, by=by)
    return [m.assignment for m in made]


@transaction.atomic
def key_person_end(*, assignment: KeyPersonAssignment, by, reason: str, ends_on: dt.date | None = None) -> None:
    _require_manager(by, assignment.child.setting_id, "end a key person assignment")
    if not reason.strip():
        raise RuleViolation("Say why the assignment ends.", field="reason")
    assignment = KeyPersonAssignment.objects.select_for_update().get(pk=assignment.pk)
    if assignment.ends_on is not None:
        raise RuleViolation("That assignment has already ended.")
    _assignment_close(assignment, by=by, reason=reason, ends_on=ends_on or timezone.localdate(),
                      setting_id=assignment.child.setting_id)


def _assignment_close(assignment: KeyPersonAssignment, *, by, reason: str, ends_on: dt.date, setting_id: int) -> None:
    """End one assignment, never before the day it began, and audit the end."""
    assignment.ends_on = max(ends_on, assignment.starts_on)
    assignment.end_reason = reason
    assignment.save(update_fields=["ends_on", "end_reason"])
    audit_record(actor=by, action="end", record=assignment, child_id=assignment.child_id, setting_id=setting_id,
                 summary=f"Ended {assignment.staff} as {assignment.get_role_display().lower()}: {reason}")


def key_persons_release(*, child: Child, by, reason: str, ends_on: dt.date) -> int:
    """End the current key person and secondary of a child who has left: they leave their caseloads, and
    with them the right to open the child's record (the manager keeps it). Returns how many ended.

    Called by the lifecycle receiver on leave and withdraw (processes.receivers), in the transition's
    transaction, so a transition that fails leaves the assignments as they were.
    """
    current = list(child.assignments.current().select_for_update().select_related("staff__user"))
    for assignment in current:
        _assignment_close(assignment, by=by, reason=reason, ends_on=ends_on, setting_id=child.setting_id)
    return len(current)


@transaction.atomic(savepoint=False)  # a step's service: a refusal undoes the step (services.introduction)
def child_allocate(
    *,
    child: Child,
    primary: Staff,
    secondary: Staff,
    by,
    starts_on: dt.date | None = None,
    reason: str = "",
    over_caseload_reason: str = "",
    from_task: bool = False,
) -> Child:
    """Give a child their key person and secondary (keeping whoever already holds a role) and move them to
    "allocated" (EYFS 3.26).

    `from_task`: the allocation workflow's own step is making it, and moves its flow on by itself; any other
    allocation is announced (child_allocated_elsewhere) for the workflows to answer.
    """
    if primary.pk == secondary.pk:
        raise RuleViolation("The secondary key person must be someone other than the key person.", field="secondary")
    _require_manager(by, child.setting_id, "allocate key persons")
    # One lock on the child and its key persons for both assignments and the move (key_person_assign's own
    # transaction and reads would be a savepoint and two reads more for each).
    child = Child.objects.select_for_update().get(pk=child.pk)
    current = {a.role: a for a in child.assignments.current().select_for_update()}
    made = []
    for staff, role, over in ((primary, AssignmentRole.PRIMARY, over_caseload_reason),
                              (secondary, AssignmentRole.SECONDARY, "")):
        holding = current.get(role)
        if not holding or holding.staff_id != staff.pk:
            made.append(_assignment_prepare(child=child, current=current, staff=staff, role=role, by=by,
                                            starts_on=starts_on, reason=reason, over_caseload_reason=over))
    # Both rows in one INSERT (one savepoint), then the move: its guards ask which roles are current, which this
    # service has just read and written under the child's lock (Child.current_roles_noted).
    _assignments_make(child=child, current=current, by=by, made=made)
    child.current_roles_noted(set(current))
    try:
        child = lifecycle_move(child=child, transition="allocate", by=by, reason=reason, locked=True)
    finally:
        child.current_roles_noted(None)
    if not from_task:
        child_allocated_elsewhere.send(sender=Child, child=child, by=by)
    return child

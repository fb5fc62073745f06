"""The daily register's writes: children and staff signed in and out, absences explained.

Any member of staff of the setting keeps the register (it is the room's tablet, passed from hand to hand);
each entry is audited with who made it.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from ..access import staff_of
from ..errors import Conflict, NotPermitted, RuleViolation
from ..models import AbsenceFollowUp, Child, ChildAttendance, Room, Staff, StaffAttendance
from ..models.children import ATTENDING
from .audit import audit_record


def _require_staff_of(by, setting_id: int) -> None:
    staff = staff_of(by)
    if staff is None or staff.setting_id != setting_id:
        raise NotPermitted("Only the setting's staff keep its register.")


def _at(at: dt.datetime | None) -> dt.datetime:
    at = at or timezone.now()
    if timezone.is_naive(at):
        raise RuleViolation("A time in the register must say its time zone.", field="at")
    if at > timezone.now() + dt.timedelta(minutes=5):
        raise RuleViolation("The register records what has happened: that time is still to come.", field="at")
    return at


def _attendance(child: Child, day: dt.date, by) -> ChildAttendance:
    """The child's row for the day, locked; made first if there is none. Two statements whoever got there first:
    an insert that does nothing when the row exists (the unique constraint), then the locked read."""
    ChildAttendance.objects.bulk_create([ChildAttendance(child=child, setting_id=child.setting_id, day=day,
                                                         room_id=child.room_id, recorded_by=by)],
                                        ignore_conflicts=True)
    return ChildAttendance.objects.select_for_update().get(child=child, day=day)


@transaction.atomic
def child_sign_in(*, child: Child, by, at: dt.datetime | None = None, brought_by: str = "",
                  room: Room | None = None) -> ChildAttendance:
    """The child arrives. Into their own room unless another is given (a transition visit counts there)."""
    _require_staff_of(by, child.setting_id)
    at = _at(at)
    if child.state not in ATTENDING:
        raise RuleViolation(f"{child} no longer attends the setting.")
    room = room or child.room
    if room is not None and room.setting_id != child.setting_id:
        raise RuleViolation("That room belongs to another setting.", field="room")
    day = timezone.localtime(at).date()
    if day < child.date_of_birth:
        raise RuleViolation("That time is before the child was born.", field="at")
    row = _attendance(child, day, by)
    if row.signed_in_at is not None and row.signed_out_at is None:
        raise Conflict(f"{child} is already signed in (since {timezone.localtime(row.signed_in_at):%H:%M}).")
    if row.signed_out_at is not None:
        raise Conflict(f"{child} was signed out at {timezone.localtime(row.signed_out_at):%H:%M}: correct the "
                       "sign-out instead of signing in again.")
    row.signed_in_at, row.brought_by, row.room_id = at, brought_by.strip()[:100], getattr(room, "pk", None)
    row.absence_reason, row.recorded_by = "", by
    row.save(update_fields=["signed_in_at", "brought_by", "room", "absence_reason", "recorded_by", "updated_at"])
    audit_record(actor=by, action="update", record=row, setting_id=child.setting_id, child_id=child.pk,
                 summary=f"{child} signed in at {timezone.localtime(at):%H:%M}"
                         + (f", brought by {row.brought_by}" if row.brought_by else ""))
    return row


@transaction.atomic
def child_sign_out(*, child: Child, by, collected_by: str, at: dt.datetime | None = None) -> ChildAttendance:
    """The child is collected, by a named person (who collected is part of the register)."""
    _require_staff_of(by, child.setting_id)
    at = _at(at)
    if not collected_by.strip():
        raise RuleViolation("Say who collected the child.", field="collected_by")
    row = ChildAttendance.objects.select_for_update().filter(
        child=child, day=timezone.localtime(at).date()).first()
    if row is None or row.signed_in_at is None:
        raise RuleViolation(f"{child} has not been signed in today.")
    if row.signed_out_at is not None:
        raise Conflict(f"{child} was already signed out at {timezone.localtime(row.signed_out_at):%H:%M}.")
    if at < row.signed_in_at:
        raise RuleViolation("The sign-out comes before the sign-in.", field="at")
    row.signed_out_at, row.collected_by, row.recorded_by = at, collected_by.strip()[:100], by
    row.save(update_fields=["signed_out_at", "collected_by", "recorded_by", "updated_at"])
    audit_record(actor=by, action="update", record=row, setting_id=child.setting_id, child_id=child.pk,
                 summary=f"{child} collected by {row.collected_by} at {timezone.localtime(at):%H:%M}")
    return row


@transaction.atomic
def child_absence_explain(*, child: Child, by, day: dt.date, reason: str) -> ChildAttendance:
    """The parents said why the child is not coming (ill, holiday…): no follow-up is raised for that day."""
    return _explain(child=child, by=by, day=day, reason=reason)


def _explain(*, child: Child, by, day: dt.date, reason: str) -> ChildAttendance:
    _require_staff_of(by, child.setting_id)
    reason = reason.strip()
    if not reason:
        raise RuleViolation("Give the reason the parents gave.", field="reason")
    today = timezone.localdate()
    if not today - dt.timedelta(days=31) <= day <= today + dt.timedelta(days=366):
        raise RuleViolation("An absence is explained for a day within the last month or the coming year.",
                            field="day")
    row = _attendance(child, day, by)
    if row.signed_in_at is not None:
        raise Conflict(f"{child} was signed in that day.")
    row.absence_reason, row.recorded_by = reason[:200], by
    row.save(update_fields=["absence_reason", "recorded_by", "updated_at"])
    audit_record(actor=by, action="update", record=row, setting_id=child.setting_id, child_id=child.pk,
                 summary=f"{child} absent on {day:%d %b %Y}: {row.absence_reason}")
    return row


@transaction.atomic
def staff_sign_in(*, staff: Staff, by, room: Room | None, at: dt.datetime | None = None) -> StaffAttendance:
    """A member of staff starts in a room; already in another, they move (one row ends, the next begins)."""
    _require_staff_of(by, staff.setting_id)
    at = _at(at)
    if room is not None and room.setting_id != staff.setting_id:
        raise RuleViolation("That room belongs to another setting.", field="room")
    current = StaffAttendance.objects.select_for_update().filter(staff=staff, signed_out_at__isnull=True).first()
    if current is not None:
        if current.room_id == getattr(room, "pk", None):
            raise Conflict(f"{staff} is already signed in to {room or 'the setting'}.")
        current.signed_out_at = max(at, current.signed_in_at)
        current.save(update_fields=["signed_out_at"])
    row = StaffAttendance.objects.create(staff=staff, setting_id=staff.setting_id, room=room,
                                         day=timezone.localtime(at).date(), signed_in_at=at, recorded_by=by)
    audit_record(actor=by, action="create", record=row, setting_id=staff.setting_id,
                 summary=f"{staff} in {room or 'the setting'} from {timezone.localtime(at):%H:%M}")
    return row


@transaction.atomic
def staff_sign_out(*, staff: Staff, by, at: dt.datetime | None = None) -> StaffAttendance:
    _require_staff_of(by, staff.setting_id)
    at = _at(at)
    current = StaffAttendance.objects.select_for_update().filter(staff=staff, signed_out_at__isnull=True).first()
    if current is None:
        raise RuleViolation(f"{staff} is not signed in.")
    current.signed_out_at = max(at, current.signed_in_at)
    current.save(update_fields=["signed_out_at"])
    audit_record(actor=by, action="update", record=current, setting_id=staff.setting_id,
                 summary=f"{staff} signed out at {timezone.localtime(at):%H:%M}")
    return current


def absence_follow_up_close(*, follow_up: AbsenceFollowUp, by, outcome: str, reason: str = "") -> AbsenceFollowUp:
    """What came of a follow-up: the parents' reason (which explains the day in the register) and what was done.
    Called inside its task's step, which holds the transaction."""
    _require_staff_of(by, follow_up.setting_id)
    outcome = outcome.strip()
    if not outcome:
        raise RuleViolation("Say what was done and what came of it.", field="outcome")
    if follow_up.closed_at is not None:
        raise Conflict("This follow-up has already been recorded.")
    if reason.strip():
        _explain(child=follow_up.child, by=by, day=follow_up.day, reason=reason)
    follow_up.outcome, follow_up.closed_by, follow_up.closed_at = outcome, by, timezone.now()
    follow_up.save(update_fields=["outcome", "closed_by", "closed_at"])
    audit_record(actor=by, action="update", record=follow_up, setting_id=follow_up.setting_id,
                 child_id=follow_up.child_id, summary=f"{follow_up}: {outcome}")
    return follow_up

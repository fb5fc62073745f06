from __future__ import annotations

import datetime as dt

from django.db import transaction

from ..errors import RuleViolation
from ..models import Staff, StaffAbsence
from ..signals import staff_absence_recorded
from .audit import audit_record
from .children import _require_manager


def staff_absent_on(*, staff: Staff, day: dt.date) -> bool:
    return staff.absences.filter(starts_on__lte=day, ends_on__gte=day).exists()


@transaction.atomic
def staff_absence_record(
    *, staff: Staff, by, starts_on: dt.date, ends_on: dt.date, reason: str
) -> StaffAbsence:
    """Record an absence. While it lasts, the key person's children's tasks go to their secondary."""
    _require_manager(by, staff.setting_id, "record staff absence")
    if ends_on < starts_on:
        raise RuleViolation("The absence ends before it starts.", field="ends_on")
    if not reason.strip():
        raise RuleViolation("Give a reason for the absence.", field="reason")
    if staff.absences.filter(starts_on__lte=ends_on, ends_on__gte=starts_on).exists():
        raise RuleViolation(f"{staff} already has an absence recorded in those dates.", field="starts_on")
    absence = StaffAbsence.objects.create(
        staff=staff, starts_on=starts_on, ends_on=ends_on, reason=reason.strip(), recorded_by=by
    )
    audit_record(actor=by, action="create", record=absence, setting_id=staff.setting_id,
                 summary=f"{staff} absent {starts_on:%d %b}–{ends_on:%d %b %Y}: {reason}")
    staff_absence_recorded.send(sender=StaffAbsence, absence=absence, by=by)
    return absence

from __future__ import annotations

import datetime as dt

from django.db import transaction

from .. import sessions
from ..date_bounds import not_in_the_future
from ..dates import day_text
from ..errors import RuleViolation
from ..models import Room, Setting, Staff, StaffAbsence
from ..signals import staff_absence_ended, staff_absence_recorded
from .audit import audit_record
from .changes import require_setting_admin, unknown_fields, update_checked, validate
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
                 summary=f"{staff} absent {day_text(starts_on)}–{day_text(ends_on)}: {reason}")
    staff_absence_recorded.send(sender=StaffAbsence, absence=absence, by=by)
    return absence


@transaction.atomic
def staff_absence_end(*, absence: StaffAbsence, by, back_on: dt.date) -> StaffAbsence | None:
    """Someone is back sooner than recorded: the absence ends the day before `back_on`. An absence that had not
    begun by then is cancelled outright (returns None). Their children's tasks go back to them (workflows)."""
    _require_manager(by, absence.staff.setting_id, "end a staff absence")
    absence = StaffAbsence.objects.select_for_update().select_related("staff").get(pk=absence.pk)
    if back_on > absence.ends_on:
        raise RuleViolation(f"The absence already ends on {absence.ends_on:%d %b %Y}: nothing to end early.",
                            field="back_on")
    staff = absence.staff
    if back_on <= absence.starts_on:
        audit_record(actor=by, action="delete", record=absence, setting_id=staff.setting_id,
                     summary=f"Cancelled {staff}'s absence {absence.starts_on:%d %b}–{absence.ends_on:%d %b %Y}"
                             f" (back on {back_on:%d %b}, before it began)")
        absence.delete()
        absence.ends_on = absence.starts_on - dt.timedelta(days=1)  # what the routing sees now: no absence
        staff_absence_ended.send(sender=StaffAbsence, absence=absence, by=by)
        return None
    was = absence.ends_on
    absence.ends_on = back_on - dt.timedelta(days=1)
    absence.save(update_fields=["ends_on"])
    audit_record(actor=by, action="update", record=absence, setting_id=staff.setting_id,
                 summary=f"{staff} back on {back_on:%d %b %Y}: absence ends {absence.ends_on:%d %b} (was {was:%d %b})",
                 changes={"ends_on": [str(was), str(absence.ends_on)]})
    staff_absence_ended.send(sender=StaffAbsence, absence=absence, by=by)
    return absence


# --- staff profiles and their roles -------------------------------------------------------------------------

STAFF_FIELDS = frozenset({
    "room", "job_title", "is_key_person", "is_senco", "is_manager", "is_dsl", "working_sessions", "max_caseload",
    "sen_experience", "qualification_level", "qualified_on", "first_aid_until", "is_student", "is_competent",
})
ROLE_FLAGS = ("is_key_person", "is_senco", "is_manager", "is_dsl")
# Seed 003: "keyworker caseloads are regularly reviewed to ensure each keyworker has the time ... to meet
# their responsibilities": a maximum beyond this is not a caseload anyone can carry.
MAX_CASELOAD = 20


def _check_staff(staff: Staff) -> None:
    if staff.room is not None and staff.room.setting_id != staff.setting_id:
        raise RuleViolation("That room belongs to another setting.", field="room")
    if not 0 <= staff.working_sessions <= sessions.ALL:
        raise RuleViolation("That is not a working pattern of the week's sessions.", field="working_sessions")
    if staff.max_caseload > MAX_CASELOAD:
        raise RuleViolation(f"A key person's caseload is at most {MAX_CASELOAD} children.", field="max_caseload")
    if staff.qualified_on is not None:
        not_in_the_future(staff.qualified_on, field="qualified_on", what="A qualification")
    validate(staff, exclude=["user"])


def _roles(staff: Staff) -> str:
    return ", ".join(staff.roles) or "no role"


@transaction.atomic
def staff_create(
    *,
    setting: Setting,
    user,
    by,
    room: Room | None = None,
    job_title: str = "",
    is_key_person: bool = True,
    is_senco: bool = False,
    is_manager: bool = False,
    is_dsl: bool = False,
    working_sessions: int = sessions.ALL,
    max_caseload: int = 8,
    sen_experience: str = "",
    qualification_level: int = 0,
    qualified_on: dt.date | None = None,
    first_aid_until: dt.date | None = None,
    is_student: bool = False,
    is_competent: bool = False,
) -> Staff:
    """Make ``user`` a member of the setting's staff, with their roles: one profile per log-in."""
    require_setting_admin(by, setting.pk, "add a member of staff")
    if Staff.objects.filter(user=user).exists():
        raise RuleViolation(f"{user.get_full_name() or user.get_username()} is already a member of staff.",
                            field="user")
    staff = Staff(
        user=user, setting=setting, room=room, job_title=job_title.strip(), is_key_person=is_key_person,
        is_senco=is_senco, is_manager=is_manager, is_dsl=is_dsl, working_sessions=working_sessions,
        max_caseload=max_caseload, sen_experience=sen_experience.strip(), qualification_level=qualification_level,
        qualified_on=qualified_on, first_aid_until=first_aid_until, is_student=is_student, is_competent=is_competent,
    )
    _check_staff(staff)
    staff.save()
    audit_record(actor=by, action="create", record=staff, summary=f"Added {staff} to the staff as {_roles(staff)}",
                 changes={"roles": staff.roles})
    return staff


@transaction.atomic
def staff_update(*, staff: Staff, by, **changes) -> Staff:
    """A member of staff's room, roles, working pattern and caseload. Two rules guard the roles: the setting
    keeps a manager (else nobody could run it), and a key person hands their key children on before they stop
    being one (a child's key person must be someone who is one)."""
    require_setting_admin(by, staff.setting_id, "change a member of staff")
    unknown_fields(changes, STAFF_FIELDS)

    def check(staff: Staff, diff: dict) -> None:
        if "is_manager" in diff and not staff.is_manager:
            others = Staff.objects.filter(setting_id=staff.setting_id, is_manager=True, user__is_active=True)
            if not others.exclude(pk=staff.pk).exists():
                raise RuleViolation(f"{staff} is the setting's only manager: make someone else manager first.",
                                    field="is_manager")
        if "is_key_person" in diff and not staff.is_key_person and staff.assignments.current().exists():
            raise RuleViolation(f"{staff} is key person to children now: hand them on to another key person "
                                "first.", field="is_key_person")
        _check_staff(staff)

    def summary(staff: Staff, diff: dict) -> str:
        roles = f"; roles now {_roles(staff)}" if set(diff) & set(ROLE_FLAGS) else ""
        return f"Changed {', '.join(diff)} of {staff}{roles}"

    return update_checked(staff, by=by, changes=changes, check=check, summary=summary)


@transaction.atomic
def staff_delete(*, staff: Staff, by) -> None:
    """Only a profile that never held a child: one that did keeps the history of who was whose key person
    (close the account instead)."""
    require_setting_admin(by, staff.setting_id, "remove a member of staff")
    staff = Staff.objects.select_for_update().select_related("user").get(pk=staff.pk)
    if staff.pk == getattr(getattr(by, "staff", None), "pk", None):
        raise RuleViolation("You cannot remove your own staff profile.")
    if staff.assignments.exists():
        raise RuleViolation(f"{staff} has been a key person: their profile keeps that history and cannot be "
                            "removed.")
    if staff.is_manager and not Staff.objects.filter(setting_id=staff.setting_id, is_manager=True) \
            .exclude(pk=staff.pk).exists():
        raise RuleViolation(f"{staff} is the setting's only manager: make someone else manager first.")
    audit_record(actor=by, action="delete", record=staff, summary=f"Removed {staff} ({_roles(staff)}) from the staff")
    staff.delete()

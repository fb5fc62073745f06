"""One CSV row of each kind, brought in through the services every other entry point uses.

Each handler finds the record again by its natural key (a room's name, a log-in name, a child's names and date
of birth, a parent's names and e-mail), so importing the same file twice changes nothing: a record already there
is changed only where the file says something else, through its update service. A broken rule is the service's
own RuleViolation, naming the column at fault.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone

from . import date_bounds, sessions
from .csv_columns import ROLE_NAMES, sessions_read
from .errors import RuleViolation
from .models import (
    AssignmentRole,
    Child,
    ChildGuardian,
    Guardian,
    ImportKind,
    LifecycleState,
    Room,
    Setting,
    Staff,
)
from .services import (
    child_allocate,
    child_register,
    child_update,
    guardian_create,
    guardian_link,
    guardian_link_update,
    guardian_update,
    key_person_assign,
    room_create,
    room_update,
    staff_create,
    staff_update,
)

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"


def _diff(record, values: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in values.items() if getattr(record, name) != value}


def _email(value: str, *, field: str) -> str:
    if value:
        try:
            validate_email(value)
        except ValidationError:
            raise RuleViolation(f"{field}: {value!r} is not an e-mail address.", field=field) from None
    return value


def _room(setting: Setting, name: str, *, field: str = "room") -> Room | None:
    if not name:
        return None
    room = Room.objects.filter(setting=setting, name__iexact=name).first()
    if room is None:
        raise RuleViolation(f"There is no room called {name!r}: import the rooms first.", field=field)
    return room


def child_key(row: dict, prefix: str = "") -> tuple:
    return (row[f"{prefix}first_name"].lower(), row[f"{prefix}last_name"].lower(), row[f"{prefix}date_of_birth"])


def find_child(setting: Setting, row: dict, prefix: str = "") -> Child | None:
    return Child.objects.filter(
        setting=setting, first_name__iexact=row[f"{prefix}first_name"], last_name__iexact=row[f"{prefix}last_name"],
        date_of_birth=row[f"{prefix}date_of_birth"],
    ).first()


def _known_child(setting: Setting, row: dict) -> Child:
    child = find_child(setting, row, "child_")
    if child is None:
        raise RuleViolation(f"No child {row['child_first_name']} {row['child_last_name']} born "
                            f"{row['child_date_of_birth']:%d/%m/%Y}: import the children first.",
                            field="child_first_name")
    return child


def _staff(setting: Setting, username: str, *, field: str) -> Staff:
    staff = Staff.objects.select_related("user").filter(setting=setting, user__username=username).first()
    if staff is None:
        raise RuleViolation(f"No member of staff with the username {username!r}: import the staff first.",
                            field=field)
    return staff


def import_room(*, setting: Setting, by, row: dict) -> str:
    values = {k: row[k] for k in ("min_age_months", "max_age_months", "children_per_adult")}
    room = Room.objects.filter(setting=setting, name__iexact=row["name"]).first()
    if room is None:
        room_create(setting=setting, by=by, name=row["name"], **values)
        return CREATED
    changes = _diff(room, values)
    if not changes:
        return UNCHANGED
    room_update(room=room, by=by, **changes)
    return UPDATED


def import_staff(*, setting: Setting, by, row: dict) -> str:
    roles = row["roles"].replace(",", " ").replace(";", " ").split() or ["key_person"]
    unknown = sorted(set(roles) - set(ROLE_NAMES))
    if unknown:
        raise RuleViolation(f"roles: unknown role {', '.join(unknown)} (key_person, senco, manager, dsl).",
                            field="roles")
    values = {
        "room": _room(setting, row["room"]), "job_title": row["job_title"],
        "working_sessions": sessions_read(row["working_pattern"] or "all", field="working_pattern"),
        "max_caseload": 8 if row["max_caseload"] is None else row["max_caseload"],
        "sen_experience": row["sen_experience"],
        "qualification_level": row["qualification_level"] or 0, "qualified_on": row["qualified_on"],
        "first_aid_until": row["first_aid_until"], "is_student": bool(row["student"]),
        "is_competent": bool(row["competent"]),
        **{flag: name in roles for name, flag in ROLE_NAMES.items()},
    }
    email = _email(row["email"], field="email")
    User = get_user_model()
    user = User.objects.filter(username=row["username"]).first()
    if user is None:
        user = User(username=row["username"], first_name=row["first_name"], last_name=row["last_name"], email=email)
        user.set_unusable_password()  # they choose one through the password reset link
        try:
            user.full_clean(exclude=["password"])
        except ValidationError as exc:
            name, messages = next(iter(exc.message_dict.items()))
            raise RuleViolation(f"{name}: {' '.join(messages)}", field=name) from None
        user.save()
        staff_create(setting=setting, user=user, by=by, **values)
        return CREATED
    staff = Staff.objects.filter(user=user).first()
    if staff is None or staff.setting_id != setting.pk:
        raise RuleViolation(f"The username {row['username']!r} belongs to someone who is not on this setting's "
                            "staff: choose another.", field="username")
    changes = _diff(staff, values)
    if not changes:
        return UNCHANGED
    staff_update(staff=staff, by=by, **changes)
    return UPDATED


def _guardian(setting: Setting, by, details: dict) -> Guardian:
    """The parent or carer with these names and e-mail (a sibling's), kept up to date, or a new one."""
    guardian = Guardian.objects.filter(setting=setting, first_name__iexact=details["first_name"],
                                       last_name__iexact=details["last_name"],
                                       email__iexact=details.get("email", "")).first()
    if guardian is None:
        return guardian_create(setting=setting, by=by, **details)
    changes = {k: v for k, v in _diff(guardian, details).items()
               if k not in ("first_name", "last_name", "email") and v}
    return guardian_update(guardian=guardian, by=by, **changes) if changes else guardian


def import_child(*, setting: Setting, by, row: dict) -> str:
    if row["date_of_birth"] > timezone.localdate():
        raise RuleViolation(f"date_of_birth {row['date_of_birth']:%d/%m/%Y} is in the future.", field="date_of_birth")
    if row["start_date"] and row["start_date"] > date_bounds.latest_plannable():
        raise RuleViolation("start_date is more than two years ahead: check the year.", field="start_date")
    details = {
        "preferred_name": row["preferred_name"], "start_date": row["start_date"], "room": _room(setting, row["room"]),
        "attending_sessions": sessions_read(row["sessions"], field="sessions"),
        "home_language": row["home_language"] or "English", "allergies": row["allergies"],
        "dietary_needs": row["dietary_needs"], "known_needs": row["known_needs"],
    }
    parent = {"first_name": row["parent_first_name"], "last_name": row["parent_last_name"],
              "email": _email(row["parent_email"], field="parent_email"), "phone": row["parent_phone"]}
    child = find_child(setting, row)
    outcome = UNCHANGED
    if child is None:
        mask = details.pop("attending_sessions")
        child = child_register(setting=setting, by=by, first_name=row["first_name"], last_name=row["last_name"],
                               date_of_birth=row["date_of_birth"], sessions_attended=sessions.codes_of(mask), **details)
        outcome = CREATED
    else:
        changes = _diff(child, details)
        if changes:
            child_update(child=child, by=by, **changes)
            outcome = UPDATED
    guardian = _guardian(setting, by, parent)
    if not ChildGuardian.objects.filter(child=child, guardian=guardian).exists():
        guardian_link(child=child, by=by, guardian=guardian, relationship=row["parent_relationship"],
                      is_primary_contact=not child.guardian_links.exists())
        outcome = outcome if outcome == CREATED else UPDATED
    return outcome


def import_guardian(*, setting: Setting, by, row: dict) -> str:
    child = _known_child(setting, row)
    details = {"first_name": row["first_name"], "last_name": row["last_name"],
               "email": _email(row["email"], field="email"), "phone": row["phone"], "address": row["address"],
               "preferred_language": row["preferred_language"]}
    responsibility = True if row["parental_responsibility"] is None else row["parental_responsibility"]
    primary = bool(row["primary_contact"])
    known = Guardian.objects.filter(setting=setting, first_name__iexact=details["first_name"],
                                    last_name__iexact=details["last_name"], email__iexact=details["email"]).first()
    guardian = _guardian(setting, by, details)
    link = ChildGuardian.objects.filter(child=child, guardian=guardian).first()
    if link is None:
        guardian_link(child=child, by=by, guardian=guardian, relationship=row["relationship"],
                      has_parental_responsibility=responsibility, is_primary_contact=primary)
        return CREATED if known is None else UPDATED
    if (link.relationship, link.has_parental_responsibility, link.is_primary_contact) == (
            row["relationship"], responsibility, primary):
        return UNCHANGED
    guardian_link_update(link=link, by=by, relationship=row["relationship"],
                         has_parental_responsibility=responsibility, is_primary_contact=primary)
    return UPDATED


def import_assignment(*, setting: Setting, by, row: dict) -> str:
    child = _known_child(setting, row)
    primary = _staff(setting, row["key_person"], field="key_person")
    secondary = _staff(setting, row["secondary"], field="secondary") if row["secondary"] else None
    starts_on: dt.date | None = row["starts_on"]
    if starts_on and starts_on > timezone.localdate():
        raise RuleViolation("starts_on is in the future: import the key persons a child has now.", field="starts_on")
    current = {a.role: a.staff_id for a in child.assignments.current()}
    wanted = {AssignmentRole.PRIMARY: primary, AssignmentRole.SECONDARY: secondary}
    if all(staff is None or current.get(role) == staff.pk for role, staff in wanted.items()):
        return UNCHANGED
    reason = "Imported from the setting's previous records"
    if child.state == LifecycleState.REGISTERED and secondary is not None:
        # Both at once moves the child on to "allocated" and closes the allocation task (EYFS 3.26).
        child_allocate(child=child, primary=primary, secondary=secondary, by=by, starts_on=starts_on, reason=reason,
                       over_caseload_reason=row["over_caseload_reason"])
        return UPDATED
    for role, staff in wanted.items():
        if staff is not None and current.get(role) != staff.pk:
            key_person_assign(child=child, staff=staff, role=role, by=by, starts_on=starts_on, reason=reason,
                              over_caseload_reason=row["over_caseload_reason"] if role == AssignmentRole.PRIMARY
                              else "")
    return UPDATED


HANDLERS: dict[str, Callable[..., str]] = {
    ImportKind.ROOMS: import_room,
    ImportKind.STAFF: import_staff,
    ImportKind.CHILDREN: import_child,
    ImportKind.GUARDIANS: import_guardian,
    ImportKind.ASSIGNMENTS: import_assignment,
}

# The natural key of a row: two rows with the same key in one file are a duplicate.
KEYS: dict[str, Callable[[dict], tuple]] = {
    ImportKind.ROOMS: lambda row: (row["name"].lower(),),
    ImportKind.STAFF: lambda row: (row["username"],),
    ImportKind.CHILDREN: child_key,
    ImportKind.GUARDIANS: lambda row: (*child_key(row, "child_"), row["first_name"].lower(),
                                       row["last_name"].lower(), row["email"].lower()),
    ImportKind.ASSIGNMENTS: lambda row: child_key(row, "child_"),
}

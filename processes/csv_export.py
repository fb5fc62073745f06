"""Taking a setting's lists out as CSV, in the import's own columns (processes.csv_columns), so an exported file
imports again to the same records.

Written with django-import-export's CSV format (tablib), which escapes cells a spreadsheet would run as formulae
(IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT). Special-category columns (health, SEN, family) go only to whoever may
see them (special_columns_for); every export is audited with the columns it held.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator

import tablib
from django.utils import timezone
from import_export.formats.base_formats import CSV

from .access import staff_of
from .csv_columns import COLUMNS, Column, date_write, sessions_write
from .csv_rows import ROLE_NAMES
from .models import Child, ChildGuardian, ImportKind, KeyPersonAssignment, Room, Setting, Staff
from .models.children import ATTENDING
from .register import register_day
from .services import audit_record


def special_columns_for(user, setting: Setting) -> bool:
    """Health, SEN and family columns: the setting's manager only (the SENCO and the DSL read them child by child,
    on the pages that audit each read)."""
    staff = staff_of(user)
    return bool(staff and staff.setting_id == setting.pk and staff.is_manager)


def columns_for(kind: str, *, special: bool) -> list[Column]:
    return [c for c in COLUMNS[kind] if not c.coming and (special or not c.special)]


def _child_key(child: Child, prefix: str = "child_") -> dict:
    return {f"{prefix}first_name": child.first_name, f"{prefix}last_name": child.last_name,
            f"{prefix}date_of_birth": date_write(child.date_of_birth)}


def _rooms(setting: Setting) -> Iterator[dict]:
    for room in Room.objects.filter(setting=setting).order_by("min_age_months", "name"):
        yield {"name": room.name, "min_age_months": room.min_age_months, "max_age_months": room.max_age_months,
               "children_per_adult": room.children_per_adult}


def _staff(setting: Setting) -> Iterator[dict]:
    for staff in Staff.objects.filter(setting=setting, user__is_active=True).select_related("user", "room"):
        yield {"username": staff.user.username, "first_name": staff.user.first_name,
               "last_name": staff.user.last_name, "email": staff.user.email, "job_title": staff.job_title,
               "room": staff.room.name if staff.room else "",
               "roles": " ".join(name for name, flag in ROLE_NAMES.items() if getattr(staff, flag)),
               "working_pattern": sessions_write(staff.working_sessions), "max_caseload": staff.max_caseload,
               "sen_experience": staff.sen_experience, "qualification_level": staff.qualification_level,
               "qualified_on": date_write(staff.qualified_on), "first_aid_until": date_write(staff.first_aid_until),
               "student": "yes" if staff.is_student else "no", "competent": "yes" if staff.is_competent else "no"}


def _attending(setting: Setting):
    return Child.objects.filter(setting=setting, state__in=ATTENDING)


def _children(setting: Setting) -> Iterator[dict]:
    # The first parent/carer on record (the primary contact first) rides with the child; the others are in the
    # parents and carers file.
    links = {}
    for link in ChildGuardian.objects.filter(child__in=_attending(setting)).select_related("guardian") \
            .order_by("-is_primary_contact", "pk"):
        links.setdefault(link.child_id, link)
    for child in _attending(setting).select_related("room").order_by("last_name", "first_name", "pk"):
        link = links.get(child.pk)
        guardian = link.guardian if link else None
        yield {**_child_key(child, prefix=""), "preferred_name": child.preferred_name,
               "start_date": date_write(child.start_date), "room": child.room.name if child.room else "",
               "sessions": sessions_write(child.attending_sessions), "home_language": child.home_language,
               "allergies": child.allergies, "dietary_needs": child.dietary_needs, "known_needs": child.known_needs,
               "parent_first_name": guardian.first_name if guardian else "",
               "parent_last_name": guardian.last_name if guardian else "",
               "parent_relationship": link.relationship if link else "",
               "parent_email": guardian.email if guardian else "", "parent_phone": guardian.phone if guardian else ""}


def _guardians(setting: Setting) -> Iterator[dict]:
    links = ChildGuardian.objects.filter(child__in=_attending(setting)).select_related("child", "guardian") \
        .order_by("child__last_name", "child__first_name", "child_id", "-is_primary_contact", "pk")
    for link in links:
        g = link.guardian
        yield {**_child_key(link.child), "first_name": g.first_name, "last_name": g.last_name,
               "relationship": link.relationship, "email": g.email, "phone": g.phone, "address": g.address,
               "preferred_language": g.preferred_language,
               "parental_responsibility": "yes" if link.has_parental_responsibility else "no",
               "primary_contact": "yes" if link.is_primary_contact else "no"}


def _assignments(setting: Setting) -> Iterator[dict]:
    current = KeyPersonAssignment.objects.current().filter(child__in=_attending(setting)) \
        .select_related("child", "staff__user").order_by("child_id", "role")
    by_child: dict[int, dict] = {}
    for a in current:
        row = by_child.setdefault(a.child_id, {**_child_key(a.child), "key_person": "", "secondary": "",
                                               "starts_on": "", "over_caseload_reason": ""})
        if a.role == "primary":
            row.update(key_person=a.staff.user.username, starts_on=date_write(a.starts_on))
        else:
            row["secondary"] = a.staff.user.username
    yield from (row for row in by_child.values() if row["key_person"])


ROWS = {
    ImportKind.ROOMS: _rooms,
    ImportKind.STAFF: _staff,
    ImportKind.CHILDREN: _children,
    ImportKind.GUARDIANS: _guardians,
    ImportKind.ASSIGNMENTS: _assignments,
}


def csv_of(headers: list[str], rows: Iterable[dict]) -> str:
    dataset = tablib.Dataset(headers=headers)
    for row in rows:
        dataset.append([row.get(h, "") for h in headers])
    return CSV().export_data(dataset)


def records_export(*, setting: Setting, by, kind: str) -> str:
    """One list of the setting as CSV, audited with the columns it held."""
    special = special_columns_for(by, setting)
    headers = [c.name for c in columns_for(kind, special=special)]
    text = csv_of(headers, ROWS[kind](setting))
    audit_record(actor=by, action="export", setting_id=setting.pk, record_type="processes.Setting",
                 record_id=str(setting.pk), summary=f"Exported the {ImportKind(kind).label.lower()} list as CSV"
                 f"{'' if special else ' (without special-category columns)'}", changes={"columns": headers})
    return text


def template_csv(kind: str) -> str:
    """The empty file to fill in: the header and one example row."""
    columns = columns_for(kind, special=True)
    return csv_of([c.name for c in columns], [{c.name: c.example for c in columns}])


# The register's day for one room, and its ratio through the day (the room's printed history as CSV): the
# manager's, for the setting's records or an inspector; names and times only, no special-category columns.
REGISTER_HEADERS = ["day", "room", "child_first_name", "child_last_name", "signed_in_at", "brought_by",
                    "signed_out_at", "collected_by", "absence_reason"]
RATIO_HEADERS = ["day", "room", "from", "until", "children", "adults_counted", "adults_needed", "below_ratio",
                 "problems"]


def _time(at: dt.datetime | None) -> str:
    return timezone.localtime(at).strftime("%H:%M") if at else ""


def _register_rows(room_day) -> Iterator[dict]:
    for row in room_day.children:
        a = row.attendance
        yield {"day": date_write(room_day.day), "room": room_day.room.name, "child_first_name": row.child.first_name,
               "child_last_name": row.child.last_name, "signed_in_at": _time(a and a.signed_in_at),
               "brought_by": a.brought_by if a else "", "signed_out_at": _time(a and a.signed_out_at),
               "collected_by": a.collected_by if a else "", "absence_reason": a.absence_reason if a else ""}


def _ratio_rows(room_day) -> Iterator[dict]:
    for seg in room_day.history:
        yield {"day": date_write(room_day.day), "room": room_day.room.name, "from": _time(seg.start),
               "until": _time(seg.end), "children": seg.check.children, "adults_counted": seg.check.adults,
               "adults_needed": seg.check.required, "below_ratio": "yes" if seg.check.breach else "no",
               "problems": "; ".join(seg.check.problems)}


def register_export(*, room: Room, day: dt.date, by, what: str) -> str:
    """A room's register ("register") or ratio history ("ratios") on `day` as CSV, audited like the lists."""
    headers, rows, label = ((REGISTER_HEADERS, _register_rows, "register") if what == "register"
                            else (RATIO_HEADERS, _ratio_rows, "ratio history"))
    text = csv_of(headers, rows(register_day(room.setting, day, room=room)[0]))
    audit_record(actor=by, action="export", setting_id=room.setting_id, record_type="processes.Room",
                 record_id=str(room.pk), summary=f"Exported {room.name}'s {label} of {date_write(day)} as CSV",
                 changes={"columns": headers})
    return text

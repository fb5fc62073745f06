from __future__ import annotations

import datetime as dt

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction

from .. import sessions
from ..access import is_manager_of
from ..errors import NotPermitted, RuleViolation
from ..models import Child, ChildGuardian, Guardian, Room, Setting
from ..signals import child_registered
from .audit import audit_record
from .guardians import guardian_create

EDITABLE_FIELDS = {
    "first_name", "last_name", "preferred_name", "date_of_birth", "start_date", "expected_leaving_date",
    "destination_school", "attending_sessions", "home_language", "dietary_needs", "allergies", "known_needs",
    "medical_notes", "collected_by", "room", "preferred_key_person",
}


def _require_manager(by, setting_id: int, doing: str) -> None:
    if not is_manager_of(by, setting_id):
        raise NotPermitted(f"Only the setting's manager can {doing}.")


def _check_room(setting: Setting, room: Room | None) -> None:
    if room is not None and room.setting_id != setting.pk:
        raise RuleViolation("That room belongs to another setting.", field="room")


def _validate(child: Child) -> None:
    """The model's own validation (and its database constraints), as a RuleViolation with a readable message."""
    if child.start_date and child.start_date < child.date_of_birth:
        raise RuleViolation("The start date is before the date of birth.", field="start_date")
    if child.start_date and child.expected_leaving_date and child.expected_leaving_date <= child.start_date:
        raise RuleViolation("The expected leaving date must be after the start date.", field="expected_leaving_date")
    try:
        child.full_clean(exclude=["state"])
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        if field == NON_FIELD_ERRORS:
            raise RuleViolation(" ".join(messages)) from None
        label = str(Child._meta.get_field(field).verbose_name).capitalize()
        raise RuleViolation(f"{label}: {' '.join(messages)}", field=field) from None


@transaction.atomic
def child_register(
    *,
    setting: Setting,
    by,
    first_name: str,
    last_name: str,
    date_of_birth: dt.date,
    start_date: dt.date | None = None,
    room: Room | None = None,
    sessions_attended: list[str] | tuple[str, ...] = (),
    **details,
) -> Child:
    """Register a child. With a start date, the allocation workflow starts (workflows.allocation)."""
    _require_manager(by, setting.pk, "register a child")
    _check_room(setting, room)
    unknown = set(details) - EDITABLE_FIELDS
    if unknown:
        raise RuleViolation(f"Unknown child field(s): {', '.join(sorted(unknown))}.")
    if start_date and start_date < date_of_birth:
        raise RuleViolation("The start date is before the date of birth.", field="start_date")
    try:
        mask = sessions.mask_of(sessions_attended)
    except ValueError as exc:
        raise RuleViolation(str(exc), field="attending_sessions") from None
    child = Child(
        setting=setting, room=room, first_name=first_name.strip(), last_name=last_name.strip(),
        date_of_birth=date_of_birth, start_date=start_date, attending_sessions=mask, **details,
    )
    _validate(child)
    child.save()
    audit_record(actor=by, action="create", record=child, summary=f"Registered {child.name}")
    child_registered.send(sender=Child, child=child, by=by)
    return child


@transaction.atomic
def child_update(*, child: Child, by, **changes) -> Child:
    _require_manager(by, child.setting_id, "change a child's record")
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise RuleViolation(f"These cannot be changed here: {', '.join(sorted(unknown))}.")
    child = Child.objects.select_for_update().get(pk=child.pk)
    if "room" in changes:
        _check_room(child.setting, changes["room"])
    before = {name: str(getattr(child, name)) for name in changes}
    for name, value in changes.items():
        setattr(child, name, value)
    _validate(child)
    child.save(update_fields=list(changes))
    diff = {n: [before[n], str(getattr(child, n))] for n in changes if before[n] != str(getattr(child, n))}
    if diff:
        audit_record(actor=by, action="update", record=child, summary=f"Changed {', '.join(diff)}", changes=diff)
    return child


@transaction.atomic
def guardian_link(
    *,
    child: Child,
    by,
    relationship: str,
    guardian: Guardian | None = None,
    has_parental_responsibility: bool = True,
    is_primary_contact: bool = False,
    **guardian_details,
) -> ChildGuardian:
    """Link a parent/carer to a child, creating the guardian when only their details are given."""
    _require_manager(by, child.setting_id, "add a parent or carer")
    if guardian is None:
        guardian = guardian_create(setting=child.setting, by=by, **guardian_details)
    elif guardian.setting_id != child.setting_id:
        raise RuleViolation("That parent/carer belongs to another setting.")
    if ChildGuardian.objects.filter(child=child, guardian=guardian).exists():
        raise RuleViolation(f"{guardian} is already linked to {child}.")
    link = ChildGuardian.objects.create(
        child=child, guardian=guardian, relationship=relationship,
        has_parental_responsibility=has_parental_responsibility, is_primary_contact=is_primary_contact,
    )
    audit_record(actor=by, action="create", record=link, setting_id=child.setting_id,
                 summary=f"Linked {guardian} as {relationship} of {child}")
    return link

"""What the set-up services (organisation, setting, rooms, staff, parents) share: who may set a setting up,
the model's own validation as a readable refusal, and a change written with its before-and-after."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models

from ..access import is_manager_of
from ..errors import NotPermitted, RuleViolation
from .audit import audit_record


def is_superuser(user) -> bool:
    return bool(user is not None and user.is_active and user.is_superuser)


# by=None is the installation itself: a management command run on the server (the demo, an import), which only
# whoever runs the server can start. Views and the API always pass the signed-in user, never None.


def require_superuser(by, doing: str) -> None:
    if by is not None and not is_superuser(by):
        raise NotPermitted(f"Only an administrator of the whole installation can {doing}.")


def require_setting_admin(by, setting_id: int, doing: str) -> None:
    """The setting's manager, or an administrator of the whole installation (who sets new settings up)."""
    if by is not None and not (is_superuser(by) or is_manager_of(by, setting_id)):
        raise NotPermitted(f"Only the setting's manager can {doing}.")


def validate(record: models.Model, *, exclude: list[str] | None = None) -> None:
    """The model's own validation and constraints, as a RuleViolation naming the field."""
    try:
        record.full_clean(exclude=exclude)
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        if field == NON_FIELD_ERRORS:
            raise RuleViolation(" ".join(messages)) from None
        label = str(type(record)._meta.get_field(field).verbose_name).capitalize()
        raise RuleViolation(f"{label}: {' '.join(messages)}", field=field) from None


def unknown_fields(changes: dict[str, Any], editable: frozenset[str]) -> None:
    unknown = set(changes) - editable
    if unknown:
        raise RuleViolation(f"These cannot be changed here: {', '.join(sorted(unknown))}.")


def changed(record: models.Model, changes: dict[str, Any]) -> dict[str, list[str]]:
    """Apply ``changes`` to ``record`` (not saved) and return what really changed, as [before, after] text."""
    before = {name: getattr(record, name) for name in changes}
    for name, value in changes.items():
        setattr(record, name, value)
    return {name: [str(before[name]), str(getattr(record, name))]
            for name in changes if before[name] != getattr(record, name)}


def update_checked(
    record: models.Model,
    *,
    by,
    changes: dict[str, Any],
    check: Callable[[models.Model, dict[str, list[str]]], None],
    summary: Callable[[models.Model, dict[str, list[str]]], str],
    setting_id: int | None = None,
) -> models.Model:
    """Change ``record`` under a row lock: apply the changes, let ``check`` refuse (it sees the record as it
    would be, and what changed), save only what changed and audit it with its before and after."""
    record = type(record)._default_manager.select_for_update().get(pk=record.pk)
    diff = changed(record, changes)
    check(record, diff)
    if diff:
        record.save(update_fields=list(diff))
        audit_record(actor=by, action="update", record=record, setting_id=setting_id, changes=diff,
                     summary=summary(record, diff))
    return record

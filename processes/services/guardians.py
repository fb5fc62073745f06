"""Parents and carers: their details are special-category personal data, so every change is audited with its
before and after, and a parent who is part of a child's history (linked, or a consent given) is never removed."""

from __future__ import annotations

from django.db import transaction

from ..errors import RuleViolation
from ..models import Guardian, Setting
from .audit import audit_record
from .changes import require_setting_admin, unknown_fields, update_checked, validate

GUARDIAN_FIELDS = frozenset({"first_name", "last_name", "email", "phone", "address", "preferred_language"})


def _check_guardian(guardian: Guardian) -> None:
    for name in ("first_name", "last_name"):
        value = getattr(guardian, name)
        setattr(guardian, name, value.strip())
        if not value.strip():
            label = Guardian._meta.get_field(name).verbose_name
            raise RuleViolation(f"Give the parent or carer's {label}.", field=name)
    validate(guardian)


@transaction.atomic
def guardian_create(
    *,
    setting: Setting,
    by,
    first_name: str,
    last_name: str,
    email: str = "",
    phone: str = "",
    address: str = "",
    preferred_language: str = "",
) -> Guardian:
    """A parent or carer of the setting, not yet linked to a child (guardian_link links them)."""
    require_setting_admin(by, setting.pk, "add a parent or carer")
    guardian = Guardian(setting=setting, first_name=first_name, last_name=last_name, email=email.strip(),
                        phone=phone.strip(), address=address.strip(), preferred_language=preferred_language.strip())
    _check_guardian(guardian)
    guardian.save()
    audit_record(actor=by, action="create", record=guardian, summary=f"Added the parent/carer {guardian}")
    return guardian


@transaction.atomic
def guardian_update(*, guardian: Guardian, by, **changes) -> Guardian:
    require_setting_admin(by, guardian.setting_id, "change a parent or carer's details")
    unknown_fields(changes, GUARDIAN_FIELDS)
    return update_checked(guardian, by=by, changes={name: value.strip() for name, value in changes.items()},
                          check=lambda g, _: _check_guardian(g),
                          summary=lambda g, diff: f"Changed {', '.join(diff)} of the parent/carer {g}")


@transaction.atomic
def guardian_delete(*, guardian: Guardian, by) -> None:
    require_setting_admin(by, guardian.setting_id, "remove a parent or carer")
    guardian = Guardian.objects.select_for_update().get(pk=guardian.pk)
    if guardian.child_links.exists():
        raise RuleViolation(f"{guardian} is linked to a child: the link is part of the child's record.")
    if guardian.consents.exists():
        raise RuleViolation(f"{guardian} has given or refused consent: that record is kept.")
    audit_record(actor=by, action="delete", record=guardian, summary=f"Removed the parent/carer {guardian}")
    guardian.delete()

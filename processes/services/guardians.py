"""Parents and carers: their details are special-category personal data, so every change is audited with its
before and after, and a parent who is part of a child's history (linked, or a consent given) is never removed."""

from __future__ import annotations

from django.db import transaction

from ..errors import RuleViolation
from ..models import ChildGuardian, Guardian, Setting
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


@transaction.atomic
def guardian_link_update(
    *, link: ChildGuardian, by, relationship: str, has_parental_responsibility: bool, is_primary_contact: bool
) -> ChildGuardian:
    """How a parent or carer stands to the child. One primary contact per child: naming one replaces the other."""
    require_setting_admin(by, link.child.setting_id, "change a parent or carer's link to a child")
    link = ChildGuardian.objects.select_for_update().select_related("child", "guardian").get(pk=link.pk)
    relationship = relationship.strip()
    if not relationship:
        raise RuleViolation("Say how they are related to the child (mother, grandparent, foster carer…).",
                            field="relationship")
    before = (link.relationship, link.has_parental_responsibility, link.is_primary_contact)
    after = (relationship, has_parental_responsibility, is_primary_contact)
    if before == after:
        return link
    link.relationship, link.has_parental_responsibility, link.is_primary_contact = after
    if is_primary_contact:
        link.child.guardian_links.exclude(pk=link.pk).filter(is_primary_contact=True).update(is_primary_contact=False)
    link.save(update_fields=["relationship", "has_parental_responsibility", "is_primary_contact"])
    names = ("relationship", "has_parental_responsibility", "is_primary_contact")
    audit_record(
        actor=by, action="update", record=link, setting_id=link.child.setting_id, child_id=link.child_id,
        summary=f"{link.guardian}: {relationship} of {link.child}"
                f"{', parental responsibility' if has_parental_responsibility else ', no parental responsibility'}"
                f"{', primary contact' if is_primary_contact else ''}",
        changes={n: [str(b), str(a)] for n, b, a in zip(names, before, after) if b != a},
    )
    return link


@transaction.atomic
def guardian_unlink(*, link: ChildGuardian, by, reason: str) -> None:
    """Take a parent or carer off a child's record. Their consent decisions stay in the child's history."""
    require_setting_admin(by, link.child.setting_id, "unlink a parent or carer")
    if not reason.strip():
        raise RuleViolation("Say why they are taken off the child's record.", field="reason")
    link = ChildGuardian.objects.select_for_update().select_related("child", "guardian").get(pk=link.pk)
    # EYFS 3.73: the setting must hold contact details for the child's parents/carers; never leave none.
    if not link.child.guardian_links.exclude(pk=link.pk).exists():
        raise RuleViolation(f"{link.guardian} is {link.child}'s only parent or carer on record: add another first.")
    audit_record(actor=by, action="delete", record=link, setting_id=link.child.setting_id, child_id=link.child_id,
                 summary=f"Unlinked {link.guardian} ({link.relationship}) from {link.child}: {reason.strip()}")
    link.delete()

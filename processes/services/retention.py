from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from ..errors import Conflict, RuleViolation
from ..models import Child, ConsentPurpose, LegalHold, PassedOnKind, RecordsPassedOn
from ..retention import ChildPurge, child_purge, children_with_expired_records
from .audit import audit_record
from .children import _require_manager
from .consent import consent_in_force


def retention_purge(*, today: dt.date | None = None, dry_run: bool = False) -> list[ChildPurge]:
    """Delete every record past its retention period (processes.retention), one child per transaction.

    Each child's purge writes one audit row (no names, no details: kinds, counts and the rule). A child
    under a legal hold is left alone. `dry_run` reports what would go and changes nothing.
    """
    today = today or timezone.localdate()
    purged = []
    for child_id in children_with_expired_records(today).values_list("pk", flat=True):
        with transaction.atomic():
            # Locked, so a hold placed at this moment either wins or waits for the purge to finish.
            child = Child.objects.select_for_update().filter(pk=child_id).first()
            if child is None:
                continue
            report = child_purge(child, today=today, dry_run=dry_run)
            if report is None:
                continue
            purged.append(report)
            if not dry_run:
                audit_record(
                    actor=None, action="purge", record_type="processes.Child", record_id=str(report.child_id),
                    setting_id=report.setting_id, child_id=report.child_id,
                    summary=f"Deleted records past their retention period ({', '.join(report.kinds)})"
                    + ("; the child's record with them" if report.child_deleted else ""),
                    changes={"kinds": report.kinds, "counts": report.counts, "child_deleted": report.child_deleted,
                             "as_of": today.isoformat()},
                )
    return purged


@transaction.atomic
def legal_hold_place(*, child: Child, by, reason: str) -> LegalHold:
    """Stop every purge of the child's records until the hold is lifted (a claim, an investigation...)."""
    _require_manager(by, child.setting_id, "place a legal hold")
    if not reason.strip():
        raise RuleViolation("Say why the records must be kept.", field="reason")
    child = Child.objects.select_for_update().get(pk=child.pk)
    if child.legal_holds.filter(lifted_at__isnull=True).exists():
        raise Conflict(f"{child}'s records are already on hold.")
    try:
        with transaction.atomic():
            hold = LegalHold.objects.create(child=child, reason=reason.strip(), placed_by=by)
    except IntegrityError:
        raise Conflict(f"{child}'s records are already on hold.") from None
    audit_record(actor=by, action="hold", record=hold, child_id=child.pk, setting_id=child.setting_id,
                 summary="Placed a legal hold: no record is purged while it stands", changes={"reason": reason})
    return hold


@transaction.atomic
def legal_hold_lift(*, hold: LegalHold, by, reason: str = "") -> LegalHold:
    _require_manager(by, hold.child.setting_id, "lift a legal hold")
    hold = LegalHold.objects.select_for_update().select_related("child").get(pk=hold.pk)
    if hold.lifted_at is not None:
        raise RuleViolation("That hold has already been lifted.")
    hold.lifted_at, hold.lifted_by = timezone.now(), by
    hold.save(update_fields=["lifted_at", "lifted_by"])
    audit_record(actor=by, action="lift", record=hold, child_id=hold.child_id, setting_id=hold.child.setting_id,
                 summary="Lifted the legal hold: records are purged again when past their period",
                 changes={"reason": reason})
    return hold


@transaction.atomic
def records_pass_on(*, child: Child, kind: str, recipient: str, by, on: dt.date | None = None) -> RecordsPassedOn:
    """Record that the child's SEN or safeguarding records went to their next school (which keeps them now)."""
    _require_manager(by, child.setting_id, "record records passed on")
    try:
        kind = PassedOnKind(kind)
    except ValueError:
        raise RuleViolation(f"There are no {kind!r} records to pass on.", field="kind") from None
    if not recipient.strip():
        raise RuleViolation("Name the school or setting that received the records.", field="recipient")
    # Issue 18: records go to a named school or setting only with the parents' consent to share with it.
    if consent_in_force(child=child, purpose=ConsentPurpose.SHARE_SCHOOL, recipient=recipient) is None:
        raise RuleViolation(f"The parents' consent to share records with {recipient.strip()} is not in force: "
                            "record it before the records are passed on.", field="recipient")
    passed = RecordsPassedOn.objects.create(child=child, kind=kind, recipient=recipient.strip(),
                                            passed_on=on or timezone.localdate(), recorded_by=by)
    audit_record(actor=by, action="pass_on", record=passed, setting_id=child.setting_id,
                 summary=f"{kind.label} passed on to {passed.recipient}")
    return passed

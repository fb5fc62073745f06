"""The progress check at two (EYFS 2.5; seed 004): opened when the child is two, drafted by the key person,
discussed with the parents, signed off, and shared with the parents and, with their consent, the health visitor.

Each function is a step of workflows.two_year_check, run inside the step's transaction (no savepoint of its own).
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from .. import deadlines
from ..access import staff_of
from ..errors import Conflict, NotPermitted, RuleViolation
from ..models import (
    CHECK_FIELDS,
    Child,
    ConsentPurpose,
    MeetingStatus,
    ParentMeeting,
    TwoYearCheck,
    TwoYearCheckStatus,
    TwoYearCheckTemplate,
)
from .audit import audit_record
from .consent import consent_in_force
from .introduction import require_carer

PRIME_AREAS = ("communication", "physical", "personal_social")


def two_year_check_template_current(*, at: dt.datetime | None = None) -> TwoYearCheckTemplate:
    """The version in force at `at`: a check started then keeps it, whatever is published later."""
    at = at or timezone.now()
    template = TwoYearCheckTemplate.objects.filter(published_at__lte=at).order_by("-version").first()
    if template is None:  # a new installation: the EYFS wording as version 1
        template, _ = TwoYearCheckTemplate.objects.get_or_create(version=1, defaults={"published_at": at})
    return template


@transaction.atomic
def two_year_check_template_publish(*, by, prompts: dict[str, str], guidance: str = "") -> TwoYearCheckTemplate:
    """A new version of the form, for the checks started from now on (past checks keep their own)."""
    staff = staff_of(by)
    if staff is None or not staff.is_manager:
        raise NotPermitted("Only a manager publishes a new version of the progress check's form.")
    unknown = set(prompts) - set(CHECK_FIELDS)
    if unknown:
        raise RuleViolation(f"The check has no part called {', '.join(sorted(unknown))}.", field="prompts")
    latest = TwoYearCheckTemplate.objects.order_by("-version").first()
    merged = {**(latest.prompts if latest else {}), **{k: v.strip() for k, v in prompts.items() if v.strip()}}
    template = TwoYearCheckTemplate.objects.create(
        version=(latest.version + 1) if latest else 1, prompts=merged, guidance=guidance.strip(),
        published_at=timezone.now(), published_by=by)
    audit_record(actor=by, action="create", record=template, setting_id=staff.setting_id,
                 summary=f"Published version {template.version} of the progress check at two")
    return template


def two_year_check_opens_on(child: Child) -> dt.date:
    """The second birthday, or the first day for a child who joins after it (the check is due at once)."""
    opens, _ = deadlines.two_year_check_window(child.date_of_birth)
    return max(opens, child.start_date or opens)


@transaction.atomic(savepoint=False)
def two_year_check_open(*, child: Child, today: dt.date | None = None) -> TwoYearCheck:
    """The check's window is open: from the second birthday (or the first day, if later) to the third."""
    today = today or timezone.localdate()
    opens, closes = deadlines.two_year_check_window(child.date_of_birth)
    if today < opens:
        raise RuleViolation(f"{child.name} is not two yet: the check opens on {opens:%d %b %Y}.")
    if today > closes:
        raise RuleViolation(f"{child.name} is three: the progress check at two is no longer made.")
    try:
        with transaction.atomic():
            check = TwoYearCheck.objects.create(child=child, template=two_year_check_template_current(),
                                                opened_on=today, due_by=closes)
    except IntegrityError:
        raise Conflict(f"{child.name} has a progress check at two already.") from None
    audit_record(actor=None, action="create", record=check, setting_id=child.setting_id, child_id=child.pk,
                 summary=f"The progress check at two is due by {closes:%d %b %Y}")
    return check


def _late(check: TwoYearCheck, delay_reason: str) -> None:
    if timezone.localdate() > check.due_by and not (delay_reason or check.delay_reason).strip():
        raise RuleViolation(f"The check was due by {check.due_by:%d %b %Y}: record why it is late.",
                            field="delay_reason")


@transaction.atomic(savepoint=False)
def two_year_check_draft(*, check: TwoYearCheck, by, concern: bool = False, concern_notes: str = "",
                         delay_reason: str = "", **parts: str) -> TwoYearCheck:
    """The key person's summary of the three prime areas, what goes well, where support may be needed, the
    setting's plan and how the parents can help at home; any concern about possible delay or SEN."""
    require_carer(by, check.child, "write the progress check at two")
    unknown = set(parts) - set(CHECK_FIELDS)
    if unknown:
        raise RuleViolation(f"The check has no part called {', '.join(sorted(unknown))}.")
    parts = {name: (value or "").strip() for name, value in parts.items()}
    missing = [check.template.prompt(name) for name in PRIME_AREAS if not parts.get(name)]
    if missing:
        raise RuleViolation(f"Write about each prime area: {', '.join(missing)}.", field=PRIME_AREAS[0])
    if concern and not concern_notes.strip():
        raise RuleViolation("Say what the concern is.", field="concern_notes")
    _late(check, delay_reason)
    for name, value in parts.items():
        setattr(check, name, value)
    check.concern, check.concern_notes = concern, concern_notes.strip() if concern else ""
    check.delay_reason = delay_reason.strip() or check.delay_reason
    check.drafted_by, check.drafted_at = by, timezone.now()
    if check.status == TwoYearCheckStatus.DUE:
        check.status = TwoYearCheckStatus.DRAFTED
    check.save()
    audit_record(actor=by, action="update", record=check, setting_id=check.child.setting_id,
                 child_id=check.child_id, summary="Drafted the progress check at two"
                 + (" (a concern is marked)" if concern else ""))
    return check


@transaction.atomic(savepoint=False)
def two_year_check_discuss(*, check: TwoYearCheck, by, meeting: ParentMeeting, parents_view: str) -> TwoYearCheck:
    """Discussed with the parents at a meeting held: their view is part of the record."""
    require_carer(by, check.child, "record the parents' view")
    if meeting.child_id != check.child_id or meeting.status != MeetingStatus.HELD:
        raise RuleViolation("The parents' view is recorded from a meeting held with them.")
    if not parents_view.strip():
        raise RuleViolation("Record the parents' view.", field="parents_view")
    check.meeting, check.parents_view = meeting, parents_view.strip()
    check.status = TwoYearCheckStatus.DISCUSSED
    check.save(update_fields=["meeting", "parents_view", "status"])
    audit_record(actor=by, action="update", record=check, setting_id=check.child.setting_id,
                 child_id=check.child_id, summary="Recorded the parents' view of the progress check at two")
    return check


@transaction.atomic(savepoint=False)
def two_year_check_sign_off(*, check: TwoYearCheck, by, delay_reason: str = "") -> TwoYearCheck:
    """The key person signs the final record off (the SENCO sees it next if a concern is marked)."""
    require_carer(by, check.child, "sign off the progress check at two")
    if check.status != TwoYearCheckStatus.DISCUSSED:
        raise RuleViolation("The check is signed off once discussed with the parents.")
    _late(check, delay_reason)
    check.delay_reason = delay_reason.strip() or check.delay_reason
    check.status = TwoYearCheckStatus.SIGNED_OFF
    check.signed_off_by, check.signed_off_at = by, timezone.now()
    check.save(update_fields=["status", "signed_off_by", "signed_off_at", "delay_reason"])
    audit_record(actor=by, action="update", record=check, setting_id=check.child.setting_id,
                 child_id=check.child_id, summary="Signed off the progress check at two")
    return check


@transaction.atomic(savepoint=False)
def two_year_check_senco_seen(*, check: TwoYearCheck, by, notes: str = "") -> TwoYearCheck:
    staff = staff_of(by)
    if staff is None or staff.setting_id != check.child.setting_id or not staff.is_senco:
        raise NotPermitted("Only the setting's SENCO reviews a concern in the progress check at two.")
    check.senco_seen_at = timezone.now()
    check.save(update_fields=["senco_seen_at"])
    audit_record(actor=by, action="read", record=check, setting_id=check.child.setting_id,
                 child_id=check.child_id, summary="The SENCO reviewed the concern in the progress check at two"
                 + (f": {notes.strip()}" if notes.strip() else ""))
    return check


@transaction.atomic(savepoint=False)
def two_year_check_share(*, check: TwoYearCheck, by, health_visitor: str = "") -> TwoYearCheck:
    """Given to the parents (the PDF); sent to the health visitor for the integrated review only with the
    parents' consent in force (EYFS 2.5)."""
    require_carer(by, check.child, "share the progress check at two")
    if check.status != TwoYearCheckStatus.SIGNED_OFF:
        raise RuleViolation("The check is shared once signed off.")
    now = timezone.now()
    check.shared_with_parents_at = now
    if health_visitor.strip():
        if consent_in_force(child=check.child, purpose=ConsentPurpose.SHARE_HEALTH_VISITOR) is None:
            raise RuleViolation("The parents' consent to share the check with the health visitor is not in force: "
                                "nothing was sent. Leave the health visitor out, or record their consent first.",
                                field="health_visitor")
        check.health_visitor, check.shared_with_health_visitor_at = health_visitor.strip(), now
    check.status = TwoYearCheckStatus.SHARED
    check.save(update_fields=["status", "shared_with_parents_at", "health_visitor",
                              "shared_with_health_visitor_at"])
    to = f" and the health visitor ({check.health_visitor})" if check.shared_with_health_visitor_at else ""
    audit_record(actor=by, action="update", record=check, setting_id=check.child.setting_id,
                 child_id=check.child_id, summary=f"Shared the progress check at two with the parents{to}")
    return check

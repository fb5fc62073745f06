from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from ..access import staff_of
from ..errors import NotPermitted, RuleViolation
from ..models import (
    Child,
    ChildGuardian,
    Consent,
    ConsentMethod,
    ConsentPurpose,
    ConsentStatus,
    Guardian,
    consent_recipient_key,
)
from ..signals import consent_changed
from .audit import audit_record

# Purposes given for a named recipient: the professional, or the school or setting the child goes to (issue 18).
NAMED_RECIPIENT = (ConsentPurpose.SHARE_PROFESSIONAL, ConsentPurpose.SHARE_SCHOOL)


def _normalise_recipient(recipient: str) -> str:
    return " ".join(recipient.split())


def consent_recipient_matches(a: str, b: str) -> bool:
    """The rule consent_latest applies: the same recipient key (processes.models.consent_recipient_key)."""
    return consent_recipient_key(a) == consent_recipient_key(b)


def consent_latest(*, child: Child, purpose: str, recipient: str = "") -> Consent | None:
    # Staff type the recipient each time: "speech and language therapy" is the same service as
    # "Speech and Language Therapy", so a withdrawal must not miss the grant over capitals, spaces or script.
    return (
        Consent.objects.filter(child=child, purpose=purpose, recipient_key=consent_recipient_key(recipient))
        .order_by("-recorded_at", "-id")
        .first()
    )


def consent_in_force(*, child: Child, purpose: str, recipient: str = "") -> Consent | None:
    """The grant in force for a purpose, or None: the newest entry wins, so a withdrawal supersedes a grant."""
    latest = consent_latest(child=child, purpose=purpose, recipient=recipient)
    return latest if latest and latest.status == ConsentStatus.GRANTED else None


@transaction.atomic
def consent_record(
    *,
    child: Child,
    guardian: Guardian,
    purpose: str,
    status: str,
    method: str,
    by,
    recipient: str = "",
    given_at: dt.datetime | None = None,
    notes: str = "",
) -> Consent:
    """Record a parent/carer's decision. Withdrawal stops every open step that needs the consent."""
    staff = staff_of(by)
    if staff is None or staff.setting_id != child.setting_id:
        raise NotPermitted("Only staff of the child's setting can record consent.")
    try:
        purpose = ConsentPurpose(purpose)
    except ValueError:
        raise RuleViolation(f"There is no consent purpose called {purpose!r}.", field="purpose") from None
    try:
        status = ConsentStatus(status)
    except ValueError:
        raise RuleViolation(f"A consent decision is granted, declined or withdrawn, not {status!r}.",
                            field="status") from None
    try:
        method = ConsentMethod(method)
    except ValueError:
        raise RuleViolation(f"There is no way of obtaining consent called {method!r}.", field="method") from None
    recipient = _normalise_recipient(recipient)
    if purpose == ConsentPurpose.SHARE_PROFESSIONAL and not recipient:
        raise RuleViolation("Name the professional or service the records may be shared with.", field="recipient")
    if purpose not in NAMED_RECIPIENT:
        recipient = ""
    link = ChildGuardian.objects.filter(child=child, guardian=guardian).first()
    if link is None:
        raise RuleViolation(f"{guardian} is not a parent or carer of {child}.", field="guardian")
    if not link.has_parental_responsibility:
        raise RuleViolation(f"{guardian} does not have parental responsibility for {child}.", field="guardian")
    latest = consent_latest(child=child, purpose=purpose, recipient=recipient)
    if latest is not None:
        recipient = latest.recipient  # one spelling per recipient, so the history reads as one thread
    if status == ConsentStatus.WITHDRAWN and (latest is None or latest.status != ConsentStatus.GRANTED):
        raise RuleViolation("There is no consent in force to withdraw.", field="status")
    given_at = given_at or timezone.now()
    if given_at > timezone.now() + dt.timedelta(minutes=5):
        raise RuleViolation("Consent cannot be recorded as given in the future.", field="given_at")
    consent = Consent.objects.create(
        child=child, guardian=guardian, purpose=purpose, recipient=recipient, status=status, method=method,
        given_at=given_at, notes=notes, recorded_by=by,
    )
    audit_record(
        actor=by, action=f"consent_{status}", record=consent, setting_id=child.setting_id,
        summary=f"{guardian} {status} consent: {consent}",
        changes={"purpose": purpose, "recipient": recipient, "status": status, "method": method},
    )
    consent_changed.send(sender=Consent, consent=consent, by=by)
    return consent

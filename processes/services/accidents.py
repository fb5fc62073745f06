"""Accidents and injuries: recording one, the parents' acknowledgement (on the tablet or through a one-time
link), and the sweep that finds a pattern (Setting.injury_pattern_count within injury_pattern_weeks).

EYFS 3.51: parents are told of any accident or injury, and of first aid given, the same day. Seed 001: the key
person monitors "patterns of absence, injury and development – referring them on".
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import secrets

from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404
from django.utils import timezone

from ..access import accident_child_for, may_see_accidents, may_see_accidents_of, staff_of
from ..date_bounds import date_check
from ..dates import when_text
from ..errors import Conflict, NotPermitted, RuleViolation
from ..ids import id_in_range
from ..models import (
    AccidentAckLink,
    AccidentKind,
    AccidentRecord,
    AcknowledgedHow,
    Child,
    InjuryPattern,
    PatternOutcome,
    Setting,
)
from ..signals import injury_pattern_found
from .audit import audit_record
from .reads import audit_attempt

# A drawn signature from the page's canvas: a PNG as a data: URL. Anything else (a script, an SVG that could
# carry one, a megabyte of noise) is refused rather than stored beside a child's record.
SIGNATURE_PREFIX = "data:image/png;base64,"
SIGNATURE_MAX_CHARS = AccidentRecord._meta.get_field("signature").max_length
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
# A link sent to the parents works once, for this long: long enough to read it that evening.
ACK_LINK_LIFETIME = dt.timedelta(days=3)


def accident_child_read(*, user, pk, what: str = "accident records") -> Child:
    """The child whose accident records `user` opens, the read (or the attempt) audited."""
    try:
        child = accident_child_for(user, pk)
    except Http404:
        audit_attempt(user=user, action="read", record_type="processes.AccidentRecord", record_id=pk,
                      child_id=pk if id_in_range(pk) else None,
                      summary=f"Tried to open {what} of child #{pk}: not theirs to see")
        raise
    audit_record(actor=user, action="read", record=child, summary=f"Viewed {child.name}'s {what}")
    return child


def _require_access(by, child: Child, doing: str) -> None:
    if not may_see_accidents(by, child):
        raise NotPermitted(f"Only the child's key persons, the manager and the safeguarding lead can {doing}.")


def _text(value: str, *, field: str, what: str, required: bool = True, most: int = 4000) -> str:
    value = (value or "").strip()
    if required and not value:
        raise RuleViolation(f"Say {what}.", field=field)
    if len(value) > most:
        raise RuleViolation(f"Keep {what} under {most} characters.", field=field)
    return value


@transaction.atomic
def accident_record(
    *, child: Child, by, kind: str, occurred_at: dt.datetime, body_part: str, what_happened: str,
    injury: str = "", first_aid: str = "", witnesses: str = "", parents_told_at: dt.datetime | None = None,
) -> AccidentRecord:
    """Record an accident at the setting, or an injury seen when the child arrived."""
    _require_access(by, child, "record an accident")
    if kind not in AccidentKind.values:
        raise RuleViolation("Say whether it happened here or was seen on arrival.", field="kind")
    if timezone.is_naive(occurred_at):
        raise RuleViolation("Give the time with its time zone.", field="occurred_at")
    if occurred_at > timezone.now():
        raise RuleViolation("An accident cannot be recorded before it happens.", field="occurred_at")
    date_check(timezone.localdate(occurred_at), what="The accident's date", field="occurred_at", child=child)
    if parents_told_at is not None and not occurred_at <= parents_told_at <= timezone.now():
        raise RuleViolation("The parents were told after it happened, and not in the future.",
                            field="parents_told_at")
    accident = AccidentRecord.objects.create(
        child=child, kind=kind, occurred_at=occurred_at,
        body_part=_text(body_part, field="body_part", what="where on the body", most=100),
        what_happened=_text(what_happened, field="what_happened", what="what happened"),
        injury=_text(injury, field="injury", what="the injury", required=False),
        first_aid=_text(first_aid, field="first_aid", what="what was done",
                        required=kind == AccidentKind.ACCIDENT),
        witnesses=_text(witnesses, field="witnesses", what="who saw it", required=False, most=1000),
        parents_told_at=parents_told_at, recorded_by=by,
    )
    audit_record(actor=by, action="create", record=accident, setting_id=child.setting_id,
                 summary=f"Recorded {accident.get_kind_display().lower()} for {child.name} "
                         f"({when_text(occurred_at)}, {accident.body_part})")
    return accident


def _signature_checked(signature: str) -> str:
    signature = (signature or "").strip()
    if not signature.startswith(SIGNATURE_PREFIX) or len(signature) > SIGNATURE_MAX_CHARS:
        raise RuleViolation("Sign in the box (the drawn signature did not arrive).", field="signature")
    try:
        raw = base64.b64decode(signature[len(SIGNATURE_PREFIX):], validate=True)
    except (binascii.Error, ValueError):
        raise RuleViolation("Sign in the box (the drawn signature did not arrive).", field="signature") from None
    if not raw.startswith(PNG_MAGIC):
        raise RuleViolation("Sign in the box (the drawn signature did not arrive).", field="signature")
    return signature


def _acknowledge(accident: AccidentRecord, *, name: str, signature: str, how: str, by) -> AccidentRecord:
    accident = AccidentRecord.objects.select_for_update().select_related("child").get(pk=accident.pk)
    if accident.acknowledged:
        raise Conflict(f"{accident.acknowledged_by_name} already acknowledged this record "
                       f"({when_text(accident.acknowledged_at)}).")
    now = timezone.now()
    accident.acknowledged_by_name = _text(name, field="name", what="your name", most=200)
    accident.signature = _signature_checked(signature)
    accident.acknowledged_at = now
    accident.acknowledged_how = how
    accident.parents_told_at = accident.parents_told_at or now
    accident.save(update_fields=["acknowledged_by_name", "signature", "acknowledged_at", "acknowledged_how",
                                 "parents_told_at"])
    audit_record(actor=by, action="update", record=accident, setting_id=accident.child.setting_id,
                 summary=f"{accident.acknowledged_by_name} acknowledged the record of {accident} "
                         f"({AcknowledgedHow(how).label.lower()})")
    return accident


@transaction.atomic
def accident_acknowledge(*, accident: AccidentRecord, by, name: str, signature: str) -> AccidentRecord:
    """A parent signs for the record on the setting's tablet at collection, the member of staff beside them."""
    _require_access(by, accident.child, "take a parent's acknowledgement")
    return _acknowledge(accident, name=name, signature=signature, how=AcknowledgedHow.TABLET, by=by)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def accident_ack_link_create(*, accident: AccidentRecord, by, now: dt.datetime | None = None) -> str:
    """A one-time link for the parents (returns the token; only its hash is stored). An earlier unused link for
    the same record stops working: the newest one sent is the one that counts."""
    _require_access(by, accident.child, "send a parent an acknowledgement link")
    if accident.acknowledged:
        raise Conflict("This record is already acknowledged.")
    now = now or timezone.now()
    accident.ack_links.filter(used_at__isnull=True, expires_at__gt=now).update(expires_at=now)
    token = secrets.token_urlsafe(32)
    link = AccidentAckLink.objects.create(accident=accident, token_hash=_token_hash(token),
                                          expires_at=now + ACK_LINK_LIFETIME, created_by=by, created_at=now)
    audit_record(actor=by, action="create", record=link, setting_id=accident.child.setting_id,
                 child_id=accident.child_id, summary=f"Made a one-time acknowledgement link for {accident}")
    return token


def accident_by_link(*, token: str) -> AccidentRecord:
    """The record a link names, while the link still works; anything else is one answer for all."""
    link = (AccidentAckLink.objects.select_related("accident__child")
            .filter(token_hash=_token_hash(token or ""), used_at__isnull=True, expires_at__gt=timezone.now())
            .first())
    if link is None or link.accident.acknowledged:
        raise RuleViolation("This link has been used or has expired. Ask the setting for a new one.")
    return link.accident


@transaction.atomic
def accident_acknowledge_by_link(*, token: str, name: str, signature: str) -> AccidentRecord:
    link = (AccidentAckLink.objects.select_for_update()
            .filter(token_hash=_token_hash(token or ""), used_at__isnull=True, expires_at__gt=timezone.now())
            .first())
    if link is None:
        raise RuleViolation("This link has been used or has expired. Ask the setting for a new one.")
    accident = _acknowledge(link.accident, name=name, signature=signature, how=AcknowledgedHow.LINK, by=None)
    link.used_at = timezone.now()
    link.save(update_fields=["used_at"])
    return accident


def injury_patterns_sweep(*, now: dt.datetime | None = None) -> list[InjuryPattern]:
    """Find each child with their setting's number of accident or injury records within its weeks, none of them
    already part of a pattern, and record the pattern once (a repeated sweep finds those records taken)."""
    now = now or timezone.now()
    found = []
    for setting in Setting.objects.only("pk", "injury_pattern_count", "injury_pattern_weeks"):
        since = now - dt.timedelta(weeks=setting.injury_pattern_weeks)
        window = Q(accidents__pattern__isnull=True, accidents__occurred_at__gte=since,
                   accidents__occurred_at__lte=now)
        candidates = (Child.objects.filter(setting=setting).annotate(n=Count("accidents", filter=window))
                      .filter(n__gte=setting.injury_pattern_count).values_list("pk", flat=True))
        for child_id in candidates:
            pattern = _pattern_record(child_id=child_id, setting=setting, since=since, now=now)
            if pattern is not None:
                found.append(pattern)
    return found


@transaction.atomic
def _pattern_record(*, child_id: int, setting: Setting, since: dt.datetime, now: dt.datetime):
    # Under the child's lock, counted again: two sweeps at once find the pattern once.
    child = Child.objects.select_for_update().get(pk=child_id)
    records = list(AccidentRecord.objects.filter(child=child, pattern__isnull=True, occurred_at__gte=since,
                                                 occurred_at__lte=now).values_list("pk", flat=True))
    if len(records) < setting.injury_pattern_count:
        return None
    pattern = InjuryPattern.objects.create(child=child, setting_id=setting.pk, found_at=now,
                                           within_weeks=setting.injury_pattern_weeks)
    AccidentRecord.objects.filter(pk__in=records).update(pattern=pattern)
    audit_record(actor=None, action="create", record=pattern, setting_id=setting.pk, child_id=child.pk,
                 summary=f"{len(records)} accidents or injuries to {child.name} within "
                         f"{setting.injury_pattern_weeks} weeks: a task for the key person and the "
                         "safeguarding lead")
    injury_pattern_found.send(sender=InjuryPattern, pattern=pattern)
    return pattern


@transaction.atomic(savepoint=False)
def injury_pattern_review_record(*, pattern: InjuryPattern, by, notes: str, outcome: str = "") -> InjuryPattern:
    """The key person's look at a pattern (what they know of each record), or the safeguarding lead's decision
    (`outcome`). Seed 001: patterns are monitored and "referred on"; referring is the lead's call."""
    staff = staff_of(by)
    if staff is None or staff.setting_id != pattern.setting_id:
        raise NotPermitted("Only the setting's staff look into an injury pattern.")
    notes = _text(notes, field="notes", what="what you found")
    if outcome:
        if not staff.is_dsl:
            raise NotPermitted("Only the designated safeguarding lead decides what follows a pattern.")
        if outcome not in PatternOutcome.values:
            raise RuleViolation("Choose what follows.", field="outcome")
        pattern.dsl_notes, pattern.dsl_outcome, pattern.dsl_by = notes, outcome, by
        fields = ["dsl_notes", "dsl_outcome", "dsl_by"]
    else:
        if not may_see_accidents_of(by, child_id=pattern.child_id, setting_id=pattern.setting_id):
            raise NotPermitted("Only the child's key persons, the manager and the safeguarding lead look into it.")
        pattern.key_person_notes, pattern.key_person_by = notes, by
        fields = ["key_person_notes", "key_person_by"]
    pattern.save(update_fields=fields)
    audit_record(actor=by, action="update", record=pattern, setting_id=pattern.setting_id,
                 child_id=pattern.child_id,
                 summary="Safeguarding lead's decision on an injury pattern: "
                         f"{PatternOutcome(outcome).label}" if outcome else "Key person's notes on an injury pattern")
    return pattern

"""Drop-in sessions (seed 004) and the private calendar feed each member of staff may subscribe to."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.db import IntegrityError, transaction
from django.utils import timezone

from ..access import staff_of
from ..errors import Conflict, NotPermitted, RuleViolation
from ..models import CalendarFeed, Child, DropInSlot, MeetingKind, ParentMeeting, Staff
from ..signals import drop_ins_offered
from .audit import audit_record
from .introduction import MEETING_MINUTES
from .meetings import meeting_arrange

MOST_SLOTS = 20


@transaction.atomic
def drop_ins_offer(
    *, host: Staff, by, starts_at: dt.datetime, count: int = 1, duration_minutes: int = 20, location: str = "",
) -> list[DropInSlot]:
    """Seed 004: "a set time for key workers and parents to have time together". `count` slots one after
    another from `starts_at`; the parents of the host's key children are told."""
    staff = staff_of(by)
    if staff is None or staff.setting_id != host.setting_id or not (staff.pk == host.pk or staff.is_manager):
        raise NotPermitted("Key persons offer their own drop-in sessions (or the manager for them).")
    if timezone.is_naive(starts_at):
        raise RuleViolation("The time has no time zone.", field="starts_at")
    if starts_at < timezone.now():
        raise RuleViolation("Drop-in sessions are offered for times to come.", field="starts_at")
    low, high = MEETING_MINUTES
    if not low <= duration_minutes <= high:
        raise RuleViolation(f"A slot lasts between {low} and {high} minutes.", field="duration_minutes")
    if not 1 <= count <= MOST_SLOTS:
        raise RuleViolation(f"Offer between 1 and {MOST_SLOTS} slots at once.", field="count")
    step = dt.timedelta(minutes=duration_minutes)
    slots = [DropInSlot(setting_id=host.setting_id, host=host, starts_at=starts_at + i * step,
                        duration_minutes=duration_minutes, location=location.strip(), offered_by=by)
             for i in range(count)]
    try:
        with transaction.atomic():
            DropInSlot.objects.bulk_create(slots)
    except IntegrityError:
        raise RuleViolation("A drop-in slot at one of these times is offered already.", field="starts_at") from None
    slots = list(DropInSlot.objects.filter(host=host, starts_at__in=[s.starts_at for s in slots]))
    audit_record(actor=by, action="create", record=slots[0], setting_id=host.setting_id,
                 summary=f"Offered {count} drop-in slot(s) from {timezone.localtime(starts_at):%d %b %Y %H:%M}")
    drop_ins_offered.send(sender=DropInSlot, host=host, slots=slots, by=by)
    return slots


@transaction.atomic
def drop_in_take(*, slot_id: int, child: Child, by, with_whom: str = "") -> ParentMeeting:
    """The parents take a slot (the key person records it): the slot becomes a meeting, followed as any other."""
    slot = DropInSlot.objects.select_for_update().select_related("host").get(pk=slot_id)
    if slot.meeting_id is not None:
        raise Conflict("That drop-in slot has been taken already: choose another.")
    if slot.setting_id != child.setting_id:
        raise RuleViolation("That drop-in slot is at another setting.")
    meeting = meeting_arrange(child=child, by=by, kind=MeetingKind.DROP_IN, starts_at=slot.starts_at,
                              duration_minutes=slot.duration_minutes, location=slot.location, with_whom=with_whom,
                              asked_by="parents", host=slot.host)
    slot.meeting = meeting
    slot.save(update_fields=["meeting"])
    return meeting


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def calendar_feed_reset(*, staff: Staff, by) -> str:
    """A new secret for the staff member's feed URL (the old URL stops working). Only its hash is kept."""
    if staff_of(by) is None or staff_of(by).pk != staff.pk:
        raise NotPermitted("Only the member of staff can reset their own calendar feed.")
    token = secrets.token_urlsafe(32)
    CalendarFeed.objects.update_or_create(staff=staff, defaults={"token_hash": _digest(token)})
    audit_record(actor=by, action="update", record=staff, setting_id=staff.setting_id,
                 summary="Reset the private calendar feed address")
    return token


def calendar_feed_staff(*, token: str) -> Staff | None:
    """Whose feed the token opens. Looked up by its SHA-256: the secret itself is never compared or stored."""
    if not token or len(token) > 100:
        return None
    feed = CalendarFeed.objects.filter(token_hash=_digest(token)).select_related("staff__setting",
                                                                                 "staff__user").first()
    if feed is None or not feed.staff.user.is_active:
        return None
    return feed.staff

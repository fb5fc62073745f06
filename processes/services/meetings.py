"""Parent meetings of every kind (seeds 002 and 004): arranged, changed, cancelled, held or not, followed up.

The introduction is arranged by its own step (services.introduction); every meeting then follows the same
rules here. Each change is audited; the parents hear of it through the signals (notifications), with the
calendar entry updated under the same UID (processes.calendar_ics).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .. import date_bounds
from ..access import staff_of
from ..errors import RuleViolation
from ..models import Child, MeetingAction, MeetingKind, MeetingStatus, ParentMeeting, Staff
from ..signals import meeting_arranged, meeting_changed
from .audit import audit_record
from .introduction import MEETING_MINUTES, require_carer

ARRANGED_HERE = (MeetingKind.PROGRESS, MeetingKind.REQUESTED, MeetingKind.DROP_IN, MeetingKind.TWO_YEAR_CHECK)
ASKED_BY = ("parents", "key_person", "setting")


def _when(starts_at: dt.datetime, duration_minutes: int, child: Child) -> None:
    if timezone.is_naive(starts_at):
        raise RuleViolation("The meeting's time has no time zone.", field="starts_at")
    low, high = MEETING_MINUTES
    if not low <= duration_minutes <= high:
        raise RuleViolation(f"A meeting lasts between {low} and {high} minutes.", field="duration_minutes")
    date_bounds.in_the_childs_life(timezone.localtime(starts_at).date(), child, field="starts_at")


def _host(by, child: Child, host: Staff | None) -> Staff | None:
    host = host or staff_of(by)
    if host is not None and host.setting_id != child.setting_id:
        raise RuleViolation("The member of staff meeting the parents works at another setting.", field="host")
    return host


@transaction.atomic(savepoint=False)
def meeting_arrange(
    *, child: Child, by, kind: str, starts_at: dt.datetime, duration_minutes: int = 30, location: str = "",
    with_whom: str = "", notes: str = "", asked_by: str = "", host: Staff | None = None,
) -> ParentMeeting:
    """Arrange a meeting with the parents; those with an e-mail address are sent an invitation (.ics).

    Seed 002: "staff members will always make time to speak to parents who need them, either immediately or
    by appointment": a meeting may be arranged for now, and one in the past is recorded without an invitation.
    """
    require_carer(by, child, "arrange meetings with the parents")
    if kind not in ARRANGED_HERE:
        raise RuleViolation(f"A meeting of this kind is arranged by its own step, not here ({kind}).", field="kind")
    if asked_by and asked_by not in ASKED_BY:
        raise RuleViolation(f"Who asked: one of {', '.join(ASKED_BY)}.", field="asked_by")
    _when(starts_at, duration_minutes, child)
    meeting = ParentMeeting.objects.create(
        child=child, kind=kind, starts_at=starts_at, duration_minutes=duration_minutes, location=location.strip(),
        with_whom=with_whom.strip(), notes=notes.strip(), arranged_by=by, asked_by=asked_by,
        host=_host(by, child, host),
    )
    audit_record(actor=by, action="create", record=meeting, setting_id=child.setting_id, child_id=child.pk,
                 summary=f"Arranged a {meeting.get_kind_display().lower()} for {_at(starts_at)}")
    meeting_arranged.send(sender=ParentMeeting, meeting=meeting, by=by)
    return meeting


def _at(when: dt.datetime) -> str:
    return f"{timezone.localtime(when):%d %b %Y %H:%M}"


def _still_to_hold(meeting: ParentMeeting, doing: str) -> None:
    if meeting.status in (MeetingStatus.HELD, MeetingStatus.CANCELLED):
        raise RuleViolation(f"The meeting is {meeting.get_status_display().lower()}: it cannot be {doing}.")


@transaction.atomic(savepoint=False)
def meeting_reschedule(
    *, meeting: ParentMeeting, by, starts_at: dt.datetime, duration_minutes: int | None = None,
    location: str | None = None,
) -> ParentMeeting:
    """A new time (or length, or place): the parents' calendar entry is updated (same UID, next SEQUENCE)."""
    child = meeting.child
    require_carer(by, child, "change a meeting with the parents")
    _still_to_hold(meeting, "moved")
    minutes = duration_minutes or meeting.duration_minutes
    _when(starts_at, minutes, child)
    if starts_at < timezone.now():
        raise RuleViolation(f"{_at(starts_at)} is in the past: choose a time to come.", field="starts_at")
    before = _at(meeting.starts_at)
    meeting.starts_at, meeting.duration_minutes = starts_at, minutes
    if location is not None:
        meeting.location = location.strip()
    meeting.status = MeetingStatus.ARRANGED
    meeting.sequence = F("sequence") + 1
    meeting.save(update_fields=["starts_at", "duration_minutes", "location", "status", "sequence"])
    meeting.refresh_from_db(fields=["sequence"])
    audit_record(actor=by, action="update", record=meeting, setting_id=child.setting_id, child_id=child.pk,
                 summary=f"Moved the {meeting.get_kind_display().lower()} from {before} to {_at(starts_at)}")
    meeting_changed.send(sender=ParentMeeting, meeting=meeting, by=by)
    return meeting


@transaction.atomic(savepoint=False)
def meeting_cancel(*, meeting: ParentMeeting, by, reason: str) -> ParentMeeting:
    """Call the meeting off: the parents' calendar is sent the cancellation (METHOD:CANCEL, same UID)."""
    child = meeting.child
    require_carer(by, child, "cancel a meeting with the parents")
    _still_to_hold(meeting, "cancelled")
    if not reason.strip():
        raise RuleViolation("Say why the meeting is cancelled.", field="reason")
    meeting.status = MeetingStatus.CANCELLED
    meeting.discussed = reason.strip()
    meeting.sequence = F("sequence") + 1
    meeting.outcome_by, meeting.outcome_at = by, timezone.now()
    meeting.save(update_fields=["status", "discussed", "sequence", "outcome_by", "outcome_at"])
    meeting.refresh_from_db(fields=["sequence"])
    audit_record(actor=by, action="cancel", record=meeting, setting_id=child.setting_id, child_id=child.pk,
                 summary=f"Cancelled the {meeting.get_kind_display().lower()} of {_at(meeting.starts_at)}")
    meeting_changed.send(sender=ParentMeeting, meeting=meeting, by=by)
    return meeting


@transaction.atomic(savepoint=False)
def meeting_outcome_record(
    *, meeting: ParentMeeting, by, held: bool, discussed: str, parents_present: bool | None = None,
    next_steps: str = "", actions: Iterable[tuple[str, Staff | None]] = (),
) -> ParentMeeting:
    """Held: what was discussed, the next steps agreed and who does what. Not held: why (it is rearranged)."""
    child = meeting.child
    require_carer(by, child, "record a meeting with the parents")
    _still_to_hold(meeting, "recorded again")
    if not discussed.strip():
        raise RuleViolation("Say what was discussed." if held else "Say why the meeting did not take place.",
                            field="discussed")
    if held and meeting.starts_at > timezone.now():
        raise RuleViolation(f"The meeting is at {_at(meeting.starts_at)}: it is recorded once held.")
    actions = [(what.strip(), staff) for what, staff in actions if what.strip()]
    for _, staff in actions:
        if staff is not None and staff.setting_id != child.setting_id:
            raise RuleViolation("A next step is for someone at another setting.", field="actions")
    meeting.status = MeetingStatus.HELD if held else MeetingStatus.NOT_HELD
    meeting.parents_present = parents_present if held else None
    meeting.discussed, meeting.next_steps = discussed.strip(), next_steps.strip() if held else ""
    meeting.outcome_by, meeting.outcome_at = by, timezone.now()
    meeting.save(update_fields=["status", "parents_present", "discussed", "next_steps", "outcome_by",
                                "outcome_at"])
    if held and actions:
        MeetingAction.objects.bulk_create([MeetingAction(meeting=meeting, what=w, staff=s) for w, s in actions])
    audit_record(actor=by, action="update", record=meeting, setting_id=child.setting_id, child_id=child.pk,
                 summary=f"Recorded the {meeting.get_kind_display().lower()} as {meeting.get_status_display().lower()}")
    return meeting


@transaction.atomic(savepoint=False)
def meeting_prepared(*, meeting: ParentMeeting, by, notes: str) -> ParentMeeting:
    """The key person's preparation for a progress meeting, kept with the meeting's notes."""
    require_carer(by, meeting.child, "prepare a meeting with the parents")
    if not notes.strip():
        raise RuleViolation("Say what you will share with the parents.", field="notes")
    meeting.notes = "\n".join(filter(None, [meeting.notes, f"Prepared: {notes.strip()}"]))
    meeting.save(update_fields=["notes"])
    return meeting


@transaction.atomic(savepoint=False)
def meeting_parents_told(*, meeting: ParentMeeting, by, how: str) -> ParentMeeting:
    """Seed 004: "if the parents are not at the meeting, the key worker will keep the parents informed"."""
    child = meeting.child
    require_carer(by, child, "record that the parents were told")
    if not how.strip():
        raise RuleViolation("Say how and when the parents were told.", field="how")
    meeting.parents_told_at = timezone.now()
    meeting.next_steps = "\n".join(filter(None, [meeting.next_steps, f"Parents told: {how.strip()}"]))
    meeting.save(update_fields=["parents_told_at", "next_steps"])
    audit_record(actor=by, action="update", record=meeting, setting_id=child.setting_id, child_id=child.pk,
                 summary="Told the parents what the meeting discussed")
    return meeting


@transaction.atomic(savepoint=False)
def meeting_actions_done(*, meeting: ParentMeeting, by, notes: str) -> int:
    """The setting's agreed next steps carried out (the parents' own are theirs to do)."""
    child = meeting.child
    require_carer(by, child, "record the agreed next steps")
    done = MeetingAction.objects.filter(meeting=meeting, staff__isnull=False, done_at__isnull=True).update(
        done_at=timezone.now(), done_notes=notes.strip())
    audit_record(actor=by, action="update", record=meeting, setting_id=child.setting_id, child_id=child.pk,
                 summary=f"Carried out {done} agreed next step(s) of the meeting")
    return done

"""E-mails to parents and carers: who their child's key persons are, a meeting arranged, consent asked for.

Only those with parental responsibility and an e-mail address are written to.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from processes.models import AssignmentRole, Child, ConsentPurpose, DropInSlot, MeetingStatus

from .models import Kind, Notification
from .services import for_guardian, notifications_save


def _guardians(child: Child) -> list:
    return [link.guardian for link in child.guardian_links.select_related("guardian")
            if link.has_parental_responsibility and link.guardian.email]


def _rows(child: Child, *, kind: str, event: str, subject: str, refs: dict, now: dt.datetime) -> list[Notification]:
    refs = {"child": child.first_name, **refs}
    return [row for guardian in _guardians(child) for row in for_guardian(
        guardian, kind=kind, event=event, setting_id=child.setting_id, subject=subject, now=now,
        child_id=child.pk, refs={**refs, "guardian": guardian.first_name})]


def key_persons_letter_send(*, child_id: int) -> int:
    """Tell the parents/carers who their child's key person and secondary are (EYFS: parents must be told
    the key person's name). One letter per guardian for each set of key persons, however often it is asked
    for: the key names the assignments. Returns how many e-mails were queued."""
    child = Child.objects.select_related("setting").get(pk=child_id)
    current = {a.role: a for a in child.assignments.current().select_related("staff__user")}
    primary, secondary = current.get(AssignmentRole.PRIMARY), current.get(AssignmentRole.SECONDARY)
    if primary is None:
        return 0
    refs = {
        "key_person": primary.staff.name, "key_person_first_name": primary.staff.user.first_name,
        "key_person_job_title": primary.staff.job_title, "secondary": secondary.staff.name if secondary else "",
    }
    rows = _rows(child, kind=Kind.KEY_PERSONS, event=f"c{child.pk}:p{primary.pk}:s{secondary.pk if secondary else 0}",
                 subject=f"{child.first_name}'s key person at {child.setting}", refs=refs, now=timezone.now())
    return len(notifications_save(rows))


def meeting_invitation_send(*, meeting) -> int:
    """Invite the parents to a meeting still to come, or send its change or cancellation (the calendar entry
    keeps its UID; each version is its own e-mail, keyed by its SEQUENCE). A meeting recorded after it began (a
    history entered later, the demo's past) gets no invitation: a calendar entry for the past asks nothing."""
    cancelled = meeting.status == MeetingStatus.CANCELLED
    if meeting.starts_at <= timezone.now():
        return 0
    child = meeting.child
    refs = {"meeting_id": meeting.pk, "meeting": meeting.get_kind_display(),
            "starts_at": meeting.starts_at.isoformat(), "duration_minutes": meeting.duration_minutes,
            "location": meeting.location, "with_whom": meeting.with_whom, "sequence": meeting.sequence,
            "cancelled": cancelled}
    what = "cancelled" if cancelled else "changed" if meeting.sequence else ""
    subject = f"{meeting.get_kind_display()} for {child.first_name} at {child.setting}"
    rows = _rows(child, kind=Kind.MEETING_ARRANGED, event=f"m{meeting.pk}" + (f":s{meeting.sequence}"
                                                                              if meeting.sequence else ""),
                 subject=f"{subject}: {what}" if what else subject, refs=refs, now=timezone.now())
    return len(notifications_save(rows))


def consent_request_send(*, child: Child, purpose: str, recipient: str = "") -> int:
    """Ask the parents for consent. Asked again the same day, for the same purpose, it is the same request."""
    now = timezone.now()
    label = ConsentPurpose(purpose).label
    refs = {"purpose": label, "recipient": recipient}
    event = f"c{child.pk}:{purpose}:{recipient}:{timezone.localdate(now).isoformat()}"
    rows = _rows(child, kind=Kind.CONSENT_REQUESTED, event=event,
                 subject=f"Your consent for {child.first_name}: {label.lower()}", refs=refs, now=now)
    return len(notifications_save(rows))


def drop_ins_send(*, host_id: int, slot_ids: list[int]) -> int:
    """Seed 004: the parents of the key person's key children are told of the drop-in slots offered."""
    slots = list(DropInSlot.objects.filter(pk__in=slot_ids).order_by("starts_at"))
    if not slots:
        return 0
    children = Child.objects.filter(assignments__staff_id=host_id, assignments__ends_on__isnull=True,
                                    assignments__role=AssignmentRole.PRIMARY).select_related("setting")
    times = [timezone.localtime(s.starts_at).strftime("%a %-d %b %H:%M") for s in slots]
    now = timezone.now()
    rows = []
    for child in children:
        rows += _rows(child, kind=Kind.MEETING_ARRANGED, event=f"d{slots[0].pk}:{len(slots)}",
                      subject=f"Drop-in times with {child.first_name}'s key person at {child.setting}",
                      refs={"meeting": "Drop-in session", "drop_in_times": times,
                            "starts_at": slots[0].starts_at.isoformat(), "duration_minutes": slots[0].duration_minutes,
                            "location": slots[0].location, "with_whom": ""}, now=now)
    return len(notifications_save(rows))

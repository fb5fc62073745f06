"""The introduction to the parents: the meeting arranged with them, and "all about me".

Called by the introduction workflow's steps (workflows.introduction); the rules are here, the forms only say
them early.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from .. import date_bounds
from ..access import staff_of
from ..errors import NotPermitted, RuleViolation
from ..models import AllAboutMe, Child, MeetingKind, ParentMeeting
from ..signals import meeting_arranged
from .audit import audit_record

# These services are steps of a workflow, run inside the step's transaction: a refusal undoes the whole step
# (task_complete rolls it back), so they take no savepoint of their own (two statements each, every step). A
# caller that wants to carry on in its transaction after a refusal gives the call a transaction.atomic() of its own.

ALL_ABOUT_ME_FIELDS = ("routines", "sleep", "feeding", "allergies", "comforters", "likes", "dislikes",
                       "home_language", "parents_want_known")
MEETING_MINUTES = (5, 240)


def require_carer(by, child: Child, doing: str) -> None:
    """Records about a child's care are written by the setting's key persons and its manager."""
    staff = staff_of(by)
    if staff is None or staff.setting_id != child.setting_id or not (staff.is_key_person or staff.is_manager):
        raise NotPermitted(f"Only the setting's key persons and manager can {doing}.")


@transaction.atomic(savepoint=False)
def introduction_meeting_arrange(
    *,
    child: Child,
    by,
    starts_at: dt.datetime,
    duration_minutes: int = 30,
    location: str = "",
    with_whom: str = "",
    notes: str = "",
    already_held: bool = False,
) -> ParentMeeting:
    """Arrange the parents' meeting with the key person; they are sent an invitation (notifications).

    A meeting that has already taken place may be recorded (`already_held`): nobody is invited to it.
    """
    require_carer(by, child, "arrange the introduction")
    if timezone.is_naive(starts_at):
        raise RuleViolation("The meeting's time has no time zone.", field="starts_at")
    low, high = MEETING_MINUTES
    if not low <= duration_minutes <= high:
        raise RuleViolation(f"A meeting lasts between {low} and {high} minutes.", field="duration_minutes")
    day = timezone.localtime(starts_at).date()
    date_bounds.in_the_childs_life(day, child, field="starts_at")
    # Seeds 003/004: parents are introduced to the key person "before or on the child's first day".
    date_bounds.not_after(day, child.start_date, field="starts_at",
                          why=f"{child.name}'s first day: the introduction comes on or before it")
    now = timezone.now()
    if already_held and starts_at > now:
        raise RuleViolation("A meeting that has already taken place cannot be in the future.", field="starts_at")
    if not already_held and starts_at < now:
        raise RuleViolation(
            f"{timezone.localtime(starts_at):%-d %b %Y %H:%M} is in the past: the parents cannot be invited to it. "
            "Choose a time to come, or say the meeting has already taken place.", field="starts_at",
        )
    meeting = ParentMeeting.objects.create(
        child=child, kind=MeetingKind.INTRODUCTION, starts_at=starts_at, duration_minutes=duration_minutes,
        location=location, with_whom=with_whom, notes=notes, arranged_by=by,
    )
    held = " (already held)" if already_held else ""
    audit_record(actor=by, action="create", record=meeting, setting_id=child.setting_id, child_id=child.pk,
                 summary=f"Arranged the introduction for {timezone.localtime(starts_at):%d %b %Y %H:%M}{held}")
    if not already_held:
        meeting_arranged.send(sender=ParentMeeting, meeting=meeting, by=by)
    return meeting


@transaction.atomic(savepoint=False)
def all_about_me_record(*, child: Child, by, **answers: str) -> AllAboutMe:
    """Record "all about me" as the parents describe their child; a second call updates the same record."""
    require_carer(by, child, "record 'all about me'")
    unknown = set(answers) - set(ALL_ABOUT_ME_FIELDS)
    if unknown:
        raise RuleViolation(f"'All about me' has no {', '.join(sorted(unknown))}.")
    answers = {name: (value or "").strip() for name, value in answers.items()}
    if not any(answers.get(f) for f in ("routines", "sleep", "feeding", "likes")):
        raise RuleViolation("Record at least the child's routines, sleep, feeding or likes.")
    # One statement whether it is the first record or a change (INSERT ... ON CONFLICT (child) DO UPDATE).
    fields = [*answers, "completed_by", "completed_at"]
    [record] = AllAboutMe.objects.bulk_create(
        [AllAboutMe(child=child, completed_by=by, completed_at=timezone.now(), **answers)],
        update_conflicts=True, unique_fields=["child"], update_fields=fields,
    )
    audit_record(actor=by, action="update", record=record, setting_id=child.setting_id, child_id=child.pk,
                 summary=f"Completed 'all about me' for {child.name}")
    return record

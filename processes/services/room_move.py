"""Room moves: planned by the manager, the new room's key persons chosen, visits to the new room growing
longer, the parents meeting the new key person, a handover, then the move itself on its day.

Steps Ahead: the change of key person that comes with a room move is made "at the child's pace and
sympathetically"; Potton: "with gradual introductions and parental involvement". The workflow's steps call
these (workflows.room_move); the rules are here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from django.db import transaction
from django.db.models import F, Func, Subquery
from django.utils import timezone

from .. import date_bounds
from ..errors import RuleViolation
from ..models import (
    AssignmentRole,
    Child,
    KeyPersonAssignment,
    LifecycleState,
    MeetingKind,
    ParentMeeting,
    Room,
    RoomMove,
    RoomMovePostponement,
    Staff,
    TransitionStatus,
    TransitionVisit,
)
from ..signals import meeting_arranged, room_move_planned, transition_ended
from .audit import audit_record
from .children import _require_manager
from .introduction import MEETING_MINUTES, require_carer
from .keyperson import _assign, _key_persons_replace, caseload_of
from .lifecycle import lifecycle_move
from .settling import settling_visits_check


def _require_open(move: RoomMove) -> None:
    if move.status != TransitionStatus.OPEN:
        raise RuleViolation(f"This room move is {move.get_status_display().lower()}: nothing more can change.")


def _key_person_check(staff: Staff, child: Child, field: str) -> None:
    if staff.setting_id != child.setting_id:
        raise RuleViolation("That member of staff works at another setting.", field=field)
    if not staff.is_key_person or not staff.user.is_active:
        raise RuleViolation(f"{staff} cannot be a key person (not a key person, or their account is closed).",
                            field=field)


@transaction.atomic
def room_move_plan(*, child: Child, to_room: Room, planned_on: dt.date, by, why: str = "") -> RoomMove:
    """Plan a settled child's move to `to_room` on `planned_on`: the child is "moving room" from now, and the
    room move workflow starts (workflows.receivers)."""
    _require_manager(by, child.setting_id, "plan a room move")
    child = Child.objects.select_for_update().get(pk=child.pk)
    if to_room.setting_id != child.setting_id:
        raise RuleViolation("That room belongs to another setting.", field="to_room")
    if to_room.pk == child.room_id:
        raise RuleViolation(f"{child.name} is already in {to_room}.", field="to_room")
    if child.state != LifecycleState.SETTLED:
        raise RuleViolation(f"{child.name} is {child.get_state_display().lower()}: a room move is planned for a "
                            "settled child.")
    date_bounds.in_the_childs_life(planned_on, child, field="planned_on")
    date_bounds.not_before(planned_on, timezone.localdate(), field="planned_on", why="today: a move is planned ahead")
    old = child.assignments.current().filter(role=AssignmentRole.PRIMARY).values_list("staff_id", flat=True).first()
    move = RoomMove.objects.create(child=child, from_room_id=child.room_id, to_room=to_room, planned_on=planned_on,
                                   why=why.strip(), old_key_person_id=old, created_by=by)
    audit_record(actor=by, action="create", record=move, setting_id=child.setting_id, child_id=child.pk,
                 summary=f"Planned a move to {to_room} on {planned_on:%d %b %Y}")
    lifecycle_move(child=child, transition="begin_room_move", by=by, reason=f"Moving to {to_room}", locked=True)
    room_move_planned.send(sender=RoomMove, move=move, by=by)
    return move


@transaction.atomic(savepoint=False)
def room_move_key_persons_choose(*, move: RoomMove, primary: Staff, secondary: Staff, by,
                                 over_caseload_reason: str = "") -> RoomMove:
    """Choose the new room's key person and secondary; they take over on the day of the move."""
    _require_manager(by, move.child.setting_id, "choose the new key persons")
    _require_open(move)
    if primary.pk == secondary.pk:
        raise RuleViolation("The secondary key person must be someone other than the key person.", field="secondary")
    _key_person_check(primary, move.child, "primary")
    _key_person_check(secondary, move.child, "secondary")
    load = caseload_of(primary) if primary.pk != move.old_key_person_id else 0
    if load >= primary.max_caseload and not over_caseload_reason.strip():
        raise RuleViolation(f"{primary} already has {load} key children (maximum {primary.max_caseload}). Give a "
                            "reason to go over their caseload.", field="over_caseload_reason")
    move.new_key_person, move.new_secondary = primary, secondary
    move.save(update_fields=["new_key_person", "new_secondary"])
    audit_record(actor=by, action="update", record=move, setting_id=move.child.setting_id, child_id=move.child_id,
                 summary=f"New key person in {move.to_room}: {primary}, secondary {secondary}",
                 changes={"over_caseload_reason": over_caseload_reason} if over_caseload_reason else None)
    return move


def _visits_check(move: RoomMove, visits: Iterable[Mapping], *, field: str, taken=None) -> list[dict]:
    # The settling-in plan's rules (several visits growing longer, none twice in a slot), before the move.
    taken = set(move.visits.values_list("on", "starts_at")) if taken is None else taken
    rows = ({**v, "parent_stays": v.get("with_old_key_person", v.get("parent_stays"))} for v in visits)
    ordered = settling_visits_check(move.child, rows, taken=taken, field=field)
    for visit in ordered:
        date_bounds.not_before(visit["on"], timezone.localdate(), field=field, why="today: visits are planned ahead")
        date_bounds.not_after(visit["on"], move.planned_on, field=field, why="the day of the move")
    return [{"on": v["on"], "starts_at": v["starts_at"], "duration_minutes": v["duration_minutes"],
             "with_old_key_person": v["parent_stays"]} for v in ordered]


@transaction.atomic(savepoint=False)
def room_move_visits_plan(*, move: RoomMove, visits: Iterable[Mapping], by) -> list[TransitionVisit]:
    """Plan the visits to the new room: they replace those not yet made."""
    require_carer(by, move.child, "plan transition visits")
    _require_open(move)
    move.visits.filter(recorded_at__isnull=True).delete()
    ordered = _visits_check(move, visits, field="visits")
    if not ordered:
        raise RuleViolation("Plan at least one visit to the new room.", field="visits")
    made = TransitionVisit.objects.bulk_create(TransitionVisit(move=move, **v) for v in ordered)
    audit_record(actor=by, action="update", record=move, setting_id=move.child.setting_id, child_id=move.child_id,
                 summary=f"Planned {len(made)} visits to {move.to_room}")
    return made


@transaction.atomic(savepoint=False)
def transition_visit_record(*, visit: TransitionVisit, by, how_it_went: str) -> TransitionVisit:
    move = visit.move
    require_carer(by, move.child, "record a transition visit")
    _require_open(move)
    if visit.recorded_at is not None:
        raise RuleViolation(f"The visit of {visit.on:%-d %b} is already recorded.")
    date_bounds.not_in_the_future(visit.on, field="how_it_went", what="A visit")
    if not how_it_went.strip():
        raise RuleViolation("Say how the child was.", field="how_it_went")
    visit.how_it_went, visit.recorded_by, visit.recorded_at = how_it_went.strip(), by, timezone.now()
    visit.save(update_fields=["how_it_went", "recorded_by", "recorded_at"])
    audit_record(actor=by, action="update", record=visit, setting_id=move.child.setting_id, child_id=move.child_id,
                 summary=f"Recorded the visit to {move.to_room} of {visit.on:%d %b}")
    return visit


def _postpone(move: RoomMove, *, to_date: dt.date, reason: str, by) -> None:
    if not reason.strip():
        raise RuleViolation("Say why the move date changes.", field="reason")
    date_bounds.in_the_childs_life(to_date, move.child, field="new_date")
    date_bounds.not_before(to_date, timezone.localdate(), field="new_date", why="today")
    if to_date == move.planned_on:
        raise RuleViolation("The new date is the date already planned.", field="new_date")
    RoomMovePostponement.objects.create(move=move, from_date=move.planned_on, to_date=to_date, reason=reason.strip(),
                                        by=by)
    audit_record(actor=by, action="update", record=move, setting_id=move.child.setting_id, child_id=move.child_id,
                 summary=f"Move date changed from {move.planned_on:%d %b} to {to_date:%d %b}: {reason.strip()}")
    move.planned_on = to_date
    move.save(update_fields=["planned_on"])


@transaction.atomic
def room_move_postpone(*, move: RoomMove, to_date: dt.date, reason: str, by) -> RoomMove:
    """Move the date of the move, saying why (the child is not ready, visits are still to come)."""
    require_carer(by, move.child, "change the date of a room move")
    _require_open(move)
    _postpone(move, to_date=to_date, reason=reason, by=by)
    return move


@transaction.atomic(savepoint=False)
def room_move_readiness_record(*, move: RoomMove, by, ready: bool, notes: str = "", extra_visits=(),
                               new_date: dt.date | None = None, reason: str = "") -> RoomMove:
    """The new key person decides: the child is ready for the move, or needs more visits (and, when the date
    no longer leaves room for them, a later date with the reason)."""
    require_carer(by, move.child, "say whether the child is ready to move")
    _require_open(move)
    visits = list(move.visits.all())  # one read: whether any is unrecorded, and the slots taken
    if any(v.recorded_at is None for v in visits):
        raise RuleViolation("Record the visits already made first.")
    if ready:
        if extra_visits or new_date:
            raise RuleViolation("A child who is ready needs no more visits.", field="extra_visits")
        move.ready_on = timezone.localdate()
        move.save(update_fields=["ready_on"])
        audit_record(actor=by, action="update", record=move, setting_id=move.child.setting_id, child_id=move.child_id,
                     summary=f"Ready to move to {move.to_room}" + (f": {notes.strip()}" if notes.strip() else ""))
        return move
    if new_date:
        _postpone(move, to_date=new_date, reason=reason or notes, by=by)
    extra = _visits_check(move, extra_visits, field="extra_visits", taken={(v.on, v.starts_at) for v in visits})
    if not extra:
        raise RuleViolation("Add the further visits the child needs.", field="extra_visits")
    TransitionVisit.objects.bulk_create(TransitionVisit(move=move, **v) for v in extra)
    audit_record(actor=by, action="update", record=move, setting_id=move.child.setting_id, child_id=move.child_id,
                 summary=f"Not ready yet: {len(extra)} more visits" + (f" ({notes.strip()})" if notes.strip() else ""))
    return move


@transaction.atomic(savepoint=False)
def room_move_parents_meeting_arrange(*, move: RoomMove, by, starts_at: dt.datetime, duration_minutes: int = 30,
                                      location: str = "", with_whom: str = "", notes: str = "") -> ParentMeeting:
    """The parents meet the new key person before the move; they are sent an invitation (iCalendar)."""
    child = move.child
    require_carer(by, child, "arrange the parents' meeting")
    _require_open(move)
    if timezone.is_naive(starts_at):
        raise RuleViolation("The meeting's time has no time zone.", field="starts_at")
    low, high = MEETING_MINUTES
    if not low <= duration_minutes <= high:
        raise RuleViolation(f"A meeting lasts between {low} and {high} minutes.", field="duration_minutes")
    if starts_at < timezone.now():
        raise RuleViolation("That time has passed: the parents cannot be invited to it.", field="starts_at")
    day = timezone.localtime(starts_at).date()
    date_bounds.in_the_childs_life(day, child, field="starts_at")
    meeting = ParentMeeting.objects.create(child=child, kind=MeetingKind.NEW_KEY_PERSON, starts_at=starts_at,
                                           duration_minutes=duration_minutes, location=location,
                                           with_whom=with_whom, notes=notes, arranged_by=by)
    audit_record(actor=by, action="create", record=meeting, setting_id=child.setting_id, child_id=child.pk,
                 summary=f"Arranged for the parents to meet {move.new_key_person} on {day:%d %b %Y}")
    meeting_arranged.send(sender=ParentMeeting, meeting=meeting, by=by)
    return meeting


def _count(rows) -> Subquery:
    """How many `rows`, as a subquery a read can carry (COUNT as a plain function: no GROUP BY)."""
    return Subquery(rows.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n"))


@transaction.atomic(savepoint=False)
def room_move_complete(*, move: RoomMove, by) -> RoomMove:
    """On the day: the room and the key persons change together (the old assignments ended, kept as history),
    the child is settled again, and their key-person tasks follow the new key person (workflows.routing)."""
    # The child read once, locked, with the setting's option (only the child's row is locked: of=self), the
    # visits still to record and the new key person's caseload counted in the same statement.
    child = move.child = (
        Child.objects.select_for_update(of=("self",)).select_related("setting")
        .annotate(open_visits=_count(move.visits.filter(recorded_at__isnull=True)),
                  new_key_person_load=_count(KeyPersonAssignment.objects.current().filter(
                      staff_id=move.new_key_person_id, role=AssignmentRole.PRIMARY)))
        .get(pk=move.child_id))
    _require_manager(by, child.setting_id, "complete a room move")
    _require_open(move)
    today = timezone.localdate()
    if today < move.planned_on:
        raise RuleViolation(f"The move is planned for {move.planned_on:%-d %b %Y}: it happens on the day.")
    if move.new_key_person_id is None:
        raise RuleViolation("Choose the new key person first.")
    open_visits = child.open_visits
    if open_visits:
        raise RuleViolation(f"{open_visits} visit(s) to {move.to_room} are not recorded yet: record them, or move "
                            "the date with a reason.")
    # The holders come with their names for the audit's "(was …)"; only the assignment rows are locked.
    current = {a.role: a for a in child.assignments.current().select_related("staff__user")
               .select_for_update(of=("self",))}
    reason = f"Moved to {move.to_room}"
    weeks = child.setting.room_move_old_key_person_weeks
    old = current.get(AssignmentRole.PRIMARY)
    stays = weeks and old is not None and old.staff_id != move.new_key_person_id and old.staff.user.is_active
    new_secondary = old.staff if stays else move.new_secondary
    # Both roles in one UPDATE and one INSERT. Over their caseload? The manager gave the reason when choosing
    # them (audited then).
    _key_persons_replace(child=child, current=current, by=by, starts_on=today,
                         caseloads={move.new_key_person_id: child.new_key_person_load}, wanted=[
        (move.new_key_person, AssignmentRole.PRIMARY, reason, "Agreed when chosen for the move"),
        (new_secondary, AssignmentRole.SECONDARY,
         reason + (" (the old key person stays secondary while the child settles)" if stays else ""), "")])
    # The room changes in the transition's own UPDATE (its inbox rows follow, workflows.models.inbox). The guards
    # ask which roles are current: this service has just written them under the child's lock.
    child.room = move.to_room
    child.current_roles_noted(set(current))
    try:
        lifecycle_move(child=child, transition="complete_room_move", by=by, reason=reason, locked=True,
                       also_saves=("room",))
    finally:
        child.current_roles_noted(None)
    move.status, move.moved_on = TransitionStatus.DONE, today
    move.old_key_person_secondary_until = today + dt.timedelta(weeks=weeks) if stays else None
    move.save(update_fields=["status", "moved_on", "old_key_person_secondary_until"])
    audit_record(actor=by, action="update", record=move, setting_id=child.setting_id, child_id=child.pk,
                 summary=f"Moved to {move.to_room} with {move.new_key_person} as key person")
    return move


@transaction.atomic
def room_move_cancel(*, move: RoomMove, by, reason: str) -> RoomMove:
    """Call a move off: the child stays where they are, settled, and the move's open steps are cancelled."""
    _require_manager(by, move.child.setting_id, "cancel a room move")
    _require_open(move)
    if not reason.strip():
        raise RuleViolation("Say why the move is cancelled.", field="reason")
    move = RoomMove.objects.select_for_update().get(pk=move.pk)
    _require_open(move)
    move.status, move.end_reason = TransitionStatus.CANCELLED, reason.strip()
    move.save(update_fields=["status", "end_reason"])
    audit_record(actor=by, action="cancel", record=move, setting_id=move.child.setting_id, child_id=move.child_id,
                 summary=f"Cancelled the move to {move.to_room}: {reason.strip()}")
    child = move.child
    if child.state == LifecycleState.IN_TRANSITION:
        lifecycle_move(child=child, transition="complete_room_move", by=by, reason=f"Room move cancelled: {reason}")
    transition_ended.send(sender=RoomMove, child=child, kind="room_move", reason=reason.strip(), by=by)
    return move


@transaction.atomic
def room_move_settling_periods_end(*, today: dt.date | None = None, by=None) -> int:
    """The old key person's settling period as secondary over: the secondary chosen for the new room takes
    over (Setting.room_move_old_key_person_weeks). Run daily (notifications' beat). Returns how many."""
    today = today or timezone.localdate()
    moves = RoomMove.objects.filter(status=TransitionStatus.DONE, old_key_person_secondary_until__lte=today)
    done = 0
    for move in moves.select_related("child", "new_secondary__user"):
        child = Child.objects.select_for_update().get(pk=move.child_id)
        current = {a.role: a for a in child.assignments.current().select_for_update()}
        holding = current.get(AssignmentRole.SECONDARY)
        if (holding and holding.staff_id == move.old_key_person_id and move.new_secondary.user.is_active
                and child.state not in (LifecycleState.LEFT, LifecycleState.WITHDRAWN)):
            _assign(child=child, current=current, staff=move.new_secondary, role=AssignmentRole.SECONDARY,
                    by=by or move.created_by, starts_on=today, reason="Settling period after the room move over",
                    over_caseload_reason="")
            done += 1
        move.old_key_person_secondary_until = None
        move.save(update_fields=["old_key_person_secondary_until"])
    return done

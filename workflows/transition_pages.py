"""What the room move and key person change pages read, in a fixed number of queries whatever the number of
children: the upcoming room moves, the moves under way with the step each has reached, a leaver's key children
with suggested successors."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone

from processes import deadlines, sessions
from processes.models import (
    AssignmentRole,
    Child,
    KeyPersonAssignment,
    KeyPersonChange,
    LifecycleState,
    RoomMove,
    Staff,
    StaffAbsence,
    TransitionStatus,
)

from .models import InboxEntry, ProcessKind, node_title


@dataclass
class Upcoming:
    child: Child
    due_on: dt.date
    next_room: object

    @property
    def overdue(self) -> bool:
        return self.due_on <= timezone.localdate()


def upcoming_room_moves(*, setting, rooms: list, extra_child_id: int | None = None,
                        today: dt.date | None = None) -> list[Upcoming]:
    """Settled children reaching their room's upper age within the setting's notice (and overdue ones), plus
    `extra_child_id` (any settled child the manager asked for), soonest first. One query."""
    today = today or timezone.localdate()
    until = today + dt.timedelta(weeks=setting.room_move_notice_weeks)
    rows = []
    children = Child.objects.filter(setting=setting, state=LifecycleState.SETTLED).select_related("room")
    for child in children:
        due_on = deadlines.room_move_due_on(child.date_of_birth, child.room.max_age_months) if child.room else None
        if child.pk == extra_child_id or (due_on and due_on <= until):
            next_room = next((r for r in rooms if child.room is None or r.min_age_months >= child.room.max_age_months),
                             None)
            rows.append(Upcoming(child=child, due_on=due_on or today, next_room=next_room))
    return sorted(rows, key=lambda r: (r.due_on, r.child.name))


def moves_under_way(*, setting_id: int) -> list[RoomMove]:
    """The open moves, each with the step it has reached (`step`, `waiting_since`, `with_whom`). Two queries."""
    moves = list(RoomMove.objects.filter(child__setting_id=setting_id, status=TransitionStatus.OPEN)
                 .select_related("child", "to_room", "new_key_person__user").order_by("planned_on", "pk"))
    steps = {e.child_id: e for e in InboxEntry.objects.filter(
        setting_id=setting_id, is_open=True, kind=ProcessKind.ROOM_MOVE,
        child_id__in=[m.child_id for m in moves]).select_related("owner", "task").order_by("task_id")}
    for move in moves:
        entry = steps.get(move.child_id)
        move.step = node_title(entry.flow_task) if entry else ""
        move.waiting_since = entry.task.created if entry else None
        move.with_whom = (entry.owner.get_full_name() or entry.owner.get_username()) if entry and entry.owner else ""
    return moves


@dataclass
class Suggestion:
    staff: Staff
    score: float
    reasons: list[str] = field(default_factory=list)


@dataclass
class KeyChildRow:
    child: Child
    secondary: Staff | None
    suggestions: list[Suggestion]
    planned: KeyPersonChange | None = None


def key_children_of(*, staff: Staff, setting, children_ids: list[int] | None = None) -> list[KeyChildRow]:
    """The leaver's key children (or the children asked for), each with successors ranked by the sessions they
    work of the child's, their caseload headroom and their room (the allocation's factors that need no query a
    child); the current secondary first suggested, stepping up. Four queries whatever the number of children."""
    today = timezone.localdate()
    assignments = KeyPersonAssignment.objects.current().filter(child__setting=setting)
    if children_ids is None:
        ids = list(assignments.filter(staff=staff, role=AssignmentRole.PRIMARY).values_list("child_id", flat=True))
    else:
        ids = children_ids
    current = list(assignments.filter(child_id__in=ids, child__state__in=[
        LifecycleState.ALLOCATED, LifecycleState.SETTLING_IN, LifecycleState.SETTLED, LifecycleState.IN_TRANSITION,
        LifecycleState.LEAVING]).select_related("child__room", "staff__user").order_by("child__first_name", "pk"))
    staff_list = list(
        Staff.objects.filter(setting=setting, is_key_person=True, user__is_active=True).exclude(pk=staff.pk)
        .select_related("user", "room")
        .annotate(caseload=Count("assignments", filter=Q(assignments__ends_on__isnull=True,
                                                         assignments__role=AssignmentRole.PRIMARY))))
    away = set(StaffAbsence.objects.filter(staff__setting=setting, starts_on__lte=today, ends_on__gte=today)
               .values_list("staff_id", flat=True))
    children: dict[int, Child] = {}
    secondaries: dict[int, Staff] = {}
    for a in current:
        children[a.child_id] = a.child
        if a.role == AssignmentRole.SECONDARY:
            secondaries[a.child_id] = a.staff
    planned = {c.child_id: c for c in KeyPersonChange.objects.filter(
        child_id__in=list(children), status=TransitionStatus.OPEN).select_related("to_staff__user")}
    rows = []
    for child in children.values():
        secondary = secondaries.get(child.pk)
        ranked = []
        for candidate in staff_list:
            covered = sessions.count(candidate.working_sessions & child.attending_sessions)
            wanted = sessions.count(child.attending_sessions) or 1
            headroom = max(candidate.max_caseload - candidate.caseload, 0)
            score = 5 * covered / wanted + 3 * (headroom / candidate.max_caseload if candidate.max_caseload else 0)
            reasons = [f"works {covered} of {wanted} sessions", f"{candidate.caseload} of {candidate.max_caseload} "
                       "key children"]
            if child.room_id and candidate.room_id == child.room_id:
                score += 2
                reasons.append(f"works in {child.room}")
            if secondary and candidate.pk == secondary.pk:
                score += 10  # the secondary knows the child: they step up (the interim key person)
                reasons.insert(0, "the secondary now: steps up")
            if candidate.pk in away:
                reasons.append("away today")
            ranked.append(Suggestion(staff=candidate, score=round(score, 2), reasons=reasons))
        ranked.sort(key=lambda s: (-s.score, s.staff.caseload, s.staff.name))
        rows.append(KeyChildRow(child=child, secondary=secondary, suggestions=ranked, planned=planned.get(child.pk)))
    return rows

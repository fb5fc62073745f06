"""Ranking candidate key persons for a child, with the reasons for each rank.

The factors are the seed policies' own: "the session times that the children and practitioners are at the
setting", "a practitioner's current workload", "specific knowledge or experience of a child's special
educational needs", "personal preferences and those relationships that have 'clicked'", siblings, and the
child's room. Each setting weighs them (a weight of 0 switches one off: Little Caterpillars does not allocate
by age or stage, so it sets the room weight to 0). The ranking advises; the manager decides.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone

from . import sessions
from .dates import day_text
from .models import AssignmentRole, Child, ChildGuardian, KeyPersonAssignment, Room, Staff, StaffAbsence


@dataclass(frozen=True)
class Point:
    """What one factor gave a candidate: `points` of the `out_of` the setting weighs it at, and why."""

    factor: str
    points: float
    out_of: int
    reason: str


@dataclass
class Candidate:
    staff: Staff
    score: float
    caseload: int
    reasons: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    breakdown: list[Point] = field(default_factory=list)
    out_of: int = 0

    @property
    def score_in_words(self) -> str:
        """The score as a sentence a manager can check: what each factor gave, out of what it could."""
        parts = [f"{p.factor} {p.points:g} of {p.out_of}" for p in self.breakdown]
        return f"{self.score:g} points of a possible {self.out_of}" + (f": {'; '.join(parts)}." if parts else ".")

    @property
    def over_caseload(self) -> bool:
        return self.caseload >= self.staff.max_caseload


def _adder(breakdown: list[Point]):
    def gave(factor: str, points: float, weight: int, reason: str) -> None:
        breakdown.append(Point(factor=factor, points=round(points, 2), out_of=weight, reason=reason))
    return gave


def _sibling_key_persons(child: Child) -> dict[int, str]:
    """staff id -> the sibling's name, for siblings (children sharing a parent/carer) at the setting now."""
    guardian_ids = ChildGuardian.objects.filter(child=child).values("guardian_id")
    siblings = ChildGuardian.objects.filter(guardian_id__in=guardian_ids).exclude(child=child).values("child_id")
    rows = KeyPersonAssignment.objects.current().filter(
        child_id__in=siblings, role=AssignmentRole.PRIMARY
    ).values_list("staff_id", "child__first_name")
    return {staff_id: name for staff_id, name in rows}


def allocation_candidates(
    *, child: Child, role: str = AssignmentRole.PRIMARY, primary: Staff | None = None, on: dt.date | None = None,
    room: Room | None = None,
) -> list[Candidate]:
    """Key persons of the child's setting, best first. For the secondary, pass the chosen primary: the
    secondary's job is to be there when the key person is not, so the sessions the primary misses count.
    `room`: rank for that room rather than the child's own (the room a child is moving to)."""
    setting = child.setting
    room_id = room.pk if room is not None else child.room_id
    on = on or timezone.localdate()
    staff_list = list(
        Staff.objects.filter(setting=setting, is_key_person=True, user__is_active=True)
        .exclude(pk=primary.pk if primary else None)
        .select_related("user", "room")
        .annotate(
            caseload=Count(
                "assignments",
                filter=Q(assignments__ends_on__isnull=True, assignments__role=AssignmentRole.PRIMARY),
            )
        )
    )
    absent_until = dict(
        StaffAbsence.objects.filter(staff__setting=setting, starts_on__lte=on, ends_on__gte=on).values_list(
            "staff_id", "ends_on"
        )
    )
    siblings = _sibling_key_persons(child) if setting.weight_sibling else {}
    child_sessions = child.attending_sessions
    if role == AssignmentRole.SECONDARY and primary is not None:
        uncovered = child_sessions & ~primary.working_sessions
        target, target_label = (uncovered, "sessions the key person does not work") if uncovered else (
            child_sessions, "sessions")
    else:
        target, target_label = child_sessions, "sessions"
    target_count = sessions.count(target)

    # The most a candidate can score: every factor the setting weighs (a weight of 0 is switched off).
    # A factor that cannot apply to this child (no room yet, no known needs, no preference) is left out of it.
    out_of = (setting.weight_sessions + setting.weight_caseload + (setting.weight_sibling if siblings else 0)
              + (setting.weight_room if room_id else 0)
              + (setting.weight_sen_experience if child.known_needs else 0)
              + (setting.weight_parent_preference if child.preferred_key_person_id else 0))
    ranked = []
    for staff in staff_list:
        score = 0.0
        reasons: list[str] = []
        warnings: list[str] = []
        breakdown: list[Point] = []
        gave = _adder(breakdown)
        if setting.weight_sessions:
            covered = sessions.count(staff.working_sessions & target)
            fraction = covered / target_count if target_count else 0.0
            score += setting.weight_sessions * fraction
            reasons.append(f"works {covered} of {child.first_name}'s {target_count} {target_label}")
            gave("sessions", setting.weight_sessions * fraction, setting.weight_sessions, reasons[-1])
        if setting.weight_caseload:
            headroom = max(staff.max_caseload - staff.caseload, 0)
            share = setting.weight_caseload * (headroom / staff.max_caseload if staff.max_caseload else 0)
            score += share
            if headroom:
                reasons.append(f"{staff.caseload} of {staff.max_caseload} key children (room for {headroom})")
            gave("caseload room", share, setting.weight_caseload,
                 f"{staff.caseload} of {staff.max_caseload} key children")
        if staff.caseload >= staff.max_caseload and role == AssignmentRole.PRIMARY:
            warnings.append(
                f"at their maximum caseload ({staff.caseload} of {staff.max_caseload}): needs a written reason"
            )
        if setting.weight_room and room_id and staff.room_id == room_id:
            score += setting.weight_room
            reasons.append(f"works in {staff.room}"
                           + (f", {child.first_name}'s room" if room_id == child.room_id else ", the new room"))
            gave("room", setting.weight_room, setting.weight_room, reasons[-1])
        if setting.weight_sen_experience and child.known_needs and staff.sen_experience:
            score += setting.weight_sen_experience
            reasons.append(f"SEN experience: {staff.sen_experience}")
            gave("SEN experience", setting.weight_sen_experience, setting.weight_sen_experience, reasons[-1])
        if staff.pk in siblings:
            score += setting.weight_sibling
            reasons.append(f"key person of {siblings[staff.pk]}, a sibling")
            gave("sibling", setting.weight_sibling, setting.weight_sibling, reasons[-1])
        if setting.weight_parent_preference and child.preferred_key_person_id == staff.pk:
            score += setting.weight_parent_preference
            reasons.append("the parents' preference")
            gave("parents' preference", setting.weight_parent_preference, setting.weight_parent_preference,
                 reasons[-1])
        if staff.pk in absent_until:
            warnings.append(f"absent until {day_text(absent_until[staff.pk])}")
        ranked.append(Candidate(staff=staff, score=round(score, 2), caseload=staff.caseload, reasons=reasons,
                                warnings=warnings, breakdown=breakdown, out_of=out_of))
    ranked.sort(key=lambda c: (-c.score, c.caseload, c.staff.name))
    return ranked


def candidates_to_back_up(
    *, child: Child, primary: Staff | None, ranked_primaries: list[Candidate] | None = None, room: Room | None = None,
) -> list[Candidate]:
    """Suggestions for the secondary, ranked to cover `primary`'s absences; `primary` themselves come last (if
    the manager picks someone else as key person, they may still be the secondary), scored as a key person."""
    ranked = allocation_candidates(child=child, role=AssignmentRole.SECONDARY, primary=primary, room=room)
    if primary is not None:
        as_primary = next((c for c in ranked_primaries or [] if c.staff.pk == primary.pk), None)
        if as_primary is not None:
            ranked.append(Candidate(
                staff=primary, score=as_primary.score, caseload=as_primary.caseload, out_of=as_primary.out_of,
                reasons=["ranked above as key person: choose them here only if someone else is the key person"],
                breakdown=as_primary.breakdown,
            ))
    return ranked

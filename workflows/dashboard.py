"""The manager's dashboard: what in their setting needs them, in a fixed number of queries whatever the
setting's size (tests/test_dashboard.py pins them).

Processes nobody can move on (workflows.health), children without a key person or secondary, the transitions
pipeline (workflows.pipeline: open transition processes, room moves coming up, the coming term's leavers),
overdue tasks with who holds them, and every key person's caseload against their maximum.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.utils import timezone

from processes import deadlines
from processes.models import (
    AssignmentRole,
    Child,
    KeyPersonAssignment,
    LifecycleState,
    Staff,
)
from processes.models.children import ATTENDING

from .health import stuck_processes
from .models import ChildProcess, InboxEntry, ProcessKind
from .pipeline import UPCOMING_MOVE_WEEKS, PipelineRow, coming_term_ends_on, transition_pipeline

OVERDUE_SHOWN = 50
STUCK_SHOWN = 50


@dataclass
class Dashboard:
    stuck: list[ChildProcess] = field(default_factory=list)
    unallocated: list[Child] = field(default_factory=list)
    in_transition: list[Child] = field(default_factory=list)
    moves_due: list[Child] = field(default_factory=list)
    overdue: list[InboxEntry] = field(default_factory=list)
    overdue_count: int = 0
    caseloads: list[Staff] = field(default_factory=list)
    pipeline: list[PipelineRow] = field(default_factory=list)
    leavers: list[Child] = field(default_factory=list)
    term_ends_on: dt.date | None = None

    @property
    def moves_count(self) -> int:
        return len(self.in_transition) + len(self.moves_due)


# What the dashboard shows of a child, and no more: 200 rows build quickly.
CHILD_COLUMNS = ("setting_id", "first_name", "last_name", "preferred_name", "date_of_birth", "start_date", "state",
                 "room__name", "room__max_age_months", "expected_leaving_date")


def _children(setting_id: int):
    # A key person whose account is closed (they left) counts as none: the child needs a new one.
    current = KeyPersonAssignment.objects.current().filter(child_id=OuterRef("pk"), staff__user__is_active=True)
    allocation = InboxEntry.objects.filter(
        child_id=OuterRef("pk"), is_open=True, kind=ProcessKind.ALLOCATION)
    return (
        Child.objects.filter(setting_id=setting_id, state__in=ATTENDING).select_related("room")
        .only(*CHILD_COLUMNS)
        .annotate(has_primary=Exists(current.filter(role=AssignmentRole.PRIMARY)),
                  has_secondary=Exists(current.filter(role=AssignmentRole.SECONDARY)),
                  allocation_due=Subquery(allocation.values("due_at")[:1]))
        .order_by("start_date", "first_name", "last_name")
    )


def _caseloads(setting_id: int):
    current = Q(assignments__ends_on__isnull=True)
    return (
        Staff.objects.filter(setting_id=setting_id, is_key_person=True, user__is_active=True).select_related("user")
        .annotate(primaries=Count("assignments", filter=current & Q(assignments__role=AssignmentRole.PRIMARY)),
                  secondaries=Count("assignments", filter=current & Q(assignments__role=AssignmentRole.SECONDARY)))
        .order_by("user__first_name", "user__last_name")
    )


def manager_dashboard(*, setting_id: int, today: dt.date | None = None) -> Dashboard:
    today = today or timezone.localdate()
    board = Dashboard(stuck=list(stuck_processes(setting_id=setting_id)[:STUCK_SHOWN]),
                      pipeline=transition_pipeline(setting_id=setting_id), term_ends_on=coming_term_ends_on(today))
    # A child's row in the pipeline links from the upcoming move or leaving date to the process under way.
    open_process = {row.child_id: row for row in board.pipeline}
    moves_until = today + dt.timedelta(weeks=UPCOMING_MOVE_WEEKS)
    for child in _children(setting_id):
        child.process = open_process.get(child.pk)
        if child.expected_leaving_date and today <= child.expected_leaving_date <= board.term_ends_on:
            board.leavers.append(child)
        if not (child.has_primary and child.has_secondary):
            board.unallocated.append(child)
        if child.state == LifecycleState.IN_TRANSITION:
            board.in_transition.append(child)
        elif child.state == LifecycleState.SETTLED:
            child.move_due_on = (deadlines.room_move_due_on(child.date_of_birth, child.room.max_age_months)
                                 if child.room else None)
            if child.move_due_on and child.move_due_on <= moves_until:
                child.move_overdue = child.move_due_on <= today
                board.moves_due.append(child)
    overdue = InboxEntry.objects.filter(setting_id=setting_id, is_open=True, due_at__lt=timezone.now())
    # The most overdue first, read along the (setting, due_at) partial index and stopped after a page.
    board.moves_due.sort(key=lambda child: child.move_due_on)
    board.leavers.sort(key=lambda child: child.expected_leaving_date)
    board.overdue = list(overdue.select_related("owner").order_by("due_at")[:OVERDUE_SHOWN])
    board.overdue_count = overdue.count()
    board.caseloads = list(_caseloads(setting_id))
    for staff in board.caseloads:
        staff.over_caseload = staff.primaries > staff.max_caseload
    return board

"""The manager's view of transitions (issue 17 part 4): every open transition process of the setting, the room
moves coming up and the leavers of the coming term.

Generic over the process kinds in TRANSITION_KINDS: a row per open ChildProcess of those kinds with the step it
reached (the last step someone finished), how many days it has been open, what it waits on and whose task that
is (its open inbox rows), and the visits done and planned where the kind has visits (VISIT_COUNTERS). A flow
added later (the room move, the change of key person) shows here as soon as its kind is in TRANSITION_KINDS;
if it has visits, it registers their counter with `visits_of`.

Three queries whatever the number of processes, and one more per kind with visits under way: the open processes
(with their child and room), their open tasks (with the owner), their finished steps.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from processes.models import SettlingSession, TransitionStatus, TransitionVisit

from .inbox import is_overdue, task_url
from .models import ChildProcess, InboxEntry, ProcessKind, TaskRole, node_title

# Moving into, through and out of the setting, in the order the pipeline lists them. "room_move",
# "key_person_change" and "leaving" are the kinds their flows take when they are built (issues 17 and 18).
TRANSITION_KINDS = ("allocation", "introduction", "settling", "room_move", "key_person_change", "leaving")
UPCOMING_MOVE_WEEKS = 8  # issue 17: children approaching their room's upper age "within the next 8 weeks"

# kind -> counter(child ids) -> {child id: (visits done, visits planned)}, one query for all the children.
VisitCounter = Callable[[list[int]], dict[int, tuple[int, int]]]
VISIT_COUNTERS: dict[str, VisitCounter] = {}


def visits_of(kind: str) -> Callable[[VisitCounter], VisitCounter]:
    """Register how the processes of `kind` count their visits (done, planned), for the pipeline."""
    def register(counter: VisitCounter) -> VisitCounter:
        VISIT_COUNTERS[kind] = counter
        return counter
    return register


@visits_of(ProcessKind.SETTLING)
def _settling_visits(child_ids: list[int]) -> dict[int, tuple[int, int]]:
    rows = (SettlingSession.objects.filter(child_id__in=child_ids).values("child_id")
            .annotate(done=Count("pk", filter=Q(recorded_at__isnull=False)), planned=Count("pk")))
    return {row["child_id"]: (row["done"], row["planned"]) for row in rows}


@visits_of(ProcessKind.ROOM_MOVE)
def _room_move_visits(child_ids: list[int]) -> dict[int, tuple[int, int]]:
    """The visits to the new room of each child's open move (RoomMoveProcess.visits_done_and_planned, in bulk)."""
    rows = (TransitionVisit.objects.filter(move__child_id__in=child_ids, move__status=TransitionStatus.OPEN)
            .values("move__child_id")
            .annotate(done=Count("pk", filter=Q(recorded_at__isnull=False)), planned=Count("pk")))
    return {row["move__child_id"]: (row["done"], row["planned"]) for row in rows}


def kind_label(kind: str) -> str:
    return ProcessKind(kind).label if kind in ProcessKind.values else kind.replace("_", " ").capitalize()


@dataclass(frozen=True)
class Waiting:
    """One open task of a process: what it waits on, and whose it is."""

    title: str
    who: str
    owned: bool
    due_at: dt.datetime | None
    overdue: bool
    url: str


@dataclass
class PipelineRow:
    process_id: int
    kind: str
    child_id: int
    child_name: str
    room_name: str
    started: dt.datetime
    days_open: int
    step_reached: str = "Started"
    waiting: list[Waiting] = field(default_factory=list)
    visits: tuple[int, int] | None = None  # (done, planned), for the kinds that have visits

    @property
    def kind_label(self) -> str:
        return kind_label(self.kind)

    @property
    def url(self) -> str:
        """The process on the child's timeline (workflows/_child_timeline.html anchors each process)."""
        return f"{reverse('child-timeline', args=[self.child_id])}#process-{self.process_id}"


def _who(row: dict) -> tuple[str, bool]:
    if row["owner_id"]:
        name = f"{row['owner__first_name']} {row['owner__last_name']}".strip()
        return name or row["owner__username"], True
    return f"Nobody yet ({TaskRole(row['role']).label})" if row["role"] in TaskRole.values else "Nobody yet", False


def transition_pipeline(*, setting_id: int, kinds: tuple[str, ...] = TRANSITION_KINDS,
                        now: dt.datetime | None = None) -> list[PipelineRow]:
    """The setting's open transition processes, by kind (in `kinds` order), the longest open first."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    processes = (ChildProcess.objects.filter(setting_id=setting_id, kind__in=kinds, open_kind__isnull=False)
                 .values_list("pk", "kind", "created", "child_id", "child__first_name", "child__preferred_name",
                              "child__last_name", "child__room__name"))
    rows = {
        pk: PipelineRow(process_id=pk, kind=kind, child_id=child_id, child_name=f"{preferred or first} {last}",
                        room_name=room or "", started=created,
                        days_open=(today - timezone.localdate(created)).days)
        for pk, kind, created, child_id, first, preferred, last, room in processes
    }
    if not rows:
        return []
    for entry in (InboxEntry.objects.filter(process_id__in=list(rows), is_open=True).order_by("due_at", "task_id")
                  .values("task_id", "process_id", "flow_task", "role", "due_at", "owner_id", "owner__first_name",
                          "owner__last_name", "owner__username")):
        who, owned = _who(entry)
        rows[entry["process_id"]].waiting.append(Waiting(
            title=node_title(entry["flow_task"]), who=who, owned=owned, due_at=entry["due_at"],
            overdue=is_overdue(entry["due_at"], now),
            url=task_url("task-detail", process_id=entry["process_id"], task_id=entry["task_id"])))
    # The step reached: the last step a person finished (finished ascending, so the last one wins).
    for process_id, node in (Task.objects.filter(process_id__in=list(rows), status=STATUS.DONE,
                                                 flow_task_type="HUMAN")
                             .order_by("finished", "pk").values_list("process_id", "flow_task")):
        rows[process_id].step_reached = node_title(node)
    for kind, counter in VISIT_COUNTERS.items():
        children = [row.child_id for row in rows.values() if row.kind == kind]
        if not children:
            continue
        counts = counter(children)
        for row in rows.values():
            if row.kind == kind:
                row.visits = counts.get(row.child_id, (0, 0))
    order = {kind: i for i, kind in enumerate(kinds)}
    return sorted(rows.values(), key=lambda row: (order[row.kind], -row.days_open, row.child_name))


def coming_term_ends_on(today: dt.date) -> dt.date:
    """The last day of the term after this one, with the English school year's terms taken as autumn (September
    to December), spring (January to March) and summer (April to August): "the leavers of the coming term" are
    those leaving between today and then, so this term's leavers are never missed."""
    ends = [dt.date(today.year, 3, 31), dt.date(today.year, 8, 31), dt.date(today.year, 12, 31),
            dt.date(today.year + 1, 3, 31), dt.date(today.year + 1, 8, 31)]
    this_term = next(end for end in ends if end >= today)
    return ends[ends.index(this_term) + 1]

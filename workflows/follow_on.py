"""The process that follows a finished one: the introduction after the allocation, the settling-in after the
introduction.

Starting a process is viewflow bookkeeping (its rows, its start, its first tasks with their owners, inbox rows
and notices): inside the step that finishes the previous one it would double that step's cost. So the step only
asks for it: when a flow that names a `follow_on` finishes (workflows.receivers.start_what_follows), a Celery
task is queued for after the commit (workflows.tasks) and starts the next process in a transaction of its own
(`follow_on_start`). Starting is idempotent: a child who already has the next process, open or finished, since
the previous one, gets no second (and the unique one-open-process-per-kind constraint stops a race). A start
that is lost (a worker down, a broker that dropped the message) strands no child: `follow_ons_missing` finds
every child whose previous process finished without its next one; workflows.health reports them and the hourly
sweep (`follow_ons_sweep`) starts them.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, QuerySet
from viewflow.workflow.status import PROCESS

from processes.models import LifecycleState

from .models import ChildProcess, ProcessKind

# previous kind -> next kind
FOLLOWS = {ProcessKind.ALLOCATION: ProcessKind.INTRODUCTION, ProcessKind.INTRODUCTION: ProcessKind.SETTLING}
GONE = (LifecycleState.LEFT, LifecycleState.WITHDRAWN)  # a child who went has no next step


def follow_ons_missing(*, setting_id: int | None = None, child_id: int | None = None) -> QuerySet[ChildProcess]:
    """Finished processes whose next one has not started: each child's latest process of a kind that has a
    successor, DONE, with no process of the next kind begun since, the child still with the setting."""
    later_of_same_kind = ChildProcess.objects.filter(child_id=OuterRef("child_id"), kind=OuterRef("kind"),
                                                     created__gt=OuterRef("created"))
    found = ChildProcess.objects.none()
    for previous, following in FOLLOWS.items():
        next_begun = ChildProcess.objects.filter(child_id=OuterRef("child_id"), kind=following,
                                                 created__gte=OuterRef("created"))
        found |= ChildProcess.objects.filter(kind=previous, status=PROCESS.DONE).filter(
            ~Exists(next_begun), ~Exists(later_of_same_kind))
    found = found.exclude(child__state__in=GONE)
    if setting_id is not None:
        found = found.filter(setting_id=setting_id)
    if child_id is not None:
        found = found.filter(child_id=child_id)
    return found


def follow_on_start(*, process_id: int) -> ChildProcess | None:
    """Start what follows the finished process `process_id`, unless it has started already (or the child has
    gone, or the process did not finish). Returns the process started, or None."""
    try:
        with transaction.atomic():
            # The child with what the first tasks' deadlines and inbox rows read (its setting's days, its room).
            previous = (follow_ons_missing().filter(pk=process_id)
                        .select_related("child__setting", "child__room").first())
            if previous is None:
                return None
            # Each flow names the flow that follows it (its follow_on), so this module imports no flow. Started
            # in this transaction (no savepoint of its own): it was checked above that none has begun.
            return previous.flow_class.follow_on().start.run(child=previous.child, by=None)
    except IntegrityError:  # started meanwhile by another worker (one open process of a kind per child)
        return None


def follow_ons_sweep() -> int:
    """Start every follow-on that is missing (a lost start); returns how many were started."""
    started = 0
    for process_id in follow_ons_missing().order_by("created", "pk").values_list("pk", flat=True):
        started += follow_on_start(process_id=process_id) is not None
    return started

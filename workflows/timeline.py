from __future__ import annotations

from viewflow.workflow.models import Task

from processes.access import may_see_sen
from processes.models import Child

from .models import ChildProcess, ProcessKind


def child_timeline(child: Child, *, user=None) -> list[tuple[ChildProcess, list[Task]]]:
    """Every process of the child, newest first, each with its tasks in order: who did what, when.

    An SEN process is special-category data: it is left out for a `user` who may see the child's ordinary
    record but not their SEN records (a room colleague, the DSL).
    """
    processes = ChildProcess.objects.filter(child=child).order_by("-created")
    if user is not None and not may_see_sen(user, child):
        processes = processes.exclude(kind=ProcessKind.SEN)
    processes = list(processes)
    tasks = (Task.objects.filter(process_id__in=[p.pk for p in processes])
             .select_related("owner", "inbox").order_by("created"))
    by_process: dict[int, list[Task]] = {p.pk: [] for p in processes}
    for task in tasks:
        if task.flow_task_type == "HUMAN":  # gateways and start/end events are the engine's, not people's
            by_process[task.process_id].append(task)
    return [(p, by_process[p.pk]) for p in processes]

from __future__ import annotations

from viewflow.workflow.models import Task

from processes.models import Child

from .models import ChildProcess


def child_timeline(child: Child) -> list[tuple[ChildProcess, list[Task]]]:
    """Every process of the child, newest first, each with its tasks in order: who did what, when."""
    processes = list(ChildProcess.objects.filter(child=child).order_by("-created"))
    tasks = Task.objects.filter(process_id__in=[p.pk for p in processes]).select_related("owner", "inbox").order_by("created")
    by_process: dict[int, list[Task]] = {p.pk: [] for p in processes}
    for task in tasks:
        if task.flow_task_type == "HUMAN":  # gateways and start/end events are the engine's, not people's
            by_process[task.process_id].append(task)
    return [(p, by_process[p.pk]) for p in processes]

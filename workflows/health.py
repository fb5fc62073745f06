"""What must never be left behind in the workflow tables, whatever ran before (a load test, an outage).

- a duplicated step: two open human tasks of the same node for one process;
- a stuck task: a human task left STARTED (a completion that never finished: completions start and finish
  in one transaction), or any task in ERROR;
- a stuck process: an open process with no open human task, so nobody can ever move it on.
Read in three queries whatever the number of rows.
"""

from __future__ import annotations

from collections import Counter

from viewflow.workflow.models import Task
from viewflow.workflow.status import PROCESS, STATUS

from .models import OPEN, ChildProcess, InboxEntry


def workflow_anomalies() -> dict[str, list]:
    open_human = list(
        InboxEntry.objects.filter(task__status__in=OPEN).values_list("task__process_id", "task__flow_task",
                                                                     "task_id", "task__status"))
    nodes = Counter((process_id, str(node)) for process_id, node, _, _ in open_human)
    started = [task_id for _, _, task_id, status in open_human if status == STATUS.STARTED]
    errored = list(Task.objects.filter(status=STATUS.ERROR).values_list("pk", flat=True))
    with_open_task = {process_id for process_id, _, _, _ in open_human}
    open_processes = ChildProcess.objects.exclude(status__in=(PROCESS.DONE, PROCESS.CANCELED))
    return {
        "duplicated_tasks": sorted(f"process {p}: {node} x{n}" for (p, node), n in nodes.items() if n > 1),
        "stuck_tasks": sorted(started + errored),
        "stuck_processes": sorted(p for p in open_processes.values_list("pk", flat=True) if p not in with_open_task),
    }

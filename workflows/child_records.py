"""The workflows and tasks held about a child, as the domain's retention and subject access see them.

Registered with processes.hooks by WorkflowsConfig.ready(): the domain never imports this app.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from processes.hooks import HeldRecords
from processes.models import Child
from processes.retention import GENERAL, SEN

from .models import ChildProcess, ProcessKind


def processes_and_tasks(child: Child) -> list[dict[str, Any]]:
    """Each process about the child with every step taken in it, for a subject access request."""
    out = []
    for process in ChildProcess.objects.filter(child=child).prefetch_related("task_set__owner").order_by("pk"):
        out.append({
            "id": process.pk, "kind": process.get_kind_display(), "status": process.status,
            "created": process.created, "finished": process.finished,
            "tasks": [{"id": t.pk, "step": t.flow_task.name if t.flow_task else "", "title": t.title,
                       "status": t.status, "owner": t.owner.get_username() if t.owner else None,
                       "created": t.created, "finished": t.finished, "data": t.data}
                      for t in sorted(process.task_set.all(), key=lambda t: t.pk)],
        })
    return out


def processes_by_retention_kind(child: Child) -> dict[str, list[tuple[str, QuerySet]]]:
    # An SEN process is an SEN record (kept until the child is 25); the others go with the general records.
    # Deleting a process deletes its tasks and their inbox rows with it.
    processes = ChildProcess.objects.filter(child=child)
    return {
        GENERAL: [("processes", processes.exclude(kind=ProcessKind.SEN))],
        SEN: [("SEN workflows", processes.filter(kind=ProcessKind.SEN))],
    }


HELD_ABOUT_A_CHILD = HeldRecords(section="processes_and_tasks", export=processes_and_tasks,
                                 retained=processes_by_retention_kind)

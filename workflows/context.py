"""What a task page shows: the child as the step needs them, the process so far. Nothing more."""

from __future__ import annotations

from dataclasses import dataclass

from viewflow.workflow.models import Task

from processes import sessions
from processes.dates import age_in_words, day_text
from processes.models import Child

BASIC = ("name", "age", "room", "start_date")
LABELS = {
    "attending_sessions": "Sessions attended",
    "known_needs": "Known needs",
    "preferred_key_person": "Parents' preferred key person",
    "home_language": "Home language",
    "dietary_needs": "Dietary needs",
    "allergies": "Allergies",
}


@dataclass
class TaskContext:
    child: Child
    facts: list[tuple[str, str]]
    history: list[Task]


def _value(child: Child, name: str) -> str:
    if name == "attending_sessions":
        return sessions.describe(child.attending_sessions)
    value = getattr(child, name)
    return str(value) if value not in (None, "") else "—"


def task_context(task: Task) -> TaskContext:
    process = task.process.coerced
    child = process.child
    facts = [
        ("Child", child.name),
        ("Age", age_in_words(child.age_in_months())),
        ("Room", str(child.room or "—")),
        ("Starts", f"{day_text(child.start_date)}" if child.start_date else "—"),
    ]
    facts += [(LABELS.get(name, name), _value(child, name)) for name in task.flow_task.shows]
    flow = task.flow_task.flow_class.instance
    if hasattr(flow, "task_facts"):
        facts += flow.task_facts(process)
    history = list(
        Task.objects.filter(process=process).exclude(pk=task.pk).select_related("owner").order_by("created")
    )
    return TaskContext(child=child, facts=facts, history=history)

"""What a task page shows: the child as the step needs them, the process so far. Nothing more."""

from __future__ import annotations

from dataclasses import dataclass

from viewflow.workflow.models import Task

from processes import sessions
from processes.dates import age_in_words, day_text
from processes.health import HealthFacts, health_facts
from processes.models import Child

from .outcome import Step, task_step

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
    history: list[Step]


HEALTH = ("allergies", "dietary_needs", "home_language")


def _value(child: Child, name: str, health: HealthFacts | None) -> str:
    if name == "attending_sessions":
        return sessions.describe(child.attending_sessions)
    value = getattr(health, name) if health is not None and name in HEALTH else getattr(child, name)
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
    # The health facts as they stand now ("all about me" over the registration), read only if the step shows one.
    health = health_facts(child) if set(task.flow_task.shows) & set(HEALTH) else None
    facts += [(LABELS.get(name, name), _value(child, name, health)) for name in task.flow_task.shows]
    flow = task.flow_task.flow_class.instance
    if hasattr(flow, "task_facts"):
        facts += flow.task_facts(process)
    # The steps people did, in the words of their forms: the engine's own nodes (start, split, join, gates,
    # end) are machinery, not work anyone did.
    history = [
        task_step(t)
        for t in Task.objects.filter(process=process, flow_task_type="HUMAN").exclude(pk=task.pk)
        .select_related("owner").order_by("created")
    ]
    return TaskContext(child=child, facts=facts, history=history)

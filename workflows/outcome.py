"""What a finished step decided or recorded, in the words of its form: the labels people saw, the choices they
made, by whom and when. Read from what the completion kept (`task.data["form"]`, workflows.services), never
recomputed: a suggestion list worked out again today is not what was decided then.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django import forms
from django.utils.text import capfirst
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from processes.dates import day_text, when_text


@dataclass
class Step:
    """One step people did (or are to do), as a task page's "So far" and a finished task show it."""

    title: str
    status: str  # "done", "cancelled", "waiting"
    who: str
    when: dt.datetime | None
    outcome: list[tuple[str, str]] = field(default_factory=list)
    reason: str = ""
    task: Task | None = None


def _name(user) -> str:
    return (user.get_full_name() or user.get_username()) if user else ""


def _parsed(kind: type, value: str):
    try:
        return kind.fromisoformat(value)
    except (TypeError, ValueError):
        return None


def _shown(form_field: forms.Field | None, value) -> str:
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list):
        return "; ".join(_shown(None, v) if not isinstance(v, dict) else ", ".join(map(str, v.values()))
                         for v in value)
    if isinstance(form_field, forms.ModelChoiceField):
        found = form_field.queryset.model._default_manager.filter(pk=value).first()
        return str(found) if found is not None else "(no longer on record)"
    if isinstance(form_field, forms.ChoiceField):
        return str(dict(form_field.choices).get(value, value))
    if isinstance(form_field, forms.DateTimeField) and (moment := _parsed(dt.datetime, value)):
        return when_text(moment)
    if isinstance(form_field, forms.DateField) and (day := _parsed(dt.date, value)):
        return day_text(day)
    return str(value)


def task_outcome(task: Task) -> list[tuple[str, str]]:
    """(label, what was recorded) for each answer the step's form kept, in the form's order; blanks left out."""
    kept = (task.data or {}).get("form") or {}
    form_class = getattr(task.flow_task, "form_class", None)
    fields = dict(getattr(form_class, "base_fields", {}) or {})
    names = [name for name in fields if name in kept] + [name for name in kept if name not in fields]
    outcome = []
    for name in names:
        value = kept[name]
        if value in (None, "", []):
            continue
        form_field = fields.get(name)
        label = (form_field.label if form_field is not None and form_field.label else None) or name.replace("_", " ")
        outcome.append((capfirst(str(label)), _shown(form_field, value)))
    return outcome


def task_step(task: Task) -> Step:
    if task.status == STATUS.DONE:
        return Step(title=str(task.title), status="done", who=_name(task.owner), when=task.finished,
                    outcome=task_outcome(task), task=task)
    if task.status == STATUS.CANCELED:
        return Step(title=str(task.title), status="cancelled", who="", when=task.finished,
                    reason=(task.data or {}).get("cancelled_because", ""), task=task)
    return Step(title=str(task.title), status="waiting", who=_name(task.owner), when=None, task=task)

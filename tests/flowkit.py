"""Driving the real flows in tests: register a child, find their open tasks, complete them through the service."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from viewflow.workflow.models import Task

from processes import services
from workflows import services as wf
from workflows.follow_on import follow_on_start

from .factories import ChildGuardianFactory

OPEN = ("NEW", "ASSIGNED")


def register(*, setting, room, manager, start_in_days: int = 14, sessions=("mon_am", "tue_am", "wed_am"), **extra):
    child = services.child_register(
        setting=setting, by=manager.user, first_name=extra.pop("first_name", "Amelia"), last_name="Jones",
        date_of_birth=timezone.localdate() - dt.timedelta(days=800),
        start_date=timezone.localdate() + dt.timedelta(days=start_in_days), room=room,
        sessions_attended=list(sessions), **extra,
    )
    ChildGuardianFactory(child=child)
    return child


def open_tasks(child, node: str | None = None) -> list[Task]:
    tasks = Task.objects.filter(process__childprocess__child=child, status__in=OPEN).select_related("owner")
    tasks = [t for t in tasks.order_by("pk") if node is None or t.flow_task.name == node]
    return tasks


def the_task(child, node: str) -> Task:
    tasks = open_tasks(child, node)
    assert len(tasks) == 1, f"expected one open {node} task, found {tasks}"
    return tasks[0]


def complete_step(task: Task, by, **data) -> Task:
    """The step alone, as the person's click runs it (its transaction, here a savepoint of the test's)."""
    return wf.task_complete(process_id=task.process_id, task_id=task.pk, by=by, data=data)


def complete(task: Task, by, **data) -> Task:
    """The step, then what the worker does once it has committed: the test's transaction never commits, so
    the process that follows a finished one (workflows.tasks.start_follow_on) is started here."""
    done = complete_step(task, by, **data)
    follow_on_start(process_id=task.process_id)
    return done


def allocate(child, manager, primary, secondary, **extra):
    return complete(the_task(child, "allocate"), manager.user, primary=primary.pk, secondary=secondary.pk, **extra)


def introduce(child, by):
    when = timezone.localtime() + dt.timedelta(days=2)
    held = {}
    if child.start_date < when.date():  # a child who has started: the meeting is recorded as held
        when, held = timezone.make_aware(dt.datetime.combine(child.start_date, dt.time(10))), {"already_held": "on"}
    complete(the_task(child, "arrange_meeting"), by, starts_at=when.strftime("%Y-%m-%d %H:%M"), duration_minutes=30,
             **held)
    complete(the_task(child, "all_about_me"), by, routines="Naps after lunch", likes="Trains")


def visit_rows(lines: str, *, prefix: str = "visits") -> dict[str, str]:
    """The plan's rows as the browser posts them, from lines like '2027-01-11 09:30 60 with parent'."""
    rows = [line.split() for line in lines.splitlines() if line.strip()]
    data = {f"{prefix}-TOTAL_FORMS": str(len(rows)), f"{prefix}-INITIAL_FORMS": "0"}
    for i, parts in enumerate(rows):
        parts += [""] * (3 - len(parts))
        data.update({f"{prefix}-{i}-on": parts[0], f"{prefix}-{i}-starts_at": parts[1],
                     f"{prefix}-{i}-duration_minutes": parts[2],
                     f"{prefix}-{i}-parent_stays": "1" if "parent" in " ".join(parts[3:]) else ""})
    return data


def proposed_rows(task, prefix: str = "visits") -> dict[str, str]:
    """The rows the plan's form proposes, posted unchanged."""
    formset = task.flow_task.form_class(task=task).fields["visits"].formset
    data = {f"{prefix}-TOTAL_FORMS": str(len(formset.initial)), f"{prefix}-INITIAL_FORMS": "0"}
    for i, visit in enumerate(formset.initial):
        data.update({f"{prefix}-{i}-on": visit["on"].isoformat(),
                     f"{prefix}-{i}-starts_at": visit["starts_at"].strftime("%H:%M"),
                     f"{prefix}-{i}-duration_minutes": str(visit["duration_minutes"]),
                     f"{prefix}-{i}-parent_stays": visit["parent_stays"]})
    return data


def agree_plan(child, by, visits: str | None = None):
    task = the_task(child, "plan")
    complete(task, by, **(proposed_rows(task) if visits is None else visit_rows(visits)))


def record_visits(child, by):
    while open_tasks(child, "record_visit"):
        complete(the_task(child, "record_visit"), by, how_it_went="Played with the trains, cried briefly")

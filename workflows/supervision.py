"""An action agreed at supervision about a key child, as a task in the right inbox.

Seed 003 §6 (regular supervision, caseloads reviewed), seed 001 (the manager supports the key workers). The
supervision itself is a record the manager keeps with the key person (processes.services.supervision_hold);
each action agreed there about one key child becomes this small process once the supervision is saved (after
its commit, through a Celery task: never inside the supervision's own transaction): a task for the child's key
person, or for the manager when the action is theirs. Doing it marks the action done.
"""

from __future__ import annotations

from django import forms
from django.db import IntegrityError
from viewflow import this
from viewflow.workflow import flow, lock

from processes import deadlines, services
from processes.errors import Conflict
from processes.models import SupervisionAction
from processes.text import ACCOUNT

from .base import ChildFlowMixin, process_start
from .models import ProcessKind, SupervisionActionProcess, TaskRole
from .nodes import HumanTask


class ActionDoneForm(forms.Form):
    # Said in a line, so the next supervision can read what came of it.
    notes = forms.CharField(max_length=ACCOUNT, widget=forms.Textarea(attrs={"rows": 3}), label="What was done")

    def __init__(self, *args, task, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        action = task.process.coerced.action
        self.fields["notes"].help_text = f"Agreed at supervision: {action.what}."


class SupervisionActionFlow(ChildFlowMixin, flow.Flow):
    """Action from supervision: the key person's, or the manager's."""

    process_class = SupervisionActionProcess
    lock_impl = lock.select_for_update_lock
    kind = ProcessKind.SUPERVISION_ACTION
    process_title = "Action from supervision"

    start = flow.StartHandle(this.start_action).Next(this.whose)
    whose = flow.If(this.for_manager).Then(this.manager_does).Else(this.key_person_does)

    # key person
    key_person_does = (
        HumanTask(ActionDoneForm, role=TaskRole.KEY_PERSON, due=this.action_due, on_complete=this.done)
        .Annotation(title="Do what was agreed at supervision")
        .Next(this.end)
    )

    # manager
    manager_does = (
        HumanTask(ActionDoneForm, role=TaskRole.MANAGER, due=this.action_due, on_complete=this.done)
        .Annotation(title="Do what was agreed at supervision")
        .Next(this.end)
    )

    end = flow.End()

    def start_action(self, activation, child, action: SupervisionAction, by=None):
        process = self.start_process(activation, child, by)
        process.action = action
        return process

    def for_manager(self, activation) -> bool:
        return activation.process.action.for_staff.is_manager

    def action_due(self, activation):
        return deadlines.at_end_of(activation.process.action.due_on, activation.process.setting)

    def done(self, activation, data, by) -> None:
        services.supervision_action_done(action=activation.process.action, by=by, notes=data["notes"])


def supervision_action_flows_start(*, supervision_id: int | None = None) -> int:
    """Start the task of every action about a child that has none yet: once per action, however often it runs."""
    actions = SupervisionAction.objects.filter(child__isnull=False, process__isnull=True, done_at__isnull=True)
    if supervision_id is not None:
        actions = actions.filter(supervision_id=supervision_id)
    started = 0
    for action in actions.select_related("child", "for_staff"):
        try:
            process_start(flow_class=SupervisionActionFlow, child=action.child, action=action)
        except (Conflict, IntegrityError):
            continue
        started += 1
    return started

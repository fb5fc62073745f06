"""The human task node every Keyflow flow uses.

Viewflow's own View node is claimable by anyone unless told otherwise, and knows nothing about settings or
children. HumanTask makes both explicit: each node names the role that may take it and how its deadline is
computed, and writes the task's inbox row (setting, child, role, due) in the same transaction as the task.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.shortcuts import redirect
from django.utils.timezone import now
from viewflow import this
from viewflow.workflow import flow
from viewflow.workflow.activation import Activation
from viewflow.workflow.nodes import end, if_gate, start
from viewflow.workflow.nodes.view import ViewActivation
from viewflow.workflow.signals import flow_finished, flow_started, task_finished, task_started
from viewflow.workflow.status import PROCESS

from processes.access import staff_of
from processes.errors import RuleViolation
from processes.models import ConsentPurpose

from .models import ChildProcess, InboxEntry, TaskRole
from .routing import key_person_user_for


class HumanTaskActivation(ViewActivation):
    @classmethod
    def create(cls, flow_task, prev_activation, token, data=None, seed=None):
        # Before the row exists: a step that needs the parents' consent is never created without it.
        flow_task.require_consent(prev_activation.process)
        activation = super().create(flow_task, prev_activation, token, data=data, seed=seed)
        process = activation.process
        child = process.child  # read with the process under its lock (workflows.services._locked)
        entry = InboxEntry(
            task=activation.task,
            process_id=process.pk,
            flow_task=flow_task,
            setting_id=process.setting_id,
            child=child,
            child_name=child.name,
            room_id=child.room_id,
            room_name=child.room.name if child.room_id else "",
            role=flow_task.role,
            kind=process.kind,
            due_at=flow_task.calc_due(activation),
            priority=1 if flow_task.approval else 0,
            owner_id=activation.task.owner_id,
            is_open=True,
        )
        entry.save(force_insert=True)
        return activation


def _task_page(request, process_pk: int, task_pk: int, **kwargs):
    # Keyflow routes task pages itself (workflows.urls) and mounts none of viewflow's: the node needs a view
    # for viewflow's bookkeeping, and its URL (viewflow's arguments) would lead to Keyflow's page.
    return redirect("task-detail", process_id=process_pk, task_id=task_pk)


def _key_person_owner(activation):
    due = activation.flow_task.calc_due(activation)
    return key_person_user_for(activation.process.child_id, due.date() if due else None)


class HumanTask(flow.View):
    """A task for a person: `role` says who may take it, `due` when it falls due, `form` what they record,
    and `on_complete` (a flow method) what completing it does, through the services."""

    activation_class = HumanTaskActivation

    def __init__(
        self,
        form: type[forms.Form],
        *,
        role: TaskRole,
        due: Callable[[Any], Any] | None = None,
        on_complete: Any = None,
        shows: tuple[str, ...] = (),
        consent: Any = None,
        approval: bool = False,
        owner: Any = None,
        **kwargs,
    ) -> None:
        super().__init__(_task_page, **kwargs)
        self.form_class = form
        self.role = TaskRole(role)
        self._due = due
        self._on_complete = on_complete
        # The child's details this step needs, beyond who they are: a task page shows no more (confidentiality).
        self.shows = shows
        # A flow method giving (purpose, recipient) of the parental consent this step needs, or None.
        self._consent = consent
        # An approval waits on someone else's decision: it is listed first in their inbox.
        self.approval = approval
        # A key-person task for someone other than the child's key person today (the new key person of a room
        # move or a change): `owner`, a flow method, names them, and routing leaves the task with them.
        self.keeps_owner = owner is not None
        if self.role == TaskRole.KEY_PERSON:
            self.Assign(owner if owner is not None else _key_person_owner)
        else:
            # Recorded on the task row so the data says who may claim it; enforced by can_assign below.
            self._owner_permission = f"workflows.{self.role}"
            self._owner_permission_obj = None

    def _resolve(self, instance) -> None:
        super()._resolve(instance)
        self._due = this.resolve(instance, self._due)
        self._on_complete = this.resolve(instance, self._on_complete)
        self._consent = this.resolve(instance, self._consent)

    def calc_due(self, activation):
        # Asked twice while a task is created (its owner's working day, its inbox row): computed once.
        if not hasattr(activation, "keyflow_due"):
            activation.keyflow_due = self._due(activation) if self._due else None
        return activation.keyflow_due

    def form_kwargs(self, task) -> dict[str, Any]:
        return {"task": task}

    def consent_needed(self, process) -> tuple[str, str] | None:
        return self._consent(process) if self._consent else None

    def require_consent(self, process) -> None:
        needed = self.consent_needed(process)
        if needed is None:
            return
        purpose, recipient = needed
        if not process.has_consent(purpose, recipient):
            what = ConsentPurpose(purpose).label.lower() + (f" ({recipient})" if recipient else "")
            raise RuleViolation(
                f"'{self.task_title}' needs the parents' consent to {what}, which is not in force. "
                "Nothing was changed."
            )

    def complete_with(self, activation, data: dict[str, Any], by) -> None:
        self.require_consent(activation.process)
        if self._on_complete is not None:
            self._on_complete(activation, data, by)

    # Who may take the task. Scoped to the task's setting: a manager of another setting is nobody here.
    def may_claim(self, user, where: InboxEntry | ChildProcess) -> bool:
        staff = staff_of(user)
        if staff is None or staff.setting_id != where.setting_id:
            return False
        return {
            TaskRole.MANAGER: staff.is_manager,
            TaskRole.SENCO: staff.is_senco,
            TaskRole.DSL: staff.is_dsl,
            # A key person's task is assigned to them; it waits unowned only when the child has nobody acting as
            # key person (workflows.routing), and then the manager may take it, as their inbox offers.
            TaskRole.KEY_PERSON: staff.is_manager,
        }[self.role]

    # The services ask these of a task read under its lock with its process (workflows.services._locked): the
    # process row says the setting, and comparing ids reads no user row.
    def can_assign(self, user, task) -> bool:
        return task.owner_id is None and self.may_claim(user, task.process.coerced)

    def can_execute(self, user, task) -> bool:
        return task.owner_id is not None and task.owner_id == user.pk and staff_of(user) is not None

    def can_unassign(self, user, task) -> bool:
        if task.owner_id is None or self.role == TaskRole.KEY_PERSON:
            return False
        return task.owner_id == user.pk or self.may_claim(user, task.process.coerced)


class EndActivation(end.EndActivation):
    @Activation.status.super()
    def activate(self):
        """viewflow's End without its savepoint: a Keyflow step propagates every error (viewflow's default), so
        the step's own transaction already undoes a failed end; the savepoint was two statements a step."""
        with self.exception_guard():
            self.task.started = now()
            task_started.send(sender=self.flow_class, process=self.process, task=self.task)
            others = self.flow_class.task_class._default_manager.filter(
                process=self.process, finished__isnull=True).exclude(pk=self.task.pk)
            finished = not others.exists()
            if finished:
                self.process.status = PROCESS.DONE
                self.process.finished = now()
                # Only what the end changes (a ChildProcess's open_kind follows its status): the flow's own
                # fields were saved by the steps that changed them, so its table is not written again.
                fields = ["status", "finished"] + (["open_kind"] if hasattr(self.process, "open_kind") else [])
                self.process.save(update_fields=fields)
            task_finished.send(sender=self.flow_class, process=self.process, task=self.task)
            if finished:
                flow_finished.send(sender=self.flow_class, process=self.process, task=self.task)


class End(flow.End):
    """The end of a flow: finishes the process once no other task of it is open (viewflow's End)."""

    activation_class = EndActivation


class IfActivation(if_gate.IfActivation):
    @Activation.status.super()
    def activate(self):
        """viewflow's If without its savepoint, as End (a failed condition undoes the whole step)."""
        with self.exception_guard():
            self._condition_result = self.flow_task._condition(self)


class If(flow.If):
    """A gateway: Then one node, Else another, as the condition says (viewflow's If)."""

    activation_class = IfActivation


class StartHandleActivation(start.StartHandleActivation):
    @Activation.status.super()
    def execute(self):
        """viewflow's start without its own transaction: every start runs in its caller's (workflows.base.
        process_start, workflows.follow_on), which undoes a failed start whole; the savepoint was two statements."""
        task_started.send(sender=self.flow_class, process=self.process, task=self.task)
        self.process.save()
        with self.flow_class.lock(self.process.pk):
            self.complete()
            flow_started.send(sender=self.flow_class, process=self.process, task=self.task)
            self.activate_next()


class StartHandle(flow.StartHandle):
    """The start of a flow, called by code (viewflow's StartHandle)."""

    activation_class = StartHandleActivation

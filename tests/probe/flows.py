"""A one-step flow that repeats itself and does nothing else: the engine's own cost per step.

The benchmark (scripts/bench.py) and the query-count tests (tests/test_task_costs.py) complete its step to
measure what a task completion costs in Keyflow apart from any domain work: lock, read, finish the task, create
the next one with its owner and inbox row, audit. Real steps add their own records on top.
"""

from __future__ import annotations

from django import forms
from viewflow import this
from viewflow.workflow import flow, lock

from processes.text import REASON
from workflows.base import ChildFlowMixin
from workflows.models import ChildProcess, TaskRole
from workflows.nodes import HumanTask


class ProbeForm(forms.Form):
    note = forms.CharField(required=False, max_length=REASON)

    def __init__(self, *args, task, **kwargs) -> None:
        super().__init__(*args, **kwargs)


class ProbeFlow(ChildFlowMixin, flow.Flow):
    """Check in on the child, again and again."""

    process_class = ChildProcess
    lock_impl = lock.select_for_update_lock
    kind = "probe"
    process_title = "Probe"

    start = flow.StartHandle(this.start_process).Next(this.step)

    # key person
    step = HumanTask(ProbeForm, role=TaskRole.KEY_PERSON).Annotation(title="Check in").Next(this.step)

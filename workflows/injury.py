"""Injury pattern: a second look when one child has had several accidents or injuries in a few weeks.

Seed 001: the key person monitors "patterns of absence, injury and development – referring them on". The sweep
(processes.services.injury_patterns_sweep) finds a pattern once; this flow gives the key person and the
designated safeguarding lead a task each, side by side: the key person says what they know of each record,
the lead decides what follows (nothing, keep watching, or referral under the safeguarding procedures).
"""

from __future__ import annotations

from django import forms
from django.db import IntegrityError
from viewflow import this
from viewflow.workflow import flow, lock

from processes import deadlines, services
from processes.errors import Conflict
from processes.models import InjuryPattern, PatternOutcome
from processes.text import ACCOUNT

from .base import ChildFlowMixin, process_start
from .models import InjuryPatternProcess, ProcessKind, TaskRole
from .nodes import HumanTask


class KeyPersonLookForm(forms.Form):
    notes = forms.CharField(
        max_length=ACCOUNT, widget=forms.Textarea(attrs={"rows": 4}), label="What you know of these injuries",
        help_text="Each record's explanation, what the parents said, anything you have noticed.",
    )

    def __init__(self, *args, task, **kwargs) -> None:
        super().__init__(*args, **kwargs)


class SafeguardingDecisionForm(KeyPersonLookForm):
    outcome = forms.ChoiceField(choices=PatternOutcome.choices, widget=forms.RadioSelect, label="What follows")
    field_order = ["outcome", "notes"]

    def __init__(self, *args, task, **kwargs) -> None:
        super().__init__(*args, task=task, **kwargs)
        self.fields["notes"].label = "Your reasons"
        self.fields["notes"].help_text = "What you weighed; a referral's date and to whom."


class InjuryPatternFlow(ChildFlowMixin, flow.Flow):
    """Injury pattern: the key person's look and the safeguarding lead's decision, in either order."""

    process_class = InjuryPatternProcess
    lock_impl = lock.select_for_update_lock
    kind = ProcessKind.INJURY_PATTERN
    process_title = "Injury pattern"

    start = flow.StartHandle(this.start_pattern).Next(this.split)
    split = flow.Split().Next(this.key_person_look).Next(this.safeguarding_decision)

    # key person
    key_person_look = (
        HumanTask(KeyPersonLookForm, role=TaskRole.KEY_PERSON, due=this.look_due, on_complete=this.looked)
        .Annotation(title="Look into a pattern of injuries")
        .Next(this.end)
    )

    # designated safeguarding lead
    safeguarding_decision = (
        HumanTask(SafeguardingDecisionForm, role=TaskRole.DSL, due=this.look_due, on_complete=this.decided)
        .Annotation(title="Decide what follows a pattern of injuries")
        .Next(this.end)
    )

    # The process ends when the second of the two is done (viewflow's End waits for no task left open).
    end = flow.End()

    def start_pattern(self, activation, child, pattern: InjuryPattern, by=None):
        process = self.start_process(activation, child, by)
        process.pattern = pattern
        return process

    def look_due(self, activation):
        return deadlines.injury_pattern_due(activation.process.setting)

    def looked(self, activation, data, by) -> None:
        services.injury_pattern_review_record(pattern=activation.process.pattern, by=by, notes=data["notes"])

    def decided(self, activation, data, by) -> None:
        services.injury_pattern_review_record(pattern=activation.process.pattern, by=by, notes=data["notes"],
                                              outcome=data["outcome"])


def injury_pattern_flows_start() -> int:
    """Start the flow for every pattern that has none yet; safe to run again (one process per pattern).

    A child whose earlier pattern is still being looked into keeps the new one waiting until that ends (one open
    process of a kind per child); the next sweep starts it.
    """
    started = 0
    waiting = InjuryPattern.objects.filter(process__isnull=True).select_related("child").order_by("found_at")
    for pattern in waiting:
        try:
            process_start(flow_class=InjuryPatternFlow, child=pattern.child, pattern=pattern)
        except (Conflict, IntegrityError):
            continue
        started += 1
    return started

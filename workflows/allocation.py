from __future__ import annotations

from django import forms
from django.db import transaction
from django.utils.functional import cached_property
from viewflow import this
from viewflow.workflow import flow, lock

from processes import deadlines, services
from processes.allocation import Candidate, allocation_candidates, candidates_to_back_up
from processes.models import AssignmentRole, Staff
from processes.text import ACCOUNT, REASON

from .base import ChildFlowMixin, process_start
from .models import ChildProcess, ProcessKind, TaskRole
from .nodes import End, HumanTask, StartHandle


class StaffChoiceField(forms.ModelChoiceField):
    """A choice of staff, found among the staff its form read once for all such fields (`loaded`, by pk)."""

    loaded: dict[str, Staff] | None = None

    def to_python(self, value):
        if value in self.empty_values or self.loaded is None:
            return super().to_python(value)
        found = self.loaded.get(str(value))
        if found is None:
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice",
                                        params={"value": value})
        return found


class AllocateForm(forms.Form):
    """The manager chooses from the ranked lists themselves (radio cards with each candidate's reasons and
    score in words, workflows/_allocate_fields.html); the ranking is processes.allocation's."""

    fields_template = "workflows/_allocate_fields.html"

    primary = StaffChoiceField(queryset=Staff.objects.none(), label="Key person", widget=forms.RadioSelect)
    secondary = StaffChoiceField(queryset=Staff.objects.none(), label="Secondary key person",
                                 widget=forms.RadioSelect)
    starts_on = forms.DateField(
        required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="When the allocation takes effect; today if left blank.",
    )
    over_caseload_reason = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=REASON,
        label="Reason to go over the key person's caseload",
        help_text="Needed only if the key person is already at their maximum.",
    )
    notes = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=ACCOUNT,
        label="Why this allocation",
        help_text="Parents' preferences, relationships that have clicked, anything else you weighed.",
    )

    def __init__(self, *args, task, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        child = task.process.coerced.child
        staff = Staff.objects.filter(setting_id=child.setting_id, is_key_person=True, user__is_active=True)
        staff = staff.select_related("user")
        self.fields["primary"].queryset = staff
        self.fields["secondary"].queryset = staff
        if self.is_bound:
            # Both choices in one read, not one each (a completion's cost, issue 14).
            posted = {str(self.data.get(self.add_prefix(name), "")) for name in ("primary", "secondary")}
            loaded = {str(s.pk): s for s in staff.filter(pk__in=[pk for pk in posted if pk.isdigit()])}
            self.fields["primary"].loaded = self.fields["secondary"].loaded = loaded
        self.child = child

    # Ranked only when the page shows them (not for the API's field list, nor a finished task).
    @cached_property
    def primary_candidates(self) -> list[Candidate]:
        return allocation_candidates(child=self.child)

    @cached_property
    def secondary_candidates(self) -> list[Candidate]:
        return candidates_to_back_up(child=self.child, primary=self.backing_up,
                                     ranked_primaries=self.primary_candidates)

    @cached_property
    def backing_up(self) -> Staff | None:
        """The secondaries are ranked to cover for a key person: the one chosen on this form (when it comes
        back with an error), else the child's current one, else the top suggestion."""
        child = self.child
        by_pk = {str(c.staff.pk): c.staff for c in self.primary_candidates}
        chosen = by_pk.get(str(self["primary"].value() or ""))
        if chosen is None:
            current = child.assignments.current().filter(role=AssignmentRole.PRIMARY).values_list("staff_id", flat=True)
            chosen = next((by_pk[str(pk)] for pk in current if str(pk) in by_pk), None)
        if chosen is None and self.primary_candidates:
            chosen = self.primary_candidates[0].staff
        return chosen

    def clean(self):
        data = super().clean()
        if data.get("primary") and data.get("primary") == data.get("secondary"):
            self.add_error("secondary", "The secondary key person must be someone other than the key person.")
        return data


class AllocationFlow(ChildFlowMixin, flow.Flow):
    """Allocation of a key person and a secondary.

    Starts when a child is registered with a start date (EYFS 3.26: every child must be assigned a key
    person). The manager chooses, helped by a ranking of candidates with its reasons; completing the task
    assigns both, moves the child to "allocated" and ends; the introduction to the parents follows.
    """

    process_class = ChildProcess
    lock_impl = lock.select_for_update_lock
    kind = ProcessKind.ALLOCATION
    process_title = "Key person allocation"

    start = StartHandle(this.start_process).Next(this.allocate)

    # manager
    allocate = (
        HumanTask(AllocateForm, role=TaskRole.MANAGER, due=this.allocation_due, on_complete=this.allocation_made,
                  shows=("attending_sessions", "known_needs", "preferred_key_person"))
        .Annotation(title="Allocate a key person")
        .Next(this.end)
    )

    # Finished, the introduction follows (follow_on), started once this step has committed (workflows.follow_on).
    end = End()

    def allocation_due(self, activation):
        return deadlines.allocation_due(activation.process.child)

    def allocation_made(self, activation, data, by) -> None:
        services.child_allocate(
            child=activation.process.child, primary=data["primary"], secondary=data["secondary"], by=by,
            starts_on=data.get("starts_on"), reason=data.get("notes", ""),
            over_caseload_reason=data.get("over_caseload_reason", ""), from_task=True,
        )
        # The parents' letter is notifications' job (on key_person_changed, after commit, exactly once).

    @staticmethod
    def follow_on():
        """The flow that starts once this one has finished (workflows.follow_on)."""
        from .introduction import IntroductionFlow

        return IntroductionFlow

    def allocated_elsewhere(self, *, child, by) -> None:
        """The child was allocated outside this flow's task (the admin, a script): the task has nothing left
        to decide, so it is cancelled and the introduction starts, as completing it would have."""
        from .introduction import IntroductionFlow
        from .services import task_cancel

        for process in ChildProcess.objects.filter(child=child, open_kind=ProcessKind.ALLOCATION):
            with self.lock(process.pk), transaction.atomic():
                for task in process.task_set.filter(status__in=("NEW", "ASSIGNED")).select_related("process"):
                    task_cancel(task=task, by=by, reason="allocated outside this task")
                self.cancel(process)
            process_start(flow_class=IntroductionFlow, child=child)

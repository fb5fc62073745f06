from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from viewflow import this
from viewflow.workflow import flow, lock

from processes import deadlines, services, sessions
from processes.models import Child, LifecycleState, SettlingOutcome, SettlingReview, SettlingSession
from processes.text import ACCOUNT

from .base import ChildFlowMixin
from .models import ChildProcess, ProcessKind, TaskRole
from .nodes import End, HumanTask, If, StartHandle

# "Several short visits growing longer" (the settling-in policies the seeds refer to): minutes per visit.
DEFAULT_VISITS = (60, 90, 120, 180, 240)
# Dates as people type them in England, besides the date picker's own format.
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d %b %Y", "%d %B %Y"]


def settling_default_plan(child, *, today: dt.date | None = None) -> list[dict]:
    """Visits on the child's own session days, the week or so before they start, each longer than the last."""
    today = today or timezone.localdate()
    start = child.start_date or today
    day = max(start - dt.timedelta(days=8), today + dt.timedelta(days=1))
    attends = child.attending_sessions or sessions.ALL
    plan: list[dict] = []
    while len(plan) < len(DEFAULT_VISITS) and day <= start + dt.timedelta(days=21):
        mask = sessions.day_mask(day) & attends
        if mask:
            morning = bool(mask & sessions.BITS[f"{sessions.DAYS[day.weekday()]}_am"])
            minutes = DEFAULT_VISITS[len(plan)]
            plan.append({"on": day, "starts_at": dt.time(9, 30) if morning else dt.time(13, 0),
                         "duration_minutes": minutes, "parent_stays": len(plan) < 2})
        day += dt.timedelta(days=1)
    return plan


class VisitForm(forms.Form):
    """One row of the plan: a visit."""

    on = forms.DateField(label="Date", input_formats=DATE_FORMATS,
                         widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    starts_at = forms.TimeField(label="Start", widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    duration_minutes = forms.IntegerField(label="Minutes", min_value=15, max_value=600,
                                          widget=forms.NumberInput(attrs={"inputmode": "numeric", "step": 5}))
    parent_stays = forms.TypedChoiceField(
        label="With whom", choices=[("1", "With a parent"), ("", "On their own")], coerce=bool, required=False,
        empty_value=False,
    )


VisitFormSet = forms.formset_factory(VisitForm, extra=2, can_delete=True, max_num=20, absolute_max=20)


class VisitRows(forms.Field):
    """The plan's visits, one row each (VisitFormSet): the form's `visits` value is the list of rows."""

    widget = forms.HiddenInput

    def __init__(self, *, prefix: str, formset_class=None, **kwargs) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.prefix = prefix
        self.formset_class = formset_class or VisitFormSet
        self.formset = None


class VisitRowsMixin:
    """A form with one or more VisitRows fields: each gets its formset, bound to the same data."""

    def _bind_rows(self, data, initial: dict[str, list[dict]]) -> None:
        for name, field in self.fields.items():
            if isinstance(field, VisitRows):
                # Rows posted are read as typed: an unchanged proposed row is still a visit.
                field.formset = field.formset_class(data, prefix=field.prefix,
                                                    initial=None if data else initial.get(name))

    def _rows(self, name: str) -> list[dict]:
        formset = self.fields[name].formset
        if f"{formset.prefix}-TOTAL_FORMS" not in formset.data:
            return []  # no rows sent at all (an API client with no visits to add)
        if not formset.is_valid():
            problems = [f"Visit {i + 1}: " + " ".join(str(m) for ms in f.errors.values() for m in ms)
                        for i, f in enumerate(formset.forms) if f.errors]
            raise forms.ValidationError(problems + [str(e) for e in formset.non_form_errors()]
                                        or ["Check the visits."])
        return [{k: v for k, v in f.cleaned_data.items() if k != "DELETE"}
                for f in formset.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]


class SettlingPlanForm(VisitRowsMixin, forms.Form):
    visits = VisitRows(prefix="visits", label="Settling-in visits",
                       help_text="Short visits growing longer, on the child's own days. Leave a row empty to skip it.")
    notes = forms.CharField(required=False, max_length=ACCOUNT, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, task, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.is_bound:  # the rows posted are the plan
            self._bind_rows(self.data, {})
            return
        child = task.process.coerced.child
        planned = [{"on": v.on, "starts_at": v.starts_at, "duration_minutes": v.duration_minutes,
                    "parent_stays": v.parent_stays} for v in child.settling_sessions.filter(recorded_at__isnull=True)]
        initial = [{**v, "parent_stays": "1" if v["parent_stays"] else ""}
                   for v in planned or settling_default_plan(child)]
        self._bind_rows(None, {"visits": initial})

    def clean_visits(self):
        visits = self._rows("visits")
        if not visits:
            raise forms.ValidationError("Plan at least one settling-in visit.")
        return visits


class SettlingSessionForm(forms.Form):
    how_it_went = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), label="How it went", max_length=ACCOUNT,
                                  help_text="How the child coped, what comforted them, what to try next time.")

    def __init__(self, *args, task, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.session = next_session(task.process.coerced.child)

    def clean(self):
        data = super().clean()
        data["visit"] = self.session  # the visit this page was about, recorded as such
        return data


class SettlingReviewForm(VisitRowsMixin, forms.Form):
    held_on = forms.DateField(input_formats=DATE_FORMATS, label="Review held on",
                              widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    outcome = forms.ChoiceField(choices=SettlingOutcome.choices, widget=forms.RadioSelect)
    parents_view = forms.CharField(max_length=ACCOUNT, widget=forms.Textarea(attrs={"rows": 2}),
                                   label="The parents' view")
    notes = forms.CharField(required=False, max_length=ACCOUNT, widget=forms.Textarea(attrs={"rows": 3}))
    next_review_on = forms.DateField(required=False, input_formats=DATE_FORMATS, label="Next review",
                                     widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                                     help_text="Needed if the child needs longer.")
    extra_visits = VisitRows(prefix="extra", label="Extra settling visits",
                             help_text="If the child needs longer: the further visits agreed with the parents.")

    def __init__(self, *args, task, **kwargs) -> None:
        kwargs.setdefault("initial", {"held_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.child = task.process.coerced.child
        self._bind_rows(self.data if self.is_bound else None, {})

    def clean_extra_visits(self):
        return self._rows("extra_visits")

    def clean(self):
        data = super().clean()
        # Said early here; the rules are the service's (processes.services.settling_review_record).
        if data.get("held_on") and data["held_on"] > timezone.localdate():
            self.add_error("held_on", "A review is recorded once it has been held, not before.")
        if data.get("outcome") == SettlingOutcome.NEEDS_LONGER:
            next_on = data.get("next_review_on")
            if not next_on:
                self.add_error("next_review_on", "Set the date of the next review when the child needs longer.")
            elif data.get("held_on") and next_on <= data["held_on"]:
                self.add_error("next_review_on", "The next review must come after this one.")
        return data


def next_session(child) -> SettlingSession | None:
    return child.settling_sessions.filter(recorded_at__isnull=True).order_by("on", "starts_at").first()


def open_review(child) -> SettlingReview | None:
    return child.settling_reviews.filter(held_on__isnull=True).order_by("due_on").first()


class SettlingFlow(ChildFlowMixin, flow.Flow):
    """Settling in.

    The key person agrees a plan of short visits growing longer with the parents, records how each went,
    and holds a settling-in review with them a few weeks after the start (four by default, per setting):
    "settled" moves the child's lifecycle on; "needs longer" sets a new review date and extends the plan.
    If the key person is away on the day, the task goes to the secondary (workflows.routing).
    """

    process_class = ChildProcess
    lock_impl = lock.select_for_update_lock
    kind = ProcessKind.SETTLING
    process_title = "Settling in"

    start = StartHandle(this.start_process).Next(this.plan)

    # key person
    plan = (
        HumanTask(SettlingPlanForm, role=TaskRole.KEY_PERSON, due=this.plan_due, on_complete=this.plan_agreed)
        .Annotation(title="Agree the settling-in plan with the parents")
        .Next(this.record_visit)  # a plan has at least one visit, none of them held yet (the service's rule)
    )
    more_visits = If(this.has_visit_to_record).Then(this.record_visit).Else(this.review)
    record_visit = (
        HumanTask(SettlingSessionForm, role=TaskRole.KEY_PERSON, due=this.visit_due,
                  on_complete=this.visit_recorded)
        .Annotation(title="Record how the settling-in visit went")
        .Next(this.more_visits)
    )
    review = (
        HumanTask(SettlingReviewForm, role=TaskRole.KEY_PERSON, due=this.review_due,
                  on_complete=this.review_held)
        .Annotation(title="Hold the settling-in review with the parents")
        .Next(this.is_settled)
    )
    is_settled = If(this.child_settled).Then(this.end).Else(this.more_visits)
    end = End()

    def plan_due(self, activation):
        return deadlines.settling_plan_due(activation.process.child)

    def visit_due(self, activation):
        # The gate that routed here has just read the visit (has_visit_to_record): due on its day.
        visit = getattr(activation.process, "next_visit", None) or next_session(activation.process.child)
        return deadlines.settling_session_due(visit.on, activation.process.child.setting) if visit else None

    def review_due(self, activation):
        review = open_review(activation.process.child)
        return deadlines.settling_review_due(review.due_on, activation.process.child.setting) if review else None

    def has_visit_to_record(self, activation) -> bool:
        process = activation.process
        if not getattr(process, "next_visit_noted", False):  # else the step's service has just said (review_held)
            process.next_visit = next_session(process.child)
        return process.next_visit is not None

    def child_settled(self, activation) -> bool:
        settled = getattr(activation.process, "settled", None)  # what the review just recorded (review_held)
        if settled is None:
            # Read the row, not the process's cached child: the review's service call has just moved it on.
            settled = Child.objects.filter(pk=activation.process.child_id, state=LifecycleState.SETTLED).exists()
        return settled

    def plan_agreed(self, activation, data, by) -> None:
        planned = services.settling_plan_record(child=activation.process.child, by=by, visits=data["visits"],
                                                notes=data.get("notes", ""))
        # The plan replaced every visit not yet held: the first of it is the next to record (visit_due).
        activation.process.next_visit = min(planned, key=lambda visit: (visit.on, visit.starts_at))

    def visit_recorded(self, activation, data, by) -> None:
        if data["visit"] is not None:
            services.settling_visit_record(visit=data["visit"], by=by, how_it_went=data["how_it_went"])

    def review_held(self, activation, data, by) -> None:
        review = services.settling_review_record(child=activation.process.child, by=by, **data)
        activation.process.settled = review.outcome == SettlingOutcome.SETTLED
        # The service has read the visits still to hold, the ones it added among them: the gate asks no more.
        activation.process.next_visit, activation.process.next_visit_noted = review.next_visit, True

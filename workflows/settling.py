from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from viewflow import this
from viewflow.workflow import flow, lock

from processes import deadlines, services, sessions
from processes.dates import day_text
from processes.models import Child, LifecycleState, SettlingOutcome, SettlingReview, SettlingSession
from processes.text import ACCOUNT

from .base import ChildFlowMixin
from .models import ChildProcess, ProcessKind, TaskRole
from .nodes import HumanTask

# "Several short visits growing longer" (the settling-in policies the seeds refer to): minutes per visit.
DEFAULT_VISITS = (60, 90, 120, 180, 240)
PLAN_HELP = "One visit a line: date, start time, minutes, and 'with parent' if a parent stays. 2026-12-01 09:30 60 with parent"


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


def plan_as_text(plan) -> str:
    lines = []
    for visit in plan:
        get = visit.get if isinstance(visit, dict) else lambda k: getattr(visit, k)
        lines.append(f"{get('on'):%Y-%m-%d} {get('starts_at'):%H:%M} {get('duration_minutes')}"
                     + (" with parent" if get("parent_stays") else ""))
    return "\n".join(lines)


def parse_plan(text: str) -> list[dict]:
    visits, errors = [], []
    for number, line in enumerate((l.strip() for l in text.splitlines()), start=1):
        if not line:
            continue
        parts = line.split()
        try:
            on = dt.date.fromisoformat(parts[0])
            starts_at = dt.time.fromisoformat(parts[1])
            minutes = int(parts[2])
        except (IndexError, ValueError):
            errors.append(f"Line {number} ('{line}') should read like: 2026-12-01 09:30 60 with parent")
            continue
        if minutes < 15 or minutes > 600:
            errors.append(f"Line {number}: a visit lasts between 15 and 600 minutes.")
        visits.append({"on": on, "starts_at": starts_at, "duration_minutes": minutes,
                       "parent_stays": "parent" in line.lower()})
    slots = [(v["on"], v["starts_at"]) for v in visits]
    if len(slots) != len(set(slots)):
        errors.append("Two visits are at the same date and time.")
    if errors:
        raise forms.ValidationError(errors)
    return sorted(visits, key=lambda v: (v["on"], v["starts_at"]))


class SettlingPlanForm(forms.Form):
    visits = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}), help_text=PLAN_HELP, max_length=ACCOUNT,
                             label="Settling-in visits")
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=ACCOUNT)

    def __init__(self, *args, task, **kwargs) -> None:
        child = task.process.coerced.child
        planned = child.settling_sessions.filter(recorded_at__isnull=True)
        kwargs.setdefault("initial", {"visits": plan_as_text(planned or settling_default_plan(child))})
        super().__init__(*args, **kwargs)

    def clean_visits(self):
        visits = parse_plan(self.cleaned_data["visits"])
        if not visits:
            raise forms.ValidationError("Plan at least one settling-in visit.")
        return visits


class SettlingSessionForm(forms.Form):
    how_it_went = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), label="How it went", max_length=ACCOUNT,
                                  help_text="How the child coped, what comforted them, what to try next time.")

    def __init__(self, *args, task, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.session = next_session(task.process.coerced.child)


class SettlingReviewForm(forms.Form):
    held_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), label="Review held on")
    outcome = forms.ChoiceField(choices=SettlingOutcome.choices, widget=forms.RadioSelect)
    parents_view = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label="The parents' view",
                                   max_length=ACCOUNT)
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=ACCOUNT)
    next_review_on = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                                     label="Next review", help_text="Needed if the child needs longer.")
    extra_visits = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=ACCOUNT,
                                   label="Extra settling visits", help_text=PLAN_HELP)

    def __init__(self, *args, task, **kwargs) -> None:
        kwargs.setdefault("initial", {"held_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.child = task.process.coerced.child

    def clean_extra_visits(self):
        visits = parse_plan(self.cleaned_data.get("extra_visits") or "")
        taken = set(self.child.settling_sessions.values_list("on", "starts_at"))
        clashes = [v for v in visits if (v["on"], v["starts_at"]) in taken]
        if clashes:
            raise forms.ValidationError(
                f"There is already a visit on {day_text(clashes[0]['on'])} at {clashes[0]['starts_at']:%H:%M}."
            )
        return visits

    def clean(self):
        data = super().clean()
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

    start = flow.StartHandle(this.start_process).Next(this.plan)

    # key person
    plan = (
        HumanTask(SettlingPlanForm, role=TaskRole.KEY_PERSON, due=this.plan_due, on_complete=this.plan_agreed)
        .Annotation(title="Agree the settling-in plan with the parents")
        .Next(this.more_visits)
    )
    more_visits = flow.If(this.has_visit_to_record).Then(this.record_visit).Else(this.review)
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
    is_settled = flow.If(this.child_settled).Then(this.end).Else(this.more_visits)
    end = flow.End()

    def plan_due(self, activation):
        return deadlines.settling_plan_due(activation.process.child)

    def visit_due(self, activation):
        visit = next_session(activation.process.child)
        return deadlines.settling_session_due(visit.on, activation.process.child.setting) if visit else None

    def review_due(self, activation):
        review = open_review(activation.process.child)
        return deadlines.settling_review_due(review.due_on, activation.process.child.setting) if review else None

    def has_visit_to_record(self, activation) -> bool:
        return next_session(activation.process.child) is not None

    def child_settled(self, activation) -> bool:
        # Read the row, not the process's cached child: the review's service call has just moved it on.
        return Child.objects.filter(pk=activation.process.child_id, state=LifecycleState.SETTLED).exists()

    def _add_visits(self, child, visits) -> None:
        SettlingSession.objects.bulk_create(SettlingSession(child=child, **visit) for visit in visits)

    def plan_agreed(self, activation, data, by) -> None:
        child = activation.process.child
        child.settling_sessions.filter(recorded_at__isnull=True).delete()
        self._add_visits(child, data["visits"])
        if open_review(child) is None:
            SettlingReview.objects.create(child=child, due_on=deadlines.settling_review_date(child, child.setting))
        services.audit_record(actor=by, action="update", record=child,
                              summary=f"Agreed a settling-in plan of {len(data['visits'])} visits",
                              changes={"visits": plan_as_text(data["visits"])})
        if child.state == LifecycleState.ALLOCATED:
            services.child_transition(child=child, transition="begin_settling_in", by=by,
                                      reason="Settling-in plan agreed with the parents")

    def visit_recorded(self, activation, data, by) -> None:
        child = activation.process.child
        visit = next_session(child)
        if visit is None:
            return
        visit.how_it_went = data["how_it_went"]
        visit.recorded_by = by
        visit.recorded_at = timezone.now()
        visit.save(update_fields=["how_it_went", "recorded_by", "recorded_at"])
        services.audit_record(actor=by, action="update", record=visit, setting_id=child.setting_id,
                              summary=f"Recorded the settling-in visit of {day_text(visit.on)}")

    def review_held(self, activation, data, by) -> None:
        child = activation.process.child
        review = open_review(child) or SettlingReview(child=child, due_on=timezone.localdate())
        review.held_on = data["held_on"]
        review.outcome = data["outcome"]
        review.parents_view = data["parents_view"]
        review.notes = data.get("notes", "")
        review.next_review_on = data.get("next_review_on")
        review.recorded_by = by
        review.save()
        services.audit_record(actor=by, action="update", record=review, setting_id=child.setting_id,
                              summary=f"Settling-in review: {review.get_outcome_display().lower()}")
        if review.outcome == SettlingOutcome.SETTLED:
            services.child_transition(child=child, transition="settle", by=by, reason="Settling-in review")
        else:
            SettlingReview.objects.create(child=child, due_on=review.next_review_on)
            self._add_visits(child, data.get("extra_visits") or [])

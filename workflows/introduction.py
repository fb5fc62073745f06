from __future__ import annotations

from django import forms
from django.utils import timezone
from viewflow import this
from viewflow.workflow import flow, lock

from processes import deadlines, services
from processes.dates import day_text
from processes.models import AllAboutMe
from processes.text import ACCOUNT, text_fields_limited

from .base import ChildFlowMixin
from .models import ChildProcess, ProcessKind, TaskRole
from .nodes import End, HumanTask, StartHandle


class IntroductionMeetingForm(forms.Form):
    starts_at = forms.DateTimeField(
        label="Date and time", widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="On or before the child's first day.",
    )
    duration_minutes = forms.IntegerField(min_value=5, max_value=240, initial=30, label="Length (minutes)")
    location = forms.CharField(max_length=200, required=False, initial="At the setting")
    with_whom = forms.CharField(max_length=200, required=False, label="Which parents/carers")
    notes = forms.CharField(required=False, max_length=ACCOUNT, widget=forms.Textarea(attrs={"rows": 3}))
    already_held = forms.BooleanField(
        required=False, label="This meeting has already taken place",
        help_text="Record a meeting held before today: the parents are not sent an invitation.",
    )

    def __init__(self, *args, task, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.child = task.process.coerced.child

    def clean_starts_at(self):
        starts_at = self.cleaned_data["starts_at"]
        first_day = self.child.start_date
        # Said early here; the rule is the service's (processes.services.introduction_meeting_arrange).
        if first_day and timezone.localtime(starts_at).date() > first_day:
            raise forms.ValidationError(f"The introduction must be on or before the first day ({day_text(first_day)}).")
        return starts_at

    def clean(self):
        data = super().clean()
        starts_at = data.get("starts_at")
        # Said early; the service holds the rule (and the rule for a time that has passed unticked).
        if data.get("already_held") and starts_at is not None and starts_at > timezone.now():
            self.add_error("starts_at", "A meeting that has already taken place cannot be in the future.")
        return data


class AllAboutMeForm(forms.ModelForm):
    class Meta:
        model = AllAboutMe
        fields = ["routines", "sleep", "feeding", "allergies", "comforters", "likes", "dislikes",
                  "home_language", "parents_want_known"]
        widgets = {name: forms.Textarea(attrs={"rows": 2}) for name in fields if name != "home_language"}

    def __init__(self, *args, task, **kwargs) -> None:
        # The page proposes what is known already; the answers posted are the service's to keep.
        if kwargs.get("data") is None and not args:
            child = task.process.coerced.child
            existing = AllAboutMe.objects.filter(child=child).first()
            kwargs.setdefault("initial", {"home_language": child.home_language, "allergies": child.allergies,
                                          "feeding": child.dietary_needs} if existing is None else
                              {name: getattr(existing, name) for name in self._meta.fields})
        super().__init__(*args, **kwargs)
        text_fields_limited(self)

    def clean(self):
        data = super().clean()
        if not any((data.get(f) or "").strip() for f in ("routines", "sleep", "feeding", "likes")):
            raise forms.ValidationError("Record at least the child's routines, sleep, feeding or likes.")
        return data


class IntroductionFlow(ChildFlowMixin, flow.Flow):
    """Introduction to the parents.

    The key person arranges to meet the parents on or before the first day, and completes "all about me"
    with them, in either order; both done, the settling-in begins.
    """

    process_class = ChildProcess
    lock_impl = lock.select_for_update_lock
    kind = ProcessKind.INTRODUCTION
    process_title = "Introduction to the parents"

    start = StartHandle(this.start_process).Next(this.split)
    split = flow.Split().Next(this.arrange_meeting).Next(this.all_about_me)

    # key person
    arrange_meeting = (
        HumanTask(IntroductionMeetingForm, role=TaskRole.KEY_PERSON, due=this.meeting_due,
                  on_complete=this.meeting_arranged, shows=("home_language",))
        .Annotation(title="Arrange the parents' introduction")
        .Next(this.end)
    )
    all_about_me = (
        HumanTask(AllAboutMeForm, role=TaskRole.KEY_PERSON, due=this.all_about_me_due,
                  on_complete=this.all_about_me_done,
                  shows=("home_language", "dietary_needs", "allergies"))
        .Annotation(title="Complete 'all about me' with the parents")
        .Next(this.end)
    )

    # Both done (whichever comes second), the process finishes (viewflow's End finishes it only when no other task
    # is open) and the settling-in follows (follow_on), started once this step has committed (workflows.follow_on).
    end = End()

    def meeting_due(self, activation):
        return deadlines.introduction_due(activation.process.child)

    def all_about_me_due(self, activation):
        return deadlines.all_about_me_due(activation.process.child)

    def meeting_arranged(self, activation, data, by) -> None:
        services.introduction_meeting_arrange(child=activation.process.child, by=by, **data)

    def all_about_me_done(self, activation, data, by) -> None:
        services.all_about_me_record(child=activation.process.child, by=by, **data)

    @staticmethod
    def follow_on():
        """The flow that starts once this one has finished (workflows.follow_on)."""
        from .settling import SettlingFlow

        return SettlingFlow

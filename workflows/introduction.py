from __future__ import annotations

from django import forms
from django.utils import timezone
from viewflow import this
from viewflow.workflow import flow, lock

from processes import deadlines, services, signals
from processes.dates import day_text, when_text
from processes.models import AllAboutMe, MeetingKind, ParentMeeting
from processes.text import ACCOUNT, text_fields_limited

from .base import ChildFlowMixin, process_start
from .models import ChildProcess, ProcessKind, TaskRole
from .nodes import HumanTask


class IntroductionMeetingForm(forms.Form):
    starts_at = forms.DateTimeField(
        label="Date and time", widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="On or before the child's first day.",
    )
    duration_minutes = forms.IntegerField(min_value=5, max_value=240, initial=30, label="Length (minutes)")
    location = forms.CharField(max_length=200, required=False, initial="At the setting")
    with_whom = forms.CharField(max_length=200, required=False, label="Which parents/carers")
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=ACCOUNT)

    def __init__(self, *args, task, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.child = task.process.coerced.child

    def clean_starts_at(self):
        starts_at = self.cleaned_data["starts_at"]
        first_day = self.child.start_date
        # Seeds 003/004: parents are introduced "before or on the child's first day".
        if first_day and timezone.localtime(starts_at).date() > first_day:
            raise forms.ValidationError(f"The introduction must be on or before the first day ({day_text(first_day)}).")
        return starts_at


class AllAboutMeForm(forms.ModelForm):
    class Meta:
        model = AllAboutMe
        fields = ["routines", "sleep", "feeding", "allergies", "comforters", "likes", "dislikes",
                  "home_language", "parents_want_known"]
        widgets = {name: forms.Textarea(attrs={"rows": 2}) for name in fields if name != "home_language"}

    def __init__(self, *args, task, **kwargs) -> None:
        child = task.process.coerced.child
        existing = AllAboutMe.objects.filter(child=child).first()
        if existing is None:
            kwargs.setdefault("initial", {"home_language": child.home_language, "allergies": child.allergies,
                                          "feeding": child.dietary_needs})
        super().__init__(*args, instance=existing, **kwargs)
        text_fields_limited(self)

    def clean(self):
        data = super().clean()
        if not any((data.get(f) or "").strip() for f in ("routines", "sleep", "feeding", "likes")):
            raise forms.ValidationError("Record at least the child's routines, sleep, feeding or likes.")
        return data


class IntroductionFlow(ChildFlowMixin, flow.Flow):
    """Introduction to the parents.

    The key person arranges to meet the parents on or before the first day, and completes "all about me"
    with them; both done, the settling-in begins.
    """

    process_class = ChildProcess
    lock_impl = lock.select_for_update_lock
    kind = ProcessKind.INTRODUCTION
    process_title = "Introduction to the parents"

    start = flow.StartHandle(this.start_process).Next(this.split)
    split = flow.Split().Next(this.arrange_meeting).Next(this.all_about_me)

    # key person
    arrange_meeting = (
        HumanTask(IntroductionMeetingForm, role=TaskRole.KEY_PERSON, due=this.meeting_due,
                  on_complete=this.meeting_arranged, shows=("home_language",))
        .Annotation(title="Arrange the parents' introduction")
        .Next(this.join)
    )
    all_about_me = (
        HumanTask(AllAboutMeForm, role=TaskRole.KEY_PERSON, due=this.all_about_me_due,
                  on_complete=this.all_about_me_done,
                  shows=("home_language", "dietary_needs", "allergies"))
        .Annotation(title="Complete 'all about me' with the parents")
        .Next(this.join)
    )

    join = flow.Join().Next(this.settle)
    settle = flow.Function(this.start_settling_in).Next(this.end)
    end = flow.End()

    def meeting_due(self, activation):
        return deadlines.introduction_due(activation.process.child)

    def all_about_me_due(self, activation):
        return deadlines.all_about_me_due(activation.process.child)

    def meeting_arranged(self, activation, data, by) -> None:
        child = activation.process.child
        meeting = ParentMeeting.objects.create(
            child=child, kind=MeetingKind.INTRODUCTION, starts_at=data["starts_at"],
            duration_minutes=data["duration_minutes"], location=data.get("location", ""),
            with_whom=data.get("with_whom", ""), notes=data.get("notes", ""), arranged_by=by,
        )
        services.audit_record(actor=by, action="create", record=meeting, setting_id=child.setting_id,
                              summary=f"Arranged the introduction for {when_text(meeting.starts_at)}")
        signals.meeting_arranged.send(sender=ParentMeeting, meeting=meeting, by=by)

    def all_about_me_done(self, activation, data, by) -> None:
        child = activation.process.child
        record, _ = AllAboutMe.objects.update_or_create(child=child, defaults={**data, "completed_by": by})
        services.audit_record(actor=by, action="update", record=record, setting_id=child.setting_id,
                              summary=f"Completed 'all about me' for {child.name}")

    def start_settling_in(self, activation) -> None:
        from .settling import SettlingFlow

        process_start(flow_class=SettlingFlow, child=activation.process.child)

"""The forms of the meeting and progress-check-at-two steps. Each takes the task; the rules are the services'."""

from __future__ import annotations

from django import forms

from processes.models import CHECK_FIELDS, ConsentStatus, Guardian, Staff
from processes.text import ACCOUNT

WHEN = {"widget": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")}
HELD, NOT_HELD = "held", "not_held"
MOVE, CANCEL = "move", "cancel"


def _text(rows: int = 3, **kwargs) -> forms.CharField:
    return forms.CharField(widget=forms.Textarea(attrs={"rows": rows}), **{"max_length": ACCOUNT, **kwargs})


def lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class StepForm(forms.Form):
    def __init__(self, *args, task, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.task = task
        self.process = task.process.coerced
        self.child = self.process.child


class PrepareForm(StepForm):
    notes = _text(label="What you will share", help_text="Progress since the last meeting, next steps to propose.")


class MeetingOutcomeForm(StepForm):
    held = forms.ChoiceField(choices=[(HELD, "Held"), (NOT_HELD, "Not held")], widget=forms.RadioSelect,
                             label="Did the meeting take place?")
    parents_present = forms.BooleanField(required=False, initial=True, label="The parents were at the meeting")
    discussed = _text(label="What was discussed (or why it did not take place)")
    next_steps = _text(rows=2, required=False, label="Next steps agreed")
    setting_actions = _text(rows=2, required=False, label="What the setting will do (one per line)")
    action_by = forms.ModelChoiceField(queryset=Staff.objects.none(), required=False,
                                       label="Who in the setting does it")
    parents_actions = _text(rows=2, required=False, label="What the parents will do (one per line)")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["action_by"].queryset = Staff.objects.filter(setting_id=self.child.setting_id,
                                                                 user__is_active=True).select_related("user")

    def clean(self):
        data = super().clean()
        if lines(data.get("setting_actions")) and not data.get("action_by"):
            self.add_error("action_by", "Say who in the setting does the agreed steps.")
        return data

    def actions(self) -> list:
        data = self.cleaned_data
        if data["held"] != HELD:
            return []
        return ([(what, data["action_by"]) for what in lines(data.get("setting_actions"))]
                + [(what, None) for what in lines(data.get("parents_actions"))])


class RearrangeForm(StepForm):
    next = forms.ChoiceField(choices=[(MOVE, "Arrange a new time"), (CANCEL, "Call the meeting off")],
                             widget=forms.RadioSelect, label="What next")
    starts_at = forms.DateTimeField(required=False, label="New date and time", **WHEN)
    reason = forms.CharField(max_length=300, required=False, label="Why it is called off")

    def clean(self):
        data = super().clean()
        if data.get("next") == MOVE and not data.get("starts_at"):
            self.add_error("starts_at", "Choose the new time.")
        if data.get("next") == CANCEL and not (data.get("reason") or "").strip():
            self.add_error("reason", "Say why the meeting is called off.")
        return data


class ParentsToldForm(StepForm):
    how = _text(rows=2, label="How and when you told the parents what was discussed")


class ActionsDoneForm(StepForm):
    notes = _text(rows=2, label="What was done")


class CheckDraftForm(StepForm):
    """The check's parts, headed as the version of the form the check was started with says."""

    communication = _text()
    physical = _text()
    personal_social = _text()
    going_well = _text(required=False)
    support_needed = _text(required=False)
    concern = forms.BooleanField(required=False, label="A concern about possible delay or SEN")
    concern_notes = _text(rows=2, required=False, label="The concern")
    setting_plan = _text(required=False)
    home_help = _text(required=False)
    delay_reason = forms.CharField(max_length=300, required=False, label="Why the check is late (if it is)")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        check = self.process.check_record
        for name in CHECK_FIELDS:
            self.fields[name].label = check.template.prompt(name)
            self.initial.setdefault(name, getattr(check, name))
        self.initial.setdefault("concern", check.concern)
        self.initial.setdefault("concern_notes", check.concern_notes)
        if check.template.guidance:
            self.fields["communication"].help_text = check.template.guidance


class CheckMeetingForm(StepForm):
    starts_at = forms.DateTimeField(label="Date and time", **WHEN)
    duration_minutes = forms.IntegerField(min_value=5, max_value=240, initial=30, label="Length (minutes)")
    location = forms.CharField(max_length=200, required=False, initial="At the setting")
    with_whom = forms.CharField(max_length=200, required=False, label="Which parents/carers")


class CheckDiscussedForm(MeetingOutcomeForm):
    parents_view = _text(required=False, label="The parents' view")
    health_visitor_consent = forms.ChoiceField(
        required=False, label="Consent to share the check with the health visitor",
        choices=[("", "Not asked"), (ConsentStatus.GRANTED, "Granted"), (ConsentStatus.DECLINED, "Declined")])
    guardian = forms.ModelChoiceField(queryset=Guardian.objects.none(), required=False,
                                      label="Parent/carer who decided")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in ("setting_actions", "action_by", "parents_actions"):
            del self.fields[name]
        self.fields["guardian"].queryset = Guardian.objects.filter(child_links__child=self.child)

    def clean(self):
        data = super().clean()
        if data.get("held") == HELD and not (data.get("parents_view") or "").strip():
            self.add_error("parents_view", "Record the parents' view.")
        if data.get("health_visitor_consent") and not data.get("guardian"):
            self.add_error("guardian", "Say which parent/carer decided.")
        return data

    def actions(self) -> list:
        return []


class SignOffForm(StepForm):
    confirm = forms.BooleanField(label="I have read the final record and sign it off")
    delay_reason = forms.CharField(max_length=300, required=False, label="Why the check is late (if it is)")


class SencoReviewForm(StepForm):
    start_sen_concern = forms.BooleanField(required=False, label="Start an SEN concern from this check")
    notes = _text(rows=2, required=False, label="Notes")


class ShareForm(StepForm):
    given_to_parents = forms.BooleanField(label="The parents have their copy of the check")
    health_visitor = forms.CharField(max_length=200, required=False, label="Health visitor (with consent)",
                                     help_text="Leave empty if the parents did not consent.")

"""The forms of the room move and key person change pages (workflows.transition_views)."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from processes.models import ChangeReason, Room, Staff
from processes.text import ACCOUNT, REASON

from .settling import DATE_FORMATS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class StartMovesForm(forms.Form):
    children = forms.TypedMultipleChoiceField(coerce=int, widget=forms.CheckboxSelectMultiple,
                                              label="Children to move", error_messages={
                                                  "required": "Choose at least one child."})
    to_room = forms.ModelChoiceField(queryset=Room.objects.none(), label="New room")
    planned_on = forms.DateField(input_formats=DATE_FORMATS, widget=DATE, label="Day of the move")
    why = forms.CharField(required=False, max_length=REASON, label="Why", widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, rooms, children, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_room"].queryset = Room.objects.filter(pk__in=[r.pk for r in rooms])
        self.fields["to_room"].choices = [("", "Choose a room")] + [(r.pk, r.name) for r in rooms]
        self.fields["children"].choices = [(c.pk, c.name) for c in children]


class MoveDateForm(forms.Form):
    to_date = forms.DateField(input_formats=DATE_FORMATS, widget=DATE, label="New day of the move")
    reason = forms.CharField(max_length=REASON, label="Why the date moves")


class CancelForm(forms.Form):
    reason = forms.CharField(max_length=REASON, label="Why it is cancelled")


REASONS_FOR_ONE = [(c.value, c.label) for c in ChangeReason if c not in (ChangeReason.STAFF_LEAVING,)]
REASONS_FOR_MANY = [(c.value, c.label) for c in (ChangeReason.STAFF_LEAVING, ChangeReason.LONG_ABSENCE,
                                                   ChangeReason.CASELOAD_REVIEW)]


class KeyPersonChangeForm(forms.Form):
    """One child: the new key person and secondary from the ranked cards, why, and from when."""

    primary = forms.ModelChoiceField(queryset=Staff.objects.none(), label="New key person", widget=forms.RadioSelect)
    secondary = forms.ModelChoiceField(queryset=Staff.objects.none(), label="Secondary key person",
                                       widget=forms.RadioSelect)
    reason = forms.ChoiceField(choices=REASONS_FOR_ONE, label="Why")
    change_on = forms.DateField(input_formats=DATE_FORMATS, widget=DATE, label="New key person from",
                                initial=timezone.localdate, help_text="After the handover and the introduction.")
    notes = forms.CharField(required=False, max_length=ACCOUNT, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, setting_id: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        staff = Staff.objects.filter(setting_id=setting_id, is_key_person=True, user__is_active=True)
        self.fields["primary"].queryset = staff.select_related("user")
        self.fields["secondary"].queryset = staff.select_related("user")

    def clean(self):
        data = super().clean()
        if data.get("primary") and data.get("primary") == data.get("secondary"):
            self.add_error("secondary", "The secondary key person must be someone other than the key person.")
        return data


class LeaverForm(forms.Form):
    """The leaver's date and why; each child's successor and secondary come as rows (successor-<id>)."""

    leaving_on = forms.DateField(input_formats=DATE_FORMATS, widget=DATE, label="Last day (the change happens then)")
    reason = forms.ChoiceField(choices=REASONS_FOR_MANY, label="Why")
    notes = forms.CharField(required=False, max_length=ACCOUNT, widget=forms.Textarea(attrs={"rows": 2}))

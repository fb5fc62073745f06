"""The manager's everyday forms: a child's details, parents and carers, key persons, staff absences.

They say a rule early where it helps; the services (processes.services) hold every rule and have the last word.
"""

from __future__ import annotations

import hashlib

from django import forms
from django.utils import timezone

from .models import Guardian, Room, Staff

DATE = {"widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
CHILD_FIELDS = ("first_name", "last_name", "preferred_name", "date_of_birth", "start_date", "room",
                "home_language", "allergies", "dietary_needs", "medical_notes", "collected_by", "known_needs")


def fingerprint(values) -> str:
    """What a form was opened on: a save finding something else knows someone changed it in between."""
    return hashlib.sha256(repr(values).encode()).hexdigest()[:32]


class ChildDetailsForm(forms.Form):
    first_name = forms.CharField(max_length=100)
    last_name = forms.CharField(max_length=100)
    preferred_name = forms.CharField(max_length=100, required=False, label="Known as",
                                     help_text="Leave blank if they go by their first name.")
    date_of_birth = forms.DateField(**DATE)
    start_date = forms.DateField(required=False, **DATE, help_text="Their first day at the setting.")
    room = forms.ModelChoiceField(queryset=Room.objects.none(), required=False, empty_label="No room yet")
    home_language = forms.CharField(max_length=60, required=False)
    allergies = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}),
                                help_text="Shown first on the child's record. Leave blank if none are known.")
    dietary_needs = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    medical_notes = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}),
                                    help_text="Conditions, medication, care plans: shown to the staff of the room.")
    collected_by = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}),
                                   label="Who collects", help_text="The adults the parents allow to collect.")
    known_needs = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
                                  label="Known needs (SEND)")
    loaded = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, child, **kwargs) -> None:
        kwargs.setdefault("initial", {name: getattr(child, name) for name in CHILD_FIELDS})
        kwargs["initial"]["loaded"] = fingerprint(child_values(child))
        super().__init__(*args, **kwargs)
        self.fields["room"].queryset = Room.objects.filter(setting_id=child.setting_id)

    def changes(self, child) -> dict:
        return {n: self.cleaned_data[n] for n in CHILD_FIELDS if self.cleaned_data[n] != getattr(child, n)}


def child_values(child) -> list:
    return [str(getattr(child, "room_id" if n == "room" else n)) for n in CHILD_FIELDS]


class GuardianDetailsForm(forms.Form):
    first_name = forms.CharField(max_length=100)
    last_name = forms.CharField(max_length=100)
    email = forms.EmailField(required=False, label="E-mail")
    phone = forms.CharField(max_length=40, required=False, widget=forms.TextInput(attrs={"type": "tel"}))
    address = forms.CharField(required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))
    preferred_language = forms.CharField(max_length=60, required=False)


class LinkFields(forms.Form):
    relationship = forms.CharField(max_length=60, help_text="Mother, father, grandparent, foster carer…")
    has_parental_responsibility = forms.BooleanField(required=False, initial=True,
                                                     label="Has parental responsibility")
    is_primary_contact = forms.BooleanField(required=False, label="Primary contact",
                                            help_text="The first person to call. Naming one replaces the other.")


GUARDIAN_ORDER = ["first_name", "last_name", "relationship", "has_parental_responsibility", "is_primary_contact",
                  "phone", "email", "address", "preferred_language"]


class NewGuardianForm(GuardianDetailsForm, LinkFields):
    field_order = GUARDIAN_ORDER


class GuardianEditForm(GuardianDetailsForm, LinkFields):
    field_order = GUARDIAN_ORDER


class ExistingGuardianForm(LinkFields):
    guardian = forms.ModelChoiceField(queryset=Guardian.objects.none(), label="Parent or carer",
                                      empty_label="Choose…", help_text="Already at the setting, e.g. a sibling's.")
    field_order = ["guardian", "relationship", "has_parental_responsibility", "is_primary_contact"]

    def __init__(self, *args, child, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["guardian"].queryset = Guardian.objects.filter(setting_id=child.setting_id).exclude(
            child_links__child=child)


class UnlinkForm(forms.Form):
    reason = forms.CharField(max_length=500, widget=forms.Textarea(attrs={"rows": 2}),
                             label="Why they come off the record", help_text="Kept in the audit trail.")


class KeyPersonForm(forms.Form):
    staff = forms.ModelChoiceField(queryset=Staff.objects.none(), widget=forms.RadioSelect)
    starts_on = forms.DateField(required=False, label="From", **DATE, help_text="Today if left blank.")
    reason = forms.CharField(required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2}),
                             label="Why the change", help_text="Kept in the child's key person history.")
    over_caseload_reason = forms.CharField(
        required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2}),
        label="Reason to go over their caseload", help_text="Needed only if they are at their maximum already.",
    )

    def __init__(self, *args, child, label: str, primary: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["staff"].label = label
        self.fields["staff"].queryset = Staff.objects.filter(
            setting_id=child.setting_id, is_key_person=True, user__is_active=True)
        if not primary:
            del self.fields["over_caseload_reason"]


class AbsenceForm(forms.Form):
    staff = forms.ModelChoiceField(queryset=Staff.objects.none(), label="Who", empty_label="Choose…")
    starts_on = forms.DateField(label="First day away", **DATE)
    ends_on = forms.DateField(label="Last day away", **DATE)
    reason = forms.CharField(max_length=200, help_text="Sickness, leave, training… Keep health details out of it.")

    def __init__(self, *args, setting_id: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = Staff.objects.filter(
            setting_id=setting_id, user__is_active=True).select_related("user")
        self.initial.setdefault("starts_on", timezone.localdate())


class AbsenceEndForm(forms.Form):
    back_on = forms.DateField(label="Back on", **DATE, help_text="Their first day back.")

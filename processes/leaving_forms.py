"""Forms of the leaving pages: one child's leaving date and destination, and the school leavers together."""

from __future__ import annotations

from django import forms

from .models import DestinationKind

DATE = {"widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


class LeavingForm(forms.Form):
    leaving_on = forms.DateField(label="Leaving date", **DATE)
    destination_kind = forms.ChoiceField(choices=DestinationKind.choices, widget=forms.RadioSelect,
                                         label="Going to", initial=DestinationKind.SCHOOL)
    destination = forms.CharField(max_length=200, label="School or setting")
    contact_name = forms.CharField(max_length=200, label="Named contact there",
                                   help_text="Who receives the records (the reception teacher, the SENCO…).")
    contact_email = forms.EmailField(max_length=254, label="Their e-mail")


class CohortRowForm(forms.Form):
    """One school leaver on the cohort page: ticked, with their school and its contact."""

    chosen = forms.BooleanField(required=False, label="Start")
    destination = forms.CharField(max_length=200, required=False, label="School")
    contact_name = forms.CharField(max_length=200, required=False, label="Contact")
    contact_email = forms.EmailField(max_length=254, required=False, label="Contact's e-mail")

    def clean(self):
        data = super().clean()
        if data.get("chosen"):
            for name in ("destination", "contact_name", "contact_email"):
                if not data.get(name):
                    self.add_error(name, "Needed for a child who is starting.")
        return data


class CohortForm(forms.Form):
    leaving_on = forms.DateField(label="Leaving date (the end of the summer term)", **DATE)


class PackDownloadForm(forms.Form):
    code = forms.CharField(max_length=12, label="Code", help_text="Sent to you in a separate e-mail.",
                           widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}))
    contact_name = forms.CharField(max_length=200, label="Your name")
    confirm = forms.BooleanField(label="I receive these records for the school or setting named in the e-mail, "
                                 "and will keep them confidential.")

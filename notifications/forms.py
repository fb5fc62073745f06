from __future__ import annotations

from django import forms

from .models import EmailPreference


class PreferenceForm(forms.Form):
    email = forms.ChoiceField(label="E-mail me", choices=EmailPreference.choices, widget=forms.RadioSelect,
                              help_text="You always see your notifications here, in Keyflow.")

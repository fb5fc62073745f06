"""The child's SEN record page and the form that raises a concern. Thin: access, services, templates."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone

from .access import sen_child_for
from .errors import RuleViolation
from .models import ConsentPurpose, LearningArea
from .sen_record import sen_concerns_of
from .services import child_read, consent_in_force, sen_concern_raise
from .text import ACCOUNT


class ConcernForm(forms.Form):
    areas = forms.MultipleChoiceField(choices=LearningArea.choices, widget=forms.CheckboxSelectMultiple,
                                      label="Areas of learning concerned")
    observed = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), label="What you observed",
                               max_length=ACCOUNT)
    since = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), label="Since when")

    def clean_since(self):
        since = self.cleaned_data["since"]
        if since > timezone.localdate():
            raise forms.ValidationError("'Since when' cannot be in the future.")
        return since


def sen_record(request, pk: int):
    child = child_read(user=request.user, pk=pk, what="SEN record", special_category=True)
    return render(request, "processes/sen_record.html", {
        "child": child,
        "concerns": list(sen_concerns_of(child)),
        "observation_consent": consent_in_force(child=child, purpose=ConsentPurpose.SENCO_OBSERVATION),
    })


def sen_concern_new(request, pk: int):
    child = sen_child_for(request.user, pk)
    form = ConcernForm(request.POST or None, initial={"since": timezone.localdate() - dt.timedelta(weeks=4)})
    if request.method == "POST" and form.is_valid():
        try:
            sen_concern_raise(child=child, by=request.user, **form.cleaned_data)
        except RuleViolation as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"Concern raised. Your next step, telling {child.first_name}'s parents, "
                                      "is in your inbox.")
            return redirect("sen-record", pk=child.pk)
    return render(request, "processes/sen_concern_form.html", {"child": child, "form": form},
                  status=400 if form.errors else 200)

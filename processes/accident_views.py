"""Accidents and injuries on a child's record: the list and a new record, the parents' acknowledgement on the
tablet (a typed name and a drawn signature) or a one-time link, and the page that link opens (no log-in: the
token is the key, it works once and for three days; processes.services.accidents)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from .errors import RuleViolation
from .models import AccidentKind, AccidentRecord
from .services import (
    accident_ack_link_create,
    accident_acknowledge,
    accident_acknowledge_by_link,
    accident_by_link,
    accident_child_read,
    accident_record,
)

WHEN_FORMAT = "%Y-%m-%dT%H:%M"


class AccidentForm(forms.Form):
    kind = forms.ChoiceField(choices=AccidentKind.choices, widget=forms.RadioSelect, label="What it is",
                             initial=AccidentKind.ACCIDENT)
    occurred_at = forms.DateTimeField(
        label="When", input_formats=[WHEN_FORMAT, "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=WHEN_FORMAT),
        help_text="When it happened, or when you saw the injury on arrival.")
    body_part = forms.CharField(max_length=100, label="Where on the body", help_text="e.g. left knee, forehead.")
    what_happened = forms.CharField(max_length=4000, widget=forms.Textarea(attrs={"rows": 3}),
                                    label="What happened", help_text="On arrival: what the parent said.")
    injury = forms.CharField(max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 2}),
                             label="The injury", help_text="Size, colour, a graze, a bump.")
    first_aid = forms.CharField(max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 2}),
                                label="What was done", help_text="First aid given, and by whom.")
    witnesses = forms.CharField(max_length=1000, required=False, label="Witnesses")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.initial.setdefault("occurred_at", timezone.localtime().replace(second=0, microsecond=0))


class SignatureForm(forms.Form):
    name = forms.CharField(max_length=200, label="Parent's or carer's name")
    signature = forms.CharField(widget=forms.HiddenInput, required=False, max_length=200_000)


def _accident_of(child, accident_id: int) -> AccidentRecord:
    found = child.accidents.filter(pk=accident_id).first()
    if found is None:
        raise Http404("No such record.")
    return found


def _saved(request, form: forms.Form, write) -> bool:
    """A valid form posted and written by `write` (a service call); the service's refusal goes on the form."""
    if request.method != "POST" or not form.is_valid():
        return False
    try:
        write(**form.cleaned_data)
    except RuleViolation as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return False
    return True


@never_cache
def child_accidents(request, pk: int):
    child = accident_child_read(user=request.user, pk=pk)
    form = AccidentForm(request.POST or None)
    if _saved(request, form, lambda **data: accident_record(child=child, by=request.user, **data)):
        messages.success(request, "Recorded. Tell the parents today and ask them to sign at collection.")
        return redirect("child-accidents", pk=child.pk)
    accidents = list(child.accidents.select_related("recorded_by").order_by("-occurred_at"))
    return render(request, "processes/accidents.html", {"child": child, "form": form, "accidents": accidents},
                  status=400 if form.errors else 200)


@never_cache
def accident_sign(request, pk: int, accident_id: int):
    child = accident_child_read(user=request.user, pk=pk, what="accident record")
    accident = _accident_of(child, accident_id)
    form = SignatureForm(request.POST or None)
    link = None
    if request.method == "POST" and request.POST.get("make_link"):
        try:
            token = accident_ack_link_create(accident=accident, by=request.user)
        except RuleViolation as exc:
            messages.error(request, exc.message)
        else:
            link = request.build_absolute_uri(reverse("accident-link", args=[token]))
        form = SignatureForm()
    elif _saved(request, form, lambda **data: accident_acknowledge(accident=accident, by=request.user, **data)):
        messages.success(request, "Thank you: the acknowledgement is kept with the record.")
        return redirect("child-accidents", pk=child.pk)
    return render(request, "processes/accident_sign.html", {
        "child": child, "accident": accident, "form": form, "link": link,
    }, status=400 if form.errors else 200)


@login_not_required
@never_cache
def accident_link(request, token: str):
    try:
        accident = accident_by_link(token=token)
    except RuleViolation as exc:
        return render(request, "processes/accident_link.html", {"gone": exc.message}, status=404)
    form = SignatureForm(request.POST or None)
    if _saved(request, form, lambda **data: accident_acknowledge_by_link(token=token, **data)):
        return render(request, "processes/accident_link.html", {"done": True})
    return render(request, "processes/accident_link.html", {"accident": accident, "form": form},
                  status=400 if form.errors else 200)

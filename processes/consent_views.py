"""The consent screen on a child's record: the decisions and their history, a new decision, and a withdrawal
confirmed after seeing which open steps it stops. Every decision goes through processes.services.consent."""

from __future__ import annotations

import hashlib

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from .access import child_for
from .consents import consent_threads, withdrawal_stops
from .errors import RuleViolation
from .models import ConsentMethod, ConsentPurpose, ConsentStatus, Guardian
from .services import child_read, consent_in_force, consent_record

WHEN_FORMAT = "%Y-%m-%dT%H:%M"


def _when_field(label: str) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label, input_formats=[WHEN_FORMAT, "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=WHEN_FORMAT),
        help_text="When the parent or carer told you (not when you type it in).",
    )


class _DecisionFields(forms.Form):
    guardian = forms.ModelChoiceField(queryset=Guardian.objects.none(), label="Parent or carer who decided",
                                      empty_label="Choose…")
    method = forms.ChoiceField(choices=ConsentMethod.choices, label="How it was given (the evidence)")
    given_at = _when_field("When they decided")
    notes = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
                            label="Evidence and notes",
                            help_text="Where the signed form is kept, the e-mail's date, what was said.")

    def __init__(self, *args, child, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.child = child
        # Only those with parental responsibility may decide (the consent service refuses anyone else).
        self.fields["guardian"].queryset = Guardian.objects.filter(
            child_links__child=child, child_links__has_parental_responsibility=True
        ).order_by("last_name", "first_name")
        self.initial.setdefault("given_at", timezone.localtime().replace(second=0, microsecond=0))


class ConsentDecisionForm(_DecisionFields):
    purpose = forms.ChoiceField(choices=ConsentPurpose.choices, label="What for")
    recipient = forms.CharField(required=False, max_length=200, label="Named professional, service or school",
                                help_text="Only for sharing with an outside professional, e.g. "
                                          "“Speech and Language Therapy, Leeds”, or with the school or setting "
                                          "the child moves to, e.g. “Oakbridge Primary School”.")
    status = forms.ChoiceField(choices=[(ConsentStatus.GRANTED, "Granted"), (ConsentStatus.DECLINED, "Declined")],
                               widget=forms.RadioSelect, label="Their decision")
    field_order = ["purpose", "recipient", "status", "guardian", "method", "given_at", "notes"]

    def clean(self):
        data = super().clean()
        purpose, status = data.get("purpose"), data.get("status")
        if purpose and status == ConsentStatus.DECLINED and consent_in_force(
            child=self.child, purpose=purpose, recipient=data.get("recipient", "")
        ):
            # Saying no to a consent in force stops steps: that goes through the withdrawal, which shows them.
            raise forms.ValidationError("This consent is in force: use “Withdraw” beside it, which first shows "
                                        "what the withdrawal stops.")
        return data


class WithdrawalForm(_DecisionFields):
    stops = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["guardian"].label = "Parent or carer who withdrew it"
        self.fields["method"].label = "How they told you (the evidence)"
        self.fields["given_at"].label = "When they withdrew it"


def _fingerprint(steps) -> str:
    return hashlib.sha256("|".join(sorted(f"{s.process}/{s.title}/{s.holder}" for s in steps)).encode()).hexdigest()


def _record(request, child, form, **decision) -> bool:
    """Record through the service; a broken rule lands on its field (or the form) and nothing is written."""
    data = {k: v for k, v in form.cleaned_data.items() if k in ("guardian", "method", "given_at", "notes")}
    try:
        consent_record(child=child, by=request.user, **data, **decision)
    except RuleViolation as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return False
    return True


@never_cache
def child_consents(request, pk: int):
    if request.method == "POST":
        child = child_for(request.user, pk)
    else:
        child = child_read(user=request.user, pk=pk, what="consents")
    form = ConsentDecisionForm(request.POST or None, child=child)
    if request.method == "POST" and form.is_valid():
        status = form.cleaned_data["status"]
        if _record(request, child, form, purpose=form.cleaned_data["purpose"], status=status,
                   recipient=form.cleaned_data["recipient"]):
            messages.success(request, f"Recorded: consent {status}.")
            return redirect("child-consents", pk=child.pk)
    return render(request, "processes/consents.html", {
        "child": child, "threads": consent_threads(child), "form": form,
        "has_guardians": form.fields["guardian"].queryset.exists(),
    }, status=400 if form.errors else 200)


@never_cache
def consent_withdraw(request, pk: int, consent_id: int):
    child = child_for(request.user, pk)
    grant = child.consents.select_related("guardian").filter(pk=consent_id).first()
    if grant is None:
        raise Http404("No such consent.")
    in_force = consent_in_force(child=child, purpose=grant.purpose, recipient=grant.recipient)
    if in_force is None or in_force.pk != grant.pk:
        messages.error(request, "That consent is no longer in force: nothing to withdraw. Here is where it stands.")
        return redirect("child-consents", pk=child.pk)
    steps = withdrawal_stops(child=child, purpose=grant.purpose, recipient=grant.recipient, user=request.user)
    fingerprint = _fingerprint(steps)
    form = WithdrawalForm(request.POST or None, child=child, initial={"stops": fingerprint})
    status = 200
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["stops"] != fingerprint:
            # Someone moved the child's steps on since this page was opened: confirm against what is true now.
            form.data = form.data.copy()
            form.data["stops"] = fingerprint
            messages.warning(request, "What this withdrawal stops has changed since you opened the page. "
                                      "Check the list again, then confirm.")
            status = 409
        elif _record(request, child, form, purpose=grant.purpose, status=ConsentStatus.WITHDRAWN,
                     recipient=grant.recipient):
            stopped = f" Stopped: {', '.join(s.title for s in steps)}." if steps else ""
            messages.success(request, f"Consent withdrawn.{stopped}")
            return redirect("child-consents", pk=child.pk)
    if form.errors:
        status = 400
    return render(request, "processes/consent_withdraw.html",
                  {"child": child, "grant": grant, "steps": steps, "form": form}, status=status)

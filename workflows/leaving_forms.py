"""The forms of the leaving workflow's steps (workflows.leaving). Each takes the task; the rules are in the
services (processes.services.leaving, processes.services.records_pack)."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from processes.models import ConsentMethod, ConsentStatus, Guardian, SentHow, TransitionReport
from processes.services.records_pack import pack_refusal
from processes.text import ACCOUNT

from .models import LeavingProcess

DATE = {"widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


def _text(rows: int = 3, **kwargs) -> forms.CharField:
    return forms.CharField(widget=forms.Textarea(attrs={"rows": rows}), **{"max_length": ACCOUNT, **kwargs})


class LeavingStepForm(forms.Form):
    def __init__(self, *args, task, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.task = task
        self.process: LeavingProcess = task.process.coerced
        self.plan = self.process.plan_of_child()
        self.child = self.plan.child


class TransitionReportForm(LeavingStepForm):
    """The seven areas of learning, the characteristics of effective learning and the child as a person."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        optional = {"sen_support", "others_involved"}
        for name in TransitionReport.SECTIONS:
            field = TransitionReport._meta.get_field(name)
            self.fields[name] = _text(2 if name in optional else 3, label=str(field.verbose_name)[:1].upper()
                                      + str(field.verbose_name)[1:], required=name not in optional,
                                      help_text=field.help_text)


class ParentsMeetingForm(LeavingStepForm):
    held_on = forms.DateField(label="Met the parents on", **DATE)
    notes = _text(4, label="What was shared and agreed", help_text="The report, the child's achievements, how "
                  "the move to the new school or setting will go.")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.fields["held_on"].initial = timezone.localdate()


class SharingConsentForm(LeavingStepForm):
    guardian = forms.ModelChoiceField(queryset=Guardian.objects.none(), label="Parent/carer who decided")
    decision = forms.ChoiceField(choices=[(ConsentStatus.GRANTED, "Granted"), (ConsentStatus.DECLINED, "Declined")],
                                 widget=forms.RadioSelect)
    method = forms.ChoiceField(choices=ConsentMethod.choices, label="How")
    notes = _text(2, required=False)
    ask_again = forms.BooleanField(required=False, label="Declined: ask the parents again later",
                                   help_text="Otherwise no records go to the school or setting; the parents still "
                                   "receive the learning record.")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["guardian"].queryset = Guardian.objects.filter(
            child_links__child=self.child, child_links__has_parental_responsibility=True)
        self.fields["decision"].label = f"Consent to share the records with {self.plan.recipient}"


class PackForm(LeavingStepForm):
    include_sen = forms.BooleanField(required=False, label="Add the SEN records (the parents agreed)")
    how = forms.ChoiceField(choices=SentHow.choices, widget=forms.RadioSelect, label="Send it",
                            help_text="A download link goes to the named contact, with its code in a separate "
                            "e-mail; it opens once, for seven days.")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.refusal = pack_refusal(self.plan)
        # Offered where SEN records are held; the service checks the person may see them (processes.access).
        if not self.child.sen_concerns.exists():
            del self.fields["include_sen"]

    def clean(self):
        data = super().clean()
        if self.refusal:  # the step says why; the service refuses too
            raise forms.ValidationError(self.refusal)
        return data


class ReceiptForm(LeavingStepForm):
    received_on = forms.DateField(label="Received on", **DATE)
    note = forms.CharField(max_length=200, required=False, label="How they confirmed it")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.pack = self.plan.packs.order_by("-made_at").first()
        if not self.is_bound and self.pack is not None:
            self.fields["received_on"].initial = self.pack.received_on or timezone.localdate()
            self.fields["note"].initial = self.pack.receipt_note


class LearningRecordForm(LeavingStepForm):
    given_on = forms.DateField(label="Given to the parents on", **DATE)
    how = forms.CharField(max_length=200, label="How", initial="Tapestry learning journal exported and e-mailed")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.fields["given_on"].initial = timezone.localdate()

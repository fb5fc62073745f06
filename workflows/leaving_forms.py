"""The forms of the leaving workflow's steps (workflows.leaving). Each takes the task; the rules are in the
services (processes.services.leaving, processes.services.records_pack)."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from processes.models import SentHow, TransitionReport
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


GIVEN, ASK_AGAIN, NO_RECORDS = "given", "ask_again", "no_records"


class SharingConsentForm(LeavingStepForm):
    """The parents' consent to send the records to the named school or setting is not in force. Their decision
    is recorded where every consent is (the child's consent page): this step says what happens next."""

    next = forms.ChoiceField(widget=forms.RadioSelect, label="The parents' answer")
    notes = _text(2, required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        school = self.plan.recipient
        self.fields["next"].choices = [
            (GIVEN, f"They consent to sending the records to {school} (recorded on the child's consent page)"),
            (ASK_AGAIN, "Not yet: ask them again later"),
            (NO_RECORDS, f"They decline: no records go to {school}"),
        ]

    def clean(self):
        data = super().clean()
        if data.get("next") == GIVEN:
            refusal = pack_refusal(self.plan)
            if refusal:
                self.add_error("next", "Their consent is not recorded yet: record it on the child's consent page "
                               f"(sharing records with the receiving school, named {self.plan.recipient}), then "
                               "come back.")
        return data


class PackForm(LeavingStepForm):
    include_sen = forms.BooleanField(required=False, label="Add the SEN records (the parents agreed)")
    how = forms.ChoiceField(choices=SentHow.choices, widget=forms.RadioSelect, label="Send it",
                            help_text="A download link goes to the named contact, with its code in a separate "
                            "e-mail; it opens once, for seven days.")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["how"].label = f"Send it to {self.plan.contact_name}, {self.plan.recipient}"
        # For the page: why no pack may be made, and whether there are SEN records to add. Completing the step
        # needs neither: the node checks the consent (workflows.nodes) and the service the SEN records.
        if not self.is_bound:
            refusal = pack_refusal(self.plan)
            if refusal:  # withdrawn a moment ago: the consent gate is about to stop this step
                self.fields["how"].help_text = refusal
            if not self.child.sen_concerns.exists():
                del self.fields["include_sen"]


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

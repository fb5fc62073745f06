"""The forms of the SEN workflow's steps (workflows.sen). Each takes the task; the rules are in the services."""

from __future__ import annotations

from django import forms
from django.db.models import prefetch_related_objects
from django.utils import timezone

from processes import deadlines, services
from processes.models import (
    ConsentMethod,
    ConsentStatus,
    EhcDecision,
    Guardian,
    ReferralUpdateKind,
    ReviewOutcome,
    SencoDecisionKind,
)
from processes.text import ACCOUNT

from .models import SenProcess

DATE = {"widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
SEND_BACK = "send_back"
REFERRAL_SERVICES = (
    "Speech and language therapy",
    "Health visitor",
    "Early years inclusion team (local authority)",
    "Educational psychologist",
    "Community paediatrician",
    "Occupational therapy",
    "Physiotherapy",
)


def _text(rows: int = 3, **kwargs) -> forms.CharField:
    return forms.CharField(widget=forms.Textarea(attrs={"rows": rows}), **{"max_length": ACCOUNT, **kwargs})


class SenStepForm(forms.Form):
    def __init__(self, *args, task, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.task = task
        self.process = SenProcess.of_task(task)
        self.concern = self.process.concern_of_child()
        self.child = self.process.child


class SendBackMixin:
    """A SENCO approval step can go back to the key person with a comment instead of going on."""

    def clean(self):
        data = super().clean()
        if data.get("next") == SEND_BACK and not (data.get("comment") or "").strip():
            self.add_error("comment", "Say what the key person should look at again.")
        return data


class ParentsToldForm(SenStepForm):
    held_on = forms.DateField(label="Talked with the parents on", **DATE)
    with_whom = forms.CharField(max_length=200, label="Which parents/carers")
    parents_view = _text(label="The parents' view")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:  # suggestions for the page; completing the step does without them
            self.fields["held_on"].initial = timezone.localdate()
            self.fields["with_whom"].initial = ", ".join(str(g) for g in _guardians(self.child))


def _guardians(child):
    return Guardian.objects.filter(child_links__child=child, child_links__has_parental_responsibility=True)


class ConsentDecisionForm(SenStepForm):
    guardian = forms.ModelChoiceField(queryset=Guardian.objects.none(), label="Parent/carer who decided")
    decision = forms.ChoiceField(choices=[(ConsentStatus.GRANTED, "Granted"), (ConsentStatus.DECLINED, "Declined")],
                                 widget=forms.RadioSelect)
    method = forms.ChoiceField(choices=ConsentMethod.choices, label="How")
    notes = _text(2, required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["guardian"].queryset = _guardians(self.child)


class FollowUpForm(SenStepForm):
    held_on = forms.DateField(label="Talked with the parents on", **DATE)
    parents_view = _text(label="The parents' view now")
    next = forms.ChoiceField(widget=forms.RadioSelect, choices=[
        ("ask_again", "Ask again for consent to a SENCO observation"),
        ("close", "Close the concern for now"),
    ])


class ObservationForm(SendBackMixin, SenStepForm):
    observed_on = forms.DateField(required=False, label="Observed on", **DATE)
    notes = _text(5, required=False, label="What you observed")
    next = forms.ChoiceField(widget=forms.RadioSelect, label="Then", choices=[
        ("decide", "Record it and go on to my decision"),
        ("observe_again", "Record it and observe again"),
        (SEND_BACK, "Send back to the key person without recording"),
    ])
    comment = _text(2, required=False, label="Comment for the key person")

    def clean(self):
        data = super().clean()
        if data.get("next") != SEND_BACK:
            if not data.get("observed_on"):
                self.add_error("observed_on", "Give the date of the observation.")
            if not (data.get("notes") or "").strip():
                self.add_error("notes", "Record what you observed.")
        return data


class DecisionForm(SendBackMixin, SenStepForm):
    next = forms.ChoiceField(widget=forms.RadioSelect, label="Decision",
                             choices=[*SencoDecisionKind.choices, (SEND_BACK, "Send back to the key person")])
    reasons = _text(3, required=False)
    review_on = forms.DateField(required=False, label="Review on (monitor and review)", **DATE)
    refer_to = forms.CharField(max_length=200, required=False, label="Refer to (named professional or service)",
                               help_text="e.g. " + "; ".join(REFERRAL_SERVICES[:3]))
    comment = _text(2, required=False, label="Comment for the key person")

    def clean(self):
        data = super().clean()
        decision = data.get("next")
        if decision and decision != SEND_BACK and not (data.get("reasons") or "").strip():
            self.add_error("reasons", "Give the reasons for the decision.")
        if decision == SencoDecisionKind.MONITOR and not data.get("review_on"):
            self.add_error("review_on", "Set the date to review on.")
        if decision == SencoDecisionKind.REFER and not (data.get("refer_to") or "").strip():
            self.add_error("refer_to", "Name the professional or service to refer to.")
        return data


class ReplyForm(SenStepForm):
    reply = _text(4, label="Your answer to the SENCO")


class MonitorReviewForm(SenStepForm):
    held_on = forms.DateField(label="Reviewed on", **DATE)
    notes = _text(4, label="Progress since the SENCO's decision")


class SenMeetingForm(SenStepForm):
    held_on = forms.DateField(label="Met the parents on", **DATE)
    attendees = forms.CharField(max_length=300, label="Who came")
    outcome = _text(3)
    agreed_actions = _text(3, label="Actions agreed")


class ReferralForm(SendBackMixin, SenStepForm):
    sent_on = forms.DateField(required=False, label="Sent on", **DATE)
    what_was_sent = _text(3, required=False, label="What was sent")
    next = forms.ChoiceField(widget=forms.RadioSelect, label="Then", choices=[
        ("sent", "Record the referral as sent"),
        (SEND_BACK, "Send back to the key person"),
    ])
    comment = _text(2, required=False, label="Comment for the key person")

    def clean(self):
        data = super().clean()
        if data.get("next") == "sent":
            if not data.get("sent_on"):
                self.add_error("sent_on", "Give the date the referral was sent.")
            if not (data.get("what_was_sent") or "").strip():
                self.add_error("what_was_sent", "Say what was sent.")
        return data


class ReferralUpdateForm(SenStepForm):
    kind = forms.ChoiceField(choices=ReferralUpdateKind.choices, widget=forms.RadioSelect)
    on = forms.DateField(label="On", **DATE)
    notes = _text(3)
    concluded = forms.BooleanField(required=False, label="The referral has concluded (go on to SEN support)")


def parse_targets(text: str) -> list[tuple[str, str]]:
    targets = []
    for line in text.splitlines():
        description, _, strategy = line.partition("|")
        if description.strip():
            targets.append((description.strip(), strategy.strip()))
    return targets


class SupportPlanForm(SenStepForm):
    targets = _text(5, help_text="One target a line; after a '|', the strategy for it. "
                                 "Use two-word phrases | modelling at snack time")
    strategies = _text(3, required=False, label="Strategies for the whole plan")
    review_on = forms.DateField(label="Review with the parents on", **DATE)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.is_bound:  # the suggestions below are for the page only
            return
        last = self.concern.plans.order_by("-cycle").prefetch_related("targets").first()
        self.fields["review_on"].initial = deadlines.sen_review_date(self.child.setting)
        if last is not None:
            self.fields["targets"].initial = "\n".join(
                f"{t.description} | {t.strategy}" if t.strategy else t.description for t in last.targets.all()
            )
            self.fields["strategies"].initial = last.strategies

    def clean_targets(self):
        targets = parse_targets(self.cleaned_data["targets"])
        if not targets:
            raise forms.ValidationError("Write at least one target.")
        return targets


class SupportReviewForm(SenStepForm):
    held_on = forms.DateField(label="Reviewed with the parents on", **DATE)
    parents_view = _text(2, label="The parents' view")
    outcome = forms.ChoiceField(choices=ReviewOutcome.choices, widget=forms.RadioSelect)
    what_changed = _text(3, required=False,
                         label="What has changed since the local authority decided not to assess")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.plan = self.process.plan  # the plan this review is of, read with the process
        if self.plan is not None:
            prefetch_related_objects([self.plan], "targets")  # read once, here and by the service
        self.targets = list(self.plan.targets.all()) if self.plan else []
        for target in self.targets:
            self.fields[f"progress_{target.pk}"] = _text(2, label=f"Progress: {target.description}")
        if not self.is_bound:
            self._offer_ehc_request()

    def _offer_ehc_request(self) -> None:
        # After a refusal, a new request needs what has changed (services.ehc_request_refusal, which also
        # refuses a completed form without it): the page offers it as such.
        last = services.ehc_request_current(concern=self.concern)
        if last is not None and last.decision == EhcDecision.NOT_ASSESS:
            self.fields["outcome"].choices = [
                (value, "Request an EHC needs assessment again: the child's needs or circumstances have changed"
                 if value == ReviewOutcome.REQUEST_EHC else label) for value, label in ReviewOutcome.choices]
        else:
            del self.fields["what_changed"]

    def progress(self) -> dict[int, str]:
        return {t.pk: self.cleaned_data.get(f"progress_{t.pk}", "") for t in self.targets}


class EhcRequestForm(SenStepForm):
    requested_on = forms.DateField(label="Requested on", **DATE)
    local_authority = forms.CharField(max_length=200)


class EhcDecisionForm(SenStepForm):
    decision = forms.ChoiceField(choices=EhcDecision.choices, widget=forms.RadioSelect)
    decided_on = forms.DateField(label="Decided on", **DATE)


class EhcPlanForm(SenStepForm):
    issued = forms.ChoiceField(widget=forms.RadioSelect, choices=[
        ("issued", "The final EHC plan was issued"), ("not_issued", "The local authority will not issue a plan"),
    ])
    issued_on = forms.DateField(required=False, label="Issued on", **DATE)

    def clean(self):
        data = super().clean()
        if data.get("issued") == "issued" and not data.get("issued_on"):
            self.add_error("issued_on", "Give the date the plan was issued.")
        return data

"""The forms of the room move and the change of key person (workflows.room_move, workflows.key_person_change).

Each says a rule early where it helps; the rules are the services' (processes.services.room_move,
key_person_change, handover).
"""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.functional import cached_property

from processes.allocation import Candidate, allocation_candidates, candidates_to_back_up
from processes.models import HANDOVER_TOPICS, AllAboutMe, Handover
from processes.text import ACCOUNT, REASON

from .allocation import AllocateForm
from .introduction import IntroductionMeetingForm
from .settling import DATE_FORMATS, VisitForm, VisitRows, VisitRowsMixin

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ChooseNewKeyPersonsForm(AllocateForm):
    """The allocation's ranked cards, ranked for the room the child is moving to."""

    def __init__(self, *args, task, **kwargs) -> None:
        super().__init__(*args, task=task, **kwargs)
        del self.fields["starts_on"]  # they take over on the day of the move
        self.room = task.process.coerced.move.to_room

    @cached_property
    def primary_candidates(self) -> list[Candidate]:
        return allocation_candidates(child=self.child, room=self.room)

    @cached_property
    def secondary_candidates(self) -> list[Candidate]:
        return candidates_to_back_up(child=self.child, primary=self.backing_up, room=self.room,
                                     ranked_primaries=self.primary_candidates)


class TransitionVisitRow(VisitForm):
    parent_stays = forms.TypedChoiceField(
        label="With whom", choices=[("1", "With the key person now"), ("", "With the new key person")], coerce=bool,
        required=False, empty_value=False,
    )


TransitionVisitFormSet = forms.formset_factory(TransitionVisitRow, extra=2, can_delete=True, max_num=20,
                                               absolute_max=20)


def default_visits(move, *, today=None) -> list[dict]:
    """Three visits before the move, each longer, the key person now going along to the first two."""
    import datetime as dt

    today = today or timezone.localdate()
    span = max((move.planned_on - today).days, 1)
    days = sorted({today + dt.timedelta(days=max(1, span * i // 4)) for i in (1, 2, 3)})
    days = [d for d in days if d <= move.planned_on] or [move.planned_on]
    return [{"on": d, "starts_at": dt.time(9, 30), "duration_minutes": 30 * (i + 1),
             "parent_stays": "1" if i < 2 else ""} for i, d in enumerate(days)]


class TransitionVisitsForm(VisitRowsMixin, forms.Form):
    visits = VisitRows(prefix="visits", formset_class=TransitionVisitFormSet, label="Visits to the new room",
                       help_text="Several visits growing longer; the key person now goes along at first.")

    def __init__(self, *args, task, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        move = task.process.coerced.move
        self._bind_rows(self.data if self.is_bound else None, {"visits": default_visits(move)})

    def clean_visits(self):
        visits = self._rows("visits")
        if not visits:
            raise forms.ValidationError("Plan at least one visit to the new room.")
        return visits


def next_visit(move):
    return move.visits.filter(recorded_at__isnull=True).order_by("on", "starts_at").first()


class TransitionVisitForm(forms.Form):
    how_it_went = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), label="How the child was",
                                  max_length=ACCOUNT, help_text="How they coped, who they played with, what helped.")

    def __init__(self, *args, task, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.visit = next_visit(task.process.coerced.move)

    def clean(self):
        data = super().clean()
        data["visit"] = self.visit
        return data


class ReadinessForm(VisitRowsMixin, forms.Form):
    ready = forms.TypedChoiceField(choices=[("yes", "Ready to move"), ("no", "Needs more visits")],
                                   coerce=lambda value: value == "yes", widget=forms.RadioSelect,
                                   label="Is the child ready?")
    notes = forms.CharField(required=False, max_length=ACCOUNT, widget=forms.Textarea(attrs={"rows": 2}))
    extra_visits = VisitRows(prefix="extra", formset_class=TransitionVisitFormSet, label="More visits",
                             help_text="If the child needs more: the further visits, before the day of the move.")
    new_date = forms.DateField(required=False, input_formats=DATE_FORMATS, widget=DATE, label="New date of the move",
                               help_text="If the visits need more time than the date leaves.")
    reason = forms.CharField(required=False, max_length=REASON, label="Why the date moves")

    def __init__(self, *args, task, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.move = task.process.coerced.move
        self._bind_rows(self.data if self.is_bound else None, {})

    def clean_extra_visits(self):
        return self._rows("extra_visits")

    def clean(self):
        # Said early; the rules are the service's (processes.services.room_move_readiness_record).
        data = super().clean()
        new_date = data.get("new_date")
        if data.get("ready") is False and not data.get("extra_visits"):
            self.add_error("extra_visits", "Add the further visits the child needs.")
        if data.get("ready") and (new_date or data.get("extra_visits")):
            self.add_error("ready", "A child who is ready needs no more visits nor a new date.")
        if new_date and not (data.get("reason") or "").strip():
            self.add_error("reason", "Say why the date of the move changes.")
        if new_date and (new_date == self.move.planned_on or new_date < timezone.localdate()):
            self.add_error("new_date", "Choose a day from today on, other than the day already planned.")
        return data


class NewKeyPersonMeetingForm(IntroductionMeetingForm):
    """The introduction's meeting form, for the new key person: a meeting still to come (no "already held",
    no first day to come before)."""

    def __init__(self, *args, task, **kwargs) -> None:
        super().__init__(*args, task=task, **kwargs)
        del self.fields["already_held"]
        self.fields["starts_at"].help_text = ("The parents meet the new key person before the move; they are sent "
                                              "an invitation.")

    def clean_starts_at(self):
        return self.cleaned_data["starts_at"]


class HandoverForm(forms.ModelForm):
    """What the new key person needs; "all about me" is brought up to date from it."""

    class Meta:
        model = Handover
        fields = list(HANDOVER_TOPICS)
        widgets = {name: forms.Textarea(attrs={"rows": 2}) for name in HANDOVER_TOPICS}

    def __init__(self, *args, task, **kwargs) -> None:
        if kwargs.get("data") is None and not args:
            existing = AllAboutMe.objects.filter(child_id=task.process.coerced.child_id).first()
            if existing is not None:
                kwargs.setdefault("initial", {"routines": existing.routines, "sleep": existing.sleep,
                                              "comforters": existing.comforters, "interests": existing.likes})
        super().__init__(*args, **kwargs)
        for name in HANDOVER_TOPICS:
            self.fields[name].max_length = ACCOUNT
        self.fields["sen_support"].help_text = "Only if the child has SEN support: what is in place."

    def clean(self):
        data = super().clean()
        if not any((data.get(f) or "").strip() for f in ("routines", "sleep", "comforters", "interests", "what_helps")):
            raise forms.ValidationError("Hand over at least the child's routines, sleep, comforters, interests or "
                                        "what helps.")
        return data


class ConfirmForm(forms.Form):
    # No help text: on the task page it would sit over the tick box; the label says it all.
    confirm = forms.BooleanField(label="Done on the day: the key persons (and for a move, the room) change now")

    def __init__(self, *args, task, **kwargs) -> None:
        super().__init__(*args, **kwargs)


class IntroductionForm(forms.Form):
    introduced_on = forms.DateField(input_formats=DATE_FORMATS, widget=DATE, label="Introduced on",
                                    initial=timezone.localdate)
    notes = forms.CharField(max_length=ACCOUNT, widget=forms.Textarea(attrs={"rows": 3}),
                            label="How the introduction went",
                            help_text="Time with the child and the parents, gradually; how the parents were involved.")

    def __init__(self, *args, task, **kwargs) -> None:
        super().__init__(*args, **kwargs)

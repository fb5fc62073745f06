"""Supervision pages: the manager's list of key persons with their next and last supervision, the session held
with a key person (their key children one by one, their feedback and training needs, the actions agreed), and
a key person's own sessions and actions. Every write goes through processes.services.supervision."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from .access import staff_of
from .errors import RuleViolation
from .models import Child, Staff, Supervision, SupervisionAction
from .services import audit_record, supervision_action_done, supervision_hold, supervisions_schedule_missing

ACTION_ROWS = 3
TEXT = {"widget": forms.Textarea(attrs={"rows": 2}), "required": False, "max_length": 4000}


class HoldForm(forms.Form):
    held_on = forms.DateField(label="Held on", widget=forms.DateInput(attrs={"type": "date"}))
    feedback = forms.CharField(label="Their own feedback", help_text="How they are finding the role, the room, "
                               "their caseload (seed 001: opportunities to give regular feedback).", **TEXT)
    training_needs = forms.CharField(label="Training needs", **TEXT)

    def __init__(self, *args, supervision: Supervision, children: list[Child], manager: Staff, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.initial.setdefault("held_on", timezone.localdate())
        self.children = children
        for child in children:
            self.fields[f"c{child.pk}_to_raise"] = forms.CharField(label="Anything to raise", **TEXT)
            self.fields[f"c{child.pk}_transitions_due"] = forms.CharField(label="Transitions due", **TEXT)
            self.fields[f"c{child.pk}_sen_concerns"] = forms.CharField(label="SEN concerns", **TEXT)
        whom = [(str(supervision.staff.pk), f"{supervision.staff.name} (key person)"),
                (str(manager.pk), f"{manager.name} (manager)")]
        self.staff_by_pk = {str(supervision.staff.pk): supervision.staff, str(manager.pk): manager}
        about = [("", "Not about one child")] + [(str(c.pk), c.name) for c in children]
        for i in range(ACTION_ROWS):
            self.fields[f"a{i}_what"] = forms.CharField(label=f"Action {i + 1}", required=False, max_length=300)
            self.fields[f"a{i}_for"] = forms.ChoiceField(label="For", choices=whom, required=False)
            self.fields[f"a{i}_child"] = forms.ChoiceField(label="About", choices=about, required=False,
                                                           help_text="About a key child: it goes to an inbox.")
            self.fields[f"a{i}_due"] = forms.DateField(label="By", required=False,
                                                       widget=forms.DateInput(attrs={"type": "date"}))

    def child_rows(self):
        return [(child, [self[f"c{child.pk}_{name}"] for name in ("to_raise", "transitions_due", "sen_concerns")])
                for child in self.children]

    def action_rows(self):
        return [[self[f"a{i}_{name}"] for name in ("what", "for", "child", "due")] for i in range(ACTION_ROWS)]

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        children = {child.pk: {name: data[f"c{child.pk}_{name}"] for name in
                               ("to_raise", "transitions_due", "sen_concerns")} for child in self.children}
        by_pk = {str(c.pk): c for c in self.children}
        actions = [{"what": data[f"a{i}_what"], "for_staff": self.staff_by_pk.get(data[f"a{i}_for"]),
                    "child": by_pk.get(data[f"a{i}_child"]), "due_on": data[f"a{i}_due"]}
                   for i in range(ACTION_ROWS) if data[f"a{i}_what"].strip()]
        return {"held_on": data["held_on"], "feedback": data["feedback"], "training_needs": data["training_needs"],
                "children": children, "actions": actions}


def _member(request) -> Staff:
    staff = staff_of(request.user)
    if staff is None:
        raise PermissionDenied("This page is for the setting's staff.")
    return staff


@never_cache
def supervisions(request):
    staff = _member(request)
    if staff.is_manager:
        if request.method == "POST":
            scheduled = supervisions_schedule_missing(setting_id=staff.setting_id, by=request.user)
            messages.success(request, f"Scheduled {scheduled} supervision(s).")
            return redirect("supervisions")
        people = list(
            Staff.objects.filter(setting_id=staff.setting_id, is_key_person=True, user__is_active=True)
            .select_related("user").prefetch_related(Prefetch(
                "supervisions", queryset=Supervision.objects.order_by("-due_on"), to_attr="sessions"))
            .order_by("user__first_name", "user__last_name")
        )
        for person in people:
            person.due = next((s for s in person.sessions if not s.held), None)
            person.last = next((s for s in person.sessions if s.held), None)
    else:
        people = []
    mine = list(Supervision.objects.filter(staff=staff).order_by("-due_on")[:12])
    actions = list(SupervisionAction.objects.filter(for_staff=staff, done_at__isnull=True)
                   .select_related("child").order_by("due_on"))
    return render(request, "processes/supervisions.html", {
        "people": people, "mine": mine, "actions": actions, "is_manager": staff.is_manager,
        "today": timezone.localdate(),
    })


@never_cache
def supervision_page(request, supervision_id: int):
    staff = _member(request)
    supervision = (Supervision.objects.filter(pk=supervision_id, setting_id=staff.setting_id)
                   .select_related("staff__user", "held_by").first())
    # The key person sees their own; the manager sees everyone's; nobody else knows it exists.
    if supervision is None or not (staff.is_manager or supervision.staff_id == staff.pk):
        raise Http404("No such supervision.")
    audit_record(actor=request.user, action="read", record=supervision, setting_id=supervision.setting_id,
                 summary=f"Viewed the supervision of {supervision.staff}")
    if supervision.held or not staff.is_manager or supervision.staff_id == staff.pk:
        return render(request, "processes/supervision.html", {
            "supervision": supervision, "form": None,
            "notes": supervision.child_notes.select_related("child"),
            "agreed": supervision.actions.select_related("for_staff__user", "child"),
        })
    children = list(Child.objects.filter(assignments__staff=supervision.staff, assignments__ends_on__isnull=True,
                                         assignments__role="primary").order_by("first_name", "last_name"))
    form = HoldForm(request.POST or None, supervision=supervision, children=children, manager=staff)
    if request.method == "POST" and form.is_valid():
        try:
            supervision_hold(supervision=supervision, by=request.user, **form.service_arguments())
        except RuleViolation as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, f"Supervision with {supervision.staff} recorded; the next one is scheduled.")
            return redirect("supervisions")
    return render(request, "processes/supervision.html", {"supervision": supervision, "form": form},
                  status=400 if form.errors else 200)


@require_POST
def supervision_action_complete(request, action_id: int):
    staff = _member(request)
    action = SupervisionAction.objects.filter(pk=action_id, supervision__setting_id=staff.setting_id).first()
    if action is None or not (staff.is_manager or action.for_staff_id == staff.pk):
        raise Http404("No such action.")
    try:
        supervision_action_done(action=action, by=request.user)
    except RuleViolation as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Done: {action.what}.")
    return redirect("supervisions")

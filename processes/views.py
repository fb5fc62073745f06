"""Pages about children. Thin: who sees what lives in processes.access, every change in processes.services.

Every page needs a log-in (LoginRequiredMiddleware); the records shown are special-category data, so the
pages are never cached by the browser (a shared tablet's Back button must not show them after log-out).
"""

from __future__ import annotations

from django.db.models import Prefetch, Value
from django.db.models.functions import Coalesce, Lower, NullIf
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.generic import ListView
from django_fsm_log.models import StateLog

from . import hooks, sessions
from .access import (
    can_edit_child,
    child_for,
    children_visible_to,
    is_manager_of,
    may_see_sen,
    sees_whole_setting,
    staff_of,
)
from .attendance import attendance_pattern
from .dates import age_in_words
from .forms import ChildFilter
from .health import health_facts
from .models import AssignmentRole, ConsentPurpose, KeyPersonAssignment, LifecycleState
from .services import child_read, child_subject_access_export


def home(request):
    return redirect(hooks.home_page())


def _current_assignments() -> Prefetch:
    return Prefetch(
        "assignments",
        queryset=KeyPersonAssignment.objects.current().select_related("staff__user"),
        to_attr="current_assignments",
    )


def _label_key_persons(child) -> None:
    roles = {a.role: a.staff for a in child.current_assignments}
    child.key_person = roles.get(AssignmentRole.PRIMARY)
    child.secondary_key_person = roles.get(AssignmentRole.SECONDARY)


@method_decorator(never_cache, name="dispatch")
class ChildListView(ListView):
    template_name = "processes/child_list.html"
    context_object_name = "children"
    paginate_by = 50

    def get_queryset(self):
        visible = (
            children_visible_to(self.request.user)
            .select_related("room")
            .prefetch_related(_current_assignments())
            # In the order the names are shown: "Liv Nowak" sorts under L, not under her given name Olivia.
            # Annotated, not ordered by expressions: a key person's list is SELECT DISTINCT, and PostgreSQL
            # only orders that by selected columns.
            .annotate(
                sort_name=Lower(Coalesce(NullIf("preferred_name", Value("")), "first_name")),
                sort_surname=Lower("last_name"),
            )
            .order_by("sort_name", "sort_surname", "pk")
        )
        self.filterset = ChildFilter(self.request.GET or None, queryset=visible, request=self.request)
        return self.filterset.qs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        children = list(context["object_list"])
        for child in children:
            _label_key_persons(child)
            child.age_label = age_in_words(child.age_in_months())
        context.update(
            children=children,
            object_list=children,
            filterset=self.filterset,
            filtering=self.filterset.is_filtering,
            sees_whole_setting=sees_whole_setting(staff_of(self.request.user)),
        )
        return context


def _workflow_timeline(child, user) -> dict:
    """The child's processes and tasks, when an app above (workflows) fills the hook (processes.hooks)."""
    timeline = hooks.child_timeline()
    if timeline is None:
        return {"workflow_timeline_template": None}
    return {"workflow_timeline_template": timeline.template, "timeline": timeline.build(child, user=user)}


def _consents(child) -> tuple[list[dict], list]:
    """The decision in force for each purpose (and named recipient) and the whole history, newest first."""
    history = list(child.consents.select_related("guardian", "recorded_by").order_by("-recorded_at", "-id"))
    latest = {}
    for consent in history:
        latest.setdefault((consent.purpose, consent.recipient), consent)
    in_force = []
    for purpose in ConsentPurpose:
        decisions = [c for (p, _), c in latest.items() if p == purpose]
        if decisions:
            in_force.extend({"purpose": purpose, "consent": c} for c in sorted(decisions, key=lambda c: c.recipient))
        else:
            in_force.append({"purpose": purpose, "consent": None})
    return in_force, history


@never_cache
def child_detail(request, pk: int):
    # Reading special-category data is itself recorded: who looked at which child, when, or who tried to.
    child = child_read(user=request.user, pk=pk, what="record")

    assignments = list(child.assignments.select_related("staff__user").order_by("-starts_on", "-id"))
    current = {a.role: a for a in assignments if a.is_current}
    consents_in_force, consent_history = _consents(child)
    state_labels = dict(LifecycleState.choices)
    lifecycle = list(StateLog.objects.for_(child).select_related("by").order_by("-timestamp", "-id"))
    for entry in lifecycle:
        entry.source_label = state_labels.get(entry.source_state, entry.source_state or "—")
        entry.target_label = state_labels.get(entry.state, entry.state)

    return render(request, "processes/child_detail.html", {
        "child": child,
        "health": health_facts(child),
        "age": age_in_words(child.age_in_months()),
        "sessions_attended": sessions.describe(child.attending_sessions),
        "sessions_count": sessions.count(child.attending_sessions),
        "key_person": current.get(AssignmentRole.PRIMARY),
        "secondary_key_person": current.get(AssignmentRole.SECONDARY),
        "assignments": assignments,
        "guardian_links": child.guardian_links.select_related("guardian").order_by(
            "-is_primary_contact", "guardian__last_name", "guardian__first_name"
        ),
        "consents_in_force": consents_in_force,
        "consent_history": consent_history,
        "lifecycle": lifecycle,
        "attendance": attendance_pattern(child),
        "can_edit": can_edit_child(request.user, child),
        **_workflow_timeline(child, request.user),
        "may_see_sen": may_see_sen(request.user, child),
        "can_export": is_manager_of(request.user, child.setting_id),
    })


@never_cache
def child_export(request, pk: int):
    """The subject access download: the manager's only; to anyone else the URL does not exist."""
    child = child_for(request.user, pk)
    if not is_manager_of(request.user, child.setting_id):
        raise Http404("No such child.")
    archive = child_subject_access_export(child=child, by=request.user)
    response = HttpResponse(archive, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="child-{child.pk}-records.zip"'
    return response

"""The manager's search of the audit trail: who did or viewed what, to which child, when, and the outcome.

Scoped to the manager's own setting; the search itself is recorded (it reads who looked at which child).
Runs a fixed number of queries whatever the number of rows.
"""

from __future__ import annotations

import django_filters
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from .access import staff_of
from .models import AuditEvent, Child
from .services import audit_record
from .text import LINE

OUTCOMES = [("ok", "Done"), ("not_found", "Not theirs (404)"), ("refused", "Refused")]
PER_PAGE = 50


def _children(request) -> QuerySet[Child]:
    staff = staff_of(request.user)
    return Child.objects.filter(setting_id=staff.setting_id) if staff else Child.objects.none()


def _users(request):
    staff = staff_of(request.user)
    users = get_user_model().objects.order_by("first_name", "last_name", "username")
    return users.filter(staff__setting_id=staff.setting_id) if staff else users.none()


class AuditFilter(django_filters.FilterSet):
    """Narrows a queryset already limited to the manager's setting."""

    child = django_filters.ModelChoiceFilter(queryset=_children, method="filter_child", label="Child",
                                             empty_label="Any child")
    actor = django_filters.ModelChoiceFilter(queryset=_users, label="Who", empty_label="Anyone")
    action = django_filters.ChoiceFilter(choices=[], empty_label="Any action")
    outcome = django_filters.ChoiceFilter(choices=OUTCOMES, empty_label="Any outcome")
    at = django_filters.DateFromToRangeFilter(
        label="Between", widget=django_filters.widgets.DateRangeWidget(attrs={"type": "date"})
    )
    q = django_filters.CharFilter(field_name="summary", lookup_expr="icontains", label="Summary contains",
                                  max_length=LINE)

    class Meta:
        model = AuditEvent
        fields = ["child", "actor", "action", "outcome", "at", "q"]

    def __init__(self, *args, actions: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.filters["action"].extra["choices"] = [(a, a.replace("_", " ")) for a in actions]

    def filter_child(self, queryset: QuerySet[AuditEvent], name: str, value: Child) -> QuerySet[AuditEvent]:
        # A plain id, not a foreign key: the trail outlives the records it describes.
        return queryset.filter(child_id=value.pk)

    @property
    def is_filtering(self) -> bool:
        return self.is_bound and any(str(v).strip() for k, v in self.data.items() if k != "page")


@never_cache
def audit_search(request):
    staff = staff_of(request.user)
    if staff is None or not staff.is_manager:
        raise PermissionDenied("Only the setting's manager can search the audit trail.")
    trail = AuditEvent.objects.filter(setting_id=staff.setting_id)
    actions = sorted(set(trail.order_by().values_list("action", flat=True).distinct()))
    filterset = AuditFilter(request.GET or None, queryset=trail.select_related("actor"), request=request,
                            actions=actions)
    events = filterset.qs if not filterset.is_bound or filterset.is_valid() else trail.none()
    page = Paginator(events, PER_PAGE).get_page(request.GET.get("page"))
    rows = list(page)
    children = Child.objects.in_bulk({e.child_id for e in rows if e.child_id})
    for event in rows:
        event.child = children.get(event.child_id)
    audit_record(
        actor=request.user, action="search", record_type="processes.AuditEvent", setting_id=staff.setting_id,
        summary="Searched the audit trail" + (f": {_describe(filterset)}" if filterset.is_filtering else ""),
    )
    return render(request, "processes/audit_search.html", {
        "filterset": filterset, "filtering": filterset.is_filtering, "page_obj": page, "events": rows,
    })


def _describe(filterset: AuditFilter) -> str:
    return ", ".join(f"{k}={v}" for k, v in sorted(filterset.data.items()) if k != "page" and str(v).strip())

"""The organisation's side-by-side view of its settings, and the dashboard's tables as CSV for the manager."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from processes.access import organisation_of, setting_manager
from processes.csv_export import csv_of
from processes.dates import day_text
from processes.services import audit_record

from .dashboard import manager_dashboard
from .organisation import organisation_overview

FIGURES = [
    ("setting", "Setting"), ("children", "Children"), ("in_transition", "Moving room"),
    ("without_key_person", "Without a key person"), ("overdue_tasks", "Overdue tasks"),
    ("key_persons", "Key persons"), ("key_children", "Key children"), ("capacity", "Caseload capacity"),
    ("over_caseload", "Key persons over their caseload"), ("referrals_waiting", "SEN referrals waiting"),
    ("breaches", "Times below ratio today"), ("breach_minutes", "Minutes below ratio today"),
]


@never_cache
def organisation_page(request):
    organisation = organisation_of(request.user)
    if organisation is None:
        raise PermissionDenied("This page is for an organisation's area manager or early years team.")
    figures = organisation_overview(organisation=organisation)
    audit_record(actor=request.user, action="read", record=organisation, record_type="processes.Organisation",
                 summary=f"Viewed the figures of {organisation}'s {len(figures)} settings")
    return render(request, "workflows/organisation.html", {"organisation": organisation, "figures": figures,
                                                           "columns": FIGURES[1:]})


def _rows(board, table: str) -> tuple[list[str], list[dict]]:
    if table == "caseloads":
        return ["key_person", "key_children", "maximum", "secondary_for", "over"], [
            {"key_person": s.name, "key_children": s.primaries, "maximum": s.max_caseload,
             "secondary_for": s.secondaries, "over": "yes" if s.over_caseload else "no"} for s in board.caseloads]
    if table == "overdue":
        return ["task", "child", "was_due", "with"], [
            {"task": e.title, "child": e.child_name,
             "was_due": day_text(e.due_at), "with": e.owner.get_full_name() if e.owner else "unassigned"}
            for e in board.overdue]
    children = {"unallocated": board.unallocated, "moves": board.in_transition + board.moves_due}.get(table)
    if children is None:
        raise Http404("No such table.")
    return ["child", "room", "starts", "stage"], [
        {"child": c.name, "room": c.room.name if c.room else "", "starts": day_text(c.start_date),
         "stage": c.get_state_display()} for c in children]


def dashboard_export(request, table: str):
    """One of the dashboard's tables as CSV, for the manager; audited."""
    manager = setting_manager(request.user)
    headers, rows = _rows(manager_dashboard(setting_id=manager.setting_id), table)
    audit_record(actor=request.user, action="export", setting_id=manager.setting_id,
                 record_type="processes.Setting", record_id=str(manager.setting_id),
                 summary=f"Exported the dashboard's {table} table as CSV ({len(rows)} rows)")
    response = HttpResponse(csv_of(headers, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (f'attachment; filename="keyflow-{table}-'
                                       f'{timezone.localdate():%Y-%m-%d}.csv"')
    return response

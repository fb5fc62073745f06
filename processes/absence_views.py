"""Staff absences, for the manager: who is away now or soon, recording one, and ending one early.

While a key person is away their children's tasks go to the secondary, and come back when the absence ends
(workflows.routing, on the services' signals). Only the setting's manager records them (the service's rule).
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from .access import setting_manager
from .errors import RuleViolation
from .manage_forms import AbsenceEndForm, AbsenceForm
from .models import StaffAbsence
from .services import absence_is_long, staff_absence_end, staff_absence_record


@never_cache
def absences(request):
    manager = setting_manager(request.user)
    form = AbsenceForm(request.POST or None, setting_id=manager.setting_id)
    if request.method == "POST" and form.is_valid():
        try:
            absence = staff_absence_record(by=request.user, **form.cleaned_data)
        except RuleViolation as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, f"Recorded: {absence.staff} away {absence.starts_on:%-d %b} to "
                                      f"{absence.ends_on:%-d %b %Y}. Their key children's tasks go to the secondary.")
            return redirect("staff-absences")
    today = timezone.localdate()
    listed = list(
        StaffAbsence.objects.filter(staff__setting_id=manager.setting_id, ends_on__gte=today)
        .select_related("staff__user", "staff__setting").order_by("starts_on", "staff__user__first_name", "pk")
    )
    for absence in listed:  # a long absence offers a change of key person for their key children
        absence.is_long = absence_is_long(absence, absence.staff.setting)
    return render(request, "processes/absences.html", {
        "form": form, "today": today,
        "away_now": [a for a in listed if a.starts_on <= today],
        "coming": [a for a in listed if a.starts_on > today],
    }, status=400 if form.errors else 200)


@require_POST
def absence_end(request, absence_id: int):
    manager = setting_manager(request.user)
    absence = StaffAbsence.objects.filter(pk=absence_id, staff__setting_id=manager.setting_id).select_related(
        "staff__user").first()
    if absence is None:
        raise Http404("No such absence.")
    form = AbsenceEndForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the day they are back.")
        return redirect("staff-absences")
    try:
        kept = staff_absence_end(absence=absence, by=request.user, back_on=form.cleaned_data["back_on"])
    except RuleViolation as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{absence.staff} is back: absence ended {kept.ends_on:%-d %b}." if kept else
                                  f"{absence.staff}'s absence is cancelled: it had not begun.")
    return redirect("staff-absences")

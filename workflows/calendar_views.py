"""The calendar page (week and list), the private iCalendar feed, meetings arranged and changed by hand,
drop-in slots offered and taken, and the progress check at two's PDF for the parents."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from processes import services
from processes.access import child_for, children_visible_to, staff_of
from processes.errors import RuleViolation
from processes.ids import id_in_range
from processes.models import DropInSlot, MeetingKind, ParentMeeting, Room, Staff, TwoYearCheck
from processes.two_year_check_pdf import two_year_check_pdf

from .calendar import due_progress_meetings, feed_for, week_entries
from .meeting_forms import WHEN

ARRANGEABLE = [(k.value, k.label) for k in (MeetingKind.PROGRESS, MeetingKind.REQUESTED)]


class MeetingForm(forms.Form):
    kind = forms.ChoiceField(choices=ARRANGEABLE, label="Kind of meeting")
    asked_by = forms.ChoiceField(choices=[("key_person", "The key person"), ("parents", "The parents"),
                                          ("setting", "The setting")], label="Who asked for it")
    starts_at = forms.DateTimeField(label="Date and time", **WHEN)
    duration_minutes = forms.IntegerField(min_value=5, max_value=240, initial=30, label="Length (minutes)")
    location = forms.CharField(max_length=200, required=False, initial="At the setting")
    with_whom = forms.CharField(max_length=200, required=False, label="Which parents/carers")


class MoveForm(forms.Form):
    starts_at = forms.DateTimeField(label="New date and time", **WHEN)


class CancelForm(forms.Form):
    reason = forms.CharField(max_length=300, label="Why it is cancelled")


class DropInForm(forms.Form):
    starts_at = forms.DateTimeField(label="First slot starts", **WHEN)
    count = forms.IntegerField(min_value=1, max_value=20, initial=3, label="How many slots")
    duration_minutes = forms.IntegerField(min_value=5, max_value=240, initial=20, label="Minutes each")
    location = forms.CharField(max_length=200, required=False, initial="At the setting")


def _staff(request) -> Staff:
    staff = staff_of(request.user)
    if staff is None:
        raise PermissionDenied
    return staff


def _monday(value: str | None) -> dt.date:
    try:
        day = dt.date.fromisoformat(value) if value else timezone.localdate()
    except ValueError:
        day = timezone.localdate()
    return day - dt.timedelta(days=day.weekday())


def _int(value) -> int | None:
    try:
        value = int(value)
    except (TypeError, ValueError):
        return None
    return value if id_in_range(value) else None


def calendar_page(request):
    staff = _staff(request)
    monday = _monday(request.GET.get("week"))
    listing = request.GET.get("view") == "list"
    staff_id, room_id = _int(request.GET.get("staff")), _int(request.GET.get("room"))
    entries = week_entries(request.user, monday=monday, days=28 if listing else 7, staff_id=staff_id,
                           room_id=room_id)
    days = [monday + dt.timedelta(days=i) for i in range(7)]
    by_day = {day: [e for e in entries if timezone.localtime(e.starts_at).date() == day] for day in days}
    return render(request, "workflows/calendar.html", {
        "entries": entries, "days": [(day, by_day[day]) for day in days], "listing": listing, "monday": monday,
        "previous": monday - dt.timedelta(days=7), "next": monday + dt.timedelta(days=7),
        "staff_choices": list(Staff.objects.filter(setting_id=staff.setting_id, user__is_active=True,
                                                   is_key_person=True).select_related("user")),
        "rooms": list(Room.objects.filter(setting_id=staff.setting_id)), "staff_id": staff_id, "room_id": room_id,
        "drop_in_form": DropInForm(), "children": list(children_visible_to(request.user).order_by("first_name")),
        "feed_url": request.session.pop("calendar_feed_url", ""),
        "due_progress": due_progress_meetings(request.user),
    })


@login_not_required
def calendar_feed(request, token: str):
    staff = services.calendar_feed_staff(token=token)
    if staff is None:
        raise Http404("No such calendar.")
    response = HttpResponse(feed_for(staff), content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
def calendar_feed_reset(request):
    token = services.calendar_feed_reset(staff=_staff(request), by=request.user)
    # Shown once, on the next page: only its hash is kept.
    request.session["calendar_feed_url"] = request.build_absolute_uri(f"/calendar/feed/{token}.ics")
    messages.success(request, "Your private calendar address is new: the old one no longer works.")
    return redirect("calendar")


def meeting_new(request, pk: int):
    child = child_for(request.user, pk)
    form = MeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.meeting_arrange(child=child, by=request.user, **form.cleaned_data)
        except RuleViolation as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, "Meeting arranged: the parents are sent an invitation.")
            return redirect("meeting-detail", pk=meeting.pk)
    return render(request, "workflows/meeting_form.html", {"child": child, "form": form})


def _meeting(request, pk: int) -> ParentMeeting:
    if not id_in_range(pk):
        raise Http404("No such meeting.")
    meeting = ParentMeeting.objects.select_related("child", "host__user").filter(
        pk=pk, child__in=children_visible_to(request.user)).first()
    if meeting is None:
        raise Http404("No such meeting.")
    return meeting


def meeting_detail(request, pk: int):
    meeting = _meeting(request, pk)
    move, cancel = MoveForm(prefix="move"), CancelForm(prefix="cancel")
    # The check at two follows its own meeting: it is called off from the check's step (which arranges another).
    cancellable = meeting.kind != MeetingKind.TWO_YEAR_CHECK
    if request.method == "POST" and "cancel" in request.POST and not cancellable:
        raise PermissionDenied
    if request.method == "POST":
        move = MoveForm(request.POST, prefix="move") if "move" in request.POST else move
        cancel = CancelForm(request.POST, prefix="cancel") if "cancel" in request.POST else cancel
        form = move if "move" in request.POST else cancel
        if form.is_valid():
            try:
                if form is move:
                    services.meeting_reschedule(meeting=meeting, by=request.user, **form.cleaned_data)
                else:
                    services.meeting_cancel(meeting=meeting, by=request.user, **form.cleaned_data)
            except RuleViolation as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, "The parents are sent the calendar update.")
                return redirect("meeting-detail", pk=meeting.pk)
    return render(request, "workflows/meeting_detail.html", {
        "meeting": meeting, "move_form": move, "cancel_form": cancel, "actions": list(meeting.actions.all()),
        "cancellable": cancellable})


@require_POST
def drop_ins_new(request):
    staff = _staff(request)
    form = DropInForm(request.POST)
    if form.is_valid():
        try:
            slots = services.drop_ins_offer(host=staff, by=request.user, **form.cleaned_data)
        except RuleViolation as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"{len(slots)} drop-in slot(s) offered: your key children's parents are told.")
    else:
        messages.error(request, "Check the drop-in times: " + "; ".join(e for errs in form.errors.values()
                                                                         for e in errs))
    return redirect("calendar")


@require_POST
def drop_in_take(request, pk: int):
    child = child_for(request.user, _int(request.POST.get("child")) or 0)
    if not id_in_range(pk) or not DropInSlot.objects.filter(pk=pk, setting_id=child.setting_id).exists():
        raise Http404("No such slot.")
    try:
        meeting = services.drop_in_take(slot_id=pk, child=child, by=request.user)
    except RuleViolation as exc:
        messages.error(request, exc.message)
        return redirect("calendar")
    messages.success(request, f"The slot is {child.name}'s parents' meeting.")
    return redirect("meeting-detail", pk=meeting.pk)


def two_year_check_pdf_page(request, pk: int):
    child = child_for(request.user, pk)
    check = TwoYearCheck.objects.select_related("child__setting", "template", "signed_off_by").filter(
        child=child).first()
    if check is None:
        raise Http404("No progress check at two.")
    services.audit_record(actor=request.user, action="read", record=check, setting_id=child.setting_id,
                          child_id=child.pk, summary="Printed the progress check at two")
    response = HttpResponse(two_year_check_pdf(check), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="progress-check-at-two-{child.pk}.pdf"'
    return response


def two_year_check_page(request, pk: int):
    """Where the two-year reminder leads: the check's open step, or its PDF once made."""
    child = child_for(request.user, pk)
    from .models import InboxEntry

    entry = InboxEntry.objects.filter(child=child, kind="two_year_check", is_open=True).order_by("task_id").first()
    if entry is not None:
        return redirect("task-detail", process_id=entry.process_id, task_id=entry.task_id)
    if TwoYearCheck.objects.filter(child=child).exists():
        return redirect("two-year-check-pdf", pk=child.pk)
    messages.info(request, f"{child.name}'s progress check at two has not started: it opens on the second birthday.")
    return redirect("child-detail", pk=child.pk)

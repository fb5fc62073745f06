"""The daily register's pages: today's rooms, a room's tablet screen, and a room's printable day.

Any member of staff of the setting keeps the register (the room's tablet passes from hand to hand), so these
pages show every child in the room by name and times only: their records stay behind processes.access.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from . import services
from .access import setting_manager, staff_of
from .csv_export import register_export
from .errors import RuleViolation
from .models import Child, Room, Staff
from .register import register_day, setting_staff


def _staff(request) -> Staff:
    staff = staff_of(request.user)
    if staff is None:
        raise Http404("No register here.")
    return staff


def _room(staff: Staff, room_id: int) -> Room:
    room = Room.objects.filter(pk=room_id, setting_id=staff.setting_id).select_related("setting").first()
    if room is None:
        raise Http404("No such room.")
    return room


@never_cache
def register(request):
    staff = _staff(request)
    setting = staff.setting
    today = timezone.localdate()
    return render(request, "processes/register.html", {"rooms": register_day(setting, today), "today": today})


def _act(request, room: Room) -> str:
    """One tap on the room screen: what it did, in words for the message. RuleViolation if refused."""
    action = request.POST.get("action", "")
    try:
        target = int(request.POST.get("id", ""))
    except ValueError:
        raise RuleViolation("Choose a child or a member of staff.") from None
    if action.startswith("child-"):
        child = Child.objects.filter(pk=target, setting_id=room.setting_id).first()
        if child is None:
            raise RuleViolation("That child is not in this setting.")
        if action == "child-in":
            services.child_sign_in(child=child, by=request.user, room=room,
                                   brought_by=request.POST.get("brought_by", ""))
            return f"{child} signed in."
        if action == "child-out":
            row = services.child_sign_out(child=child, by=request.user,
                                          collected_by=request.POST.get("collected_by", ""))
            return f"{child} collected by {row.collected_by}."
        if action == "child-absent":
            services.child_absence_explain(child=child, by=request.user, day=timezone.localdate(),
                                           reason=request.POST.get("reason", ""))
            return f"{child}: absence recorded."
    elif action.startswith("staff-"):
        member = Staff.objects.filter(pk=target, setting_id=room.setting_id).select_related("user").first()
        if member is None:
            raise RuleViolation("That person is not on this setting's staff.")
        if action == "staff-in":
            services.staff_sign_in(staff=member, by=request.user, room=room)
            return f"{member} is in {room}."
        if action == "staff-out":
            services.staff_sign_out(staff=member, by=request.user)
            return f"{member} signed out."
    raise RuleViolation("Nothing to do: choose an action on the screen.")


@never_cache
def room_screen(request, room_id: int):
    staff = _staff(request)
    room = _room(staff, room_id)
    if request.method == "POST":
        try:
            done = _act(request, room)
        except RuleViolation as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, done)
        return redirect("register-room", room_id=room.pk)
    day = register_day(room.setting, timezone.localdate(), room=room)[0]
    in_room = {row.staff.pk for row in day.staff_in}
    return render(request, "processes/register_room.html", {
        "day": day, "room": room,
        "staff_elsewhere": [s for s in setting_staff(room.setting) if s.pk not in in_room],
    })


def _day(request, today: dt.date) -> dt.date:
    try:
        day = dt.date.fromisoformat(request.GET.get("day", "")) if request.GET.get("day") else today
    except ValueError:
        day = today
    return min(day, today)


@never_cache
def room_history(request, room_id: int):
    staff = _staff(request)
    room = _room(staff, room_id)
    today = timezone.localdate()
    day = _day(request, today)
    return render(request, "processes/register_history.html", {
        "day": register_day(room.setting, day, room=room)[0], "room": room, "today": today,
        "is_manager": staff.is_manager,
        "previous": day - dt.timedelta(days=1), "next": day + dt.timedelta(days=1) if day < today else None,
    })


@never_cache
def room_csv(request, room_id: int, what: str):
    """The room's register or ratio history for a day as CSV: the manager's (the setting's records)."""
    manager = setting_manager(request.user)
    if what not in ("register", "ratios"):
        raise Http404("No such list.")
    room = _room(manager, room_id)
    day = _day(request, timezone.localdate())
    response = HttpResponse(register_export(room=room, day=day, by=request.user, what=what),
                            content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="keyflow-{what}-{room.pk}-{day.isoformat()}.csv"'
    return response

"""The manager's pages for room moves and changes of key person: the upcoming moves (start one or several),
a move under way (move its date, cancel it), one child's change of key person, and a leaver's (or a long-absent
key person's) key children in one screen. Each page reads in a fixed number of queries; every write is a
service's (processes.services.room_move, key_person_change)."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from processes.access import setting_manager
from processes.allocation import allocation_candidates, candidates_to_back_up
from processes.errors import RuleViolation
from processes.ids import id_in_range
from processes.manage_views import managed_child
from processes.models import ChangeReason, Room, RoomMove, Staff, TransitionStatus
from processes.services import (
    key_person_change_start,
    key_person_changes_for_leaver,
    room_move_cancel,
    room_move_plan,
    room_move_postpone,
)

from .transition_forms_pages import CancelForm, KeyPersonChangeForm, LeaverForm, MoveDateForm, StartMovesForm
from .transition_pages import key_children_of, moves_under_way, upcoming_room_moves


def _refused(form, exc: RuleViolation) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


def _int(value) -> int | None:
    try:
        value = int(value)
    except (TypeError, ValueError):
        return None
    return value if id_in_range(value) else None


@never_cache
def room_moves(request):
    manager = setting_manager(request.user)
    setting = manager.setting
    rooms = list(Room.objects.filter(setting_id=setting.pk).order_by("min_age_months", "name"))
    upcoming = upcoming_room_moves(setting=setting, rooms=rooms, extra_child_id=_int(request.GET.get("child")))
    form = StartMovesForm(request.POST or None, rooms=rooms, children=[u.child for u in upcoming],
                          initial={"children": [_int(request.GET.get("child"))] if request.GET.get("child") else []})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        by_pk = {u.child.pk: u.child for u in upcoming}
        try:
            with transaction.atomic():  # several at once: all planned, or none
                for pk in data["children"]:
                    room_move_plan(child=by_pk[pk], to_room=data["to_room"], planned_on=data["planned_on"],
                                   why=data["why"], by=request.user)
        except RuleViolation as exc:
            _refused(form, exc)
        else:
            count = len(data["children"])
            messages.success(request, f"{count} room move{'s' if count != 1 else ''} planned: the new key persons "
                                      "are chosen next, in your inbox.")
            return redirect("room-moves")
    return render(request, "workflows/room_moves.html", {
        "form": form, "upcoming": upcoming, "moves": moves_under_way(setting_id=setting.pk), "setting": setting,
        "today": timezone.localdate(),
    }, status=400 if form.errors else 200)


@never_cache
def room_move_detail(request, move_id: int):
    manager = setting_manager(request.user)
    move = (RoomMove.objects.filter(pk=move_id, child__setting_id=manager.setting_id)
            .select_related("child", "to_room", "from_room", "new_key_person__user").first()
            if id_in_range(move_id) else None)
    if move is None:
        raise Http404("No such room move.")
    action = request.POST.get("action") if request.method == "POST" else None
    date_form = MoveDateForm(request.POST if action == "date" else None)
    cancel_form = CancelForm(request.POST if action == "cancel" else None, prefix="cancel")
    form = {"date": date_form, "cancel": cancel_form}.get(action)
    if form is not None and form.is_valid():
        try:
            if action == "date":
                room_move_postpone(move=move, by=request.user, **form.cleaned_data)
                messages.success(request, f"The move is now on {move.planned_on:%-d %b %Y}.")
            else:
                room_move_cancel(move=move, by=request.user, reason=form.cleaned_data["reason"])
                messages.success(request, f"{move.child.name}'s move is cancelled.")
        except RuleViolation as exc:
            _refused(form, exc)
        else:
            return redirect("room-move", move_id=move.pk)
    return render(request, "workflows/room_move.html", {
        "move": move, "visits": list(move.visits.all()), "postponements": list(move.postponements.all()),
        "date_form": date_form, "cancel_form": cancel_form, "is_open": move.status == TransitionStatus.OPEN,
    }, status=400 if form is not None and form.errors else 200)


@never_cache
def key_person_change(request, pk: int):
    child = managed_child(request, pk, "key persons (to change gradually)")
    form = KeyPersonChangeForm(request.POST or None, setting_id=child.setting_id)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            key_person_change_start(child=child, to_staff=data["primary"], to_secondary=data["secondary"],
                                    reason=data["reason"], change_on=data["change_on"], notes=data["notes"],
                                    by=request.user)
        except RuleViolation as exc:
            _refused(form, exc)
        else:
            messages.success(request, f"Change planned: the handover and {data['primary']}'s introduction are in "
                                      "their inboxes; the parents are told on the day.")
            return redirect("child-detail", pk=child.pk)
    current = {a.role: a for a in child.assignments.current().select_related("staff__user")}
    primary = current.get("primary")
    ranked = [c for c in allocation_candidates(child=child) if not primary or c.staff.pk != primary.staff_id]
    return render(request, "workflows/key_person_change.html", {
        "child": child, "form": form, "primary": primary, "primary_candidates": ranked,
        "secondary_candidates": candidates_to_back_up(child=child, primary=ranked[0].staff if ranked else None),
    }, status=400 if form.errors else 200)


def _row_choice(request, name: str, by_pk: dict):
    return by_pk.get(_int(request.POST.get(name)))


@never_cache
def staff_key_children(request, staff_id: int):
    manager = setting_manager(request.user)
    setting = manager.setting
    leaver = (Staff.objects.filter(pk=staff_id, setting_id=setting.pk).select_related("user").first()
              if id_in_range(staff_id) else None)
    if leaver is None:
        raise Http404("No such member of staff.")
    rows = key_children_of(staff=leaver, setting=setting)
    reason = request.GET.get("reason")
    form = LeaverForm(request.POST or None, initial={
        "reason": reason if reason in ChangeReason.values else ChangeReason.STAFF_LEAVING,
        "leaving_on": timezone.localdate()})
    row_errors: dict[int, str] = {}
    if request.method == "POST" and form.is_valid():
        staff_by_pk = {s.staff.pk: s.staff for s in (rows[0].suggestions if rows else [])}
        chosen = []
        for row in (r for r in rows if r.planned is None):
            successor = _row_choice(request, f"successor-{row.child.pk}", staff_by_pk)
            secondary = _row_choice(request, f"secondary-{row.child.pk}", staff_by_pk)
            if successor is None or secondary is None:
                row_errors[row.child.pk] = "Choose a new key person and a secondary."
            elif successor == secondary:
                row_errors[row.child.pk] = "The secondary must be someone other than the new key person."
            chosen.append((row.child, successor, secondary))
        if row_errors:
            form.add_error(None, "Check the children marked below.")
        else:
            try:
                key_person_changes_for_leaver(staff=leaver, leaving_on=form.cleaned_data["leaving_on"], rows=chosen,
                                              reason=form.cleaned_data["reason"], notes=form.cleaned_data["notes"],
                                              by=request.user)
            except RuleViolation as exc:
                _refused(form, exc)
            else:
                messages.success(request, f"{len(chosen)} changes of key person planned from {leaver}: each child "
                                          "has a handover, an introduction and, on the day, a letter to the parents.")
                return redirect("staff-key-children", staff_id=leaver.pk)
    for row in rows:
        posted = _int(request.POST.get(f"successor-{row.child.pk}")) if request.method == "POST" else None
        row.successor_pk = posted or (row.suggestions[0].staff.pk if row.suggestions else None)
        posted = _int(request.POST.get(f"secondary-{row.child.pk}")) if request.method == "POST" else None
        row.secondary_pk = posted or next((s.staff.pk for s in row.suggestions if s.staff.pk != row.successor_pk),
                                          None)
        row.error = row_errors.get(row.child.pk, "")
    return render(request, "workflows/staff_key_children.html", {
        "leaver": leaver, "rows": rows, "form": form,
    }, status=400 if form.errors else 200)

"""The demo's room moves and changes of key person: children at each step of both flows, driven through the
real services and steps (workflows.room_move, workflows.key_person_change), so the inboxes, the room moves page
and a leaver's screen show them under way."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from processes.allocation import allocation_candidates
from processes.models import AssignmentRole, Child, LifecycleState
from processes.services import key_person_change_start, key_person_changes_for_leaver, room_move_plan

from .context import DemoContext
from .steps import _complete, _open_task

HANDOVER = {"routines": "Nap after lunch, about an hour; snack at 10", "sleep": "Sleeps on her side with her bunny",
            "comforters": "Grey bunny from home", "interests": "Puddles, trains and the small-world farm",
            "what_helps": "A song before transitions; time to watch first", "next_steps": "Taking turns in a pair"}
# How far each demo room move has gone: the last step done. None is made yet: a child moved today would be too
# young for the new room, and the demo's children are each the right age for theirs.
MOVE_STAGES = ("planned", "chosen", "visiting", "visit_recorded", "ready", "met", "handed_over")
CHANGE_STAGES = ("started", "handed_over", "introduced", "changed")


def _by(ctx: DemoContext, child: Child, node: str):
    task = _open_task(child, node)
    return task.owner if task is not None and task.owner_id else ctx.manager


def _step(ctx: DemoContext, child: Child, node: str, **data) -> None:
    _complete(child, node, _by(ctx, child, node), **data)


def _rows(visits: list[tuple[dt.date, str, int, bool]], prefix: str = "visits") -> dict[str, str]:
    data = {f"{prefix}-TOTAL_FORMS": str(len(visits)), f"{prefix}-INITIAL_FORMS": "0"}
    for i, (on, at, minutes, along) in enumerate(visits):
        data.update({f"{prefix}-{i}-on": on.isoformat(), f"{prefix}-{i}-starts_at": at,
                     f"{prefix}-{i}-duration_minutes": str(minutes),
                     f"{prefix}-{i}-parent_stays": "1" if along else ""})
    return data


def _room_move(ctx: DemoContext, child: Child, to_room, stage: str) -> None:
    today = ctx.today
    done = MOVE_STAGES.index(stage)
    planned_on = today if stage == "moved" else today + dt.timedelta(days=21)
    move = room_move_plan(child=child, to_room=to_room, planned_on=planned_on, by=ctx.manager,
                          why=f"{child.first_name} is outgrowing the room")
    if done < 1:
        return
    # Within everyone's caseload (the demo keeps to the maximums): the best ranked for the new room.
    ranked = [c.staff for c in allocation_candidates(child=child, room=to_room) if not c.over_caseload
              and c.caseload + 1 < c.staff.max_caseload]
    primary, secondary = ranked[:2]
    _step(ctx, child, "choose_key_persons", primary=primary.pk, secondary=secondary.pk,
          over_caseload_reason="Agreed at the room move meeting")
    if done < 2:
        return
    # Visits still to come stay ahead; from "ready" on, the visits were all today and are recorded.
    visits = ([(today, "09:30", 30, True), (today, "11:00", 60, True)] if done >= 4 else
              [(today, "09:30", 30, True), (min(today + dt.timedelta(days=7), move.planned_on), "10:00", 90, False)])
    _step(ctx, child, "plan_visits", **_rows(visits))
    if done < 3:
        return
    for _ in range(2 if done >= 4 else 1):
        _step(ctx, child, "record_visit", how_it_went="Went to the sand tray with the key person; waved goodbye")
    if done < 4:
        return
    _step(ctx, child, "ready", ready="yes", notes="Confident with the new key person")
    if done < 5:
        return
    when = timezone.localtime() + dt.timedelta(days=2)
    _step(ctx, child, "meet_parents", starts_at=when.replace(hour=16, minute=0).strftime("%Y-%m-%d %H:%M"),
          duration_minutes=30, location="The new room", with_whom="Both parents")
    if done < 6:
        return
    _step(ctx, child, "handover", **HANDOVER)
    if done < 7:
        return
    _step(ctx, child, "move_day", confirm="on")


def _change(ctx: DemoContext, child: Child, stage: str, to_staff, secondary) -> None:
    done = CHANGE_STAGES.index(stage)
    key_person_change_start(child=child, to_staff=to_staff, to_secondary=secondary, reason="parents_ask",
                            change_on=ctx.today if stage == "changed" else ctx.today + dt.timedelta(days=14),
                            by=ctx.manager, notes="The parents asked, kindly; the relationship had not clicked.")
    if done >= 1:
        _step(ctx, child, "handover", **HANDOVER)
    if done >= 2:
        _step(ctx, child, "introduce", introduced_on=ctx.today.isoformat(),
              notes="Played with the farm together at drop-off, with mum there")
    if done >= 3:
        _step(ctx, child, "take_over", confirm="on")


def build_transition_stories(ctx: DemoContext) -> None:
    rooms = sorted(ctx.rooms.values(), key=lambda r: r.min_age_months)
    next_room = {room.pk: later for room, later in zip(rooms, rooms[1:])}
    # The oldest in their room first: the children nearest to moving on.
    settled = list(Child.objects.filter(setting=ctx.setting, state=LifecycleState.SETTLED,
                                        room_id__in=list(next_room)).order_by("date_of_birth", "pk"))
    movers, settled = settled[:len(MOVE_STAGES)], settled[len(MOVE_STAGES):]
    for child, stage in zip(movers, MOVE_STAGES):
        _room_move(ctx, child, next_room[child.room_id], stage)
    for child, stage in zip(settled, CHANGE_STAGES):
        current = {a.role: a.staff for a in child.assignments.current().select_related("staff")}
        others = [c.staff for c in allocation_candidates(child=child)
                  if c.staff.pk != current[AssignmentRole.PRIMARY].pk and c.caseload + 1 < c.staff.max_caseload]
        secondary = current.get(AssignmentRole.SECONDARY)
        to_staff = next(s for s in others if not secondary or s.pk != secondary.pk)
        _change(ctx, child, stage, to_staff, secondary or others[-1])
    # A practitioner leaving in three weeks: each of her key children gets a successor (the secondary stepping
    # up) and a secondary, a handover, an introduction and, on the day, the parents' letter.
    leaver = ctx.staff["megan.hughes"]
    rows = []
    for a in (leaver.assignments.model.objects.current().filter(staff=leaver, role=AssignmentRole.PRIMARY,
                                                                child__state=LifecycleState.SETTLED)
              .exclude(child__key_person_changes__status="open").select_related("child")):
        current = {x.role: x.staff for x in a.child.assignments.current().select_related("staff")}
        successor = current.get(AssignmentRole.SECONDARY)
        if successor is None:
            continue
        backup = next(c.staff for c in allocation_candidates(child=a.child)
                      if c.staff.pk not in (leaver.pk, successor.pk))
        rows.append((a.child, successor, backup))
    if rows:
        key_person_changes_for_leaver(staff=leaver, leaving_on=ctx.today + dt.timedelta(weeks=3), rows=rows,
                                      by=ctx.manager, notes="Megan is leaving to train as a teacher.")

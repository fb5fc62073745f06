"""One function per step of a child's time at the demo setting, each taken the way the person would: a
workflow's task completed through workflows.services, a lifecycle step or a consent through its service.

Each step is safe to run when something else (a workflow listening to the services' signals) has already
done its part: it does only what is still missing, so the demo builds the same with or without the workflows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.utils import timezone
from viewflow.workflow.models import Task

from processes import deadlines
from processes.allocation import allocation_candidates
from processes.models import (
    AssignmentRole,
    Child,
    ConsentMethod,
    ConsentPurpose,
    ConsentStatus,
    LifecycleState,
    Staff,
)
from processes.services import (
    child_transition,
    child_update,
    consent_record,
    key_person_assign,
    key_person_end,
)
from workflows.follow_on import follow_on_start
from workflows.services import task_complete

from .context import ChildSpec, DemoContext, DemoError
from .dates import assignment_start, moment

S = LifecycleState


def _open_task(child: Child, node: str):
    """The child's open workflow task at `node`, if the workflows app has one waiting."""
    for task in Task.objects.filter(process__childprocess__child=child, status__in=("NEW", "ASSIGNED")):
        if task.flow_task.name == node:
            return task
    return None


def _complete(child: Child, node: str, by, **data) -> bool:
    """Complete the child's open task at `node` through the workflow service, as the person would."""
    task = _open_task(child, node)
    if task is None:
        return False
    # Routed to the secondary (the key person is away or on another shift that day: workflows.routing), the
    # secondary does it, as they would.
    by = task.owner if task.owner_id is not None else by
    task_complete(process_id=task.process_id, task_id=task.pk, by=by, data=data)
    # The demo is built in one transaction: what a worker does once a step has committed (the process that
    # follows a finished one, workflows.tasks) is done here, straight after the step.
    follow_on_start(process_id=task.process_id)
    return True


def step_allocate(ctx: DemoContext, child: Child, spec: ChildSpec) -> Child:
    """Registered → allocated: a key person and a secondary, chosen as the manager would, through the
    allocation workflow when one is waiting (which then starts the introduction)."""
    current = {a.role: a.staff for a in child.assignments.current().select_related("staff__user")}
    primary = current.get(AssignmentRole.PRIMARY)
    why = ""
    if primary is None:
        primary, why = choose_key_person(ctx, child)
    secondary = current.get(AssignmentRole.SECONDARY) or choose_secondary(ctx, child, primary)
    if _complete(child, "allocate", ctx.manager, primary=primary.pk, secondary=secondary.pk, notes=why,
                 starts_on=assignment_start(ctx, child).isoformat()):
        child.refresh_from_db()
        return child
    if AssignmentRole.PRIMARY not in current:
        key_person_assign(child=child, staff=primary, role=AssignmentRole.PRIMARY, by=ctx.manager,
                          starts_on=assignment_start(ctx, child), reason=why)
    if AssignmentRole.SECONDARY not in current:
        key_person_assign(child=child, staff=secondary, role=AssignmentRole.SECONDARY, by=ctx.manager,
                          starts_on=assignment_start(ctx, child),
                          reason=f"Covers for {primary.user.first_name} when they are away.")
    return _advance(ctx, child, "allocate", S.ALLOCATED, by=ctx.manager)


def step_introduce(ctx: DemoContext, child: Child, spec: ChildSpec) -> Child:
    """The introduction workflow: meeting the parents before the first day, and "all about me"."""
    key_person = ctx.primary_of(child)
    if key_person is None:
        return child
    by = key_person.user
    # A few days before the introduction falls due (on or before the first day: seeds 003 and 004).
    meeting_day = timezone.localdate(deadlines.introduction_due(child)) - dt.timedelta(days=3)
    meeting = moment(ctx, meeting_day, 10, 0)
    _complete(child, "arrange_meeting", by, starts_at=timezone.localtime(meeting).strftime("%Y-%m-%d %H:%M"),
              duration_minutes=45, location="The room", with_whom="Both parents",
              already_held="on" if meeting < timezone.now() else "")
    _complete(child, "all_about_me", by, routines="Sleeps after lunch; snack mid-morning.",
              likes="Sand, water play, stories", dislikes="Loud noises", sleep="One nap, about an hour",
              home_language=child.home_language, allergies=child.allergies, feeding=child.dietary_needs)
    return child


def _visit_rows(start: dt.date) -> dict[str, str]:
    """Three visits growing longer, as the plan's rows are posted."""
    rows = {"visits-TOTAL_FORMS": "3", "visits-INITIAL_FORMS": "0"}
    for i, minutes in enumerate((60, 90, 120)):
        rows.update({f"visits-{i}-on": f"{start + dt.timedelta(days=i)}", f"visits-{i}-starts_at": "09:30",
                     f"visits-{i}-duration_minutes": str(minutes), f"visits-{i}-parent_stays": "1" if i < 2 else ""})
    return rows


def step_plan_settling(ctx: DemoContext, child: Child, spec: ChildSpec) -> Child:
    """The settling-in workflow's plan: short visits growing longer, agreed with the parents."""
    key_person = ctx.primary_of(child)
    if key_person and _complete(child, "plan", key_person.user,
                                **_visit_rows((child.start_date or ctx.today) - dt.timedelta(days=7))):
        child.refresh_from_db()
        # Record the first visit: the rest wait in the key person's inbox.
        _complete(child, "record_visit", key_person.user,
                  how_it_went="Clung to mum at first, then played with the sand.")
    return child


def step_finish_settling(ctx: DemoContext, child: Child, spec: ChildSpec) -> Child:
    key_person = ctx.primary_of(child)
    if key_person is None:
        return child
    while _complete(child, "record_visit", key_person.user, how_it_went="A happy visit; waved goodbye."):
        pass
    held = min(ctx.today, deadlines.settling_review_date(child, ctx.setting))
    _complete(child, "review", key_person.user, held_on=held.isoformat(), outcome="settled",
              parents_view="Happy with how they have settled.")
    child.refresh_from_db()
    return child


def step_first_day(ctx: DemoContext, child: Child, spec: ChildSpec) -> Child:
    """The registration form, signed on the first day: photographs for the learning journal."""
    photos = spec.extras.get("photos", ConsentStatus.GRANTED)
    consent_record(
        child=child, guardian=ctx.parent_with_responsibility(spec), purpose=ConsentPurpose.PHOTOGRAPHS,
        status=ConsentStatus.DECLINED if photos == ConsentStatus.DECLINED else ConsentStatus.GRANTED,
        method=ConsentMethod.SIGNED_FORM, by=ctx.manager, given_at=moment(ctx, spec.start_date, 8, 30),
        notes="Registration form.",
    )
    return child


def step_begin_settling_in(ctx: DemoContext, child: Child, spec: ChildSpec) -> Child:
    key_person = ctx.primary_of(child)
    return _advance(ctx, child, "begin_settling_in", S.SETTLING_IN, by=key_person.user if key_person else None,
                    reason="First settling-in session with a parent.")


def step_settle(ctx: DemoContext, child: Child, spec: ChildSpec) -> Child:
    key_person = ctx.primary_of(child)
    return _advance(ctx, child, "settle", S.SETTLED, by=key_person.user if key_person else None,
                    reason="Settling-in review with the parents: happy to stay for full sessions.")


def step_while_settled(ctx: DemoContext, child: Child, spec: ChildSpec) -> Child:
    """Decisions parents made later, where the story needs them (see the CHILDREN extras)."""
    parent = ctx.parent_with_responsibility(spec)
    if spec.extras.get("photos") == ConsentStatus.WITHDRAWN:
        halfway = spec.start_date + (ctx.today - spec.start_date) / 2
        consent_record(
            child=child, guardian=parent, purpose=ConsentPurpose.PHOTOGRAPHS, status=ConsentStatus.WITHDRAWN,
            method=ConsentMethod.EMAIL, by=ctx.manager, given_at=moment(ctx, halfway, 17, 45),
            notes="Asked us to stop taking photographs for the learning journal.",
        )
    if spec.extras.get("senco_observation"):
        consent_record(
            child=child, guardian=parent, purpose=ConsentPurpose.SENCO_OBSERVATION,
            status=ConsentStatus.GRANTED, method=ConsentMethod.IN_PERSON, by=ctx.senco,
            given_at=moment(ctx, ctx.today - dt.timedelta(days=7), 17, 30),
            notes="Key person and parents share a concern about her speech; the SENCO will observe her.",
        )
    if spec.extras.get("share_professional"):
        consent_record(
            child=child, guardian=parent, purpose=ConsentPurpose.SHARE_PROFESSIONAL,
            recipient=spec.extras["share_professional"], status=ConsentStatus.GRANTED,
            method=ConsentMethod.SIGNED_FORM, by=ctx.senco,
            given_at=moment(ctx, ctx.today - dt.timedelta(days=30), 9, 0),
        )
    return child


def step_begin_room_move(ctx: DemoContext, child: Child, spec: ChildSpec) -> Child:
    return _advance(ctx, child, "begin_room_move", S.IN_TRANSITION, by=ctx.manager,
                    reason="Turns three soon: visits to Pre-school with the key person have started.")


def step_prepare_to_leave(ctx: DemoContext, child: Child, spec: ChildSpec) -> Child:
    reason = spec.extras.get("reason")
    if reason:  # leaving early, not for school: the leaving date is the day the parents gave
        child = child_update(child=child, by=ctx.manager, expected_leaving_date=ctx.today)
    else:
        reason = f"Starting reception at {child.destination_school} in September."
        consent_record(
            child=child, guardian=ctx.parent_with_responsibility(spec), purpose=ConsentPurpose.SHARE_SCHOOL,
            recipient=child.destination_school,
            status=ConsentStatus.GRANTED, method=ConsentMethod.SIGNED_FORM, by=ctx.manager,
            given_at=moment(ctx, ctx.today - dt.timedelta(days=3), 17, 0),
            notes=f"Learning journal and transition report to {child.destination_school}.",
        )
    return _advance(ctx, child, "prepare_to_leave", S.LEAVING, by=ctx.manager, reason=reason)


def step_leave(ctx: DemoContext, child: Child, spec: ChildSpec) -> Child:
    child = _advance(ctx, child, "leave", S.LEFT, by=ctx.manager, reason=spec.extras.get("reason", ""))
    for assignment in child.assignments.current():
        key_person_end(assignment=assignment, by=ctx.manager, reason="Left the setting.")
    return child


def step_withdraw(ctx: DemoContext, child: Child, spec: ChildSpec) -> Child:
    return _advance(ctx, child, "withdraw", S.WITHDRAWN, by=ctx.manager, reason=spec.extras["reason"])


_TO_SETTLING_IN = (step_allocate, step_introduce, step_first_day, step_plan_settling, step_begin_settling_in)
_TO_SETTLED = (*_TO_SETTLING_IN, step_finish_settling, step_settle, step_while_settled)
STAGE_STEPS: dict[str, tuple[Callable[[DemoContext, Child, ChildSpec], Child], ...]] = {
    S.REGISTERED: (),  # waiting for the manager to allocate a key person
    S.ALLOCATED: (step_allocate,),  # starting soon: introductions to the parents in the key person's inbox
    S.SETTLING_IN: _TO_SETTLING_IN,
    S.SETTLED: _TO_SETTLED,
    S.IN_TRANSITION: (*_TO_SETTLED, step_begin_room_move),
    S.LEAVING: (*_TO_SETTLED, step_prepare_to_leave),
    S.LEFT: (*_TO_SETTLED, step_prepare_to_leave, step_leave),
    S.WITHDRAWN: (step_withdraw,),
}


def _advance(ctx: DemoContext, child: Child, transition: str, target: str, *, by, reason: str = "") -> Child:
    child.refresh_from_db()
    if child.state == target:  # a workflow got there first
        return child
    return child_transition(child=child, transition=transition, by=by or ctx.manager, reason=reason)


def choose_key_person(ctx: DemoContext, child: Child) -> tuple[Staff, str]:
    """The manager's choice: the best-ranked key person (processes.allocation, as the allocation page ranks
    them) who works in the child's room and has room for another key child; the reasons go in the notes."""
    ranked = [c for c in allocation_candidates(child=child, on=assignment_start(ctx, child)) if not c.over_caseload]
    in_room = [c for c in ranked if c.staff.room_id == child.room_id]
    if not (in_room or ranked):
        raise DemoError(f"No key person has room for {child.name}: raise a max caseload.")
    best = (in_room or ranked)[0]
    return best.staff, "; ".join(best.reasons).capitalize() + "."


def choose_secondary(ctx: DemoContext, child: Child, primary: Staff) -> Staff:
    """The key person's buddy (data.STAFF), who covers for them; else the best-ranked secondary in the room."""
    buddy = ctx.staff.get(ctx.buddies.get(primary.user.username, ""))
    if buddy is not None and buddy.pk != primary.pk:
        return buddy
    ranked = allocation_candidates(child=child, role=AssignmentRole.SECONDARY, primary=primary)
    return next((c.staff for c in ranked if c.staff.room_id == child.room_id), ranked[0].staff)

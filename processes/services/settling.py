"""Settling in: the plan of visits, how each went, and the review with the parents.

Called by the settling-in workflow's steps (workflows.settling). "Several short visits growing longer" is the
rule of the plan; a review is recorded once held, after the visits, and "settled" not before the first day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import TypedDict

from django.db import transaction
from django.utils import timezone

from .. import date_bounds, deadlines
from ..errors import RuleViolation
from ..models import (
    Child,
    LifecycleState,
    SettlingOutcome,
    SettlingReview,
    SettlingSession,
)
from .audit import audit_record

# Steps of a workflow, like the introduction's services: no savepoint of their own (see services.introduction).
from .introduction import require_carer
from .lifecycle import lifecycle_move

VISIT_MINUTES = (15, 600)


class Visit(TypedDict):
    on: dt.date
    starts_at: dt.time
    duration_minutes: int
    parent_stays: bool


def _show(visit: Mapping) -> str:
    return f"{visit['on']:%-d %b} at {visit['starts_at']:%H:%M}"


def settling_visits_check(child: Child, visits: Iterable[Mapping], *, taken: Iterable[tuple] = (),
                          field: str = "visits") -> list[Visit]:
    """The visits in date order, or a RuleViolation saying which one breaks which rule."""
    ordered: list[Visit] = sorted(
        ({"on": v["on"], "starts_at": v["starts_at"], "duration_minutes": int(v["duration_minutes"]),
          "parent_stays": bool(v.get("parent_stays"))} for v in visits),
        key=lambda v: (v["on"], v["starts_at"]),
    )
    low, high = VISIT_MINUTES
    earliest = child.start_date - date_bounds.SETTLING_RUN_UP if child.start_date else None
    slots = set(taken)
    for i, visit in enumerate(ordered):
        date_bounds.in_the_childs_life(visit["on"], child, field=field)
        run_up_weeks = date_bounds.SETTLING_RUN_UP.days // 7
        date_bounds.not_before(visit["on"], earliest, field=field,
                               why=f"the settling-in run-up ({run_up_weeks} weeks before the first day)")
        if not low <= visit["duration_minutes"] <= high:
            raise RuleViolation(f"The visit on {_show(visit)}: a visit lasts between {low} and {high} minutes.",
                                field=field)
        slot = (visit["on"], visit["starts_at"])
        if slot in slots:
            raise RuleViolation(f"There is already a visit on {_show(visit)}.", field=field)
        slots.add(slot)
        # Settling-in policies: "several short visits growing longer".
        if i and visit["duration_minutes"] < ordered[i - 1]["duration_minutes"]:
            raise RuleViolation(
                f"The visit on {_show(visit)} ({visit['duration_minutes']} minutes) is shorter than the one before "
                f"({ordered[i - 1]['duration_minutes']} minutes): visits grow longer.", field=field,
            )
    return ordered


def _plan_text(visits: Iterable[Mapping]) -> str:
    return "; ".join(f"{v['on']:%Y-%m-%d} {v['starts_at']:%H:%M} {v['duration_minutes']} min"
                     + (" with parent" if v["parent_stays"] else "") for v in visits)


@transaction.atomic(savepoint=False)
def settling_plan_record(*, child: Child, by, visits: Iterable[Mapping], notes: str = "") -> list[SettlingSession]:
    """Agree the plan of visits with the parents: it replaces the visits not yet held, and the first plan
    moves the child on to settling in and books the review."""
    require_carer(by, child, "agree a settling-in plan")
    ordered = settling_visits_check(child, visits)
    if not ordered:
        raise RuleViolation("Plan at least one settling-in visit.", field="visits")
    child.settling_sessions.filter(recorded_at__isnull=True).delete()
    sessions = SettlingSession.objects.bulk_create(SettlingSession(child=child, **visit) for visit in ordered)
    if not child.settling_reviews.filter(held_on__isnull=True).exists():
        SettlingReview.objects.create(child=child, due_on=deadlines.settling_review_date(child, child.setting))
    audit_record(actor=by, action="update", record=child, summary=f"Agreed a settling-in plan of {len(ordered)} visits",
                 changes={"visits": _plan_text(ordered), "notes": notes})
    if child.state == LifecycleState.ALLOCATED:
        lifecycle_move(child=child, transition="begin_settling_in", by=by,
                       reason="Settling-in plan agreed with the parents")
    return sessions


@transaction.atomic(savepoint=False)
def settling_visit_record(*, visit: SettlingSession, by, how_it_went: str) -> SettlingSession:
    child = visit.child
    require_carer(by, child, "record a settling-in visit")
    if visit.recorded_at is not None:
        raise RuleViolation(f"The visit of {visit.on:%-d %b} is already recorded.")
    if not how_it_went.strip():
        raise RuleViolation("Say how the visit went.", field="how_it_went")
    visit.how_it_went = how_it_went.strip()
    visit.recorded_by = by
    visit.recorded_at = timezone.now()
    visit.save(update_fields=["how_it_went", "recorded_by", "recorded_at"])
    audit_record(actor=by, action="update", record=visit, setting_id=child.setting_id, child_id=child.pk,
                 summary=f"Recorded the settling-in visit of {visit.on:%d %b}")
    return visit


@transaction.atomic(savepoint=False)
def settling_review_record(
    *,
    child: Child,
    by,
    held_on: dt.date,
    outcome: str,
    parents_view: str,
    notes: str = "",
    next_review_on: dt.date | None = None,
    extra_visits: Iterable[Mapping] = (),
) -> SettlingReview:
    """Record the settling-in review: "settled" moves the child on; "needs longer" books the next review and
    adds the visits agreed for it. The review returned says the next visit still to hold (`next_visit`, or None),
    read here already, for the settling-in flow's gate."""
    require_carer(by, child, "record a settling-in review")
    try:
        outcome = SettlingOutcome(outcome)
    except ValueError:
        raise RuleViolation("Choose whether the child has settled or needs longer.", field="outcome") from None
    if not parents_view.strip():
        raise RuleViolation("Record the parents' view.", field="parents_view")
    date_bounds.in_the_childs_life(held_on, child, field="held_on")
    date_bounds.not_in_the_future(held_on, field="held_on", what="A review")
    sessions = list(child.settling_sessions.all())
    last_visit = max((s.on for s in sessions if s.recorded_at), default=None)
    date_bounds.not_before(held_on, last_visit, field="held_on",
                           why="the last settling-in visit: the review follows the visits")
    if outcome == SettlingOutcome.SETTLED:
        date_bounds.not_before(held_on, child.start_date, field="held_on",
                         why=f"{child.name}'s first day: a child is settled once they have started")
        if extra_visits:
            raise RuleViolation("A settled child needs no more settling-in visits.", field="extra_visits")
    else:
        if next_review_on is None:
            raise RuleViolation("Set the date of the next review when the child needs longer.", field="next_review_on")
        if next_review_on <= held_on:
            raise RuleViolation("The next review must come after this one.", field="next_review_on")
        date_bounds.in_the_childs_life(next_review_on, child, field="next_review_on")
    extra = settling_visits_check(child, extra_visits, taken={(s.on, s.starts_at) for s in sessions},
                                  field="extra_visits")
    review = (child.settling_reviews.filter(held_on__isnull=True).order_by("due_on").first()
              or SettlingReview(child=child, due_on=held_on))
    review.held_on, review.outcome, review.parents_view = held_on, outcome, parents_view.strip()
    review.notes, review.recorded_by = notes, by
    review.next_review_on = next_review_on if outcome == SettlingOutcome.NEEDS_LONGER else None
    review.save()
    audit_record(actor=by, action="update", record=review, setting_id=child.setting_id, child_id=child.pk,
                 summary=f"Settling-in review: {review.get_outcome_display().lower()}")
    if outcome == SettlingOutcome.SETTLED:
        lifecycle_move(child=child, transition="settle", by=by, reason="Settling-in review")
    else:
        SettlingReview.objects.create(child=child, due_on=next_review_on)
        sessions += SettlingSession.objects.bulk_create(SettlingSession(child=child, **visit) for visit in extra)
    review.next_visit = min((s for s in sessions if s.recorded_at is None), key=lambda s: (s.on, s.starts_at),
                            default=None)
    return review

"""Supervision and caseload review (seed 003 §6, seed 001, seed 000): a session per key person with the
manager, every `Setting.supervision_every_weeks` (a term by default). Holding one schedules the next, after the
session's own transaction commits, exactly once (one session due per key person: a database constraint)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from .. import deadlines
from ..access import is_manager_of
from ..date_bounds import date_check
from ..dates import day_text
from ..errors import NotPermitted, RuleViolation
from ..models import Child, KeyPersonAssignment, Staff, Supervision, SupervisionAction, SupervisionChildNote
from ..signals import supervision_held
from .audit import audit_record
from .children import _require_manager

CHILD_FIELDS = ("to_raise", "transitions_due", "sen_concerns")


def _check_text(value: str, *, field: str, most: int = 4000) -> str:
    value = (value or "").strip()
    if len(value) > most:
        raise RuleViolation(f"Keep it under {most} characters.", field=field)
    return value


def supervision_schedule(*, staff: Staff, by, due_on: dt.date) -> Supervision:
    """Put a key person's next supervision in the diary; the one already due is returned as it is."""
    if by is not None:
        _require_manager(by, staff.setting_id, "schedule supervision")
    if not staff.is_key_person:
        raise RuleViolation(f"{staff} is not a key person.", field="staff")
    date_check(due_on, what="The supervision's date", field="due_on", when="any")
    try:
        with transaction.atomic():
            supervision = Supervision.objects.create(setting_id=staff.setting_id, staff=staff, due_on=due_on)
    except IntegrityError:
        return Supervision.objects.get(staff=staff, held_on__isnull=True)
    audit_record(actor=by, action="create", record=supervision, setting_id=staff.setting_id,
                 summary=f"Supervision of {staff} due {day_text(due_on)}")
    return supervision


def supervisions_schedule_missing(*, today: dt.date | None = None, setting_id: int | None = None, by=None) -> int:
    """Every key person without a supervision due gets one, a term after their last (or today): the sweep that
    starts the cycle and keeps it going should a next session ever fail to be scheduled."""
    today = today or timezone.localdate()
    scheduled = 0
    due = Supervision.objects.filter(staff_id=OuterRef("pk"), held_on__isnull=True)
    waiting = Staff.objects.filter(is_key_person=True, user__is_active=True).exclude(Exists(due)).select_related(
        "setting")
    if setting_id is not None:
        waiting = waiting.filter(setting_id=setting_id)
    for staff in waiting:
        last = staff.supervisions.filter(held_on__isnull=False).order_by("-held_on").first()
        due_on = deadlines.supervision_next_on(staff.setting, after=last.held_on) if last else today
        supervision_schedule(staff=staff, by=by, due_on=max(due_on, today))
        scheduled += 1
    return scheduled


@transaction.atomic
def supervision_hold(
    *, supervision: Supervision, by, held_on: dt.date, feedback: str = "", training_needs: str = "",
    children: Mapping[int, Mapping[str, str]] | None = None, actions: Iterable[Mapping] = (),
) -> Supervision:
    """Record a supervision held: each key child talked through (`children`: child id → what was said), the key
    person's own feedback and training needs, and the actions agreed (what, for whom, by when)."""
    supervision = Supervision.objects.select_for_update().select_related("staff__user", "setting").get(
        pk=supervision.pk)
    staff = supervision.staff
    _require_manager(by, supervision.setting_id, "hold supervision")
    if getattr(by, "pk", None) == staff.user_id:
        raise NotPermitted("Supervision is held by the manager with the key person, not by oneself.")
    if supervision.held:
        raise RuleViolation(f"This supervision was held on {day_text(supervision.held_on)}.")
    date_check(held_on, what="The supervision's date", field="held_on")
    key_children = {c.pk: c for c in Child.objects.filter(assignments__staff=staff,
                                                           assignments__ends_on__isnull=True)}
    notes = []
    for child_id, said in (children or {}).items():
        if child_id not in key_children:
            raise RuleViolation("Talk through only the key person's own key children.", field="children")
        values = {name: _check_text(said.get(name, ""), field=name) for name in CHILD_FIELDS}
        if any(values.values()):
            notes.append(SupervisionChildNote(supervision=supervision, child_id=child_id, **values))
    agreed = []
    for action in actions:
        what = _check_text(action.get("what", ""), field="actions", most=300)
        if not what:
            continue
        for_staff = action.get("for_staff")
        if for_staff is None or for_staff.setting_id != supervision.setting_id:
            raise RuleViolation("Say who does each action.", field="actions")
        due_on = action.get("due_on")
        if due_on is None:
            raise RuleViolation("Give each action a date.", field="actions")
        date_check(due_on, what="An action's date", field="actions", when="any",
                   not_before=[(held_on, "the supervision")])
        child = action.get("child")
        if child is not None and child.pk not in key_children:
            raise RuleViolation("An action is about one of the key person's own key children.", field="actions")
        agreed.append(SupervisionAction(supervision=supervision, what=what, for_staff=for_staff, due_on=due_on,
                                        child=child))
    supervision.held_on, supervision.held_by = held_on, by
    supervision.feedback = _check_text(feedback, field="feedback")
    supervision.training_needs = _check_text(training_needs, field="training_needs")
    supervision.save(update_fields=["held_on", "held_by", "feedback", "training_needs"])
    SupervisionChildNote.objects.bulk_create(notes)
    SupervisionAction.objects.bulk_create(agreed)
    audit_record(actor=by, action="update", record=supervision, setting_id=supervision.setting_id,
                 summary=f"Held supervision with {staff} on {day_text(held_on)}: {len(notes)} key child(ren) "
                         f"talked through, {len(agreed)} action(s) agreed")
    next_on = deadlines.supervision_next_on(supervision.setting, after=held_on)
    # After commit, not inside: the session's own statements stay few, and a failed hold schedules nothing.
    transaction.on_commit(lambda: supervision_schedule(staff=staff, by=None, due_on=next_on))
    supervision_held.send(sender=Supervision, supervision=supervision, by=by)
    return supervision


@transaction.atomic(savepoint=False)
def supervision_action_done(*, action: SupervisionAction, by, notes: str = "") -> SupervisionAction:
    action = SupervisionAction.objects.select_for_update().select_related("for_staff").get(pk=action.pk)
    staff = action.for_staff
    # The child's secondary may do it while the key person is away (the task goes to them: workflows.routing).
    def covering() -> bool:
        return action.child_id is not None and by is not None and KeyPersonAssignment.objects.filter(
            child_id=action.child_id, staff__user=by, ends_on__isnull=True).exists()

    if not (getattr(by, "pk", None) == staff.user_id or is_manager_of(by, staff.setting_id) or covering()):
        raise NotPermitted("Only whoever the action is for, the child's key persons or the manager mark it done.")
    if action.done_at is None:
        action.done_at = timezone.now()
        action.what_was_done = _check_text(notes, field="notes")
        action.save(update_fields=["done_at", "what_was_done"])
        audit_record(actor=by, action="update", record=action, setting_id=staff.setting_id,
                     summary=f"Done: {action.what}")
    return action

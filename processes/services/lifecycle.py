from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django_fsm import ConcurrentTransition, TransitionNotAllowed

from ..errors import Conflict, NotPermitted, RuleViolation
from ..models import Child
from ..signals import child_allocated_elsewhere

TRANSITIONS = (
    "allocate", "begin_settling_in", "settle", "begin_room_move", "complete_room_move",
    "prepare_to_leave", "leave", "withdraw",
)
# Why a guard refuses, in the words a manager would use.
GUARD_MESSAGES = {
    "has_primary_key_person": "the child has no key person yet",
    "has_secondary_key_person": "the child has no secondary key person yet",
    "has_leaving_date": "the child has no expected leaving date",
}
REASON_REQUIRED = {"withdraw"}


def _unmet_conditions(child: Child, name: str) -> list[str]:
    transition = getattr(child, name)._django_fsm.get_transition(child.state)
    return [GUARD_MESSAGES.get(c.__name__, c.__name__) for c in transition.conditions if not c(child)]


@transaction.atomic
def child_transition(*, child: Child, transition: str, by, reason: str = "") -> Child:
    """Move a child along their lifecycle, or say plainly why not and change nothing.

    The audit row is written by the post_transition receiver (processes.receivers), so a transition made
    anywhere is audited; `by` and `reason` reach it and django-fsm-log's StateLog. An allocation made here
    rather than by the allocation step is announced, for the workflows to answer.
    """
    child = lifecycle_move(child=child, transition=transition, by=by, reason=reason)
    if transition == "allocate":
        child_allocated_elsewhere.send(sender=Child, child=child, by=by)
    return child


def lifecycle_move(*, child: Child, transition: str, by, reason: str = "", locked: bool = False,
                   also_saves: tuple[str, ...] = ()) -> Child:
    """The transition itself, for the services that announce it their own way (keyperson.child_allocate).

    `locked`: the caller already holds the child's row, read with select_for_update in this transaction.
    `also_saves`: fields the caller changed on that row, written in the transition's UPDATE (a room move's room).
    """
    if transition not in TRANSITIONS:
        raise RuleViolation(f"There is no lifecycle step called {transition!r}.")
    if not locked:
        child = Child.objects.select_for_update().get(pk=child.pk)
    method = getattr(child, transition)
    label = transition.replace("_", " ")
    allowed_from = [t.source for t in child.get_all_state_transitions() if t.name == transition]
    if child.state not in allowed_from and "*" not in allowed_from:
        raise RuleViolation(f"{child} is {child.get_state_display().lower()}: they cannot {label} from there.")
    # django-fsm's has_transition_perm() also checks the guards, which would report an unmet guard (no
    # secondary, no leaving date) to a manager as "not allowed": ask about the permission alone.
    if by is not None and not method._django_fsm.has_transition_perm(child, child.state, by):
        raise NotPermitted(f"You are not allowed to {label} {child}.")
    if transition in REASON_REQUIRED and not reason.strip():
        raise RuleViolation(f"Give a reason to {label}.", field="reason")
    try:
        method(by=by, description=reason or None)  # checks the guards, once
    except TransitionNotAllowed:
        unmet = "; ".join(_unmet_conditions(child, transition))
        raise RuleViolation(f"{child} cannot {label}: {unmet}.") from None
    child.state_changed_at = timezone.now()
    try:
        # Only what a transition changes: the child's name and room (copied on inbox rows) stay as they were.
        child.save(update_fields=["state", "state_changed_at", "left_on", *also_saves])
    except ConcurrentTransition:
        raise Conflict(f"{child}'s record was changed by someone else just now. Reload and try again.") from None
    return child

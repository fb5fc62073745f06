"""The handover from one key person to the next, shared by the room move and the change of key person.

Little Caterpillars: "effective hand-overs and appropriate documentation". The "all about me" is brought up
to date from it (routines, sleep, comforters, interests), so what the parents told us stays true.
"""

from __future__ import annotations

from django.db import transaction

from ..errors import RuleViolation
from ..models import HANDOVER_TOPICS, Child, Handover, HandoverFor, HandoverSource, Staff
from .audit import audit_record
from .introduction import all_about_me_record, require_carer

# What the handover says that "all about me" also keeps.
ALL_ABOUT_ME_FROM_HANDOVER = {"routines": "routines", "sleep": "sleep", "comforters": "comforters",
                              "interests": "likes"}


@transaction.atomic(savepoint=False)  # a step's service: a refusal undoes the step (services.introduction)
def handover_record(
    *,
    child: Child,
    made_for: str,
    to_staff: Staff,
    by,
    from_staff: Staff | None = None,
    source: str = HandoverSource.KEY_PERSON,
    update_all_about_me: bool = True,
    **topics: str,
) -> Handover:
    """Record the handover to `to_staff`; with `update_all_about_me`, the child's "all about me" takes the
    routines, sleep, comforters and interests it records."""
    require_carer(by, child, "record a handover")
    unknown = set(topics) - set(HANDOVER_TOPICS)
    if unknown:
        raise RuleViolation(f"A handover has no {', '.join(sorted(unknown))}.")
    topics = {name: (value or "").strip() for name, value in topics.items()}
    if not any(topics.get(name) for name in ("routines", "sleep", "comforters", "interests", "what_helps")):
        raise RuleViolation("Hand over at least the child's routines, sleep, comforters, interests or what helps.")
    try:
        made_for, source = HandoverFor(made_for), HandoverSource(source)
    except ValueError:
        raise RuleViolation("Say what the handover is for and who it comes from.", field="source") from None
    if to_staff.setting_id != child.setting_id:
        raise RuleViolation("The new key person works at another setting.", field="to_staff")
    handover = Handover.objects.create(child=child, made_for=made_for, from_staff=from_staff, to_staff=to_staff,
                                       source=source, written_by=by, **topics)
    audit_record(actor=by, action="create", record=handover, setting_id=child.setting_id, child_id=child.pk,
                 summary=f"Handover to {to_staff} ({source.label.lower()})")
    answers = {mine: topics[theirs] for theirs, mine in ALL_ABOUT_ME_FROM_HANDOVER.items() if topics.get(theirs)}
    # "All about me" keeps at least routines, sleep or likes (services.introduction): comforters alone wait.
    if update_all_about_me and answers.keys() & {"routines", "sleep", "likes"}:
        all_about_me_record(child=child, by=by, **answers)
    return handover

"""Reading special-category data is itself recorded: who opened which child's record, when, and whether they
were let in. A refused attempt (someone else's child, another setting's, a made-up id) is kept as well, so a
manager can see who went looking."""

from __future__ import annotations

from django.http import Http404

from ..access import child_for, room_for, sen_child_for, staff_of
from ..ids import id_in_range
from ..models import Child, Room
from ..room_care import CareCard, room_care_cards
from .audit import audit_batch, audit_record

NOT_FOUND = "not_found"
REFUSED = "refused"


def audit_attempt(*, user, action: str, record_type: str, record_id, summary: str, outcome: str = NOT_FOUND,
                  child_id: int | None = None, setting_id: int | None = None) -> None:
    """An attempt that was turned away. Filed under the record's setting when the record exists, so that its
    manager sees who tried; otherwise under the user's own setting."""
    if child_id is not None and not id_in_range(child_id):
        child_id = None
    if setting_id is None and child_id is not None:
        setting_id = Child.objects.filter(pk=child_id).values_list("setting_id", flat=True).first()
    if setting_id is None:
        staff = staff_of(user)
        setting_id = staff.setting_id if staff else None
    audit_record(actor=user, action=action, record_type=record_type, record_id=str(record_id)[:40], summary=summary,
                 child_id=child_id, setting_id=setting_id, outcome=outcome)


def child_read(*, user, pk, what: str, special_category: bool = False) -> Child:
    """The child for ``user`` (404 unless they may see the record), with the read or the attempt audited.

    ``special_category`` (SEN records): only the child's key persons, the SENCO and the manager get in."""
    try:
        child = (sen_child_for if special_category else child_for)(user, pk)
    except Http404:
        child_id = pk if id_in_range(pk) else None  # past the database's range it names no child
        audit_attempt(user=user, action="read", record_type="processes.Child", record_id=pk, child_id=child_id,
                      summary=f"Tried to open {what} of child #{pk}: not theirs to see")
        raise
    audit_record(actor=user, action="read", record=child, summary=f"Viewed {child.name}'s {what}")
    return child


def room_care_read(*, user, room_id) -> tuple[Room, list[CareCard]]:
    """The room and its children's need-to-know cards for ``user`` (404 unless they work in the room or see the
    whole setting: access.may_see_room). Each child's card read is audited against that child, in one INSERT;
    a refused attempt is audited against the room."""
    try:
        room = room_for(user, room_id)
    except Http404:
        audit_attempt(user=user, action="read", record_type="processes.Room", record_id=room_id,
                      summary=f"Tried to open the care cards of room #{room_id}: not theirs to see")
        raise
    cards: list[CareCard] = room_care_cards(room)
    with audit_batch():
        for card in cards:
            audit_record(actor=user, action="read", record_type="processes.Child", record_id=str(card.child_id),
                         child_id=card.child_id, setting_id=room.setting_id,
                         summary=f"Viewed {card.name}'s care card in {room.name}")
    return room, cards

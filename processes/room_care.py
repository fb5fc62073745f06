"""What every member of staff in a room needs to care for its children safely, and nothing else.

Seed 002: "within any one session [staff] have responsibility for ALL children present"; seed 004: "all staff
to take responsibility for knowing the children's routines". So a colleague working in the room (access.
may_see_room) sees, for each child of the room, the NEED_TO_KNOW facts: allergies, dietary needs, medical
notes, routines and sleep, comforters, who collects, and who their key person and secondary are. No SEN,
family or consent detail is read at all: the columns are named here, so nothing else reaches the page.

Two queries whatever the number of children: the children with their "all about me" (one LEFT JOIN), and the
current key persons. The reads are audited per child by the service (services.reads.room_care_read).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import F
from django.utils import timezone

from .dates import age_in_words
from .health import current_fact
from .models import AssignmentRole, Child, KeyPersonAssignment, Room
from .models.children import ATTENDING, months_old

# The only columns read: the card's fields are these, by construction.
CHILD_COLUMNS = ("pk", "first_name", "preferred_name", "last_name", "date_of_birth", "allergies", "dietary_needs",
                 "medical_notes", "collected_by")
ABOUT_COLUMNS = {"routines": "all_about_me__routines", "sleep": "all_about_me__sleep",
                 "comforters": "all_about_me__comforters", "told_allergies": "all_about_me__allergies",
                 "told_feeding": "all_about_me__feeding"}
# What a card shows, in the order it shows it: the access matrix checks nothing else is on the page.
NEED_TO_KNOW = ("allergies", "dietary_needs", "medical_notes", "routines", "sleep", "comforters", "collected_by",
                "key_person", "secondary")


@dataclass(frozen=True)
class CareCard:
    child_id: int
    name: str
    age: str
    allergies: str
    dietary_needs: str
    medical_notes: str
    routines: str
    sleep: str
    comforters: str
    collected_by: str
    key_person: str
    secondary: str


def _key_persons(child_ids: list[int]) -> dict[tuple[int, str], str]:
    rows = (KeyPersonAssignment.objects.current().filter(child_id__in=child_ids)
            .values_list("child_id", "role", "staff__user__first_name", "staff__user__last_name",
                         "staff__user__username"))
    return {(child_id, role): f"{first} {last}".strip() or username
            for child_id, role, first, last, username in rows}


def room_care_cards(room: Room, *, today: dt.date | None = None) -> list[CareCard]:
    """The cards of the room's children (those attending, in first-name order)."""
    today = today or timezone.localdate()
    rows = list(Child.objects.filter(room=room, state__in=ATTENDING)
                .order_by("first_name", "last_name", "pk")
                .values(*CHILD_COLUMNS, **{alias: F(path) for alias, path in ABOUT_COLUMNS.items()}))
    people = _key_persons([row["pk"] for row in rows]) if rows else {}
    return [
        CareCard(
            child_id=row["pk"],
            name=f"{row['preferred_name'] or row['first_name']} {row['last_name']}",
            age=age_in_words(months_old(row["date_of_birth"], today)),
            # The parents' newer word in "all about me" first, what was registered beside it (processes.health).
            allergies=current_fact(row["told_allergies"] or "", row["allergies"]),
            dietary_needs=current_fact(row["told_feeding"] or "", row["dietary_needs"]),
            medical_notes=row["medical_notes"],
            routines=row["routines"] or "",
            sleep=row["sleep"] or "",
            comforters=row["comforters"] or "",
            collected_by=row["collected_by"],
            key_person=people.get((row["pk"], AssignmentRole.PRIMARY), ""),
            secondary=people.get((row["pk"], AssignmentRole.SECONDARY), ""),
        )
        for row in rows
    ]

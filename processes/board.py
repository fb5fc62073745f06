"""The key person board for a room's wall (seed 004: "a display of all the key workers, their children and the
secondary key workers, so at a quick glance you can see who is responsible for whom").

Per room: each key person (their initials in place of a photo), their key children in the room and the
children they are secondary for. Names only: nothing of a child's health, needs or family is on a board that
hangs on a wall. Three queries whatever the size of the setting: the rooms, their children, and the current
key persons of those children; the key persons based in a room with no children there yet are read with them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .models import AssignmentRole, Child, KeyPersonAssignment, Room, Staff
from .models.children import ATTENDING


@dataclass
class BoardPerson:
    staff_id: int
    name: str
    key_children: list[str] = field(default_factory=list)
    secondary_for: list[str] = field(default_factory=list)

    @property
    def initials(self) -> str:
        return "".join(part[0] for part in self.name.split()[:2]).upper() or "?"


@dataclass
class RoomBoard:
    room: Room
    people: list[BoardPerson] = field(default_factory=list)
    without_key_person: list[str] = field(default_factory=list)
    children: int = 0


def _name(first: str, last: str, username: str = "") -> str:
    return f"{first} {last}".strip() or username


def key_person_board(*, setting_id: int, room_id: int | None = None) -> list[RoomBoard]:
    rooms = Room.objects.filter(setting_id=setting_id)
    if room_id is not None:
        rooms = rooms.filter(pk=room_id)
    boards = {room.pk: RoomBoard(room=room) for room in rooms}
    if not boards:
        return []
    children = {}
    for pk, room, first, preferred, last in (
        Child.objects.filter(room_id__in=boards, state__in=ATTENDING).order_by("first_name", "last_name", "pk")
        .values_list("pk", "room_id", "first_name", "preferred_name", "last_name")
    ):
        children[pk] = (room, _name(preferred or first, last))
        boards[room].children += 1
    people: dict[tuple[int, int], BoardPerson] = {}
    # A key person based in the room is on its board even before their first key child there.
    for staff_id, room, first, last, username in (
        Staff.objects.filter(room_id__in=boards, is_key_person=True, user__is_active=True)
        .values_list("pk", "room_id", "user__first_name", "user__last_name", "user__username")
    ):
        people[room, staff_id] = BoardPerson(staff_id=staff_id, name=_name(first, last, username))
    held: dict[int, set[str]] = {}
    for child_id, role, staff_id, first, last, username in (
        KeyPersonAssignment.objects.current().filter(child_id__in=list(children))
        .values_list("child_id", "role", "staff_id", "staff__user__first_name", "staff__user__last_name",
                     "staff__user__username")
    ):
        room, child_name = children[child_id]
        person = people.setdefault((room, staff_id), BoardPerson(staff_id=staff_id, name=_name(first, last, username)))
        (person.key_children if role == AssignmentRole.PRIMARY else person.secondary_for).append(child_name)
        held.setdefault(child_id, set()).add(role)
    for child_id, (room, child_name) in children.items():
        if AssignmentRole.PRIMARY not in held.get(child_id, ()):
            boards[room].without_key_person.append(child_name)
    for (room, _), person in sorted(people.items(), key=lambda item: item[1].name.casefold()):
        person.key_children.sort(key=str.casefold)
        person.secondary_for.sort(key=str.casefold)
        boards[room].people.append(person)
    return list(boards.values())

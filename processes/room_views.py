"""The room's pages: the children's need-to-know cards (processes.room_care) and the key person board
(processes.board). Thin: who sees what is processes.access, the audited read processes.services."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from .access import may_see_room, staff_of
from .board import key_person_board
from .ids import id_in_range
from .services import room_care_read


@never_cache
def room_care(request, room_id: int):
    # Health facts of several children: never cached, every card's read audited (the service).
    room, cards = room_care_read(user=request.user, room_id=room_id)
    return render(request, "processes/room_care.html", {"room": room, "cards": cards})


def _board(request, room_id: int | None):
    staff = staff_of(request.user)
    if staff is None:
        raise Http404("No such board.")
    boards = key_person_board(setting_id=staff.setting_id, room_id=room_id)
    if room_id is not None and not boards:
        raise Http404("No such room.")  # another setting's room, or none: nothing is said about it
    for board in boards:
        board.cards_open = may_see_room(request.user, board.room)
    return render(request, "processes/key_person_board.html", {
        "boards": boards, "one_room": room_id is not None, "setting_name": staff.setting.name,
    })


def key_person_board_page(request):
    """Every room's board, for the staff of the setting."""
    return _board(request, None)


def room_board(request, room_id: int):
    """One room's board, for its wall (printed A4 landscape: static/css/board-print.css)."""
    if not id_in_range(room_id):
        raise Http404("No such room.")
    return _board(request, room_id)

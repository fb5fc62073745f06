"""The room's care cards, the key person board and the dashboard's transitions in a real browser (Debian's
chromium): at a phone, a tablet and a desktop nothing scrolls sideways and axe finds nothing serious; the board
prints on A4 landscape, one room to a sheet."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from processes import services
from processes.models import AssignmentRole

from .conftest import BROWSER_TESTS
from .factories import ChildFactory, RoomFactory, StaffFactory
from .flowkit import agree_plan, allocate, introduce, register
from .test_browser_pages import AXE_SCRIPT, VIEWPORTS, _log_in, check_page

pytestmark = BROWSER_TESTS


def _room_world(setting, room, manager, key_person, other_key_person):
    babies = RoomFactory(setting=setting, name="Babies", min_age_months=0, max_age_months=24)
    StaffFactory(setting=setting, room=babies, user__first_name="Bea", user__last_name="Okafor")
    for i, name in enumerate(("Maximilian-Alexander", "Zoë", "Kai")):
        child = ChildFactory(setting=setting, room=room if i else babies, first_name=name,
                             last_name="Featherstonehaugh-Wolstenholme",
                             allergies="PEANUTS and tree nuts - severe, EpiPen in the office" if i == 1 else "",
                             medical_notes="Asthma: blue inhaler before outdoor play",
                             collected_by="Mum, Dad, Grandma Rosa (password: tulip)")
        services.key_person_assign(child=child, staff=key_person, role=AssignmentRole.PRIMARY, by=manager.user)
        services.key_person_assign(child=child, staff=other_key_person, role=AssignmentRole.SECONDARY,
                                   by=manager.user)
        services.all_about_me_record(child=child, by=key_person.user, routines="Nap 12:30-14:00 in a cot",
                                     comforters="Blue bunny called Flop")
    settling = register(setting=setting, room=room, manager=manager, first_name="Settling")
    allocate(settling, manager, key_person, other_key_person)
    introduce(settling, key_person.user)
    agree_plan(settling, key_person.user)
    register(setting=setting, room=room, manager=manager, first_name="Waiting")
    return babies


@pytest.mark.django_db(transaction=True)
def test_the_room_pages_fit_a_phone_a_tablet_and_a_desktop(live_server, browser, setting, room, manager,
                                                           key_person, other_key_person):
    babies = _room_world(setting, room, manager, key_person, other_key_person)
    axe_script = AXE_SCRIPT.read_text()
    problems = []
    for who, urls in ((key_person, [reverse("room-care", args=[room.pk]), reverse("key-person-board"),
                                    reverse("room-board", args=[room.pk])]),
                      (manager, [reverse("room-care", args=[babies.pk]), reverse("dashboard")])):
        context = browser.new_context(viewport={"width": 1366, "height": 768})
        page, errors = _log_in(context, live_server, who.user)
        for width, height in VIEWPORTS.values():
            page.set_viewport_size({"width": width, "height": height})
            for url in urls:
                errors.clear()
                page.goto(live_server.url + url)
                problems += check_page(page, errors, f"{width} {url}", axe_script)
        context.close()
    assert not problems, "\n".join(problems)


@pytest.mark.django_db(transaction=True)
def test_the_board_prints_on_a4_landscape_one_room_to_a_sheet(live_server, browser, setting, room, manager,
                                                              key_person, other_key_person):
    _room_world(setting, room, manager, key_person, other_key_person)
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page, _ = _log_in(context, live_server, key_person.user)

    page.goto(live_server.url + reverse("key-person-board"))
    pdf = PdfReader(io.BytesIO(page.pdf(prefer_css_page_size=True, print_background=True)))
    page.goto(live_server.url + reverse("room-board", args=[room.pk]))
    one_room = PdfReader(io.BytesIO(page.pdf(prefer_css_page_size=True, print_background=True)))
    context.close()

    for sheet in [*pdf.pages, *one_room.pages]:
        width, height = float(sheet.mediabox.width), float(sheet.mediabox.height)
        assert (round(width), round(height)) == (842, 595)  # A4 landscape, in points
    assert len(pdf.pages) == 2 and len(one_room.pages) == 1  # two rooms, each on its own sheet
    text = one_room.pages[0].extract_text()
    assert "Zoë" in text and "Kai" in text and "Log out" not in text and "PEANUTS" not in text

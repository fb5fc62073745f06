"""A room move in a real browser at tablet size: the manager plans it and makes it on the day, the new key
person plans and records the visits and says the child is ready, the key person now hands over."""

from __future__ import annotations

import pytest

from processes.models import LifecycleState

from .conftest import BROWSER_TESTS
from .flowkit import the_task
from .transitionkit import TODAY, settled_child

pytestmark = BROWSER_TESTS


def _log_in(browser, live_server, user):
    page = browser.new_page(viewport={"width": 768, "height": 1024})  # a tablet
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill("pass-word-123")
    page.get_by_role("button", name="Log in").click()
    return page


def _no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def _open(page, live_server, child, node):
    task = the_task(child, node)
    page.goto(f"{live_server.url}/processes/{task.process_id}/tasks/{task.pk}/")
    _no_sideways_scroll(page)


@pytest.mark.django_db(transaction=True)
def test_a_room_move_in_the_browser_at_tablet_size(live_server, browser, setting, room, manager, key_person,
                                                   other_key_person, preschool, new_key_person, new_secondary):
    child = settled_child(setting, room, manager, key_person, other_key_person, first_name="Maya")

    page = _log_in(browser, live_server, manager.user)
    page.goto(f"{live_server.url}/moves/?child={child.pk}")
    _no_sideways_scroll(page)
    page.get_by_label("New room").select_option(label="Pre-school")
    page.get_by_label("Day of the move").fill(TODAY().isoformat())
    page.get_by_label("Why").fill("Turning three")
    page.get_by_role("button", name="Plan the moves").click()
    assert "1 room move planned" in page.content()

    _open(page, live_server, child, "choose_key_persons")
    page.locator(f"input[name=primary][value='{new_key_person.pk}']").check()
    page.locator(f"input[name=secondary][value='{new_secondary.pk}']").check()
    page.get_by_role("button", name="Complete").click()

    page = _log_in(browser, live_server, new_key_person.user)
    _open(page, live_server, child, "plan_visits")
    # The proposed visits: keep the first, today, with the key person now; remove the others.
    page.locator("input[name='visits-0-on']").fill(TODAY().isoformat())
    for i in range(1, int(page.locator("input[name='visits-TOTAL_FORMS']").input_value())):
        if page.locator(f"input[name='visits-{i}-DELETE']").count():
            page.locator(f"input[name='visits-{i}-DELETE']").check()
        page.locator(f"input[name='visits-{i}-on']").fill("")
        page.locator(f"input[name='visits-{i}-starts_at']").fill("")
        page.locator(f"input[name='visits-{i}-duration_minutes']").fill("")
    page.get_by_role("button", name="Complete").click()
    _open(page, live_server, child, "record_visit")
    page.get_by_label("How the child was").fill("Straight to the sand tray; waved her key person off")
    page.get_by_role("button", name="Complete").click()
    _open(page, live_server, child, "ready")
    page.get_by_label("Ready to move").check()
    page.get_by_role("button", name="Complete").click()
    _open(page, live_server, child, "meet_parents")
    page.get_by_label("Date and time").fill(f"{TODAY().isoformat()}T23:30")
    page.get_by_role("button", name="Complete").click()

    page = _log_in(browser, live_server, key_person.user)
    _open(page, live_server, child, "handover")
    page.get_by_label("Routines").fill("Nap after lunch")
    page.get_by_label("Comforters").fill("Grey bunny")
    page.get_by_role("button", name="Complete").click()

    page = _log_in(browser, live_server, manager.user)
    _open(page, live_server, child, "move_day")
    page.get_by_label("Done on the day").check()
    page.get_by_role("button", name="Complete").click()
    page.goto(f"{live_server.url}/moves/")
    assert "No room moves are under way." in page.content()
    child.refresh_from_db()
    assert child.room == preschool and child.state == LifecycleState.SETTLED

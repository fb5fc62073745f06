"""The main journey in a real browser: Debian's chromium driven by Playwright (never a downloaded browser)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from .conftest import BROWSER_TESTS
from .flowkit import agree_plan, allocate, introduce, record_visits, register

pytestmark = BROWSER_TESTS


@pytest.mark.django_db(transaction=True)
def test_a_key_person_completes_a_settling_in_review_and_sees_the_timeline(
    live_server, browser, setting, room, manager, key_person, other_key_person
):
    # Maya started three weeks ago: she is settled after her first day and her visits (the review's service).
    child = register(setting=setting, room=room, manager=manager, first_name="Maya", start_in_days=-21)
    allocate(child, manager, key_person, other_key_person)
    introduce(child, key_person.user)
    agree_plan(child, key_person.user, visits=f"{timezone.localdate() - dt.timedelta(days=20)} 09:30 60 with parent")
    record_visits(child, key_person.user)

    page = browser.new_page(viewport={"width": 820, "height": 1180})  # a tablet in the room
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(key_person.user.username)
    page.get_by_label("Password").fill("pass-word-123")
    page.get_by_role("button", name="Log in").click()

    page.goto(f"{live_server.url}/inbox/")
    page.get_by_role("link", name="Hold the settling-in review with the parents").click()
    page.get_by_label("Settled").check()
    page.get_by_label("The parents' view").fill("Maya waves goodbye happily now")
    page.get_by_role("button", name="Complete").click()
    assert "Nothing waiting for you" in page.content()

    page.goto(f"{live_server.url}/children/{child.pk}/timeline/")
    timeline = page.locator("#timeline").inner_text()
    assert "Hold the settling-in review with the parents" in timeline
    assert f"done by {key_person.user.get_full_name()}" in timeline
    child.refresh_from_db()
    assert child.state == "settled"

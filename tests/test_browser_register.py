"""The room screen on a tablet in a real browser: a practitioner signs children in with one tap each, and the
moment the room goes below the EYFS ratio the screen says so."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from processes import services, sessions

from .conftest import BROWSER_TESTS
from .factories import ChildFactory, RoomFactory, StaffFactory
from .test_browser_everyday import OVERFLOW, log_in, serious_violations

pytestmark = [*BROWSER_TESTS, pytest.mark.django_db(transaction=True)]


def test_signing_babies_in_on_the_room_screen_shows_the_breach_as_it_happens(live_server, browser, setting):
    babies = RoomFactory(setting=setting, name="Babies", min_age_months=0, max_age_months=24, children_per_adult=3)
    practitioner = StaffFactory(setting=setting, room=babies, qualification_level=3,
                                first_aid_until=timezone.localdate() + dt.timedelta(days=400))
    names = ["Ada", "Bea", "Cal", "Dev"]
    for name in names:
        ChildFactory(setting=setting, room=babies, first_name=name, last_name="Baby",
                     date_of_birth=timezone.localdate() - dt.timedelta(days=330),
                     start_date=timezone.localdate() - dt.timedelta(days=30), attending_sessions=sessions.ALL)
    services.staff_sign_in(staff=practitioner, by=practitioner.user, room=babies)

    page = browser.new_page(viewport={"width": 768, "height": 1024})
    log_in(page, live_server.url, practitioner.user)
    page.goto(f"{live_server.url}{reverse('register-room', args=[babies.pk])}")
    for name in names[:3]:
        page.get_by_role("button", name=f"Sign {name} Baby in").click()
        page.wait_for_load_state()
        assert page.locator(".ratio-breach").count() == 0, f"no breach yet with {name} in"
        assert page.get_by_text(f"{name} Baby signed in.").is_visible()

    page.get_by_role("button", name="Sign Dev Baby in").click()
    page.wait_for_load_state()

    banner = page.locator(".ratio-breach")
    assert banner.is_visible()
    assert "Below ratio" in banner.inner_text() and "1 adult for 4 children (needs 2)" in banner.inner_text()
    assert page.evaluate(OVERFLOW) == []
    assert serious_violations(page) == []
    # Each button is big enough to tap (the tablet's touch target).
    box = page.get_by_role("button", name="Sign Dev Baby out").bounding_box()
    assert box["height"] >= 44

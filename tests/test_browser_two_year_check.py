"""The progress check at two in a real browser, as the key person: write it, arrange and record the parents'
meeting, sign it off, share it, and print the parents' PDF."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone
from pypdf import PdfReader

from processes.models import ParentMeeting, TwoYearCheck
from workflows.starts import two_year_check_start

from .conftest import BROWSER_TESTS
from .meetingkit import settled_child

pytestmark = BROWSER_TESTS


def _log_in(browser, live_server, user):
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill("pass-word-123")
    page.get_by_role("button", name="Log in").click()
    return page


def _open(page, live_server, title):
    page.goto(f"{live_server.url}/inbox/")
    page.get_by_role("link", name=title).first.click()
    page.wait_for_load_state()


def _complete(page):
    page.get_by_role("button", name="Complete").click()
    page.wait_for_load_state()


@pytest.mark.django_db(transaction=True)
def test_the_key_person_makes_the_check_at_two_and_prints_it_for_the_parents(
    live_server, browser, setting, room, manager, key_person, other_key_person
):
    child = settled_child(setting, room, manager, key_person, other_key_person)
    two_year_check_start(child=child)
    page = _log_in(browser, live_server, key_person.user)

    _open(page, live_server, "Write the progress check at two")
    page.get_by_label("Communication and language").fill("Uses two-word phrases at snack time")
    page.get_by_label("Physical development").fill("Climbs the steps of the slide")
    page.get_by_label("Personal, social and emotional development").fill("Waves goodbye happily")
    page.get_by_label("How you can help at home").fill("Sing the tidy-up song together")
    _complete(page)

    _open(page, live_server, "Arrange to discuss the check with the parents")
    when = (timezone.localtime() + dt.timedelta(days=2)).replace(hour=10, minute=0)
    page.get_by_label("Date and time").fill(when.strftime("%Y-%m-%dT%H:%M"))
    _complete(page)
    # The day of the meeting comes.
    ParentMeeting.objects.filter(child=child).update(starts_at=timezone.now() - dt.timedelta(hours=1))

    _open(page, live_server, "Record the parents' meeting about the check")
    page.get_by_label("Held", exact=True).check()
    page.get_by_label("What was discussed (or why it did not take place)").fill("The summary, area by area")
    page.get_by_label("The parents' view").fill("Pleased; she talks a lot at home too")
    _complete(page)

    _open(page, live_server, "Sign off the progress check at two")
    page.get_by_label("I have read the final record and sign it off").check()
    _complete(page)

    _open(page, live_server, "Share the progress check at two")
    page.get_by_label("The parents have their copy of the check").check()
    _complete(page)
    assert TwoYearCheck.objects.get(child=child).status == "shared"

    response = page.request.get(f"{live_server.url}/children/{child.pk}/two-year-check/")
    assert response.headers["content-type"] == "application/pdf"
    text = PdfReader(io.BytesIO(response.body())).pages[0].extract_text()
    assert "Uses two-word phrases at snack time" in text and "Pleased; she talks a lot at home too" in text

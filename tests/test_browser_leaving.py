"""Leaving in a real browser: the manager records the leaving on a phone, the key person writes the transition
report and records the meeting, and the school's contact downloads the records pack once with the code."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.core import mail
from django.utils import timezone
from pypdf import PdfReader

from processes import services
from processes.models import AssignmentRole, Child

from .conftest import BROWSER_TESTS
from .factories import ChildFactory, ChildGuardianFactory
from .flowkit import complete, the_task
from .leavingkit import REPORT, SCHOOL, settled, share_consent, started_a_year_ago

pytestmark = BROWSER_TESTS


def _log_in(browser, live_server, user, width=820, height=1180):
    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill("pass-word-123")
    page.get_by_role("button", name="Log in").click()
    return page


def _no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.django_db(transaction=True)
def test_leaving_from_the_managers_phone_to_the_schools_download(live_server, browser, settings, setting, room,
                                                                 manager, key_person, other_key_person):
    settings.KEYFLOW = {**settings.KEYFLOW, "BASE_URL": live_server.url}
    child = ChildFactory(setting=setting, room=room, first_name="Maisie")
    started_a_year_ago(child)
    ChildGuardianFactory(child=child)
    for staff, role in ((key_person, AssignmentRole.PRIMARY), (other_key_person, AssignmentRole.SECONDARY)):
        services.key_person_assign(child=child, staff=staff, role=role, by=manager.user)
    child = settled(services.child_transition(child=child, transition="allocate", by=manager.user), manager)

    phone = _log_in(browser, live_server, manager.user, width=390, height=844)
    phone.goto(f"{live_server.url}/children/{child.pk}/leaving/")
    _no_sideways_scroll(phone)
    phone.locator("#id_leaving_on").fill(str(timezone.localdate() + dt.timedelta(days=45)))
    phone.get_by_label("School or setting").fill(SCHOOL)
    phone.get_by_label("Named contact there").fill("Mrs Patel")
    phone.get_by_label("Their e-mail").fill("reception@oakbridge.example")
    phone.get_by_role("button", name="Record and start the leaving steps").click()
    phone.wait_for_load_state()
    assert "Transition report: not yet" in phone.content()
    _no_sideways_scroll(phone)
    assert Child.objects.get(pk=child.pk).state == "leaving"

    tablet = _log_in(browser, live_server, key_person.user)
    tablet.goto(f"{live_server.url}/inbox/")
    tablet.get_by_role("link", name="Write the transition report").first.click()
    for name, value in REPORT.items():
        if value:
            tablet.locator(f"[name={name}]").fill(value)
    tablet.get_by_role("button", name="Complete").click()
    tablet.wait_for_load_state()
    tablet.goto(f"{live_server.url}/inbox/")
    tablet.get_by_role("link", name="Meet the parents before the child leaves").first.click()
    tablet.get_by_label("What was shared and agreed").fill("Went through the report together")
    tablet.get_by_role("button", name="Complete").click()
    tablet.wait_for_load_state()
    assert the_task(child, "ask_consent")

    share_consent(child, key_person.user)
    complete(the_task(child, "ask_consent"), key_person.user, next="given")
    mail.outbox.clear()
    complete(the_task(child, "pack"), key_person.user, how="link")
    link_mail, code_mail = [m for m in mail.outbox if m.to == ["reception@oakbridge.example"]]
    link = re.search(r"https?://\S+/records/[^/\s]+/", link_mail.body).group(0)
    code = re.search(r"link: (\d+)", code_mail.body).group(1)

    school = browser.new_page(viewport={"width": 390, "height": 844})
    school.goto(link)
    _no_sideways_scroll(school)
    school.get_by_label("Code").fill(code)
    school.get_by_label("Your name").fill("Mrs Patel")
    school.get_by_label("I receive these records").check()
    with school.expect_download() as download:
        school.get_by_role("button", name="Download the records").click()
    data = open(download.value.path(), "rb").read()
    assert "Went through" not in data.decode("latin-1")  # the meeting's notes stay here: the pack is the report
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    assert "Dinosaurs and trains" in text

    again = browser.new_page()
    again.goto(link)
    again.get_by_label("Code").fill(code)
    again.get_by_label("Your name").fill("Mrs Patel")
    again.get_by_label("I receive these records").check()
    again.get_by_role("button", name="Download the records").click()
    again.wait_for_load_state()
    assert "used already" in again.content()

"""The SENCO's journey in a real browser: open the waiting approval, approve it; a key person of another room
cannot open that referral step."""

from __future__ import annotations

import pytest

from processes.models import AssignmentRole, Referral

from . import senkit as sk
from .conftest import BROWSER_TESTS
from .factories import ChildFactory, ChildGuardianFactory, RoomFactory, StaffFactory
from .flowkit import the_task

pytestmark = BROWSER_TESTS


def _log_in(browser, live_server, user):
    page = browser.new_page(viewport={"width": 820, "height": 1180})
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill("pass-word-123")
    page.get_by_role("button", name="Log in").click()
    return page


@pytest.mark.django_db(transaction=True)
def test_the_senco_approves_the_waiting_referral_and_another_rooms_key_person_cannot_open_it(
    live_server, browser, setting, room, manager, key_person, senco
):
    from processes import services

    child = ChildFactory(setting=setting, room=room, first_name="Noah")
    ChildGuardianFactory(child=child)
    services.key_person_assign(child=child, staff=key_person, role=AssignmentRole.PRIMARY, by=manager.user)
    sk.raise_concern(child, key_person.user)
    sk.tell_parents(child, key_person.user)
    sk.answer_consent(child, senco.user)
    sk.observe(child, senco.user)
    sk.decide(child, senco.user, "refer")
    sk.record_consent(child, key_person.user, "granted", purpose="share_professional", recipient=sk.REFER_TO)
    sk.meet(child, key_person.user)
    task = the_task(child, "refer")

    page = _log_in(browser, live_server, senco.user)
    page.goto(f"{live_server.url}/inbox/")
    page.get_by_role("link", name="Approve and send the referral (SENCO)").first.click()
    assert "Speech and language therapy" in page.content()
    page.get_by_label("Sent on").fill(str(sk.TODAY()))
    page.get_by_label("What was sent").fill("Referral form, two SENCO observations, parents' views")
    page.get_by_label("Record the referral as sent").check()
    page.get_by_role("button", name="Complete").click()
    page.wait_for_load_state()
    assert Referral.objects.filter(concern__child=child, recipient=sk.REFER_TO).exists()

    other_room = RoomFactory(setting=setting, name="Pre-school", min_age_months=36, max_age_months=60)
    stranger = StaffFactory(setting=setting)
    services.key_person_assign(child=ChildFactory(setting=setting, room=other_room), staff=stranger,
                               role=AssignmentRole.PRIMARY, by=manager.user)
    other = _log_in(browser, live_server, stranger.user)
    response = other.goto(f"{live_server.url}/processes/{task.process_id}/tasks/{task.pk}/")
    assert response.status == 404
    response = other.goto(f"{live_server.url}/children/{child.pk}/sen/")
    assert response.status == 404

"""The everyday pages in a real browser at a phone's, a tablet's and a desktop's width: nothing in the page's
content reaches past the screen, no console error or CSP violation, no serious accessibility violation (axe),
and the consent withdrawal journey."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from processes.models import ConsentPurpose
from processes.services.consent import consent_in_force

from . import senkit as sk
from .conftest import BROWSER_TESTS
from .factories import ChildGuardianFactory

pytestmark = [*BROWSER_TESTS, pytest.mark.django_db(transaction=True)]

SIZES = [(390, 844), (768, 1024), (1366, 768)]
# The header's navigation is laid out by the layout work of issue 16; these pages answer for their content.
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  return [...document.querySelectorAll('main *')]
    .filter(e => e.getClientRects().length && e.getBoundingClientRect().right > width + 1)
    .map(e => e.tagName + '.' + e.className).slice(0, 5);
}"""


def serious_violations(page) -> list[str]:
    """axe-core (from axe-playwright-python, injected from the local package, not a CDN)."""
    from axe_playwright_python.sync_playwright import Axe

    found = Axe().run(page).response["violations"]
    return [f"{v['id']}: {v['help']}" for v in found if v["impact"] in ("serious", "critical")]


def log_in(page, url, user):
    page.goto(f"{url}{reverse('login')}")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill("pass-word-123")
    page.get_by_role("button", name="Log in").click()


@pytest.fixture
def world(setting, room, manager, key_person, senco, allocated_child, guardian_link):
    child = allocated_child
    ChildGuardianFactory(child=child, relationship="Father", is_primary_contact=False)
    sk.raise_concern(child, key_person.user)
    sk.tell_parents(child, key_person.user)
    sk.answer_consent(child, senco.user)  # the SENCO's observation is open
    sk.record_consent(child, manager.user, "granted", purpose=ConsentPurpose.SHARE_PROFESSIONAL,
                      recipient="Speech and Language Therapy, a very long service name to wrap on a phone")
    return child


def test_the_everyday_pages_fit_every_screen_without_errors(live_server, browser, world, manager):
    child = world
    grant = consent_in_force(child=child, purpose=ConsentPurpose.SENCO_OBSERVATION)
    link = child.guardian_links.first()
    urls = [reverse("child-consents", args=[child.pk]), reverse("consent-withdraw", args=[child.pk, grant.pk]),
            reverse("child-edit", args=[child.pk]), reverse("child-guardians", args=[child.pk]),
            reverse("guardian-edit", args=[child.pk, link.pk]), reverse("guardian-unlink", args=[child.pk, link.pk]),
            reverse("child-key-persons", args=[child.pk]), reverse("staff-absences")]
    for width, height in SIZES:
        page = browser.new_page(viewport={"width": width, "height": height})
        problems: list[str] = []  # one list per page, so each handler below is bound to its own
        # A missing favicon is the layout work's (issue 16); any other failed load or console error is ours.
        page.on("console", lambda m, problems=problems: problems.append(m.text)
                if m.type == "error" and not m.text.startswith("Failed to load resource") else None)
        page.on("response", lambda r, problems=problems: problems.append(f"{r.status} {r.url}")
                if r.status >= 400 and not r.url.endswith("/favicon.ico") else None)
        page.on("pageerror", lambda e, problems=problems: problems.append(str(e)))
        log_in(page, live_server.url, manager.user)
        for url in urls:
            response = page.goto(f"{live_server.url}{url}")
            assert response.status == 200, url
            assert page.evaluate(OVERFLOW) == [], f"{url} at {width}px reaches past the screen"
            assert page.locator("main h1").count() == 1
            if width == SIZES[0][0]:
                assert serious_violations(page) == [], url
        assert problems == [], problems
        page.close()


def test_the_manager_withdraws_a_consent_after_seeing_what_it_stops(live_server, browser, world, manager):
    child = world
    page = browser.new_page(viewport={"width": 390, "height": 844})
    log_in(page, live_server.url, manager.user)
    page.goto(f"{live_server.url}{reverse('child-detail', args=[child.pk])}")
    page.get_by_role("link", name="Record, see the history of, or withdraw a consent").click()
    page.get_by_role("button", name=re.compile(r"^Withdraw\s+consent: SENCO observation")).click()
    stops = page.locator(".stopped-steps").inner_text()
    assert "SEN" in stops
    page.get_by_label("Parent or carer who withdrew it").select_option(index=1)
    page.get_by_label("How they told you (the evidence)").select_option("phone")
    page.get_by_role("button", name="Confirm the withdrawal").click()
    assert "Consent withdrawn" in page.content()
    assert consent_in_force(child=child, purpose=ConsentPurpose.SENCO_OBSERVATION) is None

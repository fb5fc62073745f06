"""A parent signs for an accident on the room's tablet: a finger drawn across the signature box (the local
script, no CDN) is posted as a PNG and kept with the record; a name without a drawing is refused."""

from __future__ import annotations

import pytest
from django.urls import reverse

from processes.models import AccidentRecord

from .accidentkit import accident
from .conftest import BROWSER_TESTS
from .test_browser_everyday import log_in

pytestmark = [*BROWSER_TESTS, pytest.mark.django_db(transaction=True)]


def test_a_parent_signs_with_a_finger_on_the_tablet(live_server, browser, allocated_child, key_person):
    record = accident(allocated_child, key_person)
    page = browser.new_page(viewport={"width": 768, "height": 1024}, has_touch=True)
    log_in(page, live_server.url, key_person.user)
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    page.goto(live_server.url + reverse("accident-sign", args=[allocated_child.pk, record.pk]))
    page.get_by_label("Parent's or carer's name").fill("Jo Jones")
    page.get_by_role("button", name="I have been told of this and sign for it").click()
    assert "Sign in the box" in page.content()  # a name alone is not a signature

    page.get_by_label("Parent's or carer's name").fill("Jo Jones")
    box = page.locator("#signature-pad").bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + 40)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(box["x"] + 20 + step * 25, box["y"] + 40 + (step % 3) * 20)
    page.mouse.up()
    page.get_by_role("button", name="I have been told of this and sign for it").click()
    page.wait_for_url(lambda url: url.endswith(reverse("child-accidents", args=[allocated_child.pk])))

    record = AccidentRecord.objects.get(pk=record.pk)
    assert record.acknowledged_by_name == "Jo Jones" and record.signature.startswith("data:image/png;base64,")
    assert page.get_by_role("img", name="Signature of Jo Jones").is_visible()

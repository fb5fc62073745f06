"""The settling-in plan as rows of visits (date, start, minutes, with whom): on the task page, by HTTP and in a
phone-sized browser."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from processes.models import SettlingSession

from .conftest import BROWSER_TESTS
from .flowkit import allocate, introduce, register, the_task, visit_rows


@pytest.fixture
def plan_task(setting, room, manager, key_person, other_key_person):
    child = register(setting=setting, room=room, manager=manager, first_name="Maya")
    allocate(child, manager, key_person, other_key_person)
    introduce(child, key_person.user)
    return the_task(child, "plan")


def _url(task) -> str:
    return reverse("task-detail", kwargs={"process_id": task.process_id, "task_id": task.pk})


def test_the_plan_page_proposes_one_labelled_row_a_visit(client, plan_task, key_person):
    client.force_login(key_person.user)
    page = client.get(_url(plan_task)).content.decode()
    proposed = plan_task.flow_task.form_class(task=plan_task).fields["visits"].formset.initial
    assert len(proposed) >= 3
    for i in range(len(proposed)):
        assert f'<legend>Visit {i + 1}</legend>' in page
        for name, label in (("on", "Date"), ("starts_at", "Start"), ("duration_minutes", "Minutes"),
                            ("parent_stays", "With whom")):
            assert f'<label for="id_visits-{i}-{name}">{label}' in page
    assert 'type="date"' in page and 'type="time"' in page
    assert 'name="visits-TOTAL_FORMS"' in page


def test_a_row_refused_by_the_service_is_shown_on_the_page_and_nothing_is_planned(client, plan_task, key_person):
    client.force_login(key_person.user)
    first = plan_task.process.coerced.child.start_date - dt.timedelta(days=3)
    response = client.post(_url(plan_task), visit_rows(f"{first} 09:30 90\n{first + dt.timedelta(days=1)} 09:30 60"))
    assert response.status_code == 400
    assert "shorter than the one before" in response.content.decode()
    assert not SettlingSession.objects.exists()


def test_posting_the_rows_agrees_the_plan(client, plan_task, key_person):
    client.force_login(key_person.user)
    first = plan_task.process.coerced.child.start_date - dt.timedelta(days=3)
    client.post(_url(plan_task),
                visit_rows(f"{first:%d/%m/%Y} 09:30 60 with parent\n{first + dt.timedelta(days=1)} 09:30 90"))
    assert list(SettlingSession.objects.values_list("duration_minutes", "parent_stays")) == [(60, True), (90, False)]


@pytest.mark.django_db(transaction=True)
@BROWSER_TESTS[0]
@BROWSER_TESTS[1]
def test_a_key_person_agrees_the_plan_on_a_phone_without_scrolling_sideways(
    live_server, browser, setting, room, manager, key_person, other_key_person
):
    child = register(setting=setting, room=room, manager=manager, first_name="Maya")
    allocate(child, manager, key_person, other_key_person)
    introduce(child, key_person.user)
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(key_person.user.username)
    page.get_by_label("Password").fill("pass-word-123")
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server.url}{_url(the_task(child, 'plan'))}")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    row = page.get_by_role("group", name="Visit 1")
    first = dt.date.fromisoformat(row.get_by_label("Date").input_value())
    row.get_by_label("Minutes").fill("45")
    second = page.get_by_role("group", name="Visit 2")
    second.get_by_label("Date").fill(child.start_date.isoformat())
    second.get_by_label("With whom").select_option(label="On their own")
    for n in range(3, 8):
        group = page.get_by_role("group", name=f"Visit {n}")
        if group.count():
            group.get_by_label("Remove this visit").check()
    box = row.get_by_label("Minutes").bounding_box()
    assert box["height"] >= 40  # tap-sized
    page.get_by_role("button", name="Complete").click()
    assert "Nothing waiting for you" in page.content() or "Record how" in page.content()
    visits = list(SettlingSession.objects.filter(child=child).order_by("on").values_list("on", "duration_minutes",
                                                                                          "parent_stays"))
    assert visits == [(first, 45, True), (child.start_date, 90, False)]

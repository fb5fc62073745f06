"""What people read: e-mails' plain text, notification states, dates and ages, in their own words."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from notifications.models import Channel, Kind, Notification
from processes import deadlines
from processes import services as domain
from processes.dates import age_in_words, day_text, when_text
from processes.models import AssignmentRole
from workflows.models import InboxEntry

from .factories import ChildFactory, ChildGuardianFactory
from .flowkit import allocate, complete, introduce, register, the_task


def test_the_plain_text_email_shows_names_and_words_as_typed_not_html_escapes(
    setting, room, manager, key_person, other_key_person, django_capture_on_commit_callbacks
):
    child = ChildFactory(setting=setting, room=room, first_name="D'Arcy", last_name="O'Connor")
    link = ChildGuardianFactory(child=child, guardian__first_name="Siobhán <b>", guardian__last_name="O'Connor")
    with django_capture_on_commit_callbacks(execute=True):
        domain.key_person_assign(child=child, staff=key_person, role=AssignmentRole.PRIMARY, by=manager.user)
    [letter] = [m for m in mail.outbox if m.to == [link.guardian.email]]
    assert "D'Arcy" in letter.body and "Siobhán <b>" in letter.body
    assert "&#x27;" not in letter.body and "&lt;" not in letter.body
    assert "Siobhán &lt;b&gt;" in letter.alternatives[0][0]  # the HTML part still escapes


def test_a_new_task_notice_reads_once_as_new_and_is_done_once_the_task_is(
    client, setting, room, manager, key_person, other_key_person
):
    child = register(setting=setting, room=room, manager=manager)
    client.force_login(manager.user)
    page = client.get(reverse("my-notifications")).content.decode()
    assert "New task" in page and ">New</span>" not in page
    assert ">Unread</span>" in page
    allocate(child, manager, key_person, other_key_person)
    notice = Notification.objects.get(recipient_user=manager.user, channel=Channel.IN_APP, kind=Kind.TASK_ASSIGNED)
    assert notice.read_at is None  # never opened, yet the task is done
    page = client.get(reverse("my-notifications")).content.decode()
    assert ">Done</span>" in page
    assert ">Unread</span>" not in page and "Mark read</button>" not in page


# --- Dates and ages: one way of writing them ----------------------------------------------------------------

def test_an_age_reads_with_correct_plurals():
    assert age_in_words(25) == "2 years 1 month"
    assert age_in_words(12) == "1 year"
    assert age_in_words(1) == "1 month"
    assert age_in_words(0) == "0 months"
    assert age_in_words(38) == "3 years 2 months"


def test_a_day_has_no_leading_zero_and_names_its_year_unless_it_is_this_ones():
    today = dt.date(2027, 3, 10)
    assert day_text(dt.date(2027, 3, 3)) == "3 Mar 2027"
    assert when_text(dt.date(2027, 3, 3), today=today) == "Wed 3 Mar"
    assert when_text(dt.date(2026, 12, 4), today=today) == "Fri 4 Dec 2026"
    at = timezone.make_aware(dt.datetime(2028, 1, 5, 9, 5))
    assert when_text(at, today=today) == "Wed 5 Jan 2028, 09:05"


def test_the_inbox_shows_a_due_date_of_another_year_with_its_year(client, setting, room, manager):
    register(setting=setting, room=room, manager=manager, start_in_days=400)
    entry = InboxEntry.objects.get(child__setting=setting)
    client.force_login(manager.user)
    page = client.get(reverse("inbox")).content.decode()
    due = timezone.localtime(entry.due_at)
    assert f"{due:%a} {due.day} {due:%b} {due.year}" in page


# --- Deadlines fall on the setting's open days -------------------------------------------------------------

def test_a_deadline_that_falls_at_the_weekend_falls_on_the_friday_before(setting):
    saturday, sunday, friday = dt.date(2027, 1, 9), dt.date(2027, 1, 10), dt.date(2027, 1, 8)
    assert deadlines.at_end_of(saturday, setting).date() == friday
    assert deadlines.at_end_of(sunday, setting).date() == friday
    assert deadlines.at_end_of(dt.date(2027, 1, 11), setting).date() == dt.date(2027, 1, 11)


def test_a_setting_open_on_saturdays_keeps_its_saturday_deadlines(setting):
    setting.open_days = "123456"
    assert deadlines.at_end_of(dt.date(2027, 1, 9), setting).date() == dt.date(2027, 1, 9)
    assert deadlines.at_end_of(dt.date(2027, 1, 10), setting).date() == dt.date(2027, 1, 9)
    setting.open_days = "1"  # Mondays only: Friday's deadline moves back to Monday
    assert deadlines.at_end_of(dt.date(2027, 1, 8), setting).date() == dt.date(2027, 1, 4)


def test_open_days_are_digits_of_weekdays_each_once(setting):
    from django.core.exceptions import ValidationError

    for bad in ("", "8", "1123", "mon"):
        setting.open_days = bad
        with pytest.raises(ValidationError):
            setting.full_clean()
    setting.open_days = "12345"
    setting.full_clean()


def test_a_child_starting_on_a_monday_has_the_allocation_due_the_friday_before_not_the_monday(
    setting, room, manager
):
    today = timezone.localdate()
    monday = today + dt.timedelta(days=14 + (7 - today.weekday()) % 7)
    child = register(setting=setting, room=room, manager=manager, start_in_days=(monday - today).days)
    # A week before Monday is a Monday: open. The plan, due the day before the first day (a Sunday), falls
    # on the Friday.
    assert deadlines.allocation_due(child).date() == monday - dt.timedelta(days=7)
    assert deadlines.settling_plan_due(child).date() == monday - dt.timedelta(days=3)
    task_due = InboxEntry.objects.get(child=child).due_at
    assert timezone.localtime(task_due).isoweekday() in setting.open_weekdays


def test_the_inbox_offers_a_child_filter_naming_the_children_it_holds(client, setting, room, manager, key_person):
    ava = register(setting=setting, room=room, manager=manager, first_name="Ava")
    register(setting=setting, room=room, manager=manager, first_name="Ben")
    client.force_login(manager.user)
    page = client.get(reverse("inbox")).content.decode()
    assert '<label for="f-child">Child</label>' in page
    assert f'<option value="{ava.pk}">Jones, Ava</option>' in page and ">Jones, Ben</option>" in page
    filtered = client.get(reverse("inbox"), {"child": ava.pk}).content.decode()
    assert f'<option value="{ava.pk}" selected>Jones, Ava</option>' in filtered
    assert filtered.count('data-task="') == 1
    client.force_login(key_person.user)  # nothing in their inbox: no child to offer
    assert ">Jones, Ava</option>" not in client.get(reverse("inbox")).content.decode()


# --- Task pages show what people did, the child's record what was recorded ------------------------------------

def _so_far(html: str) -> str:
    """The text of the task page's "So far" list, tags stripped."""
    return re.sub(r"<[^>]+>", " ", html.split("So far", 1)[1].split("</aside>", 1)[0])


def _task_page(client, task):
    return client.get(reverse("task-detail", kwargs={"process_id": task.process_id, "task_id": task.pk}))


def test_so_far_lists_the_steps_people_did_not_the_engines_nodes(
    client, setting, room, manager, key_person, other_key_person
):
    child = register(setting=setting, room=room, manager=manager)
    allocate(child, manager, key_person, other_key_person)
    introduce(child, key_person.user)
    plan = the_task(child, "plan")
    client.force_login(key_person.user)
    so_far = _so_far(_task_page(client, plan).content.decode())
    assert not re.search(r"\b(Start|Split|Join|End|Gate)\b", so_far), so_far
    assert "assigned by" not in so_far


def test_a_finished_task_shows_what_was_decided_by_whom_and_when_not_the_suggestions(
    client, setting, room, manager, key_person, other_key_person
):
    child = register(setting=setting, room=room, manager=manager)
    task = the_task(child, "allocate")
    allocate(child, manager, key_person, other_key_person, notes="Bethany knows the family")
    client.force_login(manager.user)
    html = _task_page(client, task).content.decode()
    assert "Suggested key persons" not in html and "score" not in html
    assert f"Done by {manager.user.get_full_name()}" in html
    outcome = html.split('class="outcome-card"', 1)[1].split("</article>", 1)[0]
    assert "Key person" in outcome and key_person.name in outcome
    assert "Secondary key person" in outcome and other_key_person.name in outcome
    assert "Bethany knows the family" in outcome


def test_the_introduction_page_lists_the_meeting_done_with_its_answers_and_no_machinery(
    client, setting, room, manager, key_person, other_key_person
):
    child = register(setting=setting, room=room, manager=manager)
    allocate(child, manager, key_person, other_key_person)
    meeting_task = the_task(child, "arrange_meeting")
    complete(meeting_task, key_person.user, starts_at=(timezone.localtime() + dt.timedelta(days=2))
             .strftime("%Y-%m-%d %H:%M"), duration_minutes=45)
    client.force_login(key_person.user)
    html = _task_page(client, the_task(child, "all_about_me")).content.decode()
    so_far = _so_far(html)
    assert not re.search(r"\b(Start|Split|Join|End)\b", so_far) and "This is the first step" not in so_far
    assert f"done by {key_person.user.get_full_name()}" in so_far
    assert "Length (minutes)" in so_far and "45" in so_far


def test_the_childs_record_shows_the_allergy_recorded_in_all_about_me(
    client, setting, room, manager, key_person, other_key_person
):
    child = register(setting=setting, room=room, manager=manager)
    assert not child.allergies
    allocate(child, manager, key_person, other_key_person)
    complete(the_task(child, "all_about_me"), key_person.user, routines="Naps after lunch",
             allergies="PEANUTS - severe, carries EpiPen", likes="Trains")
    client.force_login(key_person.user)
    html = client.get(reverse("child-detail", args=[child.pk])).content.decode()
    assert "PEANUTS - severe, carries EpiPen" in html
    assert "None known</dd>" not in html.split("Dietary needs", 1)[0].split("Allergies", 1)[1]
    assert '<p class="message message-error allergy-alert" role="note"><strong>Allergies:</strong> PEANUTS' in html
    assert "Naps after lunch" in html and "Trains" in html  # the rest of "all about me"


# --- Free text has a length limit -------------------------------------------------------------------------

def test_an_over_long_reason_is_refused_by_the_service_with_a_message_and_nothing_is_written(setting, manager,
                                                                                              key_person):
    from processes.errors import RuleViolation
    from processes.models import StaffAbsence

    today = timezone.localdate()
    with pytest.raises(RuleViolation, match=r"Reason is too long: 11,000 characters, at most 200\."):
        domain.staff_absence_record(staff=key_person, by=manager.user, starts_on=today,
                                    ends_on=today + dt.timedelta(days=2), reason="x" * 11_000)
    assert not StaffAbsence.objects.exists()


def test_a_task_form_refuses_over_long_text_and_tells_the_browser_the_limit(
    client, setting, room, manager, key_person, other_key_person
):
    child = register(setting=setting, room=room, manager=manager)
    task = the_task(child, "allocate")
    client.force_login(manager.user)
    assert 'maxlength="4000"' in _task_page(client, task).content.decode()
    response = client.post(reverse("task-detail", kwargs={"process_id": task.process_id, "task_id": task.pk}),
                           {"primary": key_person.pk, "secondary": other_key_person.pk, "notes": "x" * 11_000})
    assert response.status_code == 400
    assert "at most 4000 characters" in response.content.decode()
    task.refresh_from_db()
    assert task.status != "DONE"


def test_all_about_me_text_is_limited_though_its_model_fields_have_no_length(
    setting, room, manager, key_person, other_key_person
):
    from workflows.services import FormInvalid

    child = register(setting=setting, room=room, manager=manager)
    allocate(child, manager, key_person, other_key_person)
    with pytest.raises(FormInvalid):
        complete(the_task(child, "all_about_me"), key_person.user, routines="Naps", allergies="x" * 5_000)

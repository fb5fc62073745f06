"""Meetings, the calendar, its feed and the progress check at two over HTTP, as the real roles."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar
from pypdf import PdfReader

from processes import services
from processes.models import CalendarFeed, MeetingKind, MeetingStatus, ParentMeeting, TwoYearCheck
from workflows.starts import two_year_check_start

from .flowkit import complete, the_task
from .meetingkit import draft_check, settled_child, when

pytestmark = pytest.mark.django_db


@pytest.fixture
def child(setting, room, manager, key_person, other_key_person):
    return settled_child(setting, room, manager, key_person, other_key_person)


def _local(days=3):
    return (timezone.localtime() + dt.timedelta(days=days)).replace(hour=10, minute=0, second=0, microsecond=0)


def test_the_key_person_arranges_moves_and_cancels_a_meeting(client, child, key_person, mailoutbox,
                                                             django_capture_on_commit_callbacks):
    client.force_login(key_person.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("meeting-new", args=[child.pk]), {
            "kind": "requested", "asked_by": "parents", "starts_at": when(3), "duration_minutes": 30,
            "location": "Garden room"})
    meeting = ParentMeeting.objects.get(child=child, kind=MeetingKind.REQUESTED)
    assert response.status_code == 302 and response["Location"] == reverse("meeting-detail", args=[meeting.pk])
    assert the_task(child, "record")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("meeting-detail", args=[meeting.pk]), {"move": "1", "move-starts_at": when(4)})
        client.post(reverse("meeting-detail", args=[meeting.pk]), {"cancel": "1", "cancel-reason": "Ill"})
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CANCELLED and meeting.sequence == 2
    methods = [str(Calendar.from_ical(c)["METHOD"]) for m in mailoutbox for _, c, _ in m.attachments]
    assert methods == ["REQUEST", "REQUEST", "CANCEL"]


def test_a_colleague_who_is_not_the_key_person_cannot_open_the_meeting(client, child, key_person, setting, room):
    from .factories import StaffFactory

    meeting = services.meeting_arrange(child=child, by=key_person.user, kind=MeetingKind.REQUESTED,
                                       starts_at=_local())
    stranger = StaffFactory(setting=setting, room=room, is_key_person=True)
    client.force_login(stranger.user)
    assert client.get(reverse("meeting-detail", args=[meeting.pk])).status_code == 404
    assert client.get(reverse("meeting-new", args=[child.pk])).status_code == 404


def _feed_token(client, staff):
    client.force_login(staff.user)
    client.post(reverse("calendar-feed-reset"))
    page = client.get(reverse("calendar"))
    url = page.context["feed_url"]
    return url.rsplit("/", 1)[1].removesuffix(".ics")


def test_the_private_feed_lists_the_staff_members_meetings_without_special_category_data(client, child, key_person):
    meeting = services.meeting_arrange(child=child, by=key_person.user, kind=MeetingKind.REQUESTED,
                                       starts_at=_local(), notes="Worried about speech delay (SEN)")
    token = _feed_token(client, key_person)
    assert not CalendarFeed.objects.filter(token_hash=token).exists()  # only the hash is stored
    client.logout()
    response = client.get(reverse("calendar-feed", args=[token]))
    assert response.status_code == 200
    body = response.content.decode()
    [event] = [e for e in Calendar.from_ical(response.content).walk("VEVENT") if str(e["UID"]) == meeting.uid]
    assert str(event["SUMMARY"]) == "Meeting asked for: Amelia J."
    assert "SEN" not in body and "speech" not in body and "Jones" not in body


def test_a_reset_feed_address_stops_the_old_one(client, key_person):
    old = _feed_token(client, key_person)
    new = _feed_token(client, key_person)
    client.logout()
    assert client.get(reverse("calendar-feed", args=[old])).status_code == 404
    assert client.get(reverse("calendar-feed", args=[new])).status_code == 200
    assert client.get(reverse("calendar-feed", args=["guess"])).status_code == 404


def test_drop_ins_are_offered_and_booked_from_the_calendar(client, child, key_person,
                                                            django_capture_on_commit_callbacks):
    client.force_login(key_person.user)
    client.post(reverse("drop-ins-new"), {"starts_at": when(2, hour=15), "count": 2, "duration_minutes": 20})
    page = client.get(reverse("calendar") + f"?week={_local(2).date()}")
    [slot, _] = [e for e in page.context["entries"] if e.slot_id]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("drop-in-take", args=[slot.slot_id]), {"child": child.pk})
    meeting = ParentMeeting.objects.get(child=child, kind=MeetingKind.DROP_IN)
    assert response["Location"] == reverse("meeting-detail", args=[meeting.pk])


def test_the_two_year_check_over_http_with_its_pdf(client, child, key_person, other_key_person):
    two_year_check_start(child=child)
    client.force_login(key_person.user)
    response = client.get(reverse("two-year-check", args=[child.pk]))
    task = the_task(child, "draft")
    assert response["Location"] == reverse("task-detail", args=[task.process_id, task.pk])
    draft_check(child, key_person.user)
    complete(the_task(child, "arrange_meeting"), key_person.user, starts_at=when(1), duration_minutes=30)
    ParentMeeting.objects.filter(child=child).update(starts_at=timezone.now() - dt.timedelta(hours=1))
    complete(the_task(child, "meet"), key_person.user, held="held", parents_present="on", discussed="All of it",
             parents_view="Pleased")
    complete(the_task(child, "sign_off"), key_person.user, confirm="on")
    complete(the_task(child, "share"), key_person.user, given_to_parents="on")
    response = client.get(reverse("two-year-check", args=[child.pk]))
    assert response["Location"] == reverse("two-year-check-pdf", args=[child.pk])
    pdf = client.get(reverse("two-year-check-pdf", args=[child.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    assert "Pleased" in PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    client.force_login(other_key_person.user)  # the secondary key person sees the child too
    assert client.get(reverse("two-year-check-pdf", args=[child.pk])).status_code == 200
    assert TwoYearCheck.objects.get(child=child).status == "shared"


def test_the_calendar_runs_a_fixed_number_of_queries(client, child, key_person, django_assert_num_queries):
    client.force_login(key_person.user)
    url = reverse("calendar") + f"?week={_local(1).date()}"
    client.get(url)
    services.meeting_arrange(child=child, by=key_person.user, kind=MeetingKind.REQUESTED, starts_at=_local(1))
    with django_assert_num_queries(CALENDAR_QUERIES):
        client.get(url)
    for days in (1, 2, 3):
        services.meeting_arrange(child=child, by=key_person.user, kind=MeetingKind.PROGRESS,
                                 starts_at=_local(days) + dt.timedelta(hours=2))
    services.drop_ins_offer(host=key_person, by=key_person.user, starts_at=_local(2) + dt.timedelta(hours=5),
                            count=4)
    with django_assert_num_queries(CALENDAR_QUERIES):
        response = client.get(url)
    assert len(response.context["entries"]) >= 8
    with django_assert_num_queries(CALENDAR_QUERIES):
        client.get(url + "&view=list")


# Session, user, staff; meetings, visits, slots; key persons, rooms, children; the setting and the children due a
# progress meeting; messages.
CALENDAR_QUERIES = 14


def test_a_child_with_no_progress_meeting_this_term_is_listed_as_due(client, child, key_person):
    client.force_login(key_person.user)
    assert child in client.get(reverse("calendar")).context["due_progress"]
    services.meeting_arrange(child=child, by=key_person.user, kind=MeetingKind.PROGRESS, starts_at=_local(2))
    assert child not in client.get(reverse("calendar")).context["due_progress"]


def test_the_two_year_reminder_leads_to_the_checks_step(child, key_person, client):
    from notifications.models import Kind, Notification
    from notifications.sweeps import lifecycle_sweep

    two_year_check_start(child=child)
    lifecycle_sweep()
    notice = Notification.objects.filter(kind=Kind.TWO_YEAR_CHECK, child_id=child.pk).first()
    assert notice.refs["url"] == reverse("two-year-check", args=[child.pk])
    client.force_login(key_person.user)
    task = the_task(child, "draft")
    assert client.get(notice.refs["url"])["Location"] == reverse("task-detail", args=[task.process_id, task.pk])


def test_the_check_at_twos_meeting_is_not_called_off_from_its_page(client, child, key_person):
    two_year_check_start(child=child)
    draft_check(child, key_person.user)
    complete(the_task(child, "arrange_meeting"), key_person.user, starts_at=when(2), duration_minutes=30)
    meeting = ParentMeeting.objects.get(child=child, kind=MeetingKind.TWO_YEAR_CHECK)
    client.force_login(key_person.user)
    response = client.post(reverse("meeting-detail", args=[meeting.pk]), {"cancel": "1", "cancel-reason": "Ill"})
    assert response.status_code == 403
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.ARRANGED and the_task(child, "meet")

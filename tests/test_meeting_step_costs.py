"""What each step of the meeting and progress-check-at-two flows costs in SQL, pinned exactly (counts include the
test's two savepoint statements; the bound is 20 without them). CALIBRATE=1 prints them instead."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from processes import services
from processes.models import Child, MeetingKind, ParentMeeting
from workflows.starts import two_year_check_start

from .flowkit import complete_step, the_task
from .meetingkit import DRAFT, settled_child, when

pytestmark = pytest.mark.django_db


def _user(staff):
    return get_user_model().objects.select_related("staff").get(pk=staff.user.pk)


@pytest.fixture(autouse=True)
def _content_types_known(db):
    ContentType.objects.get_for_model(Child)
    ContentType.objects.get_for_model(ParentMeeting)


@pytest.fixture
def child(setting, room, manager, key_person, other_key_person):
    return settled_child(setting, room, manager, key_person, other_key_person)


def _meeting(child, by, kind, capture):
    starts = timezone.now() + dt.timedelta(days=3)
    with capture(execute=True):
        meeting = services.meeting_arrange(child=child, by=by, kind=kind, starts_at=starts)
    ParentMeeting.objects.filter(pk=meeting.pk).update(starts_at=timezone.now() - dt.timedelta(hours=1))
    return meeting


def _past(child):
    ParentMeeting.objects.filter(child=child).update(starts_at=timezone.now() - dt.timedelta(hours=1))


# Each figure is the test's count: production's (BEGIN and COMMIT aside) plus the test's two savepoint statements,
# so 22 is the bound of 20. Recording a meeting held ends the process (viewflow: gateway, end, process rows).
COSTS = {
    "prepare": 14, "record_held": 22, "record_not_held": 19, "rearrange": 21, "tell_parents": 21,
    "do_actions": 17, "draft": 13, "arrange_meeting": 16, "meet": 19, "sign_off": 18, "senco_review": 14,
    "share": 17,
}


def _costs(step: str, assert_num_queries):
    import os

    if os.environ.get("CALIBRATE"):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        class _Print(CaptureQueriesContext):
            def __exit__(self, *exc):
                super().__exit__(*exc)
                print(f"COST {step} {len(self)}")

        return _Print(connection)
    return assert_num_queries(COSTS[step])


def test_preparing_and_recording_a_progress_meeting(child, key_person, django_assert_num_queries,
                                                    django_capture_on_commit_callbacks):
    _meeting(child, key_person.user, MeetingKind.PROGRESS, django_capture_on_commit_callbacks)
    by = _user(key_person)
    with _costs("prepare", django_assert_num_queries):
        complete_step(the_task(child, "prepare"), by, notes="Words list")
    task = the_task(child, "record")
    with _costs("record_held", django_assert_num_queries):
        complete_step(task, by, held="held", parents_present="on", discussed="Progress")


def test_a_meeting_not_held_rearranged(child, key_person, django_assert_num_queries,
                                       django_capture_on_commit_callbacks):
    _meeting(child, key_person.user, MeetingKind.REQUESTED, django_capture_on_commit_callbacks)
    by = _user(key_person)
    with _costs("record_not_held", django_assert_num_queries):
        complete_step(the_task(child, "record"), by, held="not_held", discussed="Ill")
    task = the_task(child, "rearrange")
    with _costs("rearrange", django_assert_num_queries):
        complete_step(task, by, next="move", starts_at=when(4))


def test_telling_the_absent_parents_and_doing_the_agreed_steps(child, key_person, django_assert_num_queries,
                                                               django_capture_on_commit_callbacks):
    _meeting(child, key_person.user, MeetingKind.REQUESTED, django_capture_on_commit_callbacks)
    by = _user(key_person)
    complete_step(the_task(child, "record"), by, held="held", parents_present="", discussed="Visit",
             setting_actions="Send leaflet", action_by=key_person.pk)
    task = the_task(child, "tell_parents")
    with _costs("tell_parents", django_assert_num_queries):
        complete_step(task, by, how="Phoned")
    task = the_task(child, "do_actions")
    with _costs("do_actions", django_assert_num_queries):
        complete_step(task, by, notes="Sent")


def test_each_step_of_the_two_year_check(child, key_person, senco, django_assert_num_queries):
    two_year_check_start(child=child)
    by = _user(key_person)
    task = the_task(child, "draft")
    with _costs("draft", django_assert_num_queries):
        complete_step(task, by, **DRAFT, concern="on", concern_notes="Few words")
    task = the_task(child, "arrange_meeting")
    with _costs("arrange_meeting", django_assert_num_queries):
        complete_step(task, by, starts_at=when(2), duration_minutes=30)
    _past(child)
    task = the_task(child, "meet")
    with _costs("meet", django_assert_num_queries):
        complete_step(task, by, held="held", parents_present="on", discussed="All", parents_view="Agree")
    task = the_task(child, "sign_off")
    with _costs("sign_off", django_assert_num_queries):
        complete_step(task, by, confirm="on")
    task = the_task(child, "senco_review")
    with _costs("senco_review", django_assert_num_queries):
        complete_step(task, _user(senco), notes="Seen")
    task = the_task(child, "share")
    with _costs("share", django_assert_num_queries):
        complete_step(task, by, given_to_parents="on")



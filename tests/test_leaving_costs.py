"""What each step of the leaving flow costs in SQL, pinned exactly (counts include the test's two savepoint
statements; see tests/test_step_costs.py), and the leaving list pages in a fixed number of queries."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from processes.models import Child

from .flowkit import complete, complete_step, the_task
from .leavingkit import (
    REPORT,
    share_consent,
    write_report,
)

TODAY = timezone.localdate


def _user(staff):
    return get_user_model().objects.select_related("staff").get(pk=staff.user.pk)


@pytest.fixture(autouse=True)
def _content_types_known(db):
    ContentType.objects.get_for_model(Child)




def _consent(child, by):
    share_consent(child, by)
    complete(the_task(child, "ask_consent"), by, next="given")


def test_writing_the_transition_report_costs_18_statements(leaver, key_person, django_assert_num_queries):
    task, by = the_task(leaver, "report"), _user(key_person)
    with django_assert_num_queries(18):
        complete_step(task, by, **REPORT)


def test_recording_the_meeting_with_the_parents_costs_19_statements(leaver, key_person, django_assert_num_queries):
    write_report(leaver, key_person.user)
    task, by = the_task(leaver, "meeting"), _user(key_person)
    with django_assert_num_queries(19):  # then the consent gate reads the consent, and the next task
        complete_step(task, by, held_on=TODAY().isoformat(), notes="Shared the report")


def test_the_parents_consent_given_costs_19_statements(met, key_person, django_assert_num_queries):
    share_consent(met, key_person.user)
    task, by = the_task(met, "ask_consent"), _user(key_person)
    with django_assert_num_queries(19):
        complete_step(task, by, next="given")


def test_asking_again_later_costs_19_statements(met, key_person, django_assert_num_queries):
    task, by = the_task(met, "ask_consent"), _user(key_person)
    with django_assert_num_queries(19):
        complete_step(task, by, next="ask_again")


def test_no_records_costs_19_statements(met, key_person, django_assert_num_queries):
    task, by = the_task(met, "ask_consent"), _user(key_person)
    with django_assert_num_queries(19):
        complete_step(task, by, next="no_records")


def test_making_and_sending_the_pack_by_link_costs_19_statements(met, key_person, django_assert_num_queries):
    _consent(met, key_person.user)
    task, by = the_task(met, "pack"), _user(key_person)
    with django_assert_num_queries(19):
        complete_step(task, by, how="link")


def test_recording_the_receipt_costs_15_statements(met, key_person, django_assert_num_queries):
    _consent(met, key_person.user)
    complete(the_task(met, "pack"), key_person.user, how="by_hand")
    task, by = the_task(met, "receipt"), _user(key_person)
    with django_assert_num_queries(15):
        complete_step(task, by, received_on=TODAY().isoformat(), note="Phoned")


def test_giving_the_learning_record_costs_17_statements(met, key_person, django_assert_num_queries):
    complete(the_task(met, "ask_consent"), key_person.user, next="no_records")
    task, by = the_task(met, "learning_record"), _user(key_person)
    with django_assert_num_queries(17):  # and the process's end
        complete_step(task, by, given_on=TODAY().isoformat(), how="Tapestry export")


@pytest.mark.parametrize("how", ["by_hand", "email"])
def test_making_and_sending_the_pack_otherwise_costs_18_statements(met, key_person, how, django_assert_num_queries):
    _consent(met, key_person.user)
    task, by = the_task(met, "pack"), _user(key_person)
    with django_assert_num_queries(18):  # no link row
        complete_step(task, by, how=how)

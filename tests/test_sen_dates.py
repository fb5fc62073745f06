"""Every date a person enters in the SEN records is checked in the service against what it belongs to (issue 16):
not before the child's birth or the concern, not before the record it follows, not absurdly far ahead."""

from __future__ import annotations

import datetime as dt

import pytest

from processes import services
from processes.date_bounds import date_check
from processes.errors import RuleViolation
from processes.models import SenConcern, SenConversation, SenMeeting, SupportReview

from . import senkit as sk
from .flowkit import complete, the_task

pytestmark = pytest.mark.django_db


@pytest.fixture
def concern(allocated_child, guardian_link, key_person):
    return sk.raise_concern(allocated_child, key_person.user)


def test_a_concern_since_before_the_child_was_born_is_refused_and_says_why(allocated_child, guardian_link,
                                                                          key_person):
    with pytest.raises(RuleViolation, match="before .* was born") as refused:
        sk.raise_concern(allocated_child, key_person.user, since=dt.date(1990, 1, 1))
    assert refused.value.field == "since"
    assert not SenConcern.objects.exists()


def test_a_conversation_before_the_concern_began_or_the_birth_is_refused(concern, key_person):
    child = concern.child
    for day, why in [(concern.since - dt.timedelta(days=1), "the concern began"),
                     (child.date_of_birth - dt.timedelta(days=1), "was born")]:
        with pytest.raises(RuleViolation, match=why):
            services.sen_conversation_record(concern=concern, kind="parents_told", held_on=day, by=key_person.user)
    assert not SenConversation.objects.exists()


def test_a_meeting_in_the_future_or_before_the_concern_is_refused(concern, key_person):
    for day, why in [(sk.TODAY() + dt.timedelta(days=1), "future"), (dt.date(2001, 5, 1), "was born")]:
        with pytest.raises(RuleViolation, match=why):
            services.sen_meeting_record(concern=concern, held_on=day, attendees="Mum", outcome="o",
                                        agreed_actions="a", by=key_person.user)
    assert not SenMeeting.objects.exists()


def test_a_monitoring_date_absurdly_far_ahead_is_refused_through_the_step(concern, key_person, senco):
    child = concern.child
    sk.tell_parents(child, key_person.user)
    sk.answer_consent(child, senco.user)
    sk.observe(child, senco.user)
    with pytest.raises(RuleViolation, match="more than a year ahead: check the year"):
        sk.decide(child, senco.user, "monitor", review_on=dt.date(2999, 12, 31))
    assert sk.open_nodes(child) == ["decide"]


def test_a_plan_review_far_ahead_and_a_review_before_the_plan_began_are_refused(concern, key_person, senco):
    child = concern.child
    sk.tell_parents(child, key_person.user)
    sk.answer_consent(child, senco.user)
    sk.observe(child, senco.user)
    sk.decide(child, senco.user, "sen_support")
    sk.meet(child, key_person.user)
    with pytest.raises(RuleViolation, match="more than a year ahead"):
        complete(the_task(child, "plan"), key_person.user, targets="Words", review_on=dt.date(2999, 1, 1))
    sk.write_plan(child, key_person.user)
    task = the_task(child, "review")
    form = task.flow_task.form_class(task=task)
    progress = {name: "p" for name in form.fields if name.startswith("progress_")}
    with pytest.raises(RuleViolation, match="before the plan it reviews began"):
        complete(task, key_person.user, held_on=sk.TODAY() - dt.timedelta(days=1), parents_view="v",
                 outcome="continue", **progress)
    assert not SupportReview.objects.exists() and sk.open_nodes(child) == ["review"]


def test_a_referral_reply_is_not_before_the_referral_nor_ahead_but_an_appointment_may_be(
    concern, key_person, senco
):
    child = concern.child
    sk.tell_parents(child, key_person.user)
    sk.answer_consent(child, senco.user)
    sk.observe(child, senco.user)
    sk.decide(child, senco.user, "refer")
    sk.record_consent(child, key_person.user, "granted", purpose="share_professional", recipient=sk.REFER_TO)
    sk.meet(child, key_person.user)
    sk.refer(child, senco.user)
    referral = concern.referrals.get()
    for day, kind, why in [(sk.TODAY() - dt.timedelta(days=1), "reply", "the referral was sent"),
                           (sk.TODAY() + dt.timedelta(days=1), "reply", "future")]:
        with pytest.raises(RuleViolation, match=why):
            services.referral_update_record(referral=referral, kind=kind, on=day, notes="n", by=senco.user)
    booked = services.referral_update_record(referral=referral, kind="appointment", on=sk.TODAY()
                                             + dt.timedelta(weeks=3), notes="First assessment", by=senco.user)
    assert booked.pk and referral.updates.count() == 1


def test_the_date_bounds_say_which_bound_a_date_breaks():
    today = sk.TODAY()
    with pytest.raises(RuleViolation, match=r"The visit \(.*\) cannot be before the plan began") as refused:
        date_check(today - dt.timedelta(days=3), what="The visit", field="on", when="any",
                   not_before=[(today - dt.timedelta(days=1), "the plan began")])
    assert refused.value.field == "on"
    with pytest.raises(RuleViolation, match="must be after today"):
        date_check(today, what="The review", field="review_on", when="future")
    date_check(today, what="Today", field="on")  # a thing that happened today is fine

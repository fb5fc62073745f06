"""The progress check at two through the flow layer: opened, drafted, discussed, signed off, SENCO, shared."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.db import transaction
from django.utils import timezone
from pypdf import PdfReader

from processes import services
from processes.errors import RuleViolation
from processes.models import ConsentPurpose, SenConcern, TwoYearCheck, TwoYearCheckStatus
from processes.two_year_check_pdf import two_year_check_pdf
from workflows.starts import two_year_check_start

from .flowkit import complete, open_tasks, the_task
from .meetingkit import draft_check, settled_child, when

pytestmark = pytest.mark.django_db


@pytest.fixture
def child(setting, room, manager, key_person, other_key_person):
    return settled_child(setting, room, manager, key_person, other_key_person)


@pytest.fixture
def checking(child):
    two_year_check_start(child=child)
    return child


def _backdate(child):
    meeting = child.meetings.get(kind="two_year_check")
    type(meeting).objects.filter(pk=meeting.pk).update(starts_at=timezone.now() - dt.timedelta(hours=1))


def _to_meeting(child, by, **draft):
    draft_check(child, by, **draft)
    complete(the_task(child, "arrange_meeting"), by, starts_at=when(3), duration_minutes=30)
    _backdate(child)


def _met(child, by, **extra):
    data = {"held": "held", "parents_present": "on", "discussed": "The summary", "parents_view": "Agree"}
    complete(the_task(child, "meet"), by, **{**data, **extra})


def test_the_check_goes_from_draft_to_shared_with_the_parents_pdf(checking, key_person):
    by = key_person.user
    _to_meeting(checking, by)
    _met(checking, by, parents_view="She talks a lot more at home")
    complete(the_task(checking, "sign_off"), by, confirm="on")
    complete(the_task(checking, "share"), by, given_to_parents="on")
    check = TwoYearCheck.objects.get(child=checking)
    assert check.status == TwoYearCheckStatus.SHARED and check.shared_with_parents_at
    assert not check.shared_with_health_visitor_at
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(two_year_check_pdf(check))).pages)
    assert "Progress check at age two: Amelia Jones" in text
    assert "Uses two-word phrases" in text and "She talks a lot more at home" in text
    assert "How you can help at home" in text and "Read together at bedtime" in text


def test_the_health_visitor_gets_it_only_with_the_parents_consent(checking, key_person):
    by = key_person.user
    _to_meeting(checking, by)
    _met(checking, by)
    complete(the_task(checking, "sign_off"), by, confirm="on")
    check = TwoYearCheck.objects.get(child=checking)
    with pytest.raises(RuleViolation, match="consent .* is not in force"), transaction.atomic():
        services.two_year_check_share(check=check, by=by, health_visitor="Jo Bloggs, HV")
    check.refresh_from_db()
    assert check.status == TwoYearCheckStatus.SIGNED_OFF


def test_consent_recorded_at_the_meeting_lets_the_health_visitor_have_it(checking, key_person):
    by = key_person.user
    guardian = checking.guardian_links.first().guardian
    _to_meeting(checking, by)
    _met(checking, by, health_visitor_consent="granted", guardian=guardian.pk)
    assert services.consent_in_force(child=checking, purpose=ConsentPurpose.SHARE_HEALTH_VISITOR)
    complete(the_task(checking, "sign_off"), by, confirm="on")
    complete(the_task(checking, "share"), by, given_to_parents="on", health_visitor="Jo Bloggs, HV")
    check = TwoYearCheck.objects.get(child=checking)
    assert check.shared_with_health_visitor_at and check.health_visitor == "Jo Bloggs, HV"


def test_a_concern_goes_to_the_senco_who_starts_an_sen_concern_in_one_step(checking, key_person, senco,
                                                                         django_capture_on_commit_callbacks):
    by = key_person.user
    _to_meeting(checking, by, concern="on", concern_notes="Few words for her age")
    _met(checking, by)
    complete(the_task(checking, "sign_off"), by, confirm="on")
    task = the_task(checking, "senco_review")
    assert task.owner is None
    with django_capture_on_commit_callbacks(execute=True):
        complete(task, senco.user, start_sen_concern="on", notes="Observe next week")
    concern = SenConcern.objects.get(child=checking)
    assert "Few words for her age" in concern.observed
    assert the_task(checking, "share") and the_task(checking, "tell_parents")


def test_a_meeting_not_held_is_rearranged(checking, key_person):
    by = key_person.user
    _to_meeting(checking, by)
    complete(the_task(checking, "meet"), by, held="not_held", discussed="Mum was ill")
    complete(the_task(checking, "rearrange"), by, next="move", starts_at=when(5))
    assert the_task(checking, "meet") and not open_tasks(checking, "sign_off")


def test_a_late_check_needs_a_reason(checking, key_person):
    check = TwoYearCheck.objects.get(child=checking)
    TwoYearCheck.objects.filter(pk=check.pk).update(due_by=timezone.localdate() - dt.timedelta(days=1))
    from workflows.services import task_complete

    task = the_task(checking, "draft")
    with pytest.raises(RuleViolation, match="why it is late"):
        from .meetingkit import DRAFT

        task_complete(process_id=task.process_id, task_id=task.pk, by=key_person.user, data=DRAFT)
    draft_check(checking, key_person.user, delay_reason="Long absence over the winter")
    assert TwoYearCheck.objects.get(pk=check.pk).delay_reason == "Long absence over the winter"


def test_a_new_form_version_applies_to_checks_started_after_it(checking, manager, setting, room, key_person,
                                                              other_key_person):
    old = TwoYearCheck.objects.get(child=checking).template
    new = services.two_year_check_template_publish(by=manager.user, prompts={"home_help": "Ideas for home"})
    later = settled_child(setting, room, manager, key_person, other_key_person, first_name="Noah")
    two_year_check_start(child=later)
    assert TwoYearCheck.objects.get(child=checking).template == old
    assert TwoYearCheck.objects.get(child=later).template == new and new.version == old.version + 1
    form = the_task(later, "draft").flow_task.form_class(task=the_task(later, "draft"))
    assert form.fields["home_help"].label == "Ideas for home"


def test_a_child_under_two_has_no_check_yet(setting, room, manager, key_person, other_key_person):
    young = settled_child(setting, room, manager, key_person, other_key_person)
    type(young).objects.filter(pk=young.pk).update(date_of_birth=timezone.localdate() - dt.timedelta(days=400))
    young.refresh_from_db()
    with pytest.raises(RuleViolation, match="not two yet"):
        two_year_check_start(child=young)

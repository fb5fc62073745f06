"""Accidents and injuries: the record (EYFS 3.51), the parents' acknowledgement on the tablet or through a
one-time link, who may see them, and the pattern that gives the key person and the safeguarding lead a task,
once per pattern however often the sweep runs (seed 001)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from processes import services
from processes.errors import Conflict, NotPermitted, RuleViolation
from processes.models import AccidentAckLink, AccidentKind, AccidentRecord, AuditEvent, InjuryPattern
from workflows.models import InjuryPatternProcess, TaskRole

from .accidentkit import SIGNATURE, accident
from .factories import StaffFactory
from .flowkit import complete, complete_step, open_tasks


@pytest.fixture
def dsl(setting):
    return StaffFactory(setting=setting, is_dsl=True, is_key_person=False, user__username="dsl")


def test_an_accident_is_recorded_with_where_what_was_done_and_who_saw_it_and_audited(allocated_child, key_person):
    record = accident(allocated_child, key_person)

    assert (record.body_part, record.first_aid, record.witnesses) == ("Left knee", "Cold compress",
                                                                       "Sam (room leader)")
    assert AuditEvent.objects.filter(record_type="processes.AccidentRecord", record_id=str(record.pk),
                                     action="create").exists()


@pytest.mark.parametrize("change, field", [
    ({"hours_ago": -2}, "occurred_at"),
    ({"body_part": "  "}, "body_part"),
    ({"what_happened": ""}, "what_happened"),
    ({"first_aid": ""}, "first_aid"),
])
def test_an_incomplete_or_impossible_record_is_refused_and_nothing_is_kept(allocated_child, key_person, change,
                                                                           field):
    with pytest.raises(RuleViolation) as refused:
        accident(allocated_child, key_person, **change)
    assert refused.value.field == field
    assert not AccidentRecord.objects.exists()


def test_an_injury_seen_on_arrival_needs_no_first_aid(allocated_child, key_person):
    record = accident(allocated_child, key_person, kind=AccidentKind.ON_ARRIVAL, first_aid="")
    assert record.kind == AccidentKind.ON_ARRIVAL


def test_a_key_person_of_another_child_cannot_record_one(allocated_child, setting):
    stranger = StaffFactory(setting=setting)
    with pytest.raises(NotPermitted):
        accident(allocated_child, stranger)


def test_a_parent_signs_on_the_tablet_once(allocated_child, key_person):
    record = accident(allocated_child, key_person)
    services.accident_acknowledge(accident=record, by=key_person.user, name="Jo Jones", signature=SIGNATURE)
    record.refresh_from_db()
    assert record.acknowledged and record.acknowledged_by_name == "Jo Jones" and record.parents_told_at

    with pytest.raises(Conflict, match="Jo Jones already acknowledged"):
        services.accident_acknowledge(accident=record, by=key_person.user, name="Sam", signature=SIGNATURE)


def test_a_signature_as_large_as_a_real_drawing_is_kept(allocated_child, key_person):
    import base64

    from .accidentkit import PNG_1X1

    drawing = "data:image/png;base64," + base64.b64encode(PNG_1X1 + bytes(30_000)).decode()
    record = accident(allocated_child, key_person)
    services.accident_acknowledge(accident=record, by=key_person.user, name="Jo Jones", signature=drawing)
    record.refresh_from_db()
    assert record.signature == drawing


@pytest.mark.parametrize("signature", ["", "data:image/svg+xml;base64,PHN2Zz4=", "data:image/png;base64,%%%",
                                       "data:image/png;base64,aGVsbG8="])
def test_a_signature_that_is_not_a_drawn_png_is_refused(allocated_child, key_person, signature):
    record = accident(allocated_child, key_person)
    with pytest.raises(RuleViolation) as refused:
        services.accident_acknowledge(accident=record, by=key_person.user, name="Jo", signature=signature)
    assert refused.value.field == "signature"
    record.refresh_from_db()
    assert not record.acknowledged


def test_a_one_time_link_is_stored_hashed_works_once_and_expires(allocated_child, key_person):
    record = accident(allocated_child, key_person)
    token = services.accident_ack_link_create(accident=record, by=key_person.user)
    assert not AccidentAckLink.objects.filter(token_hash=token).exists()  # only the hash is kept

    services.accident_acknowledge_by_link(token=token, name="Jo Jones", signature=SIGNATURE)
    record.refresh_from_db()
    assert record.acknowledged_how == "link"
    with pytest.raises(RuleViolation, match="used or has expired"):
        services.accident_acknowledge_by_link(token=token, name="Jo Jones", signature=SIGNATURE)


def test_an_expired_or_replaced_link_does_nothing(allocated_child, key_person):
    record = accident(allocated_child, key_person)
    old = services.accident_ack_link_create(accident=record, by=key_person.user,
                                            now=timezone.now() - dt.timedelta(days=4))
    with pytest.raises(RuleViolation):
        services.accident_by_link(token=old)
    first = services.accident_ack_link_create(accident=record, by=key_person.user)
    services.accident_ack_link_create(accident=record, by=key_person.user)
    with pytest.raises(RuleViolation):
        services.accident_by_link(token=first)


def _pattern_of_three(child, key_person):
    for hours in (1, 24 * 7, 24 * 20):
        accident(child, key_person, hours_ago=hours)


def test_a_pattern_gives_the_key_person_and_the_safeguarding_lead_a_task_once(allocated_child, key_person, dsl,
                                                                             django_capture_on_commit_callbacks):
    _pattern_of_three(allocated_child, key_person)
    with django_capture_on_commit_callbacks(execute=True):
        first = services.injury_patterns_sweep()
    with django_capture_on_commit_callbacks(execute=True):
        again = services.injury_patterns_sweep()

    assert len(first) == 1 and again == []
    assert InjuryPattern.objects.count() == 1 and InjuryPatternProcess.objects.count() == 1
    tasks = {t.flow_task.name: t for t in open_tasks(allocated_child)}
    assert set(tasks) == {"key_person_look", "safeguarding_decision"}
    assert tasks["key_person_look"].owner == key_person.user
    assert tasks["safeguarding_decision"].inbox.role == TaskRole.DSL


def test_fewer_records_than_the_setting_asks_or_older_than_its_weeks_make_no_pattern(allocated_child, key_person,
                                                                                   setting):
    accident(allocated_child, key_person, hours_ago=1)
    accident(allocated_child, key_person, hours_ago=24 * 7 * 7)  # past the six weeks
    accident(allocated_child, key_person, hours_ago=2)
    assert services.injury_patterns_sweep() == []
    setting.injury_pattern_count = 2
    setting.save()
    assert len(services.injury_patterns_sweep()) == 1


def test_the_safeguarding_lead_decides_and_the_process_ends_when_both_have_looked(allocated_child, key_person, dsl,
                                                                                  django_capture_on_commit_callbacks):
    _pattern_of_three(allocated_child, key_person)
    with django_capture_on_commit_callbacks(execute=True):
        [pattern] = services.injury_patterns_sweep()
    tasks = {t.flow_task.name: t for t in open_tasks(allocated_child)}
    complete(tasks["key_person_look"], key_person.user, notes="Learning to walk; parents agree")
    from workflows import services as wf

    wf.task_claim(process_id=tasks["safeguarding_decision"].process_id, task_id=tasks["safeguarding_decision"].pk,
                  by=dsl.user)
    complete(tasks["safeguarding_decision"], dsl.user, outcome="monitor", notes="Watch for a month")

    pattern.refresh_from_db()
    assert (pattern.key_person_notes, pattern.dsl_outcome, pattern.dsl_by) == (
        "Learning to walk; parents agree", "monitor", dsl.user)
    assert InjuryPatternProcess.objects.get().status == "DONE"


def test_the_key_persons_look_costs_13_statements_and_the_leads_decision_15(allocated_child, key_person, dsl,
                                                                          django_capture_on_commit_callbacks,
                                                                          django_assert_num_queries):
    from django.contrib.auth import get_user_model

    from workflows import services as wf

    _pattern_of_three(allocated_child, key_person)
    with django_capture_on_commit_callbacks(execute=True):
        services.injury_patterns_sweep()
    tasks = {t.flow_task.name: t for t in open_tasks(allocated_child)}
    wf.task_claim(process_id=tasks["safeguarding_decision"].process_id, task_id=tasks["safeguarding_decision"].pk,
                  by=dsl.user)
    users = get_user_model().objects.select_related("staff")
    looker, lead = users.get(pk=key_person.user.pk), users.get(pk=dsl.user.pk)
    with django_assert_num_queries(15):  # 13, and the test's two savepoints
        complete_step(tasks["key_person_look"], looker, notes="Learning to walk")
    with django_assert_num_queries(17):  # 15, and the test's two savepoints
        complete_step(tasks["safeguarding_decision"], lead, outcome="no_concern", notes="Explained")

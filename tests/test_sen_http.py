"""The SEN workflow over HTTP, as the real roles: pages, the JSON API, who sees what."""

from __future__ import annotations

import pytest
from django.urls import reverse

from processes.models import AuditEvent, ConsentPurpose, SenObservation
from workflows.models import InboxEntry

from . import senkit as sk
from .factories import ChildFactory, RoomFactory, SettingFactory, StaffFactory
from .flowkit import open_tasks, the_task

pytestmark = pytest.mark.django_db


def _api(task, action=""):
    name = {"": "api-task-detail", "claim": "api-task-claim", "complete": "api-task-complete"}[action]
    return reverse(name, args=[task.process_id, task.pk])


@pytest.fixture
def concern(allocated_child, guardian_link, key_person):
    return sk.raise_concern(allocated_child, key_person.user)


@pytest.fixture
def other_room_key_person(setting, manager):
    """A key person of another child in another room of the same setting."""
    other_room = RoomFactory(setting=setting, name="Pre-school", min_age_months=36, max_age_months=60)
    staff = StaffFactory(setting=setting)
    from processes import services
    from processes.models import AssignmentRole

    services.key_person_assign(child=ChildFactory(setting=setting, room=other_room), staff=staff,
                               role=AssignmentRole.PRIMARY, by=manager.user)
    return staff


def test_a_key_person_raises_a_concern_from_the_page_and_finds_the_next_step_in_their_inbox(
    client, allocated_child, guardian_link, key_person
):
    client.force_login(key_person.user)
    url = reverse("sen-concern-new", args=[allocated_child.pk])
    assert client.get(url).status_code == 200
    bad = client.post(url, {"observed": "x", "since": "2020-01-01"})
    assert bad.status_code == 400 and b"This field is required" in bad.content
    response = client.post(url, {"areas": ["communication", "psed"], "observed": "Few words", "since": "2026-09-01"})
    assert response.status_code == 302
    inbox = client.get(reverse("inbox")).content.decode()
    assert "Tell the parents about your concern" in inbox


@pytest.mark.parametrize("who,status", [
    ("key_person", 200), ("other_key_person", 200), ("senco", 200), ("manager", 200),
    ("other_room_key_person", 404), ("dsl", 404), ("other_setting_manager", 404),
])
def test_only_the_key_persons_the_senco_and_the_manager_see_the_sen_record(
    client, concern, request, who, status, setting
):
    if who == "dsl":
        staff = StaffFactory(setting=setting, is_dsl=True, is_key_person=False)
    elif who == "other_setting_manager":
        staff = StaffFactory(setting=SettingFactory(), manager=True)
    else:
        staff = request.getfixturevalue(who)
    client.force_login(staff.user)
    child = concern.child
    assert client.get(reverse("sen-record", args=[child.pk])).status_code == status
    assert client.get(reverse("api-sen-concerns", args=[child.pk])).status_code == status
    task = the_task(child, "tell_parents")
    assert client.get(reverse("task-detail", args=[task.process_id, task.pk])).status_code == status
    assert client.get(_api(task)).status_code == status
    timeline = client.get(reverse("child-timeline", args=[child.pk]))
    if timeline.status_code == 200:
        assert ("Tell the parents about your concern" in timeline.content.decode()) == (status == 200)


def test_reading_the_sen_record_is_audited(client, concern, senco):
    client.force_login(senco.user)
    client.get(reverse("sen-record", args=[concern.child_id]))
    assert AuditEvent.objects.filter(actor=senco.user, action="read", summary__contains="SEN record").exists()


def test_the_sen_record_page_runs_a_fixed_number_of_queries(client, concern, senco, key_person,
                                                            django_assert_num_queries):
    child = concern.child
    client.force_login(senco.user)
    url = reverse("sen-record", args=[child.pk])
    sk.tell_parents(child, key_person.user)
    sk.answer_consent(child, senco.user)
    sk.observe(child, senco.user)
    sk.decide(child, senco.user, "sen_support")
    sk.meet(child, key_person.user)
    sk.write_plan(child, key_person.user, targets="a | b")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(url)
    sk.review(child, key_person.user, "continue")
    sk.write_plan(child, key_person.user, targets="a | b\nc | d\ne")
    sk.review(child, key_person.user, "continue")
    sk.write_plan(child, key_person.user, targets="f")
    with django_assert_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


def test_the_whole_observation_path_runs_through_the_json_api(client, concern, key_person, senco):
    child = concern.child
    client.force_login(key_person.user)
    task = the_task(child, "tell_parents")
    done = client.post(_api(task, "complete"), {"held_on": str(sk.TODAY()), "with_whom": "Mum",
                                                "parents_view": "Agree"}, content_type="application/json")
    assert done.status_code == 200, done.json()

    client.force_login(senco.user)
    task = the_task(child, "ask_consent")
    detail = client.get(_api(task)).json()
    assert detail["context"]["Areas of concern"] == "Communication and language"
    guardian = detail["form"]["guardian"]["choices"][0][0]
    done = client.post(_api(task, "complete"), {"guardian": guardian, "decision": "granted", "method": "email"},
                       content_type="application/json")
    assert done.status_code == 200, done.json()

    task = the_task(child, "observe")
    assert client.post(_api(task, "complete"), {"next": "decide"}, content_type="application/json").json()[
        "errors"]["observed_on"]
    # The parents withdraw before the SENCO records the observation: the API refuses with the reason.
    withdraw = client.post(reverse("api-consents", args=[child.pk]), {
        "guardian": guardian, "purpose": ConsentPurpose.SENCO_OBSERVATION, "status": "withdrawn",
        "method": "phone"}, content_type="application/json")
    assert withdraw.status_code == 201
    refused = client.post(_api(task, "complete"), {"observed_on": str(sk.TODAY()), "notes": "x", "next": "decide"},
                          content_type="application/json")
    assert refused.status_code == 409 and "withdrawn consent" in refused.json()["detail"]
    assert not SenObservation.objects.exists() and open_tasks(child) == []

    granted = client.post(reverse("api-consents", args=[child.pk]), {
        "guardian": guardian, "purpose": ConsentPurpose.SENCO_OBSERVATION, "status": "granted",
        "method": "signed_form"}, content_type="application/json")
    assert granted.status_code == 201
    task = the_task(child, "observe")
    done = client.post(_api(task, "complete"), {"observed_on": str(sk.TODAY()), "notes": "Names 3 objects",
                                                "next": "decide"}, content_type="application/json")
    assert done.status_code == 200
    task = the_task(child, "decide")
    done = client.post(_api(task, "complete"), {"next": "refer", "reasons": "Delay", "refer_to": sk.REFER_TO},
                       content_type="application/json")
    assert done.status_code == 200


def test_the_api_refuses_a_referral_step_when_consent_to_share_is_withdrawn(client, concern, key_person, senco):
    child = concern.child
    sk.tell_parents(child, key_person.user)
    sk.answer_consent(child, senco.user)
    sk.observe(child, senco.user)
    sk.decide(child, senco.user, "refer")
    sk.record_consent(child, key_person.user, "granted", purpose=ConsentPurpose.SHARE_PROFESSIONAL,
                      recipient=sk.REFER_TO)
    sk.meet(child, key_person.user)
    task = the_task(child, "refer")
    sk.record_consent(child, key_person.user, "withdrawn", purpose=ConsentPurpose.SHARE_PROFESSIONAL,
                      recipient=sk.REFER_TO)
    client.force_login(senco.user)
    refused = client.post(_api(task, "complete"), {"sent_on": str(sk.TODAY()), "what_was_sent": "x",
                                                   "next": "sent"}, content_type="application/json")
    assert refused.status_code == 409
    assert not child.sen_concerns.get().referrals.exists()


def test_a_withdrawal_typed_in_other_capitals_stops_the_referral_and_a_new_grant_resumes_it(
        client, concern, key_person, senco, guardian_link):
    """Issue 15: SQL UPPER found the grant, Python's casefold said "another recipient" (Turkish dotless i), so
    the withdrawal was recorded (201) while the referral task stayed open, never to be completed or resumed."""
    child, granted_as = concern.child, "dr ayşe kılıç, educational psychologist"
    sk.tell_parents(child, key_person.user)
    sk.answer_consent(child, senco.user)
    sk.observe(child, senco.user)
    sk.record_consent(child, key_person.user, "granted", purpose=ConsentPurpose.SHARE_PROFESSIONAL,
                      recipient=granted_as)
    sk.decide(child, senco.user, "refer", refer_to="DR AYŞE KILIÇ, EDUCATIONAL PSYCHOLOGIST")
    sk.meet(child, key_person.user)
    task = the_task(child, "refer")
    client.force_login(key_person.user)
    consent = {"guardian": guardian_link.guardian.pk, "purpose": "share_professional", "method": "email",
               "recipient": "Dr Ayşe Kılıç,  Educational Psychologist"}
    withdrawn = client.post(reverse("api-consents", args=[child.pk]), {**consent, "status": "withdrawn"},
                            content_type="application/json")
    assert withdrawn.status_code == 201 and withdrawn.json()["recipient"] == granted_as
    task.refresh_from_db()
    assert task.status == "CANCELED" and open_tasks(child) == []
    regranted = client.post(reverse("api-consents", args=[child.pk]), {**consent, "status": "granted"},
                            content_type="application/json")
    assert regranted.status_code == 201
    sk.refer(child, senco.user)
    assert child.sen_concerns.get().referrals.count() == 1


def test_a_key_person_cannot_complete_the_sencos_observation_over_the_api(client, concern, key_person, senco):
    child = concern.child
    sk.tell_parents(child, key_person.user)
    sk.answer_consent(child, senco.user)
    task = the_task(child, "observe")
    client.force_login(key_person.user)
    response = client.post(_api(task, "complete"), {"observed_on": str(sk.TODAY()), "notes": "x", "next": "decide"},
                           content_type="application/json")
    assert response.status_code in (403, 404)
    assert InboxEntry.objects.get(task=task).task.status == "NEW"


def test_raising_a_concern_over_the_api_validates_and_refuses_a_second(client, allocated_child, guardian_link,
                                                                      key_person):
    client.force_login(key_person.user)
    url = reverse("api-sen-concerns", args=[allocated_child.pk])
    assert client.post(url, {"areas": ["juggling"], "observed": "x", "since": "2026-01-01"},
                       content_type="application/json").status_code == 400
    ok = client.post(url, {"areas": ["physical"], "observed": "Falls often", "since": "2026-01-01"},
                     content_type="application/json")
    assert ok.status_code == 201
    again = client.post(url, {"areas": ["physical"], "observed": "Falls often", "since": "2026-01-01"},
                        content_type="application/json")
    assert again.status_code == 409


def test_the_sencos_inbox_lists_approvals_first_oldest_first(client, setting, room, manager, key_person, senco):
    from processes import services
    from processes.models import AssignmentRole

    from .factories import ChildGuardianFactory

    def child_at(name, *steps):
        child = ChildFactory(setting=setting, room=room, first_name=name)
        ChildGuardianFactory(child=child)
        services.key_person_assign(child=child, staff=key_person, role=AssignmentRole.PRIMARY, by=manager.user)
        sk.raise_concern(child, key_person.user)
        for step in steps:
            step(child)
        return child

    told = lambda c: sk.tell_parents(c, key_person.user)  # noqa: E731
    consented = lambda c: sk.answer_consent(c, senco.user)  # noqa: E731
    child_at("Waiting", told)  # a consent to record: not an approval
    older = child_at("Older", told, consented)
    newer = child_at("Newer", told, consented)
    from workflows.models import InboxEntry

    # The newer observation landed a day later.
    InboxEntry.objects.filter(task=the_task(newer, "observe")).update(
        due_at=the_task(older, "observe").inbox.due_at + __import__("datetime").timedelta(days=1))
    client.force_login(senco.user)
    rows = client.get(reverse("api-task-list")).json()["results"]
    assert [(r["child"].split()[0], r["title"]) for r in rows] == [
        ("Older", "Observe the child (SENCO)"), ("Newer", "Observe the child (SENCO)"),
        ("Waiting", "Record the parents' consent to your observation"),
    ]

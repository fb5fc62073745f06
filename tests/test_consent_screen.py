"""The consent screen on a child's record: decisions with their history, a new decision, and a withdrawal
confirmed after seeing the open steps it stops. Over HTTP, for each role, through the consent service."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from processes.models import (
    AuditEvent,
    Consent,
    ConsentMethod,
    ConsentPurpose,
    ConsentStatus,
)
from processes.services.consent import consent_in_force

from . import senkit as sk
from .factories import ChildFactory, ChildGuardianFactory, SettingFactory, StaffFactory
from .flowkit import open_tasks

pytestmark = pytest.mark.django_db


def page(child):
    return reverse("child-consents", args=[child.pk])


def withdraw_url(consent):
    return reverse("consent-withdraw", args=[consent.child_id, consent.pk])


def decision(guardian, **extra):
    return {"purpose": ConsentPurpose.PHOTOGRAPHS, "status": ConsentStatus.GRANTED, "guardian": guardian.pk,
            "method": ConsentMethod.SIGNED_FORM, "given_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "notes": "Form in the office file", "recipient": "", **extra}


@pytest.fixture
def observing(allocated_child, guardian_link, key_person, senco):
    """A concern raised, the parents told, consent to observe granted: the SENCO's observation is open."""
    sk.raise_concern(allocated_child, key_person.user)
    sk.tell_parents(allocated_child, key_person.user)
    sk.answer_consent(allocated_child, senco.user)
    return allocated_child


@pytest.mark.parametrize("who", ["manager", "senco", "key_person", "other_key_person"])
def test_the_childs_key_persons_the_senco_and_the_manager_see_the_consents_and_their_history(
    client, request, observing, who
):
    client.force_login(request.getfixturevalue(who).user)
    response = client.get(page(observing))
    assert response.status_code == 200
    html = response.content.decode()
    guardian = sk.guardian_of(observing)
    assert "SENCO observation" in html and "Granted" in html and guardian.name in html
    assert "signed form" in html  # how it was evidenced
    assert "Not asked" in html  # the purposes nobody asked about yet, said so
    assert AuditEvent.objects.filter(action="read", child_id=observing.pk, summary__contains="consents").exists()


def test_someone_elses_child_is_a_404_and_the_attempt_is_audited(client, setting, room, allocated_child):
    stranger = StaffFactory(setting=setting, room=room)  # a key person, but not this child's
    client.force_login(stranger.user)
    assert client.get(page(allocated_child)).status_code == 404
    assert client.post(page(allocated_child), {}).status_code == 404
    assert AuditEvent.objects.filter(outcome="not_found", actor=stranger.user).exists()


def test_another_settings_manager_gets_a_404(client, allocated_child, guardian_link):
    other = StaffFactory(setting=SettingFactory(), manager=True)
    client.force_login(other.user)
    assert client.get(page(allocated_child)).status_code == 404
    grant = sk.record_consent(allocated_child, allocated_child.setting.staff.filter(is_manager=True).first().user,
                              "granted", purpose=ConsentPurpose.PHOTOGRAPHS)
    assert client.get(withdraw_url(grant)).status_code == 404
    assert client.post(withdraw_url(grant), {}).status_code == 404
    assert consent_in_force(child=allocated_child, purpose=ConsentPurpose.PHOTOGRAPHS) == grant


def test_the_senco_records_a_decision_through_the_service(client, senco, allocated_child, guardian_link):
    client.force_login(senco.user)
    response = client.post(page(allocated_child), decision(guardian_link.guardian))
    assert response.status_code == 302
    consent = Consent.objects.get(child=allocated_child)
    assert (consent.status, consent.recorded_by, consent.notes) == ("granted", senco.user, "Form in the office file")
    assert AuditEvent.objects.filter(action="consent_granted", record_id=str(consent.pk)).exists()


def test_a_sharing_decision_without_a_named_recipient_is_refused_on_its_field(
    client, manager, allocated_child, guardian_link
):
    client.force_login(manager.user)
    response = client.post(page(allocated_child),
                           decision(guardian_link.guardian, purpose=ConsentPurpose.SHARE_PROFESSIONAL))
    assert response.status_code == 400
    assert "Name the professional" in response.content.decode()
    assert not Consent.objects.exists()


def test_only_a_parent_with_parental_responsibility_can_be_chosen(client, manager, allocated_child):
    without = ChildGuardianFactory(child=allocated_child, has_parental_responsibility=False)
    client.force_login(manager.user)
    response = client.post(page(allocated_child), decision(without.guardian))
    assert response.status_code == 400
    assert not Consent.objects.exists()
    assert response.context["has_guardians"] is False
    assert "No parent or carer with parental responsibility" in client.get(page(allocated_child)).content.decode()


def test_a_decision_dated_in_the_future_is_refused_and_nothing_is_written(client, manager, allocated_child,
                                                                          guardian_link):
    client.force_login(manager.user)
    later = (timezone.localtime() + timezone.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(page(allocated_child), decision(guardian_link.guardian, given_at=later))
    assert response.status_code == 400 and "future" in response.content.decode()
    assert not Consent.objects.exists()


def test_declining_a_consent_in_force_is_sent_to_the_withdrawal_which_shows_what_it_stops(
    client, manager, observing
):
    client.force_login(manager.user)
    before = Consent.objects.count()
    response = client.post(page(observing), decision(sk.guardian_of(observing),
                                                     purpose=ConsentPurpose.SENCO_OBSERVATION, status="declined"))
    assert response.status_code == 400 and "Withdraw" in response.content.decode()
    assert Consent.objects.count() == before
    assert [t.flow_task.name for t in open_tasks(observing)] == ["observe"]


def test_the_withdrawal_page_lists_the_steps_it_stops_before_anything_changes(client, manager, observing):
    grant = consent_in_force(child=observing, purpose=ConsentPurpose.SENCO_OBSERVATION)
    client.force_login(manager.user)
    response = client.get(withdraw_url(grant))
    assert response.status_code == 200
    steps = response.context["steps"]
    assert [s.title for s in steps] == [open_tasks(observing)[0].title]
    assert steps[0].process == "SEN concern" or "SEN" in steps[0].process
    assert steps[0].title in response.content.decode()
    assert consent_in_force(child=observing, purpose=ConsentPurpose.SENCO_OBSERVATION) == grant  # nothing yet


def test_confirming_the_withdrawal_records_it_and_cancels_the_steps_it_listed(client, senco, observing):
    grant = consent_in_force(child=observing, purpose=ConsentPurpose.SENCO_OBSERVATION)
    observe = open_tasks(observing)[0]
    client.force_login(senco.user)
    form = client.get(withdraw_url(grant)).context["form"]
    response = client.post(withdraw_url(grant), {
        "guardian": sk.guardian_of(observing).pk, "method": ConsentMethod.PHONE, "notes": "Mum rang",
        "given_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"), "stops": form.initial["stops"],
    })
    assert response.status_code == 302
    assert consent_in_force(child=observing, purpose=ConsentPurpose.SENCO_OBSERVATION) is None
    observe.refresh_from_db()
    assert observe.status == "CANCELED" and open_tasks(observing) == []
    latest = Consent.objects.filter(child=observing).order_by("-pk").first()
    assert (latest.status, latest.method, latest.recorded_by) == ("withdrawn", "phone", senco.user)


def test_a_withdrawal_confirmed_against_an_outdated_list_is_shown_again_and_changes_nothing(
    client, manager, observing
):
    grant = consent_in_force(child=observing, purpose=ConsentPurpose.SENCO_OBSERVATION)
    client.force_login(manager.user)
    response = client.post(withdraw_url(grant), {
        "guardian": sk.guardian_of(observing).pk, "method": ConsentMethod.PHONE,
        "given_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"), "stops": "what the page said an hour ago",
    })
    assert response.status_code == 409
    assert "has changed since you opened the page" in response.content.decode()
    assert consent_in_force(child=observing, purpose=ConsentPurpose.SENCO_OBSERVATION) == grant
    assert [t.flow_task.name for t in open_tasks(observing)] == ["observe"]


def test_withdrawing_what_is_no_longer_in_force_says_so_and_writes_nothing(client, manager, observing):
    grant = consent_in_force(child=observing, purpose=ConsentPurpose.SENCO_OBSERVATION)
    sk.record_consent(observing, manager.user, "withdrawn")  # in another tab, a moment ago
    count = Consent.objects.count()
    client.force_login(manager.user)
    response = client.post(withdraw_url(grant), {"guardian": sk.guardian_of(observing).pk, "method": "phone",
                                                  "given_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")})
    assert response.status_code == 302
    assert Consent.objects.count() == count
    assert "no longer in force" in client.get(response.url).content.decode()


def test_a_withdrawal_with_nothing_open_says_nothing_will_be_cancelled(client, manager, allocated_child,
                                                                       guardian_link):
    grant = sk.record_consent(allocated_child, manager.user, "granted", purpose=ConsentPurpose.PHOTOGRAPHS)
    client.force_login(manager.user)
    response = client.get(withdraw_url(grant))
    assert response.context["steps"] == []
    assert "nothing will be cancelled" in response.content.decode()


def test_one_recipient_spelt_two_ways_is_one_thread(client, manager, allocated_child, guardian_link):
    share = ConsentPurpose.SHARE_PROFESSIONAL
    sk.record_consent(allocated_child, manager.user, "granted", purpose=share, recipient="Speech and Language Therapy")
    sk.record_consent(allocated_child, manager.user, "withdrawn", purpose=share,
                      recipient="speech  and language therapy")
    client.force_login(manager.user)
    threads = [t for t in client.get(page(allocated_child)).context["threads"] if t.purpose == share]
    assert len(threads) == 1 and [c.status for c in threads[0].decisions] == ["withdrawn", "granted"]
    assert not threads[0].in_force


@pytest.mark.parametrize("decisions", [1, 8])
def test_the_consent_screen_runs_a_fixed_number_of_queries(client, manager, allocated_child, guardian_link,
                                                          decisions, django_assert_num_queries):
    for n in range(decisions):
        sk.record_consent(allocated_child, manager.user, "granted" if n % 2 == 0 else "withdrawn",
                          purpose=ConsentPurpose.PHOTOGRAPHS)
        sk.record_consent(allocated_child, manager.user, "declined", purpose=ConsentPurpose.SHARE_SCHOOL)
    ChildFactory(setting=allocated_child.setting)  # another child's records are not read
    client.force_login(manager.user)
    with django_assert_num_queries(CONSENT_SCREEN_QUERIES):
        assert client.get(page(allocated_child)).status_code == 200


# Session, user, staff; the child; the read's audit row; the decisions with their parents and recorders; whether
# anyone may decide; the parents for the form; the session saved again (savepoint, update, release).
CONSENT_SCREEN_QUERIES = 11


def test_the_withdrawal_page_runs_a_fixed_number_of_queries(client, manager, observing, django_assert_num_queries):
    grant = consent_in_force(child=observing, purpose=ConsentPurpose.SENCO_OBSERVATION)
    client.force_login(manager.user)
    with django_assert_num_queries(WITHDRAWAL_PAGE_QUERIES):
        assert client.get(withdraw_url(grant)).status_code == 200


# Session, user, staff; the child; the grant with its parent; the consent in force; the child's open processes;
# their open tasks with owners and inbox rows; each open SEN process with its facts (SenProcess, one query for
# all of them); the parents for the form; the session saved again (3).
WITHDRAWAL_PAGE_QUERIES = 13


def test_the_withdrawal_page_costs_the_same_with_more_open_processes(client, manager, observing,
                                                                    django_assert_num_queries):
    from workflows.base import process_start
    from workflows.introduction import IntroductionFlow

    process_start(flow_class=IntroductionFlow, child=observing)  # a second open process, with its own tasks
    grant = consent_in_force(child=observing, purpose=ConsentPurpose.SENCO_OBSERVATION)
    client.force_login(manager.user)
    with django_assert_num_queries(WITHDRAWAL_PAGE_QUERIES):
        response = client.get(withdraw_url(grant))
    assert [s.title for s in response.context["steps"]] == ["Observe the child (SENCO)"]


def test_the_dsl_sees_that_a_withdrawal_stops_an_sen_step_without_its_name(client, setting, observing):
    dsl = StaffFactory(setting=setting, is_dsl=True, is_key_person=False)  # sees the record, not the SEN record
    grant = consent_in_force(child=observing, purpose=ConsentPurpose.SENCO_OBSERVATION)
    client.force_login(dsl.user)
    response = client.get(withdraw_url(grant))
    assert [s.title for s in response.context["steps"]] == ["A step of the SEN record"]
    assert open_tasks(observing)[0].title not in response.content.decode()

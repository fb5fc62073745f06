"""The admin's pages of the SEN records over HTTP: the manager reads their own setting's, never another's,
and no page answers 500, not even for an id that does not exist (issue 16)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from processes.models import (
    AuditEvent,
    ConsentPurpose,
    EhcRequest,
    Referral,
    SencoDecision,
    SenConversation,
    SenMeeting,
    SenObservation,
    SupportPlan,
    SupportReview,
    SupportTarget,
    TargetProgress,
)

from . import senkit as sk
from .factories import ChildGuardianFactory, RoomFactory, SettingFactory, StaffFactory
from .flowkit import complete, the_task

# The records hanging off a concern (or off its plan, review or referral), which reach their setting only
# through them.
SEN_RECORDS = (SenObservation, SencoDecision, SenConversation, SenMeeting, Referral, EhcRequest, SupportPlan,
               SupportReview, SupportTarget, TargetProgress)
PAGES = ("change", "history", "delete")
NO_SUCH_ID = 987654


def page(model, view: str, pk) -> str:
    return reverse(f"admin:processes_{model._meta.model_name}_{view}", args=[pk])


def assert_not_found_or_refused(response, view: str) -> None:
    """Not found (back to the admin's index) for a record one may not see; nobody deletes an SEN record, so
    the delete page refuses whether or not the record is there."""
    if view == "delete":
        assert response.status_code == 403
    else:
        assert response.status_code == 302 and response.url == reverse("admin:index"), view


def every_sen_record(child, key_person, senco) -> None:
    """One child through the SEN flow's referral and support branches to an EHC needs assessment request."""
    sk.raise_concern(child, key_person.user)
    sk.tell_parents(child, key_person.user)
    sk.answer_consent(child, senco.user)
    sk.observe(child, senco.user)
    sk.decide(child, senco.user, "refer")
    sk.record_consent(child, key_person.user, "granted", purpose=ConsentPurpose.SHARE_PROFESSIONAL,
                      recipient=sk.REFER_TO)
    sk.meet(child, key_person.user)
    sk.refer(child, senco.user)
    sk.track(child, senco.user, concluded=True)
    sk.write_plan(child, key_person.user)
    sk.review(child, key_person.user, "request_ehc")
    complete(the_task(child, "ehc_request"), senco.user, requested_on=sk.TODAY(),
             local_authority="Northshire County Council")


@pytest.fixture
def sen_records(allocated_child, guardian_link, key_person, senco):
    every_sen_record(allocated_child, key_person, senco)
    records = {model: model.objects.get() if model is not SenConversation else model.objects.first()
               for model in SEN_RECORDS}
    assert all(records.values())
    return records


@pytest.mark.parametrize("view", PAGES)
@pytest.mark.parametrize("model", SEN_RECORDS, ids=lambda m: m.__name__)
def test_an_sen_record_page_that_does_not_exist_is_not_found_for_the_manager(manager_admin_client, db, model, view):
    response = manager_admin_client.get(page(model, view, NO_SUCH_ID))

    assert_not_found_or_refused(response, view)


@pytest.mark.parametrize("model", SEN_RECORDS, ids=lambda m: m.__name__)
def test_the_manager_reads_their_settings_sen_records_and_the_read_is_audited(manager_admin_client, sen_records,
                                                                              manager, model):
    record = sen_records[model]

    assert manager_admin_client.get(page(model, "change", record.pk)).status_code == 200
    assert manager_admin_client.get(page(model, "history", record.pk)).status_code == 200
    assert manager_admin_client.get(reverse(f"admin:processes_{model._meta.model_name}_changelist")).status_code == 200
    read = AuditEvent.objects.get(action="read", record_type=model._meta.label, record_id=str(record.pk))
    assert read.setting_id == manager.setting_id


@pytest.mark.parametrize("model", SEN_RECORDS, ids=lambda m: m.__name__)
def test_an_sen_record_cannot_be_changed_or_deleted_in_the_admin(manager_admin_client, sen_records, model):
    record = sen_records[model]

    assert manager_admin_client.get(page(model, "delete", record.pk)).status_code == 403
    assert manager_admin_client.post(page(model, "delete", record.pk), {"post": "yes"}).status_code == 403
    assert model.objects.filter(pk=record.pk).exists()


@pytest.mark.parametrize("model", SEN_RECORDS, ids=lambda m: m.__name__)
def test_another_settings_manager_finds_none_of_the_sen_records(client, sen_records, model):
    elsewhere = SettingFactory(name="Busy Bees")
    stranger = StaffFactory(setting=elsewhere, manager=True, user__username="bees-manager", user__is_staff=True)
    ChildGuardianFactory(child__setting=elsewhere, child__room=RoomFactory(setting=elsewhere))
    client.force_login(stranger.user)
    record = sen_records[model]

    for view in PAGES:
        assert_not_found_or_refused(client.get(page(model, view, record.pk)), view)
    listed = client.get(reverse(f"admin:processes_{model._meta.model_name}_changelist"))
    assert listed.status_code == 200 and list(listed.context["cl"].result_list) == []

"""Leaving for school or another setting (issue 18 part 3) through the flow layer: the steps, consent, the
records pack read back as text, the download link, and the leaving date."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.core import mail
from django.utils import timezone
from pypdf import PdfReader

from processes import services
from processes.errors import RuleViolation
from processes.models import AuditEvent, Child, LeavingPlan, PackLink, RecordsPack, RecordsPassedOn
from processes.retention import retain_until
from workflows.models import LeavingProcess

from .flowkit import complete, open_tasks, the_task
from .leavingkit import (
    SCHOOL,
    meet_parents,
    plan_leaving,
    settled,
    share_consent,
    started_a_year_ago,
    write_report,
)


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(bytes(data))).pages)


def to_the_school():
    return [m for m in mail.outbox if m.to == ["reception@oakbridge.example"]]




def test_recording_a_leaving_date_prepares_the_child_and_gives_the_key_person_the_report(leaver, key_person):
    assert leaver.state == "leaving"
    assert leaver.destination_school == SCHOOL
    task = the_task(leaver, "report")
    assert task.owner_id == key_person.user.pk
    assert LeavingProcess.objects.get(child=leaver).plan.contact_name == "Mrs Patel"


def test_with_consent_the_pack_goes_by_e_mail_and_reads_back_as_text(met, key_person,
                                                                     django_capture_on_commit_callbacks):
    share_consent(met, key_person.user)
    complete(the_task(met, "ask_consent"), key_person.user, next="given")
    with django_capture_on_commit_callbacks(execute=True):
        complete(the_task(met, "pack"), key_person.user, how="email")
    pack = RecordsPack.objects.get(plan__child=met)
    text = pdf_text(pack.pdf)
    assert "Transition report" in text and "Dinosaurs and trains" in text and "Counts to twenty" in text
    assert "I want to see the big playground" in text and SCHOOL in text
    (message,) = to_the_school()
    assert message.to == ["reception@oakbridge.example"]
    assert "Dinosaurs and trains" in pdf_text(message.attachments[0][1])
    complete(the_task(met, "receipt"), key_person.user, received_on=timezone.localdate().isoformat(),
             note="Phoned to say it arrived")
    complete(the_task(met, "learning_record"), key_person.user, given_on=timezone.localdate().isoformat(),
             how="Tapestry export e-mailed")
    plan = LeavingPlan.objects.get(child=met)
    assert plan.learning_record_given_on == timezone.localdate()
    assert open_tasks(met) == []
    assert RecordsPack.objects.get(pk=pack.pk).received_on == timezone.localdate()


def test_consent_already_in_force_skips_the_question(leaver, key_person):
    share_consent(leaver, key_person.user)
    write_report(leaver, key_person.user)
    meet_parents(leaver, key_person.user)
    assert the_task(leaver, "pack") and not open_tasks(leaver, "ask_consent")


def test_consent_not_yet_recorded_cannot_be_claimed_on_the_step(met, key_person):
    from workflows.services import FormInvalid

    with pytest.raises(FormInvalid, match="not recorded yet"):
        complete(the_task(met, "ask_consent"), key_person.user, next="given")
    assert the_task(met, "ask_consent") and not RecordsPack.objects.exists()


def test_without_consent_no_pack_is_made_and_the_step_says_so(met, key_person):
    share_consent(met, key_person.user, status="declined")
    task = the_task(met, "ask_consent")
    complete(task, key_person.user, next="no_records")
    assert not RecordsPack.objects.exists()
    assert "declined" in LeavingPlan.objects.get(child=met).no_pack_reason
    assert the_task(met, "learning_record")
    with pytest.raises(RuleViolation, match="consent"):
        services.records_pack_make(plan=LeavingPlan.objects.get(child=met), by=key_person.user)
    assert not RecordsPack.objects.exists()


def test_declined_parents_can_be_asked_again(met, key_person):
    complete(the_task(met, "ask_consent"), key_person.user, next="ask_again")
    task = the_task(met, "ask_consent")
    share_consent(met, key_person.user)
    complete(task, key_person.user, next="given")
    assert the_task(met, "pack")


def test_a_consent_withdrawn_while_the_pack_waits_stops_the_step_until_given_again(met, key_person):
    share_consent(met, key_person.user)
    complete(the_task(met, "ask_consent"), key_person.user, next="given")
    task = the_task(met, "pack")
    share_consent(met, key_person.user, status="withdrawn")
    task.refresh_from_db()
    assert task.status == "CANCELED" and not open_tasks(met, "pack")
    share_consent(met, key_person.user)
    assert the_task(met, "pack")


def test_consent_for_another_school_does_not_count(met, key_person):
    share_consent(met, key_person.user, recipient="St Mary's Infants")
    assert the_task(met, "ask_consent")
    with pytest.raises(RuleViolation, match="not in force"):
        services.records_pack_make(plan=LeavingPlan.objects.get(child=met), by=key_person.user)


def _link(met, key_person, django_capture_on_commit_callbacks):
    share_consent(met, key_person.user)
    with django_capture_on_commit_callbacks(execute=True):
        complete(the_task(met, "ask_consent"), key_person.user, next="given")
        complete(the_task(met, "pack"), key_person.user, how="link")
    link_mail, code_mail = to_the_school()
    token = re.search(r"/records/([^/\s]+)/", link_mail.body).group(1)
    code = re.search(r"code for the download link: (\d+)", code_mail.body).group(1)
    assert code not in link_mail.body and token not in code_mail.body
    return token, code


def test_a_download_link_opens_once_with_its_code_and_is_audited(met, key_person, django_capture_on_commit_callbacks):
    token, code = _link(met, key_person, django_capture_on_commit_callbacks)
    link = PackLink.objects.get()
    assert token not in link.token_hash and code not in link.code_hash  # stored hashed
    wrong = services.pack_link_open(token=token, code="000000" if code != "000000" else "111111",
                                    contact_name="Mrs Patel")
    assert wrong.pack is None and "code" in wrong.refusal
    opened = services.pack_link_open(token=token, code=code, contact_name="Mrs Patel")
    assert "Dinosaurs and trains" in pdf_text(opened.pack.pdf)
    again = services.pack_link_open(token=token, code=code, contact_name="Mrs Patel")
    assert again.pack is None and "used already" in again.refusal
    downloads = AuditEvent.objects.filter(action="download").order_by("pk")
    assert [e.outcome for e in downloads] == ["refused", "ok", "refused"]
    assert RecordsPack.objects.get().received_on == timezone.localdate()


def test_a_download_link_past_its_time_is_refused_and_audited(met, key_person, django_capture_on_commit_callbacks):
    token, code = _link(met, key_person, django_capture_on_commit_callbacks)
    PackLink.objects.update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    late = services.pack_link_open(token=token, code=code, contact_name="Mrs Patel")
    assert late.pack is None and "expired" in late.refusal
    assert AuditEvent.objects.filter(action="download", outcome="refused").count() == 1
    assert PackLink.objects.get().used_at is None


def test_on_the_leaving_date_the_child_leaves_and_every_open_task_closes(met, key_person):
    plan = LeavingPlan.objects.get(child=met)
    gone = services.leavers_leave(today=plan.leaving_on)
    assert [c.pk for c in gone] == [met.pk]
    child = Child.objects.get(pk=met.pk)
    assert child.state == "left" and child.left_on == timezone.localdate()
    assert open_tasks(child) == []
    assert retain_until(child, "general") is not None  # the retention clock has started


def test_a_leaving_date_reached_with_the_report_unfinished_says_so(leaver, key_person):
    task = the_task(leaver, "report")
    services.leavers_leave(today=LeavingPlan.objects.get(child=leaver).leaving_on)
    plan = LeavingPlan.objects.get(child=leaver)
    assert "before the transition report was written" in plan.no_pack_reason
    task.refresh_from_db()
    assert task.status == "CANCELED"
    assert AuditEvent.objects.filter(action="left_unfinished", child_id=leaver.pk).exists()


def test_the_leaving_date_not_yet_reached_leaves_the_child_attending(met):
    plan = LeavingPlan.objects.get(child=met)
    assert services.leavers_leave(today=plan.leaving_on - dt.timedelta(days=1)) == []


def test_records_pass_on_needs_the_parents_consent_to_that_school(leaver, manager):
    with pytest.raises(RuleViolation, match="consent"):
        services.records_pass_on(child=leaver, kind="sen", recipient=SCHOOL, by=manager.user)
    assert not RecordsPassedOn.objects.exists()
    share_consent(leaver, manager.user)
    services.records_pass_on(child=leaver, kind="sen", recipient="oakbridge  primary school", by=manager.user)
    assert RecordsPassedOn.objects.count() == 1


def test_only_a_settled_child_can_be_prepared_to_leave(allocated_child, manager):
    with pytest.raises(RuleViolation, match="allocated"):
        plan_leaving(allocated_child, manager)
    assert not LeavingPlan.objects.exists()


def test_a_leaving_date_in_the_past_is_refused(allocated_child, manager):
    started_a_year_ago(allocated_child)
    child = settled(allocated_child, manager)
    with pytest.raises(RuleViolation, match="today"):
        plan_leaving(child, manager, days=-3)
    assert Child.objects.get(pk=child.pk).state == "settled"


def test_the_leaving_records_are_in_the_subject_access_export_without_the_pdf(met, key_person):
    from processes.subject_access import child_records

    share_consent(met, key_person.user)
    complete(the_task(met, "ask_consent"), key_person.user, next="given")
    complete(the_task(met, "pack"), key_person.user, how="by_hand")
    records = child_records(met)
    assert records["leaving_plan"][0]["destination"] == SCHOOL
    assert records["transition_report"][0]["interests"] == "Dinosaurs and trains"
    (pack,) = records["records_packs"]
    assert pack["recipient"] == SCHOOL and "pdf" not in pack


def test_the_retention_purge_takes_the_leaving_records_with_the_consent_they_rest_on(met, key_person):
    from processes.models import Consent

    share_consent(met, key_person.user)
    complete(the_task(met, "ask_consent"), key_person.user, next="given")
    complete(the_task(met, "pack"), key_person.user, how="by_hand")
    services.leavers_leave(today=LeavingPlan.objects.get(child=met).leaving_on)
    child = Child.objects.get(pk=met.pk)
    services.retention_purge(today=retain_until(child, "general") + dt.timedelta(days=1))
    assert not LeavingPlan.objects.exists() and not RecordsPack.objects.exists()
    assert not Consent.objects.filter(child_id=met.pk).exists()


def test_a_download_link_dies_after_five_wrong_codes(met, key_person, django_capture_on_commit_callbacks):
    token, code = _link(met, key_person, django_capture_on_commit_callbacks)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        assert "does not match" in services.pack_link_open(token=token, code=wrong, contact_name="X").refusal
    late = services.pack_link_open(token=token, code=code, contact_name="Mrs Patel")
    assert late.pack is None and "Too many wrong codes" in late.refusal
    assert AuditEvent.objects.filter(action="download", outcome="refused").count() == 6

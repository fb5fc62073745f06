"""Subject access: the manager downloads everything held about one child; nobody else can."""

from __future__ import annotations

import io
import json
import zipfile

from django.urls import reverse
from django.utils import timezone

from processes import services
from processes.models import AccidentRecord, AuditEvent, ConsentMethod, ConsentPurpose, ConsentStatus

from .factories import SettingFactory, StaffFactory
from .flowkit import allocate, register


def _child_with_everything(setting, room, manager, key_person, other_key_person):
    child = register(setting=setting, room=room, manager=manager, first_name="Zofia")
    allocate(child, manager, key_person, other_key_person)
    guardian = child.guardian_links.get().guardian
    services.consent_record(child=child, guardian=guardian, purpose=ConsentPurpose.PHOTOGRAPHS,
                            status=ConsentStatus.GRANTED, method=ConsentMethod.SIGNED_FORM, by=manager.user)
    AccidentRecord.objects.create(child=child, occurred_at=timezone.now(), what_happened="Bumped head on table",
                                  recorded_by=key_person.user)
    return child, guardian


def _download(client, child):
    return client.get(reverse("child-export", args=[child.pk]))


def test_the_manager_downloads_every_kind_of_record_about_the_child(client, setting, room, manager, key_person,
                                                                    other_key_person):
    child, guardian = _child_with_everything(setting, room, manager, key_person, other_key_person)
    client.force_login(manager.user)
    page = client.get(reverse("child-detail", args=[child.pk])).content.decode()
    assert reverse("child-export", args=[child.pk]) in page
    response = _download(client, child)
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert sorted(archive.namelist()) == ["records.html", "records.json"]
    records = json.loads(archive.read("records.json"))["records"]
    assert records["child"][0]["first_name"] == "Zofia"
    assert records["guardians"][0]["email"] == guardian.email
    assert records["consents"][0]["purpose"] == "photographs"
    assert {a["role"] for a in records["key_person_history"]} == {"primary", "secondary"}
    kinds = {p["kind"] for p in records["processes_and_tasks"]}
    assert {"Key person allocation", "Introduction to the parents"} <= kinds
    assert any(t["step"] == "allocate" and t["status"] == "DONE"
               for p in records["processes_and_tasks"] for t in p["tasks"])
    assert records["accident_records"][0]["what_happened"] == "Bumped head on table"
    assert any(e["action"] == "assign" for e in records["audit_events"])
    assert records["lifecycle_log"] and "all_about_me" in records
    assert set(json.loads(archive.read("records.json"))["why_we_hold_each_section"]) == set(records)
    html = archive.read("records.html").decode()
    assert "Art 9(2)(h) with DPA 2018 Sch 1 para 2" in html and "21 years and 3 months" in html
    assert "Bumped head on table" in html and guardian.email in html
    assert AuditEvent.objects.filter(action="export", child_id=child.pk, actor=manager.user).count() == 1


def test_the_export_includes_the_sen_records(client, setting, room, manager, key_person, other_key_person, senco):
    from . import senkit as sk

    child, _ = _child_with_everything(setting, room, manager, key_person, other_key_person)
    sk.raise_concern(child, key_person.user, observed="Rarely joins group time")
    sk.tell_parents(child, key_person.user)
    sk.answer_consent(child, senco.user)
    sk.observe(child, senco.user)
    sk.decide(child, senco.user, "sen_support")
    sk.meet(child, key_person.user)
    sk.write_plan(child, key_person.user)
    client.force_login(manager.user)
    archive = zipfile.ZipFile(io.BytesIO(_download(client, child).content))
    records = json.loads(archive.read("records.json"))["records"]
    assert records["sen_concerns"][0]["observed"] == "Rarely joins group time"
    assert records["senco_observations"][0]["notes"] and records["senco_decisions"][0]["decision"] == "sen_support"
    assert records["sen_support_targets"][0]["description"] == "Use two-word phrases"
    assert any(p["kind"] == "SEN concern" for p in records["processes_and_tasks"])
    assert "until the child is 25" in archive.read("records.html").decode()


def test_a_key_person_and_another_settings_manager_get_404_and_no_link(client, setting, room, manager, key_person,
                                                                       other_key_person):
    child, _ = _child_with_everything(setting, room, manager, key_person, other_key_person)
    client.force_login(key_person.user)
    assert _download(client, child).status_code == 404
    assert reverse("child-export", args=[child.pk]) not in client.get(
        reverse("child-detail", args=[child.pk])).content.decode()
    client.force_login(StaffFactory(setting=SettingFactory(), manager=True).user)
    assert _download(client, child).status_code == 404
    assert not AuditEvent.objects.filter(action="export").exists()

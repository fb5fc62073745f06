"""Taking the lists out as CSV: the same columns as the import, so an export imports again to the same records."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from processes import services, sessions
from processes.csv_export import records_export
from processes.models import AuditEvent, Child, ChildGuardian, Guardian, ImportJob, ImportStatus, Room

from .factories import ChildFactory, SettingFactory, StaffFactory
from .flowkit import allocate, register
from .test_csv_import import ROOMS, bring_in, child_row, run

pytestmark = pytest.mark.django_db

KINDS = ("rooms", "staff", "children", "guardians", "assignments")


@pytest.fixture
def kept(setting, room, manager, key_person, other_key_person):
    """A setting whose records were made by hand, through the pages' services and the allocation flow."""
    first = register(setting=setting, room=room, manager=manager, first_name="Ada", allergies="Milk")
    allocate(first, manager, key_person, other_key_person)
    register(setting=setting, room=room, manager=manager, first_name="Bea", known_needs="Speech")
    return setting


def test_every_exported_list_imports_again_to_the_same_records(kept, manager):
    trail = AuditEvent.objects.exclude(record_type="processes.ImportJob").exclude(action="export").count()
    for kind in KINDS:
        text = records_export(setting=kept, by=manager.user, kind=kind)
        job = run(kept, manager, kind, text)
        assert job.status == ImportStatus.DONE, (kind, job.errors)
        assert set(job.counts) <= {"unchanged"}, (kind, job.counts)
        assert records_export(setting=kept, by=manager.user, kind=kind) == text
    assert AuditEvent.objects.exclude(record_type="processes.ImportJob").exclude(action="export").count() == trail


def test_lists_exported_from_one_setting_rebuild_them_in_another(setting, manager):
    bring_in(setting, manager)
    run(setting, manager, "children", [child_row(n) for n in range(4)])
    run(setting, manager, "guardians", [
        {"child_first_name": "Kid1", "child_last_name": "Doe", "child_date_of_birth": child_row(1)["date_of_birth"],
         "first_name": "Dad", "last_name": "Doe", "relationship": "Father", "email": "dad@example.org",
         "parental_responsibility": "no", "primary_contact": "no"}])
    other = SettingFactory(name="Second setting", organisation=setting.organisation)
    other_manager = StaffFactory(setting=other, manager=True)
    for kind in ("rooms", "children", "guardians"):
        text = records_export(setting=setting, by=manager.user, kind=kind)
        assert run(other, other_manager, kind, text).status == ImportStatus.DONE
        assert records_export(setting=other, by=other_manager.user, kind=kind) == text
    assert Child.objects.filter(setting=other).count() == 4
    assert ChildGuardian.objects.filter(child__setting=other).count() == 5


def test_an_export_is_audited_with_its_columns(kept, manager):
    records_export(setting=kept, by=manager.user, kind="children")
    event = AuditEvent.objects.filter(action="export").latest("id")
    assert event.actor == manager.user and event.setting_id == kept.pk
    assert "allergies" in event.changes["columns"]


def test_special_category_columns_go_only_to_the_manager(kept, senco):
    text = records_export(setting=kept, by=senco.user, kind="children")
    head = text.splitlines()[0]
    assert "allergies" not in head and "known_needs" not in head and "parent_first_name" not in head
    assert "Ada" in text and "Milk" not in text and "Speech" not in text


def test_a_cell_that_would_run_as_a_formula_is_escaped(setting, manager):
    bring_in(setting, manager)
    run(setting, manager, "children", [child_row(1, allergies="=HYPERLINK(1)")])
    assert "=HYPERLINK" not in records_export(setting=setting, by=manager.user, kind="children")


# --- the pages ------------------------------------------------------------------------------------------------

def test_the_manager_uploads_a_file_and_follows_its_progress(client, setting, manager,
                                                            django_capture_on_commit_callbacks):
    from .test_csv_import import csv_text

    client.force_login(manager.user)
    upload = pytest.importorskip("django.core.files.uploadedfile").SimpleUploadedFile(
        "rooms.csv", csv_text("rooms", ROOMS).encode(), content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("records"), {"kind": "rooms", "file": upload})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("import-job", args=[job.pk])
    page = client.get(response["Location"])
    assert page.status_code == 200 and "Imported" in page.content.decode()
    assert Room.objects.filter(setting=setting, name="Babies").exists()


def test_a_refused_file_lists_its_rows_on_the_page(client, setting, manager, django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(manager.user)
    bad = "name,min_age_months,max_age_months,children_per_adult\nBabies,24,12,3\nTots,x,36,5\n"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("records"), {"kind": "rooms", "file": SimpleUploadedFile("r.csv", bad.encode())})
    page = client.get(reverse("import-job", args=[ImportJob.objects.get().pk])).content.decode()
    assert "Rows to correct (2)" in page and "max_age_months" in page and "not a whole number" in page
    assert not Room.objects.filter(setting=setting).exists()


def test_templates_hold_the_documented_columns(client, manager):
    client.force_login(manager.user)
    response = client.get(reverse("import-template", args=["staff"]))
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.decode().splitlines()[0].startswith("username,first_name,last_name")
    assert client.get(reverse("import-template", args=["pets"])).status_code == 404


@pytest.mark.parametrize("name", ["records", "import-template", "records-export"])
def test_only_the_manager_imports_and_exports(client, key_person, senco, name):
    args = [] if name == "records" else ["children"]
    for user in (key_person.user, senco.user):
        client.force_login(user)
        assert client.get(reverse(name, args=args)).status_code == 403
    assert not Guardian.objects.exists()


def test_a_job_of_another_setting_is_not_found(client, setting, manager):
    other = StaffFactory(setting=SettingFactory(), manager=True)
    job = run(setting, manager, "rooms", [ROOMS[0]])
    client.force_login(other.user)
    assert client.get(reverse("import-job", args=[job.pk])).status_code == 404


def test_the_dashboards_tables_download_as_csv_audited(client, kept, manager, key_person):
    client.force_login(manager.user)
    caseloads = client.get(reverse("dashboard-export", args=["caseloads"])).content.decode()
    assert caseloads.splitlines()[0] == "key_person,key_children,maximum,secondary_for,over"
    assert f"{key_person.name},1,8,0,no" in caseloads
    assert "Bea" in client.get(reverse("dashboard-export", args=["unallocated"])).content.decode()
    assert client.get(reverse("dashboard-export", args=["salaries"])).status_code == 404
    assert AuditEvent.objects.filter(actor=manager.user, action="export", summary__contains="caseloads").exists()


def test_a_rooms_register_and_ratio_history_export_as_csv_audited(client, setting, room, manager, key_person):
    day = timezone.localdate() - dt.timedelta(days=1)
    at = timezone.make_aware(dt.datetime.combine(day, dt.time(9)))
    child = ChildFactory(setting=setting, room=room, first_name="Odile", date_of_birth=day - dt.timedelta(days=300),
                         start_date=day - dt.timedelta(days=60), attending_sessions=sessions.ALL)
    services.child_sign_in(child=child, by=manager.user, at=at, brought_by="Mum")
    services.staff_sign_in(staff=key_person, by=manager.user, room=room, at=at + dt.timedelta(minutes=30))
    services.child_sign_out(child=child, by=manager.user, collected_by="Grandad", at=at + dt.timedelta(hours=3))
    services.staff_sign_out(staff=key_person, by=manager.user, at=at + dt.timedelta(hours=4))
    client.force_login(manager.user)

    def rows(what):
        response = client.get(reverse("register-csv", args=[room.pk, what]), {"day": day.isoformat()})
        assert response["Content-Type"].startswith("text/csv")
        return list(csv.DictReader(io.StringIO(response.content.decode())))

    register_rows = [r for r in rows("register") if r["child_first_name"] == "Odile"]
    assert [(r["signed_in_at"], r["brought_by"], r["signed_out_at"], r["collected_by"]) for r in register_rows] \
        == [("09:00", "Mum", "12:00", "Grandad")]
    ratio_rows = rows("ratios")
    assert [(r["from"], r["until"], r["below_ratio"]) for r in ratio_rows][:2] == [
        ("09:00", "09:30", "yes"), ("09:30", "12:00", "no")]
    summaries = list(AuditEvent.objects.filter(action="export", record_type="processes.Room")
                     .values_list("summary", flat=True))
    assert any("register of" in s for s in summaries) and any("ratio history of" in s for s in summaries)
    assert client.get(reverse("register-csv", args=[room.pk, "nonsense"])).status_code == 404

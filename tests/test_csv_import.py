"""Bringing a nursery in from CSV files: every row through the services, the whole file or nothing, twice is once."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.utils import timezone

from processes.csv_columns import header
from processes.csv_export import records_export
from processes.csv_import import import_job_create
from processes.models import (
    AuditEvent,
    Child,
    ChildGuardian,
    Guardian,
    ImportJob,
    ImportStatus,
    KeyPersonAssignment,
    LifecycleState,
    Room,
    Staff,
)
from processes.tasks import run_import_job

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def csv_text(kind: str, rows: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header(kind))
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    return out.getvalue()


def run(setting, manager, kind: str, rows: list[dict] | str) -> ImportJob:
    text = rows if isinstance(rows, str) else csv_text(kind, rows)
    job = import_job_create(setting=setting, by=manager.user, kind=kind, content=text, file_name=f"{kind}.csv")
    run_import_job(job_id=job.pk)
    job.refresh_from_db()
    return job


ROOMS = [
    {"name": "Babies", "min_age_months": "0", "max_age_months": "24", "children_per_adult": "3"},
    {"name": "Pre-school", "min_age_months": "36", "max_age_months": "60", "children_per_adult": "8"},
]
STAFF = [
    {"username": "amy", "first_name": "Amy", "last_name": "Lowe", "email": "amy@example.org", "room": "Babies",
     "roles": "key_person", "working_pattern": "mon_am mon_pm tue_am", "max_caseload": "6"},
    {"username": "bob", "first_name": "Bob", "last_name": "Hart", "room": "Babies", "roles": "key_person dsl"},
]


def child_row(n: int, **extra) -> dict:
    born = TODAY - dt.timedelta(days=400 + n % 300)
    return {"first_name": f"Kid{n}", "last_name": "Doe", "date_of_birth": born.isoformat(), "room": "Babies",
            "sessions": "mon_am tue_am", "allergies": "Peanuts" if n % 2 else "",
            "parent_first_name": f"Parent{n}", "parent_last_name": "Doe", "parent_relationship": "Mother",
            "parent_email": f"parent{n}@example.org", **extra}


def bring_in(setting, manager):
    assert run(setting, manager, "rooms", ROOMS).status == ImportStatus.DONE
    assert run(setting, manager, "staff", STAFF).status == ImportStatus.DONE


def test_a_good_file_of_each_kind_brings_the_setting_in_through_the_services(setting, manager):
    bring_in(setting, manager)
    children = run(setting, manager, "children", [child_row(1), child_row(2, start_date=TODAY.isoformat())])
    assert children.status == ImportStatus.DONE, children.errors
    assert children.counts == {"created": 2}
    guardians = run(setting, manager, "guardians", [
        {"child_first_name": "Kid1", "child_last_name": "Doe", "child_date_of_birth": child_row(1)["date_of_birth"],
         "first_name": "Dad", "last_name": "Doe", "relationship": "Father", "email": "dad@example.org",
         "parental_responsibility": "yes", "primary_contact": "no"},
    ])
    assert guardians.status == ImportStatus.DONE, guardians.errors
    assignments = run(setting, manager, "assignments", [
        {"child_first_name": "Kid2", "child_last_name": "Doe", "child_date_of_birth": child_row(2)["date_of_birth"],
         "key_person": "amy", "secondary": "bob"},
    ])
    assert assignments.status == ImportStatus.DONE, assignments.errors

    amy = Staff.objects.get(user__username="amy")
    assert amy.room.name == "Babies" and amy.max_caseload == 6 and not amy.user.has_usable_password()
    kid1 = Child.objects.get(first_name="Kid1")
    assert sorted(g.first_name for g in kid1.guardians.all()) == ["Dad", "Parent1"]
    assert kid1.allergies == "Peanuts"
    kid2 = Child.objects.get(first_name="Kid2")
    assert kid2.state == LifecycleState.ALLOCATED
    assert {a.role: a.staff.user.username for a in kid2.assignments.current()} == {
        "primary": "amy", "secondary": "bob"}
    # Written by the services: each record has its audit row, by the manager who imported it.
    assert AuditEvent.objects.filter(actor=manager.user, action="create", record_type="processes.Child").count() == 2


def test_a_file_with_bad_rows_writes_nothing_and_reports_every_bad_row_and_column(setting, manager):
    bring_in(setting, manager)
    future = (TODAY + dt.timedelta(days=3)).isoformat()
    rows = [
        child_row(1),
        child_row(2, date_of_birth=future),  # born in the future
        child_row(3, room="Attic"),  # no such room
        child_row(4, parent_first_name="", parent_last_name="", parent_relationship=""),  # no parent
        child_row(1),  # a duplicate of the first
        child_row(6, date_of_birth="31/02/2024"),  # not a date
        child_row(7, sessions="sat_am"),  # not a session
        child_row(8),
    ]
    before = (Child.objects.count(), Guardian.objects.count(), AuditEvent.objects.count())

    job = run(setting, manager, "children", rows)

    assert job.status == ImportStatus.REFUSED
    reported = {(e["row"], e["field"]) for e in job.errors}
    assert {(3, "date_of_birth"), (4, "room"), (5, "parent_first_name"), (7, "date_of_birth"),
            (8, "sessions")} <= reported
    assert any(e["row"] == 6 and "duplicate of row 2" in e["message"] for e in job.errors)
    assert not any(e["row"] in (2, 9) for e in job.errors)
    assert "future" in next(e["message"] for e in job.errors if e["row"] == 3)
    assert (Child.objects.count(), Guardian.objects.count()) == before[:2]
    # Only the upload and the refusal are in the trail: no record written and rolled back leaves a trace.
    assert AuditEvent.objects.count() == before[2] + 2


def test_a_bad_header_is_reported_before_any_row(setting, manager):
    job = run(setting, manager, "rooms", "name,colour\nBabies,red\n")
    assert job.status == ImportStatus.REFUSED
    assert job.errors[0]["row"] == 1 and "min_age_months" in job.errors[0]["message"]
    assert "colour" in job.errors[0]["message"]
    assert not Room.objects.filter(name="Babies").exists()


def test_importing_the_same_files_twice_changes_nothing(setting, manager):
    bring_in(setting, manager)
    rows = [child_row(n) for n in range(5)]
    assert run(setting, manager, "children", rows).status == ImportStatus.DONE
    counts = (Child.objects.count(), Guardian.objects.count(), ChildGuardian.objects.count(),
              Staff.objects.count(), Room.objects.count(), KeyPersonAssignment.objects.count())
    trail = AuditEvent.objects.exclude(record_type="processes.ImportJob").count()

    for kind, again in (("rooms", ROOMS), ("staff", STAFF), ("children", rows)):
        job = run(setting, manager, kind, again)
        assert job.status == ImportStatus.DONE
        assert set(job.counts) == {"unchanged"}

    assert counts == (Child.objects.count(), Guardian.objects.count(), ChildGuardian.objects.count(),
                      Staff.objects.count(), Room.objects.count(), KeyPersonAssignment.objects.count())
    assert AuditEvent.objects.exclude(record_type="processes.ImportJob").count() == trail


def test_a_changed_cell_updates_the_record_it_names(setting, manager):
    bring_in(setting, manager)
    run(setting, manager, "children", [child_row(1)])
    job = run(setting, manager, "children", [child_row(1, allergies="Sesame")])
    assert job.counts == {"updated": 1}
    assert Child.objects.get(first_name="Kid1").allergies == "Sesame"


def test_only_the_manager_imports(setting, manager, key_person):
    from processes.errors import NotPermitted

    with pytest.raises(NotPermitted):
        import_job_create(setting=setting, by=key_person.user, kind="rooms", content=csv_text("rooms", ROOMS))


def test_a_file_larger_than_a_progress_block_is_checked_and_written_with_its_progress(setting, manager):
    # 600 rows: three blocks of the check's 250, so progress is saved part-way. The 5,000-child file is timed by
    # scripts/bench_import.py (a measurement, not a test).
    bring_in(setting, manager)
    job = run(setting, manager, "children", [child_row(n) for n in range(600)])
    assert job.status == ImportStatus.DONE, job.errors[:3]
    assert job.total_rows == job.checked_rows == 600
    assert Child.objects.filter(setting=setting).count() == 600


def test_a_username_the_accounts_refuse_is_reported_against_its_row(setting, manager):
    bring_in(setting, manager)
    job = run(setting, manager, "staff", [{**STAFF[0], "username": "no spaces allowed"}])
    assert job.status == ImportStatus.REFUSED and job.errors[0]["field"] == "username"


def test_a_fault_in_the_code_fails_the_job_and_writes_nothing(setting, manager, monkeypatch):
    from processes import csv_rows

    def broken(**kwargs):
        raise ZeroDivisionError

    monkeypatch.setitem(csv_rows.HANDLERS, "rooms", broken)
    job = run(setting, manager, "rooms", ROOMS)
    assert job.status == ImportStatus.FAILED and job.finished
    assert not Room.objects.filter(setting=setting).exists()


def test_qualifications_first_aid_and_students_are_imported_for_the_ratios(setting, manager):
    qualified = {"qualification_level": "3", "qualified_on": "01/07/2019", "first_aid_until": "2027-03-31"}
    student = {"student": "yes", "competent": "no"}
    bring_in(setting, manager)
    job = run(setting, manager, "staff", [{**STAFF[0], **qualified}, {**STAFF[1], **student}])
    assert job.status == ImportStatus.DONE, job.errors
    amy, bob = (Staff.objects.get(user__username=name) for name in ("amy", "bob"))
    assert (amy.qualification_level, amy.qualified_on, amy.first_aid_until, amy.is_student) == (
        3, dt.date(2019, 7, 1), dt.date(2027, 3, 31), False)
    assert (bob.qualification_level, bob.is_student, bob.is_competent) == (0, True, False)
    # Judged competent later: the same file with one cell changed updates only that.
    job = run(setting, manager, "staff", [{**STAFF[0], **qualified}, {**STAFF[1], **student, "competent": "yes"}])
    assert job.status == ImportStatus.DONE and Staff.objects.get(pk=bob.pk).is_competent
    # The export carries them in the same columns, so it imports again to the same records.
    exported = records_export(setting=setting, by=manager.user, kind="staff")
    assert "3,2019-07-01,2027-03-31,no,no" in exported
    again = run(setting, manager, "staff", exported)
    assert again.status == ImportStatus.DONE and set(again.counts) == {"unchanged"}, again.errors


@pytest.mark.parametrize("cells,field", [
    ({"qualification_level": "4"}, "qualification_level"),
    ({"qualification_level": "three"}, "qualification_level"),
    ({"qualified_on": "31/02/2020"}, "qualified_on"),
    ({"qualification_level": "3", "qualified_on": (TODAY + dt.timedelta(days=1)).isoformat()}, "qualified_on"),
    ({"first_aid_until": "next year"}, "first_aid_until"),
    ({"student": "sometimes"}, "student"),
    ({"competent": "maybe"}, "competent"),
])
def test_a_qualification_cell_that_cannot_be_right_refuses_the_file(setting, manager, cells, field):
    bring_in(setting, manager)
    job = run(setting, manager, "staff", [{**STAFF[0], "username": "cara", **cells}])
    assert job.status == ImportStatus.REFUSED and job.errors[0]["field"] == field, job.errors
    assert not Staff.objects.filter(user__username="cara").exists()

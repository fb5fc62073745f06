"""Who may do what to a child's records, over HTTP: a role × record × action matrix.

Each row of MATRIX is one action on one record (a page, an API call) with the outcome expected for every role.
Someone else's record is a 404, never a 403, so its existence is not disclosed; a deactivated user is sent to
log in. Reads of special-category data are audited, and so is every attempt turned away with a 404.

To add a row (the SEN record, the subject access export): give ``World`` the record (build it in ``world``
through the services), write a ``request`` function ``(client, world) -> response`` and, for a write, a
``done`` function ``(world, user) -> bool`` saying whether it took effect; then add ``Row(...)`` to MATRIX with
one expected outcome per role in ROLES. ``audited=True`` also checks the read (or the refused attempt) is in
the audit trail against the child.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.urls import reverse
from django.utils import timezone
from viewflow.workflow.status import STATUS

from processes.models import AuditEvent, OrganisationMember

from .factories import RoomFactory, SettingFactory, StaffFactory, UserFactory
from .flowkit import allocate, register, the_task

OK, NOT_SHOWN, REFUSED, NOT_FOUND, LOGIN = "ok", "not shown", "refused", "404", "log in"

ROLES = ("key_person", "other_room_key_person", "senco", "manager", "other_setting_manager", "inactive_user",
         "organisation_member")


@dataclass
class World:
    child: object
    task: object
    sen_task: object = None
    leaver: object = None
    pack: object = None
    users: dict = field(default_factory=dict)


@pytest.fixture
def world(setting, room, manager, senco, key_person, other_key_person) -> World:
    other_room = RoomFactory(setting=setting, name="Babies", min_age_months=0, max_age_months=24)
    child = register(setting=setting, room=room, manager=manager, first_name="Zephyrine")
    allocate(child, manager, key_person, other_key_person)
    sen_task = _sen_task(child, key_person, senco)
    inactive = StaffFactory(setting=setting, manager=True)
    inactive.user.is_active = False
    inactive.user.save()
    leaver, pack = _leaver(setting, room, manager, key_person, other_key_person)
    return World(
        child=child,
        task=the_task(child, "arrange_meeting"),  # assigned to the child's key person
        sen_task=sen_task,
        leaver=leaver,
        pack=pack,
        users={
            "key_person": key_person.user,
            "other_room_key_person": StaffFactory(setting=setting, room=other_room).user,
            "senco": senco.user,
            "manager": manager.user,
            "other_setting_manager": StaffFactory(setting=SettingFactory(), manager=True).user,
            "inactive_user": inactive.user,
            # An area manager of the setting's chain: figures of every setting, no child's record.
            "organisation_member": OrganisationMember.objects.create(
                organisation=setting.organisation, user=UserFactory(), title="Area manager").user,
        },
    )


def _sen_task(child, key_person, senco):
    """An SEN concern about the child, the SENCO's observation waiting (a claimable approval step)."""
    from . import senkit as sk

    sk.raise_concern(child, key_person.user)
    sk.tell_parents(child, key_person.user)
    sk.answer_consent(child, senco.user)
    return the_task(child, "observe")


def _leaver(setting, room, manager, key_person, other_key_person):
    """A child leaving for school, with the same key persons: a leaving plan and a records pack made."""
    from processes import services
    from processes.models import AssignmentRole

    from .factories import ChildFactory, ChildGuardianFactory
    from .leavingkit import REPORT, plan_leaving, settled, share_consent, started_a_year_ago

    child = ChildFactory(setting=setting, room=room, first_name="Ottoline")
    started_a_year_ago(child)
    ChildGuardianFactory(child=child)
    for staff, role in ((key_person, AssignmentRole.PRIMARY), (other_key_person, AssignmentRole.SECONDARY)):
        services.key_person_assign(child=child, staff=staff, role=role, by=manager.user)
    child = settled(services.child_transition(child=child, transition="allocate", by=manager.user), manager)
    plan = plan_leaving(child, manager)
    services.transition_report_write(plan=plan, by=key_person.user, **REPORT)
    share_consent(child, manager.user)
    return child, services.records_pack_make(plan=plan, by=key_person.user)


def _leaving_changed(w: World, user) -> bool:
    return w.leaver.leaving_plan.__class__.objects.get(child=w.leaver).contact_name == "Mr Obi"


def _leaving_change(w: World) -> dict:
    plan = w.leaver.leaving_plan
    return {"leaving_on": plan.leaving_on.isoformat(), "destination_kind": "school", "destination": plan.destination,
            "contact_name": "Mr Obi", "contact_email": "office@oakbridge.example"}


def _shows_leaver(w: World, response) -> bool:
    return w.leaver.first_name in response.content.decode()


def _is_pdf(w: World, response) -> bool:
    return response.content.startswith(b"%PDF")


def _sen_args(w: World) -> list[int]:
    return [w.sen_task.process_id, w.sen_task.pk]


def _observed(w: World, user) -> bool:
    w.sen_task.refresh_from_db()
    return w.sen_task.status == STATUS.DONE and w.sen_task.owner_id == user.pk


def _observation() -> dict:
    return {"observed_on": timezone.localdate().isoformat(), "notes": "Names three objects", "next": "decide"}


def _task_args(w: World) -> list[int]:
    return [w.task.process_id, w.task.pk]


def _meeting(w: World) -> dict:
    when = timezone.localtime() + dt.timedelta(days=2)
    return {"starts_at": when.strftime("%Y-%m-%d %H:%M"), "duration_minutes": 30}


def _asked_for(w: World) -> dict:
    return {**_meeting(w), "kind": "requested", "asked_by": "parents"}


def _meeting_arranged(w: World, user) -> bool:
    return w.child.meetings.filter(arranged_by=user, kind="requested").exists()


def _owned_by(w: World, user) -> bool:
    w.task.refresh_from_db()
    return w.task.owner_id == user.pk


def _completed(w: World, user) -> bool:
    w.task.refresh_from_db()
    return w.task.status == STATUS.DONE and w.task.owner_id == user.pk


def _shows_child(w: World, response) -> bool:
    return w.child.name in response.content.decode() or w.child.first_name in response.content.decode()


def _accident() -> dict:
    return {"kind": "accident", "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "body_part": "Knee", "what_happened": "Tripped", "first_aid": "Cold compress"}


def _accident_recorded(w: World, user) -> bool:
    from processes.models import AccidentRecord

    return AccidentRecord.objects.filter(child=w.child, recorded_by=user).exists()


@dataclass
class Row:
    record: str
    action: str
    request: Callable
    expect: dict
    done: Callable | None = None  # for a write: did it take effect? (a read is judged by what it shows)
    audited: bool = False
    api: bool = False
    shows: Callable | None = None  # for a read about another record than the world's child: what it shows


def _signed_in(w: World, user) -> bool:
    from processes.models import ChildAttendance

    return ChildAttendance.objects.filter(child=w.child, signed_in_at__isnull=False).exists()


MATRIX = [
    Row("child record", "view", lambda c, w: c.get(reverse("child-detail", args=[w.child.pk])), audited=True, expect={
        "key_person": OK, "other_room_key_person": NOT_FOUND, "senco": OK, "manager": OK,
        "other_setting_manager": NOT_FOUND, "inactive_user": LOGIN, "organisation_member": NOT_FOUND}),
    Row("child timeline", "view", lambda c, w: c.get(reverse("child-timeline", args=[w.child.pk])), audited=True,
        expect={"key_person": OK, "other_room_key_person": NOT_FOUND, "senco": OK, "manager": OK,
                "other_setting_manager": NOT_FOUND, "inactive_user": LOGIN, "organisation_member": NOT_FOUND}),
    Row("task", "view", lambda c, w: c.get(reverse("task-detail", args=_task_args(w))), audited=True, expect={
        "key_person": OK, "other_room_key_person": NOT_FOUND, "senco": OK, "manager": OK,
        "other_setting_manager": NOT_FOUND, "inactive_user": LOGIN, "organisation_member": NOT_FOUND}),
    Row("task", "claim", lambda c, w: c.post(reverse("task-claim", args=_task_args(w))), done=_owned_by, expect={
        "key_person": OK, "other_room_key_person": NOT_FOUND, "senco": REFUSED, "manager": REFUSED,
        "other_setting_manager": NOT_FOUND, "inactive_user": LOGIN, "organisation_member": NOT_FOUND}),
    Row("task", "complete", lambda c, w: c.post(reverse("task-detail", args=_task_args(w)), _meeting(w)),
        done=_completed, expect={
            "key_person": OK, "other_room_key_person": NOT_FOUND, "senco": REFUSED, "manager": REFUSED,
            "other_setting_manager": NOT_FOUND, "inactive_user": LOGIN, "organisation_member": NOT_FOUND}),
    Row("task API", "view", lambda c, w: c.get(reverse("api-task-detail", args=_task_args(w))), api=True,
        audited=True, expect={
            "key_person": OK, "other_room_key_person": NOT_FOUND, "senco": OK, "manager": OK,
            "other_setting_manager": NOT_FOUND, "inactive_user": LOGIN, "organisation_member": NOT_FOUND}),
    Row("task API", "claim", lambda c, w: c.post(reverse("api-task-claim", args=_task_args(w))), api=True,
        done=_owned_by, expect={
            "key_person": OK, "other_room_key_person": NOT_FOUND, "senco": REFUSED, "manager": REFUSED,
            "other_setting_manager": NOT_FOUND, "inactive_user": LOGIN, "organisation_member": NOT_FOUND}),
    Row("task API", "complete",
        lambda c, w: c.post(reverse("api-task-complete", args=_task_args(w)), _meeting(w),
                            content_type="application/json"),
        api=True, done=_completed, expect={
            "key_person": OK, "other_room_key_person": NOT_FOUND, "senco": REFUSED, "manager": REFUSED,
            "other_setting_manager": NOT_FOUND, "inactive_user": LOGIN, "organisation_member": NOT_FOUND}),
    # SEN records: the child's key persons, the SENCO and the manager; not a colleague, not another setting.
    Row("SEN record", "view", lambda c, w: c.get(reverse("sen-record", args=[w.child.pk])), audited=True, expect={
        "key_person": OK, "other_room_key_person": NOT_FOUND, "senco": OK, "manager": OK,
        "other_setting_manager": NOT_FOUND, "inactive_user": LOGIN, "organisation_member": NOT_FOUND}),
    Row("SEN record API", "view", lambda c, w: c.get(reverse("api-sen-concerns", args=[w.child.pk])), api=True,
        audited=True, expect={
            "key_person": OK, "other_room_key_person": NOT_FOUND, "senco": OK, "manager": OK,
            "other_setting_manager": NOT_FOUND, "inactive_user": LOGIN, "organisation_member": NOT_FOUND}),
    Row("SEN task", "view", lambda c, w: c.get(reverse("task-detail", args=_sen_args(w))), audited=True, expect={
        "key_person": OK, "other_room_key_person": NOT_FOUND, "senco": OK, "manager": OK,
        "other_setting_manager": NOT_FOUND, "inactive_user": LOGIN, "organisation_member": NOT_FOUND}),
    Row("SEN task", "complete", lambda c, w: c.post(reverse("task-detail", args=_sen_args(w)), _observation()),
        done=_observed, expect={
            "key_person": REFUSED, "other_room_key_person": NOT_FOUND, "senco": OK, "manager": REFUSED,
            "other_setting_manager": NOT_FOUND, "inactive_user": LOGIN, "organisation_member": NOT_FOUND}),
    # The consent screen: whoever sees the child's record. The pages that change a child: the manager only (a
    # colleague who sees the child is refused, anyone else told nothing exists).
    Row("consents", "view", lambda c, w: c.get(reverse("child-consents", args=[w.child.pk])), audited=True,
        expect={"key_person": OK, "other_room_key_person": NOT_FOUND, "senco": OK, "manager": OK,
                "other_setting_manager": NOT_FOUND, "inactive_user": LOGIN, "organisation_member": NOT_FOUND}),
    *[Row(record, "open", lambda c, w, name=name: c.get(reverse(name, args=[w.child.pk])), audited=True, expect={
        "key_person": REFUSED, "other_room_key_person": NOT_FOUND, "senco": REFUSED, "manager": OK,
        "other_setting_manager": NOT_FOUND, "inactive_user": LOGIN, "organisation_member": NOT_FOUND})
      for record, name in (("child details", "child-edit"), ("parents and carers", "child-guardians"),
                           ("key persons", "child-key-persons"),
                           ("change of key person", "key-person-change"))],
    # The room's need-to-know cards: whoever works in the room (the key person, the SENCO based there) and the
    # manager; a colleague of another room is told nothing exists (issue 17 part 3, seed 002).
    Row("room care cards", "view", lambda c, w: c.get(reverse("room-care", args=[w.child.room_id])), audited=True,
        expect={"key_person": OK, "other_room_key_person": NOT_FOUND, "senco": OK, "manager": OK,
                "other_setting_manager": NOT_FOUND, "inactive_user": LOGIN, "organisation_member": NOT_FOUND}),
    # The key person board: names only, for every member of staff of the setting (issue 19, seed 004).
    Row("key person board", "view", lambda c, w: c.get(reverse("key-person-board")), expect={
        "key_person": OK, "other_room_key_person": OK, "senco": OK, "manager": OK,
        "other_setting_manager": NOT_SHOWN, "inactive_user": LOGIN, "organisation_member": NOT_FOUND}),
    Row("room's board", "view", lambda c, w: c.get(reverse("room-board", args=[w.child.room_id])), expect={
        "key_person": OK, "other_room_key_person": OK, "senco": OK, "manager": OK,
        "other_setting_manager": NOT_FOUND, "inactive_user": LOGIN, "organisation_member": NOT_FOUND}),
    # Meetings with the parents (issue 18): whoever sees the child arranges one; nobody else learns it exists.
    Row("meeting", "open", lambda c, w: c.get(reverse("meeting-new", args=[w.child.pk])), expect={
        "key_person": OK, "other_room_key_person": NOT_FOUND, "senco": OK, "manager": OK,
        "other_setting_manager": NOT_FOUND, "inactive_user": LOGIN, "organisation_member": NOT_FOUND}),
    Row("meeting", "arrange", lambda c, w: c.post(reverse("meeting-new", args=[w.child.pk]), _asked_for(w)),
        done=_meeting_arranged, expect={
            "key_person": OK, "other_room_key_person": NOT_FOUND, "senco": OK, "manager": OK,
            "other_setting_manager": NOT_FOUND, "inactive_user": LOGIN, "organisation_member": NOT_FOUND}),
    # The register is kept by any of the setting's staff on the room's tablet: names and times, not the record.
    Row("room register", "view", lambda c, w: c.get(reverse("register-room", args=[w.child.room_id])), expect={
        "key_person": OK, "other_room_key_person": OK, "senco": OK, "manager": OK,
        "other_setting_manager": NOT_FOUND, "inactive_user": LOGIN, "organisation_member": NOT_FOUND}),
    Row("room register", "sign in", lambda c, w: c.post(reverse("register-room", args=[w.child.room_id]),
                                                        {"action": "child-in", "id": w.child.pk}),
        done=_signed_in, expect={
        "key_person": OK, "other_room_key_person": OK, "senco": OK, "manager": OK,
        "other_setting_manager": NOT_FOUND, "inactive_user": LOGIN, "organisation_member": NOT_FOUND}),
    Row("room's day", "print", lambda c, w: c.get(reverse("register-history", args=[w.child.room_id])), expect={
        "key_person": OK, "other_room_key_person": OK, "senco": OK, "manager": OK,
        "other_setting_manager": NOT_FOUND, "inactive_user": LOGIN, "organisation_member": NOT_FOUND}),
    Row("today's register", "view", lambda c, w: c.get(reverse("register")), expect={
        "key_person": NOT_SHOWN, "other_room_key_person": NOT_SHOWN, "senco": NOT_SHOWN, "manager": NOT_SHOWN,
        "other_setting_manager": NOT_SHOWN, "inactive_user": LOGIN, "organisation_member": NOT_FOUND}),
    # Accidents and injuries (health, safeguarding): the child's key persons, the manager and the safeguarding
    # lead; not the SENCO (who sees the child's record), not a colleague, not another setting.
    Row("accidents", "view", lambda c, w: c.get(reverse("child-accidents", args=[w.child.pk])), audited=True,
        expect={"key_person": OK, "other_room_key_person": NOT_FOUND, "senco": NOT_FOUND, "manager": OK,
                "other_setting_manager": NOT_FOUND, "inactive_user": LOGIN, "organisation_member": NOT_FOUND}),
    Row("accidents", "record", lambda c, w: c.post(reverse("child-accidents", args=[w.child.pk]), _accident()),
        done=_accident_recorded, expect={
            "key_person": OK, "other_room_key_person": NOT_FOUND, "senco": NOT_FOUND, "manager": OK,
            "other_setting_manager": NOT_FOUND, "inactive_user": LOGIN, "organisation_member": NOT_FOUND}),
    # Leaving (issue 18): whoever sees the child sees where their leaving has got to; the manager records it
    # and sees the setting's leavers; a records pack opens for those who see the child (audited).
    Row("leaving", "view", lambda c, w: c.get(reverse("child-leaving", args=[w.child.pk])), audited=True, expect={
        "key_person": OK, "other_room_key_person": NOT_FOUND, "senco": OK, "manager": OK,
        "other_setting_manager": NOT_FOUND, "inactive_user": LOGIN, "organisation_member": NOT_FOUND}),
    Row("leaving", "record", lambda c, w: c.post(reverse("child-leaving", args=[w.leaver.pk]), _leaving_change(w)),
        done=_leaving_changed, expect={
            "key_person": REFUSED, "other_room_key_person": NOT_FOUND, "senco": REFUSED, "manager": OK,
            "other_setting_manager": NOT_FOUND, "inactive_user": LOGIN, "organisation_member": NOT_FOUND}),
    Row("leavers", "list", lambda c, w: c.get(reverse("leavers")), shows=_shows_leaver, expect={
        "key_person": REFUSED, "other_room_key_person": REFUSED, "senco": REFUSED, "manager": OK,
        "other_setting_manager": NOT_SHOWN, "inactive_user": LOGIN, "organisation_member": REFUSED}),
    Row("records pack", "open", lambda c, w: c.get(reverse("pack-pdf", args=[w.leaver.pk, w.pack.pk])),
        shows=_is_pdf, expect={
            "key_person": OK, "other_room_key_person": NOT_FOUND, "senco": OK, "manager": OK,
            "other_setting_manager": NOT_FOUND, "inactive_user": LOGIN, "organisation_member": NOT_FOUND}),
    # Another setting's manager searches their own trail: it answers, and shows nothing of this child.
    Row("audit trail", "search", lambda c, w: c.get(reverse("audit-search")), expect={
        "key_person": REFUSED, "other_room_key_person": REFUSED, "senco": REFUSED, "manager": OK,
        "other_setting_manager": NOT_SHOWN, "inactive_user": LOGIN, "organisation_member": REFUSED}),
]

# The records API (processes.records_api): scoped as the pages are. A list answers with what the user may see
# (another setting's manager gets their own, without this child); a record outside it is a 404.
def _guardian(w: World):
    return w.child.guardian_links.first().guardian


def _shows_guardian(w: World, response) -> bool:
    return _guardian(w).last_name in response.content.decode()


def _shows_assignment(w: World, response) -> bool:
    return f'"child":{w.child.pk},' in response.content.decode().replace(" ", "")


def _shows_key_person(w: World, response) -> bool:
    return w.users["key_person"].username in response.content.decode()


def _key_person_id(w: World) -> int:
    return w.users["key_person"].staff.pk


def _renamed(w: World, user) -> bool:
    w.child.refresh_from_db()
    return w.child.preferred_name == "Zed"


def _patch(c, name: str, pk: int, data: dict):
    return c.patch(reverse(name, args=[pk]), data, content_type="application/json")


ALL_STAFF_SEE = {"key_person": OK, "other_room_key_person": NOT_SHOWN, "senco": OK, "manager": OK,
                 "other_setting_manager": NOT_SHOWN, "inactive_user": LOGIN, "organisation_member": REFUSED}
ONE_RECORD = {"key_person": OK, "other_room_key_person": NOT_FOUND, "senco": OK, "manager": OK,
              "other_setting_manager": NOT_FOUND, "inactive_user": LOGIN, "organisation_member": REFUSED}
MANAGER_ONLY = {"key_person": REFUSED, "other_room_key_person": REFUSED, "senco": REFUSED, "manager": OK,
                "other_setting_manager": NOT_SHOWN, "inactive_user": LOGIN, "organisation_member": REFUSED}

MATRIX += [
    Row("children API", "list", lambda c, w: c.get(reverse("api-children")), api=True, expect=ALL_STAFF_SEE),
    Row("child API", "view", lambda c, w: c.get(reverse("api-child", args=[w.child.pk])), api=True, audited=True,
        expect={**ONE_RECORD, "organisation_member": REFUSED}),
    Row("child API", "change", lambda c, w: _patch(c, "api-child", w.child.pk, {"preferred_name": "Zed"}),
        api=True, done=_renamed, expect={**ONE_RECORD, "key_person": REFUSED, "senco": REFUSED}),
    Row("parents and carers API", "list", lambda c, w: c.get(reverse("api-guardians")), api=True,
        shows=_shows_guardian, expect=ALL_STAFF_SEE),
    Row("parent or carer API", "view", lambda c, w: c.get(reverse("api-guardian", args=[_guardian(w).pk])),
        api=True, shows=_shows_guardian, expect=ONE_RECORD),
    Row("key persons API", "list", lambda c, w: c.get(reverse("api-assignments")), api=True,
        shows=_shows_assignment, expect=ALL_STAFF_SEE),
    Row("staff API", "list", lambda c, w: c.get(reverse("api-staff")), api=True, shows=_shows_key_person,
        expect=MANAGER_ONLY),
    Row("staff member API", "view", lambda c, w: c.get(reverse("api-staff-member", args=[_key_person_id(w)])),
        api=True, shows=_shows_key_person, expect={**MANAGER_ONLY, "other_setting_manager": NOT_FOUND}),
    Row("room API", "view", lambda c, w: c.get(reverse("api-room", args=[w.child.room_id])), api=True,
        shows=lambda w, r: w.child.room.name in r.content.decode(), expect={
            **ONE_RECORD, "other_room_key_person": OK}),
    Row("staff absences API", "list", lambda c, w: c.get(reverse("api-absences")), api=True,
        shows=lambda w, r: r.status_code == 200, expect={**MANAGER_ONLY, "other_setting_manager": OK}),
    Row("rooms API", "list", lambda c, w: c.get(reverse("api-rooms")), api=True,
        shows=lambda w, r: w.child.room.name in r.content.decode(), expect={
            **ALL_STAFF_SEE, "other_room_key_person": OK}),
    # The organisation's figures: its area manager only, and never a child's name.
    Row("organisation figures", "view", lambda c, w: c.get(reverse("organisation")), expect={
        "key_person": REFUSED, "other_room_key_person": REFUSED, "senco": REFUSED, "manager": REFUSED,
        "other_setting_manager": REFUSED, "inactive_user": LOGIN, "organisation_member": NOT_SHOWN}),
    Row("import and export", "open", lambda c, w: c.get(reverse("records")), shows=lambda w, r: True,
        expect={**MANAGER_ONLY, "other_setting_manager": OK}),
    Row("children export", "download", lambda c, w: c.get(reverse("records-export", args=["children"])),
        expect={**MANAGER_ONLY, "other_setting_manager": NOT_SHOWN}),
    Row("room's register export", "download",
        lambda c, w: c.get(reverse("register-csv", args=[w.child.room_id, "register"])),
        expect={**MANAGER_ONLY, "other_setting_manager": NOT_FOUND}),
    Row("room's ratio history export", "download",
        lambda c, w: c.get(reverse("register-csv", args=[w.child.room_id, "ratios"])),
        shows=lambda w, r: r.status_code == 200 and r["Content-Type"].startswith("text/csv"),
        expect={**MANAGER_ONLY, "other_setting_manager": NOT_FOUND}),
    Row("dashboard table export", "download", lambda c, w: c.get(reverse("dashboard-export", args=["unallocated"])),
        expect={**MANAGER_ONLY, "manager": NOT_SHOWN, "other_setting_manager": NOT_SHOWN}),
]


def _outcome(row: Row, world: World, user, response) -> str:
    status = response.status_code
    if status in (401, 403) and row.api and "credentials were not provided" in response.content.decode():
        return LOGIN
    if status == 302 and response["Location"].startswith(reverse("login")):
        return LOGIN
    if status == 404:
        return NOT_FOUND
    if status in (403, 409):
        return REFUSED
    assert status in (200, 302), f"{row.record} {row.action}: unexpected {status}"
    if row.done is not None:
        return OK if row.done(world, user) else REFUSED
    return OK if (row.shows or _shows_child)(world, response) else NOT_SHOWN


CASES = [(row, role) for row in MATRIX for role in ROLES]


@pytest.mark.parametrize(("row", "role"), CASES, ids=[f"{r.record}-{r.action}-{role}" for r, role in CASES])
def test_access_matrix(client, world, row, role):
    user = world.users[role]
    client.force_login(user)
    before = AuditEvent.objects.count()

    response = row.request(client, world)

    expected = row.expect[role]
    assert _outcome(row, world, user, response) == expected
    if row.audited and expected in (OK, NOT_FOUND):
        event = AuditEvent.objects.filter(actor=user, action="read").latest("id")
        # A refused room is audited against the room: its children are not named by a refusal.
        assert event.child_id == (world.child.pk if event.record_type != "processes.Room" else None)
        assert event.outcome == ("ok" if expected == OK else "not_found")
    if expected == LOGIN:
        assert AuditEvent.objects.count() == before  # an inactive user gets nowhere, not even a read


def test_every_row_has_an_outcome_for_every_role():
    for row in MATRIX:
        assert set(row.expect) == set(ROLES), f"{row.record} {row.action}"


# The room's cards show the need-to-know set (processes.room_care.NEED_TO_KNOW) and no other field: every
# field of the child, their "all about me", their family and consents is given a marker of its own, and only
# the markers of the need-to-know fields may be on the page, whoever reads it.
NEED_TO_KNOW_MARKERS = {"allergies", "dietary_needs", "medical_notes", "collected_by", "routines", "sleep",
                        "comforters", "about_allergies", "about_feeding"}


@pytest.mark.parametrize("role", ["key_person", "senco", "manager"])
def test_the_room_cards_show_no_field_outside_the_need_to_know_set(client, world, manager, role):
    from processes import services
    from processes.models import ConsentMethod, ConsentPurpose, ConsentStatus

    child = world.child
    text = {"home_language", "destination_school", "known_needs", "dietary_needs", "allergies", "medical_notes",
            "collected_by"}
    services.child_update(child=child, by=manager.user, **{name: f"MARK-{name}" for name in text})
    about = {"routines", "sleep", "comforters", "likes", "dislikes", "parents_want_known", "home_language"}
    services.all_about_me_record(child=child, by=world.users["key_person"],
                                 **{name: f"MARK-{name}" for name in about}, allergies="MARK-about_allergies",
                                 feeding="MARK-about_feeding")
    link = child.guardian_links.select_related("guardian").get()
    services.guardian_update(guardian=link.guardian, by=manager.user, first_name="MARK-guardian",
                             phone="MARK-phone", address="MARK-address")
    services.consent_record(child=child, guardian=link.guardian, purpose=ConsentPurpose.PHOTOGRAPHS,
                            status=ConsentStatus.GRANTED, method=ConsentMethod.SIGNED_FORM, by=manager.user,
                            notes="MARK-consent")
    client.force_login(world.users[role])

    page = client.get(reverse("room-care", args=[child.room_id])).content.decode()

    import re

    shown = set(re.findall(r"MARK-([a-z_]+)", page))
    assert shown == NEED_TO_KNOW_MARKERS

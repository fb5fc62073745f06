"""The Django admin over HTTP: scoped to the manager's setting, writing only through the services."""

from __future__ import annotations

import datetime as dt

import pytest
from django.apps import apps
from django.contrib import admin as django_admin
from django.contrib.admin.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from processes import services
from processes.models import (
    AssignmentRole,
    AuditEvent,
    Child,
    ChildGuardian,
    Consent,
    KeyPersonAssignment,
    LegalHold,
    LifecycleState,
    RecordsPassedOn,
    Room,
    StaffAbsence,
)

from .factories import (
    ChildFactory,
    ChildGuardianFactory,
    GuardianFactory,
    RoomFactory,
    SettingFactory,
    StaffFactory,
    UserFactory,
)

MODELS = (
    "organisation", "setting", "room", "staff", "staffabsence", "child", "guardian", "keypersonassignment",
    "consent", "auditevent", "legalhold", "recordspassedon",
)


def url(model: str, view: str = "changelist", *args) -> str:
    return reverse(f"admin:processes_{model}_{view}", args=args)


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def today() -> dt.date:
    return timezone.localdate()


@pytest.fixture
def manager_client(manager_admin_client):
    return manager_admin_client


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_staff=True, is_superuser=True)


@pytest.fixture
def superuser_client(client, superuser):
    client.force_login(superuser)
    return client


@pytest.fixture
def elsewhere(db):
    """Another setting, with a manager, a room, a child with a parent, and a consent on record."""
    setting = SettingFactory(name="Busy Bees")
    manager = StaffFactory(setting=setting, manager=True, user__username="bees-manager")
    room = RoomFactory(setting=setting, name="Bumblebees")
    child = ChildFactory(setting=setting, room=room, first_name="Zebedee", last_name="Faraway")
    link = ChildGuardianFactory(child=child, guardian__first_name="Yolanda")
    consent = services.consent_record(
        child=child, guardian=link.guardian, purpose="photographs", status="granted", method="in_person",
        by=manager.user,
    )
    services.legal_hold_place(child=child, by=manager.user, reason="A claim about Zebedee")
    services.consent_record(child=child, guardian=link.guardian, purpose="share_school", status="granted",
                            method="signed_form", recipient="Bumblebees Primary", by=manager.user)
    services.records_pass_on(child=child, kind="sen", recipient="Bumblebees Primary", by=manager.user)
    return {"setting": setting, "manager": manager, "room": room, "child": child, "consent": consent}


@pytest.fixture
def everything(allocated_child, guardian_link, manager, key_person):
    """One of every record in the manager's setting."""
    consent = services.consent_record(
        child=allocated_child, guardian=guardian_link.guardian, purpose="photographs", status="granted",
        method="signed_form", by=manager.user,
    )
    absence = services.staff_absence_record(
        staff=key_person, by=manager.user, starts_on=today(), ends_on=today() + dt.timedelta(days=2),
        reason="Training course",
    )
    return {"child": allocated_child, "consent": consent, "absence": absence}


# --- every model is there --------------------------------------------------------------------------------


def test_every_model_of_the_app_is_in_the_admin():
    missing = [
        m.__name__ for m in apps.get_app_config("processes").get_models()
        if m is not ChildGuardian and not django_admin.site.is_registered(m)
    ]
    assert missing == []


@pytest.mark.parametrize("model", MODELS)
def test_every_list_opens_for_a_superuser(superuser_client, everything, elsewhere, model):
    assert superuser_client.get(url(model)).status_code == 200


@pytest.mark.parametrize("model", MODELS)
def test_every_list_opens_for_the_manager(manager_client, everything, model):
    assert manager_client.get(url(model)).status_code == 200


def test_every_record_page_opens_for_a_superuser(superuser_client, everything, setting, room, manager):
    child = everything["child"]
    pages = [
        url("organisation", "change", setting.organisation_id), url("setting", "change", setting.pk),
        url("room", "change", room.pk), url("staff", "change", manager.pk),
        url("staffabsence", "change", everything["absence"].pk), url("child", "change", child.pk),
        url("guardian", "change", child.guardians.get().pk),
        url("keypersonassignment", "change", child.assignments.first().pk),
        url("consent", "change", everything["consent"].pk),
        url("auditevent", "change", AuditEvent.objects.first().pk),
    ]
    pages += [url(model, "add") for model in ("organisation", "setting", "room", "staff", "staffabsence",
                                              "child", "guardian", "keypersonassignment", "consent")]
    for page in pages:
        assert superuser_client.get(page).status_code == 200, page


def test_every_add_page_the_manager_may_use_opens(manager_client):
    for model in ("room", "staffabsence", "child", "guardian", "keypersonassignment", "consent", "legalhold",
                  "recordspassedon"):
        assert manager_client.get(url(model, "add")).status_code == 200, model


# --- scoping -----------------------------------------------------------------------------------------------


def test_a_manager_sees_only_their_own_settings_children(manager_client, child, elsewhere):
    response = manager_client.get(url("child"))

    names = [c.pk for c in response.context["cl"].result_list]
    assert names == [child.pk]
    assert "Zebedee" not in response.content.decode()


def test_another_settings_child_is_not_found_for_a_manager(manager_client, elsewhere):
    theirs = elsewhere["child"]

    response = manager_client.get(url("child", "change", theirs.pk))

    assert response.status_code == 302
    assert response.url == reverse("admin:index")
    assert "Zebedee" not in manager_client.get(response.url).content.decode()


def test_a_manager_cannot_change_another_settings_child_by_posting(manager_client, elsewhere):
    theirs = elsewhere["child"]
    form = child_form(elsewhere["room"], first_name="Hacked", last_name=theirs.last_name,
                      date_of_birth=theirs.date_of_birth.isoformat())

    manager_client.post(url("child", "change", theirs.pk), form)

    theirs.refresh_from_db()
    assert theirs.first_name == "Zebedee"


@pytest.mark.parametrize("model, key", [("consent", "consent"), ("room", "room"), ("setting", "setting")])
def test_another_settings_records_are_not_found_for_a_manager(manager_client, elsewhere, model, key):
    assert manager_client.get(url(model, "change", elsewhere[key].pk)).status_code == 302


def test_a_managers_lists_leave_out_every_other_setting(manager_client, everything, elsewhere):
    for model in MODELS:
        content = manager_client.get(url(model)).content.decode()
        for foreign in ("Busy Bees", "Zebedee", "Bumblebees", "bees-manager"):
            assert foreign not in content, (model, foreign)


def test_the_managers_choices_are_their_own_settings(manager_client, room, key_person, child, elsewhere):
    for page in (url("child", "add"), url("keypersonassignment", "add"), url("consent", "add")):
        content = manager_client.get(page).content.decode()
        assert "Bumblebees" not in content and "Zebedee" not in content and "Yolanda" not in content
    form = manager_client.get(url("keypersonassignment", "add")).context["adminform"].form
    assert list(form.fields["child"].queryset) == [child]
    assert list(form.fields["staff"].queryset) == [key_person]


def test_the_audit_trail_shows_a_manager_only_their_setting(manager_client, everything, elsewhere):
    response = manager_client.get(url("auditevent"))

    settings_seen = {e.setting_id for e in response.context["cl"].result_list}
    assert settings_seen == {everything["child"].setting_id}


def test_staff_who_are_not_the_manager_get_nothing_from_the_admin(client, key_person, child):
    key_person.user.is_staff = True
    key_person.user.save()
    client.force_login(key_person.user)

    assert client.get(url("child")).status_code == 403
    assert client.get(url("child", "change", child.pk)).status_code in (302, 403)
    assert client.get(reverse("admin:index")).context["app_list"] == []


# --- children ------------------------------------------------------------------------------------------


def child_form(room, **overrides) -> dict:
    data = {
        "first_name": "Poppy", "last_name": "Gardner", "preferred_name": "",
        "date_of_birth": (today() - dt.timedelta(days=800)).isoformat(), "room": room.pk,
        "start_date": (today() + dt.timedelta(days=14)).isoformat(), "attending": ["mon_am", "tue_am"],
        "expected_leaving_date": "", "destination_school": "", "home_language": "English",
        "dietary_needs": "", "allergies": "", "known_needs": "", "preferred_key_person": "",
        "guardian_links-TOTAL_FORMS": "0", "guardian_links-INITIAL_FORMS": "0",
        "guardian_links-MIN_NUM_FORMS": "0", "guardian_links-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data


def test_a_manager_registers_a_child_through_the_service(manager_client, setting, room, manager):
    guardian = GuardianFactory(setting=setting, first_name="Petra")
    data = child_form(room, **{
        "guardian_links-TOTAL_FORMS": "1", "guardian_links-0-guardian": guardian.pk,
        "guardian_links-0-relationship": "Mother", "guardian_links-0-has_parental_responsibility": "on",
    })

    response = manager_client.post(url("child", "add"), data)

    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    child = Child.objects.get(first_name="Poppy")
    assert child.setting == setting and child.state == LifecycleState.REGISTERED
    assert child.attending_sessions == 0b101
    assert child.guardians.get() == guardian
    actions = set(AuditEvent.objects.filter(child_id=child.pk).values_list("action", flat=True))
    assert actions == {"create"}
    assert AuditEvent.objects.filter(child_id=child.pk).count() == 2  # the child, and the parent's link


def test_a_child_is_registered_in_the_managers_setting_whatever_the_form_says(manager_client, room, elsewhere):
    manager_client.post(url("child", "add"), child_form(room, setting=elsewhere["setting"].pk))

    assert Child.objects.get(first_name="Poppy").setting == room.setting


def test_a_refused_registration_shows_why_and_writes_nothing(superuser_client, setting, room):
    # A superuser is not the setting's manager: the service refuses, and the admin must not 500.
    guardian = GuardianFactory(setting=setting)
    data = child_form(room, setting=setting.pk, **{
        "guardian_links-TOTAL_FORMS": "1", "guardian_links-0-guardian": guardian.pk,
        "guardian_links-0-relationship": "Father",
    })

    response = superuser_client.post(url("child", "add"), data)

    assert response.status_code == 200
    assert "Only the setting&#x27;s manager can register a child." in response.content.decode()
    assert response.context["adminform"].form.data["first_name"] == "Poppy"
    assert not Child.objects.exists() and not ChildGuardian.objects.exists()
    assert not AuditEvent.objects.exists() and not LogEntry.objects.exists()


def test_a_refused_parent_link_undoes_the_whole_registration(client, room, setting, elsewhere):
    # A superuser who also manages this setting is offered every setting's parents; linking another
    # setting's parent is refused by guardian_link after the child was registered, and must undo it.
    boss = StaffFactory(setting=setting, manager=True, user__username="boss", user__is_staff=True,
                        user__is_superuser=True)
    client.force_login(boss.user)
    foreign_parent = elsewhere["child"].guardians.get()
    before = AuditEvent.objects.count()
    data = child_form(room, setting=setting.pk, **{
        "guardian_links-TOTAL_FORMS": "1", "guardian_links-0-guardian": foreign_parent.pk,
        "guardian_links-0-relationship": "Mother",
    })

    response = client.post(url("child", "add"), data)

    assert response.status_code == 200
    assert "That parent/carer belongs to another setting." in response.content.decode()
    assert not Child.objects.filter(first_name="Poppy").exists()
    assert AuditEvent.objects.count() == before and not LogEntry.objects.exists()


def test_another_settings_parent_is_not_offered_to_a_manager(manager_client, room, elsewhere):
    foreign_parent = elsewhere["child"].guardians.get()
    data = child_form(room, **{
        "guardian_links-TOTAL_FORMS": "1", "guardian_links-0-guardian": foreign_parent.pk,
        "guardian_links-0-relationship": "Mother",
    })

    response = manager_client.post(url("child", "add"), data)

    assert response.status_code == 200
    assert not Child.objects.filter(first_name="Poppy").exists()


def test_a_manager_changes_a_child_through_the_service(manager_client, child, room):
    page = manager_client.get(url("child", "change", child.pk))
    data = {**page.context["adminform"].form.initial}
    form = child_form(room, first_name=child.first_name, last_name=child.last_name,
                      date_of_birth=child.date_of_birth.isoformat(), start_date=child.start_date.isoformat(),
                      attending=data["attending"], allergies="Peanuts")

    response = manager_client.post(url("child", "change", child.pk), form)

    assert response.status_code == 302
    child.refresh_from_db()
    assert child.allergies == "Peanuts"
    event = AuditEvent.objects.get(child_id=child.pk, action="update")
    assert event.changes == {"allergies": ["", "Peanuts"]}
    assert event.actor_id == page.wsgi_request.user.pk


def test_the_lifecycle_state_cannot_be_changed_in_the_form(manager_client, child, room):
    form = child_form(room, first_name=child.first_name, last_name=child.last_name,
                      date_of_birth=child.date_of_birth.isoformat(), state="left")

    manager_client.post(url("child", "change", child.pk), form)

    child.refresh_from_db()
    assert child.state == LifecycleState.REGISTERED


def test_children_cannot_be_deleted_in_the_admin(manager_client, superuser_client, child):
    assert manager_client.get(url("child", "delete", child.pk)).status_code == 403
    assert superuser_client.post(url("child", "delete", child.pk), {"post": "yes"}).status_code == 403
    assert Child.objects.filter(pk=child.pk).exists()


def test_the_list_of_children_runs_a_fixed_number_of_queries(manager_client, setting, room, key_person):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert manager_client.get(url("child")).status_code == 200
        return len(captured)

    ChildFactory(setting=setting, room=room)
    few = queries()
    for _ in range(4):
        extra = ChildFactory(setting=setting, room=room)
        services.key_person_assign(child=extra, staff=key_person, role="primary", by=setting.staff.get(
            is_manager=True).user)
    assert queries() == few


# --- lifecycle actions ---------------------------------------------------------------------------------


def act(client, action: str, *objects, model: str = "child", **extra):
    data = {"action": action, "_selected_action": [o.pk for o in objects], **extra}
    return client.post(url(model), data, follow=True)


def test_allocate_says_why_a_child_without_a_secondary_cannot_be_allocated(
    manager_client, child, manager, key_person
):
    services.key_person_assign(child=child, staff=key_person, role="primary", by=manager.user)

    response = act(manager_client, "allocate", child)

    assert response.status_code == 200
    assert f"{child} cannot allocate: the child has no secondary key person yet." in messages_of(response)
    child.refresh_from_db()
    assert child.state == LifecycleState.REGISTERED


def test_an_action_reports_each_child_on_its_own(manager_client, setting, room, manager, key_person,
                                                 other_key_person):
    ready = ChildFactory(setting=setting, room=room, first_name="Ready")
    services.key_person_assign(child=ready, staff=key_person, role="primary", by=manager.user)
    services.key_person_assign(child=ready, staff=other_key_person, role="secondary", by=manager.user)
    not_ready = ChildFactory(setting=setting, room=room, first_name="Waiting")

    response = act(manager_client, "allocate", ready, not_ready)

    shown = messages_of(response)
    assert f"{ready}: now key person allocated." in shown
    assert f"{not_ready} cannot allocate: the child has no key person yet; " \
           "the child has no secondary key person yet." in shown
    ready.refresh_from_db()
    not_ready.refresh_from_db()
    assert (ready.state, not_ready.state) == (LifecycleState.ALLOCATED, LifecycleState.REGISTERED)
    assert AuditEvent.objects.filter(action="transition", child_id=ready.pk).count() == 1


def test_a_step_from_the_wrong_state_is_refused_with_a_message(manager_client, allocated_child):
    response = act(manager_client, "leave", allocated_child)

    assert "they cannot leave from there" in " ".join(messages_of(response))
    allocated_child.refresh_from_db()
    assert allocated_child.state == LifecycleState.ALLOCATED


def test_a_superuser_who_is_not_the_manager_is_told_so(superuser_client, allocated_child):
    response = act(superuser_client, "begin_settling_in", allocated_child)

    assert response.status_code == 200
    assert any("not allowed" in m for m in messages_of(response))


def test_withdrawing_asks_why_before_anything_changes(manager_client, allocated_child):
    response = act(manager_client, "withdraw", allocated_child)

    assert response.status_code == 200
    assert "admin/processes/reason_form.html" in [t.name for t in response.templates]
    allocated_child.refresh_from_db()
    assert allocated_child.state == LifecycleState.ALLOCATED

    response = act(manager_client, "withdraw", allocated_child, apply="yes", reason="")
    assert "This field is required." in response.content.decode()

    response = act(manager_client, "withdraw", allocated_child, apply="yes", reason="Family moved away")

    allocated_child.refresh_from_db()
    assert allocated_child.state == LifecycleState.WITHDRAWN
    event = AuditEvent.objects.get(action="transition", child_id=allocated_child.pk, changes__to="withdrawn")
    assert event.changes["reason"] == "Family moved away"


def test_another_settings_child_cannot_be_moved_by_a_forged_action(manager_client, elsewhere):
    act(manager_client, "withdraw", elsewhere["child"], apply="yes", reason="Forged")

    elsewhere["child"].refresh_from_db()
    assert elsewhere["child"].state == LifecycleState.REGISTERED


# --- key person assignments ------------------------------------------------------------------------------


def assignment_form(child, staff, role="primary", **extra) -> dict:
    return {"child": child.pk, "staff": staff.pk, "role": role, "starts_on": today().isoformat(), "reason": "",
            "over_caseload_reason": "", **extra}


def test_a_second_primary_ends_the_old_one_and_is_audited(manager_client, allocated_child, setting, room,
                                                           key_person):
    newcomer = StaffFactory(setting=setting, room=room, user__username="newcomer")
    old = allocated_child.assignments.current().get(role=AssignmentRole.PRIMARY)

    response = manager_client.post(url("keypersonassignment", "add"), assignment_form(allocated_child, newcomer))

    assert response.status_code == 302
    old.refresh_from_db()
    assert old.ends_on == today() and old.end_reason
    current = allocated_child.assignments.current().get(role=AssignmentRole.PRIMARY)
    assert current.staff == newcomer
    event = AuditEvent.objects.get(action="assign", record_id=str(current.pk))
    assert event.changes["previous"] == key_person.pk
    assert event.actor.username == "manager"


def test_over_the_caseload_without_a_reason_is_refused_and_nothing_is_written(manager_client, child, key_person):
    key_person.max_caseload = 0
    key_person.save()
    before = (KeyPersonAssignment.objects.count(), AuditEvent.objects.count(), LogEntry.objects.count())

    response = manager_client.post(url("keypersonassignment", "add"), assignment_form(child, key_person))

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "caseload" in " ".join(errors["over_caseload_reason"])
    assert "caseload" in response.content.decode()
    assert (KeyPersonAssignment.objects.count(), AuditEvent.objects.count(), LogEntry.objects.count()) == before


def test_over_the_caseload_with_a_reason_is_allowed(manager_client, child, key_person):
    key_person.max_caseload = 0
    key_person.save()

    response = manager_client.post(
        url("keypersonassignment", "add"),
        assignment_form(child, key_person, over_caseload_reason="Only German speaker"),
    )

    assert response.status_code == 302
    assert child.assignments.current().get().over_caseload_reason == "Only German speaker"


def test_an_assignment_is_history_it_cannot_be_edited_or_deleted(manager_client, superuser_client,
                                                                 allocated_child, other_key_person):
    assignment = allocated_child.assignments.get(role=AssignmentRole.PRIMARY)
    change = url("keypersonassignment", "change", assignment.pk)

    assert manager_client.get(change).status_code == 200  # a read-only view
    assert manager_client.post(change, assignment_form(allocated_child, other_key_person)).status_code == 403
    assert superuser_client.get(url("keypersonassignment", "delete", assignment.pk)).status_code == 403
    assignment.refresh_from_db()
    assert assignment.is_current


def test_ending_an_assignment_asks_why_and_goes_through_the_service(manager_client, allocated_child):
    secondary = allocated_child.assignments.get(role=AssignmentRole.SECONDARY)

    response = act(manager_client, "end_assignments", secondary, model="keypersonassignment")
    assert "admin/processes/reason_form.html" in [t.name for t in response.templates]
    secondary.refresh_from_db()
    assert secondary.is_current

    response = act(manager_client, "end_assignments", secondary, model="keypersonassignment",
                   apply="yes", reason="Moved to the baby room")

    secondary.refresh_from_db()
    assert secondary.ends_on == today() and secondary.end_reason == "Moved to the baby room"
    assert AuditEvent.objects.filter(action="end", record_id=str(secondary.pk)).exists()
    assert any("ended" in m for m in messages_of(response))


def test_ending_an_ended_assignment_says_so(manager_client, allocated_child, manager):
    secondary = allocated_child.assignments.get(role=AssignmentRole.SECONDARY)
    services.key_person_end(assignment=secondary, by=manager.user, reason="Left")

    response = act(manager_client, "end_assignments", secondary, model="keypersonassignment",
                   apply="yes", reason="Again")

    assert "That assignment has already ended." in messages_of(response)


# --- consent and the audit trail are append-only --------------------------------------------------------


def consent_form(child, guardian, **extra) -> dict:
    now = timezone.localtime()
    return {"child": child.pk, "guardian": guardian.pk, "purpose": "photographs", "recipient": "",
            "status": "granted", "method": "in_person", "given_at_0": now.date().isoformat(),
            "given_at_1": now.strftime("%H:%M:%S"), "notes": "", **extra}


def test_consent_is_recorded_through_the_service(manager_client, child, guardian_link):
    response = manager_client.post(url("consent", "add"), consent_form(child, guardian_link.guardian))

    assert response.status_code == 302
    consent = Consent.objects.get()
    assert consent.recorded_by.username == "manager"
    assert AuditEvent.objects.filter(action="consent_granted", record_id=str(consent.pk)).exists()


def test_withdrawing_consent_that_was_never_given_is_refused(manager_client, child, guardian_link):
    response = manager_client.post(
        url("consent", "add"), consent_form(child, guardian_link.guardian, status="withdrawn")
    )

    assert response.status_code == 200
    assert "There is no consent in force to withdraw." in response.content.decode()
    assert not Consent.objects.exists() and not AuditEvent.objects.exists()


@pytest.mark.parametrize("who", ["manager_client", "superuser_client"])
def test_consent_cannot_be_changed_or_deleted(request, who, everything):
    client = request.getfixturevalue(who)
    consent = everything["consent"]
    change = url("consent", "change", consent.pk)

    page = client.get(change)
    assert page.status_code == 200 and not page.context["has_change_permission"]
    assert not page.context["has_delete_permission"]
    assert client.post(change, consent_form(consent.child, consent.guardian, status="declined")).status_code == 403
    assert client.post(url("consent", "delete", consent.pk), {"post": "yes"}).status_code == 403
    consent.refresh_from_db()
    assert consent.status == "granted"


@pytest.mark.parametrize("who", ["manager_client", "superuser_client"])
def test_the_audit_trail_cannot_be_added_to_changed_or_deleted(request, who, everything):
    client = request.getfixturevalue(who)
    event = AuditEvent.objects.filter(setting_id=everything["child"].setting_id).first()
    before = (event.summary, AuditEvent.objects.count())

    assert client.get(url("auditevent", "add")).status_code == 403
    assert client.post(url("auditevent", "change", event.pk), {"summary": "Nothing happened"}).status_code == 403
    assert client.post(url("auditevent", "delete", event.pk), {"post": "yes"}).status_code == 403
    event.refresh_from_db()
    assert (event.summary, AuditEvent.objects.count()) == before


def test_the_audit_trail_is_searchable_and_filterable(manager_client, everything):
    found = manager_client.get(url("auditevent"), {"q": "Training course"}).context["cl"].result_list
    assert [e.record_type for e in found] == ["processes.StaffAbsence"]

    assigned = manager_client.get(url("auditevent"), {"action": "assign"}).context["cl"].result_list
    assert len(assigned) == 2

    year = timezone.localtime().year
    assert manager_client.get(url("auditevent"), {"at__year": year}).status_code == 200


# --- staff, absences, rooms -----------------------------------------------------------------------------


def test_staff_absence_is_recorded_through_the_service(manager_client, key_person):
    data = {"staff": key_person.pk, "starts_on": today().isoformat(),
            "ends_on": (today() + dt.timedelta(days=1)).isoformat(), "reason": "Dentist"}

    assert manager_client.post(url("staffabsence", "add"), data).status_code == 302
    absence = StaffAbsence.objects.get()
    assert absence.recorded_by.username == "manager"
    assert AuditEvent.objects.filter(record_type="processes.StaffAbsence", record_id=str(absence.pk)).exists()

    response = manager_client.post(url("staffabsence", "add"), {**data, "reason": "Again"})
    assert response.status_code == 200
    assert "already has an absence recorded in those dates" in response.content.decode()
    assert StaffAbsence.objects.count() == 1


def test_a_room_added_by_a_manager_belongs_to_their_setting_and_is_audited(manager_client, setting, elsewhere):
    data = {"setting": elsewhere["setting"].pk, "name": "Butterflies", "min_age_months": 36,
            "max_age_months": 60, "children_per_adult": 8}

    assert manager_client.post(url("room", "add"), data).status_code == 302
    room = Room.objects.get(name="Butterflies")
    assert room.setting == setting
    assert AuditEvent.objects.filter(action="create", record_type="processes.Room", setting_id=setting.pk).exists()

    response = manager_client.post(url("room", "add"), data)
    assert response.status_code == 200 and Room.objects.filter(name="Butterflies").count() == 1


def test_changing_a_member_of_staff_is_audited(manager_client, key_person):
    page = manager_client.get(url("staff", "change", key_person.pk))
    form = page.context["adminform"].form
    data = {name: form.initial.get(name) for name in form.fields if form.initial.get(name) is not None}
    data.update({"max_caseload": 3, "working": ["mon_am", "mon_pm"], "room": key_person.room_id or ""})
    data = {k: v for k, v in data.items() if v is not False}

    response = manager_client.post(url("staff", "change", key_person.pk), data)

    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    key_person.refresh_from_db()
    assert key_person.max_caseload == 3 and key_person.working_sessions == 0b11
    event = AuditEvent.objects.get(action="update", record_type="processes.Staff")
    assert set(event.changes) == {"working_sessions", "max_caseload"}


# --- retention ---------------------------------------------------------------------------------------------


def test_a_legal_hold_is_placed_through_the_service_and_a_second_is_refused_on_the_form(manager_client, child):
    data = {"child": child.pk, "reason": "A claim from the parents' solicitor"}
    assert manager_client.post(url("legalhold", "add"), data).status_code == 302
    hold = LegalHold.objects.get()
    assert (hold.child, hold.placed_by.username, hold.lifted_at) == (child, "manager", None)
    assert AuditEvent.objects.filter(action="hold", record_id=str(hold.pk)).exists()

    response = manager_client.post(url("legalhold", "add"), {**data, "reason": "Again"})
    assert response.status_code == 200 and "already on hold" in response.content.decode()
    assert LegalHold.objects.count() == 1


def test_lifting_a_hold_asks_why_and_goes_through_the_service(manager_client, child, manager):
    hold = services.legal_hold_place(child=child, by=manager.user, reason="An investigation")

    response = act(manager_client, "lift_holds", hold, model="legalhold")
    assert "admin/processes/reason_form.html" in [t.name for t in response.templates]
    hold.refresh_from_db()
    assert hold.lifted_at is None

    response = act(manager_client, "lift_holds", hold, model="legalhold", apply="yes", reason="Claim settled")
    hold.refresh_from_db()
    assert hold.lifted_at is not None and hold.lifted_by == manager.user
    assert AuditEvent.objects.get(action="lift", record_id=str(hold.pk)).changes["reason"] == "Claim settled"
    assert any("lifted" in m for m in messages_of(response))


def test_records_passed_on_are_recorded_through_the_service(manager_client, child, manager):
    link = ChildGuardianFactory(child=child)
    services.consent_record(child=child, guardian=link.guardian, purpose="share_school", status="granted",
                            method="signed_form", recipient="Hillside Primary", by=manager.user)
    data = {"child": child.pk, "kind": "sen", "recipient": "Hillside Primary", "passed_on": today().isoformat()}
    assert manager_client.post(url("recordspassedon", "add"), data).status_code == 302
    passed = RecordsPassedOn.objects.get()
    assert (passed.child, passed.recipient, passed.recorded_by.username) == (child, "Hillside Primary", "manager")
    assert AuditEvent.objects.filter(action="pass_on", record_id=str(passed.pk)).exists()


def test_records_are_not_passed_on_without_the_parents_consent_to_that_school(manager_client, child):
    data = {"child": child.pk, "kind": "sen", "recipient": "Hillside Primary", "passed_on": today().isoformat()}
    response = manager_client.post(url("recordspassedon", "add"), data)
    assert response.status_code == 200 and "consent" in response.content.decode()
    assert not RecordsPassedOn.objects.exists()


def test_another_settings_child_cannot_be_put_on_hold_by_a_forged_form(manager_client, elsewhere):
    response = manager_client.post(url("legalhold", "add"), {"child": elsewhere["child"].pk, "reason": "Forged"})
    assert response.status_code == 200
    assert LegalHold.objects.filter(child=elsewhere["child"]).count() == 1  # the elsewhere manager's own

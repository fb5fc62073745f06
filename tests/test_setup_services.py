"""The set-up services the admin calls: organisation, settings, rooms, staff and parents, each with its rules
and its audit row; a refusal writes nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from processes import services
from processes.errors import NotPermitted, RuleViolation
from processes.models import AuditEvent, Guardian, Organisation, Room, Staff

from .factories import ChildGuardianFactory, GuardianFactory, RoomFactory, SettingFactory, StaffFactory, UserFactory


@pytest.fixture
def root(db):
    return UserFactory(username="root", is_staff=True, is_superuser=True)


def audit_of(record, action: str) -> AuditEvent:
    return AuditEvent.objects.get(record_type=record._meta.label, record_id=str(record.pk), action=action)


# --- organisation and settings --------------------------------------------------------------------------


def test_only_an_installation_administrator_adds_an_organisation_and_a_setting(root, manager):
    with pytest.raises(NotPermitted, match="administrator of the whole installation"):
        services.organisation_create(by=manager.user, name="Chain")

    chain = services.organisation_create(by=root, name="  Acorn Group ")
    setting = services.setting_create(organisation=chain, by=root, name="Oak Tree", email="oak@example.org")

    assert chain.name == "Acorn Group" and setting.organisation == chain
    assert audit_of(chain, "create").actor == root
    assert audit_of(setting, "create").setting_id == setting.pk


def test_renaming_an_organisation_is_the_installation_administrators_and_audited(root, manager, setting):
    organisation = setting.organisation
    with pytest.raises(NotPermitted):
        services.organisation_update(organisation=organisation, by=manager.user, name="Mine now")

    services.organisation_update(organisation=organisation, by=root, name="Caterpillar Group")

    organisation.refresh_from_db()
    assert organisation.name == "Caterpillar Group"
    assert audit_of(organisation, "update").summary.endswith("to Caterpillar Group")


def test_the_manager_changes_the_settings_periods_and_weights_and_it_is_audited(setting, manager):
    services.setting_update(setting=setting, by=manager.user, settling_review_weeks=6, weight_room=0)

    setting.refresh_from_db()
    assert (setting.settling_review_weeks, setting.weight_room) == (6, 0)
    assert audit_of(setting, "update").changes == {"settling_review_weeks": ["4", "6"], "weight_room": ["2", "0"]}


@pytest.mark.parametrize("changes, field", [
    ({"settling_review_weeks": 0}, "settling_review_weeks"),
    ({"sen_review_weeks": 60}, "sen_review_weeks"),
    ({"consent_follow_up_weeks": 200}, "consent_follow_up_weeks"),
    ({"weight_sessions": 50}, "weight_sessions"),
    ({"name": "  "}, "name"),
])
def test_impossible_periods_and_weights_are_refused_and_nothing_changes(setting, manager, changes, field):
    with pytest.raises(RuleViolation) as refused:
        services.setting_update(setting=setting, by=manager.user, **changes)

    assert refused.value.field == field
    setting.refresh_from_db()
    assert setting.settling_review_weeks == 4 and setting.name == "Little Caterpillars"
    assert not AuditEvent.objects.filter(action="update").exists()


def test_another_settings_manager_and_a_key_person_cannot_change_the_setting(setting, key_person):
    stranger = StaffFactory(setting=SettingFactory(), manager=True)
    for who in (stranger.user, key_person.user):
        with pytest.raises(NotPermitted):
            services.setting_update(setting=setting, by=who, name="Taken over")


def test_only_an_installation_administrator_moves_a_setting_to_another_organisation(setting, manager, root):
    other = Organisation.objects.create(name="Other group")
    with pytest.raises(NotPermitted):
        services.setting_update(setting=setting, by=manager.user, organisation=other)

    services.setting_update(setting=setting, by=root, organisation=other)
    setting.refresh_from_db()
    assert setting.organisation == other


# --- rooms ------------------------------------------------------------------------------------------------


def test_a_room_is_added_and_changed_through_its_service_with_audit_rows(setting, manager):
    room = services.room_create(setting=setting, by=manager.user, name="Butterflies", min_age_months=36,
                                max_age_months=60, children_per_adult=8)
    services.room_update(room=room, by=manager.user, children_per_adult=13)

    room.refresh_from_db()
    assert room.children_per_adult == 13
    assert audit_of(room, "create").setting_id == setting.pk
    assert audit_of(room, "update").changes == {"children_per_adult": ["8", "13"]}


@pytest.mark.parametrize("ages, field", [((36, 24), "max_age_months"), ((0, 120), "max_age_months")])
def test_a_room_with_an_impossible_age_range_is_refused(setting, manager, ages, field):
    with pytest.raises(RuleViolation) as refused:
        services.room_create(setting=setting, by=manager.user, name="Odd", min_age_months=ages[0],
                             max_age_months=ages[1], children_per_adult=4)
    assert refused.value.field == field
    assert not Room.objects.filter(name="Odd").exists()


def test_a_second_room_of_the_same_name_is_refused(setting, manager, room):
    with pytest.raises(RuleViolation, match="already has a room called toddlers"):
        services.room_create(setting=setting, by=manager.user, name="toddlers", min_age_months=0,
                             max_age_months=24, children_per_adult=3)


def test_a_room_with_children_cannot_be_removed_an_empty_one_can(setting, manager, room, child):
    with pytest.raises(RuleViolation, match="Children are recorded in Toddlers"):
        services.room_delete(room=room, by=manager.user)
    empty = RoomFactory(setting=setting, name="Spare")

    services.room_delete(room=empty, by=manager.user)

    assert Room.objects.filter(pk=room.pk).exists() and not Room.objects.filter(pk=empty.pk).exists()
    assert AuditEvent.objects.get(action="delete", record_type="processes.Room").summary == "Removed the room Spare"


# --- staff ------------------------------------------------------------------------------------------------


def test_a_member_of_staff_is_added_with_their_roles_and_audited(setting, manager, room):
    user = UserFactory(username="newstarter")

    staff = services.staff_create(setting=setting, user=user, by=manager.user, room=room, is_senco=True,
                                  job_title="SENCO")

    assert staff.is_senco and staff.is_key_person and staff.room == room
    assert audit_of(staff, "create").changes == {"roles": ["SENCO", "key person"]}
    with pytest.raises(RuleViolation, match="already a member of staff"):
        services.staff_create(setting=setting, user=user, by=manager.user)


def test_a_member_of_staff_cannot_be_put_in_another_settings_room(setting, manager, key_person):
    foreign_room = RoomFactory(setting=SettingFactory())
    with pytest.raises(RuleViolation, match="another setting") as refused:
        services.staff_update(staff=key_person, by=manager.user, room=foreign_room)
    assert refused.value.field == "room"
    key_person.refresh_from_db()
    assert key_person.room != foreign_room


def test_changing_roles_is_audited_with_the_roles_now(manager, key_person):
    services.staff_update(staff=key_person, by=manager.user, is_dsl=True, max_caseload=5)

    event = audit_of(key_person, "update")
    assert event.changes == {"is_dsl": ["False", "True"], "max_caseload": ["8", "5"]}
    assert "roles now DSL, key person" in event.summary


def test_the_settings_only_manager_cannot_stop_being_manager(manager, setting):
    with pytest.raises(RuleViolation, match="only manager") as refused:
        services.staff_update(staff=manager, by=manager.user, is_manager=False)
    assert refused.value.field == "is_manager"
    manager.refresh_from_db()
    assert manager.is_manager

    deputy = StaffFactory(setting=setting, manager=True)
    services.staff_update(staff=manager, by=deputy.user, is_manager=False)
    manager.refresh_from_db()
    assert not manager.is_manager


def test_a_key_person_with_key_children_cannot_stop_being_a_key_person(allocated_child, manager, key_person):
    with pytest.raises(RuleViolation, match="hand them on"):
        services.staff_update(staff=key_person, by=manager.user, is_key_person=False)
    key_person.refresh_from_db()
    assert key_person.is_key_person


@pytest.mark.parametrize("changes", [{"max_caseload": 99}, {"working_sessions": 1 << 12}, {"user": None}])
def test_impossible_staff_details_are_refused(manager, key_person, changes):
    with pytest.raises(RuleViolation):
        services.staff_update(staff=key_person, by=manager.user, **changes)
    assert not AuditEvent.objects.filter(record_type="processes.Staff").exists()


def test_only_the_manager_changes_staff(key_person, other_key_person):
    with pytest.raises(NotPermitted):
        services.staff_update(staff=other_key_person, by=key_person.user, is_manager=True)
    other_key_person.refresh_from_db()
    assert not other_key_person.is_manager


def test_a_member_of_staff_who_was_a_key_person_keeps_their_profile(allocated_child, manager, key_person, setting):
    with pytest.raises(RuleViolation, match="has been a key person"):
        services.staff_delete(staff=key_person, by=manager.user)
    newcomer = StaffFactory(setting=setting)

    services.staff_delete(staff=newcomer, by=manager.user)

    assert Staff.objects.filter(pk=key_person.pk).exists() and not Staff.objects.filter(pk=newcomer.pk).exists()
    assert AuditEvent.objects.filter(action="delete", record_type="processes.Staff").count() == 1


# --- parents and carers -----------------------------------------------------------------------------------


def test_a_parent_is_added_and_changed_through_the_service_and_audited(setting, manager):
    parent = services.guardian_create(setting=setting, by=manager.user, first_name=" Petra ", last_name="Novak",
                                      email="petra@example.org")
    services.guardian_update(guardian=parent, by=manager.user, phone="07700 900123")

    parent.refresh_from_db()
    assert (parent.first_name, parent.phone) == ("Petra", "07700 900123")
    assert audit_of(parent, "create").setting_id == setting.pk
    assert audit_of(parent, "update").changes == {"phone": ["", "07700 900123"]}


@pytest.mark.parametrize("changes, field", [({"email": "not an address"}, "email"), ({"last_name": " "}, "last_name")])
def test_bad_parent_details_are_refused_and_nothing_changes(setting, manager, changes, field):
    parent = GuardianFactory(setting=setting, last_name="Novak")
    with pytest.raises(RuleViolation) as refused:
        services.guardian_update(guardian=parent, by=manager.user, **changes)
    assert refused.value.field == field
    parent.refresh_from_db()
    assert parent.last_name == "Novak" and "@" in parent.email


def test_a_parent_linked_to_a_child_is_not_removed(guardian_link, manager, setting):
    with pytest.raises(RuleViolation, match="linked to a child"):
        services.guardian_delete(guardian=guardian_link.guardian, by=manager.user)
    stray = GuardianFactory(setting=setting)

    services.guardian_delete(guardian=stray, by=manager.user)

    assert Guardian.objects.filter(pk=guardian_link.guardian_id).exists()
    assert not Guardian.objects.filter(pk=stray.pk).exists()


def test_another_settings_manager_cannot_change_a_parent(guardian_link):
    stranger = StaffFactory(setting=SettingFactory(), manager=True)
    with pytest.raises(NotPermitted):
        services.guardian_update(guardian=guardian_link.guardian, by=stranger.user, email="x@example.org")


# --- the admin calls them -----------------------------------------------------------------------------------


def staff_form(client, staff, **changes) -> dict:
    form = client.get(reverse("admin:processes_staff_change", args=[staff.pk])).context["adminform"].form
    data = {name: form.initial.get(name) for name in form.fields if form.initial.get(name) is not None}
    data.update({"room": staff.room_id or "", **changes})
    return {k: v for k, v in data.items() if v is not False}


def test_a_refused_role_change_in_the_admin_shows_why_on_the_form_and_changes_nothing(manager_admin_client, manager):
    before = AuditEvent.objects.count()
    data = staff_form(manager_admin_client, manager)
    data.pop("is_manager")

    response = manager_admin_client.post(reverse("admin:processes_staff_change", args=[manager.pk]), data)

    assert response.status_code == 200
    assert "the setting&#x27;s only manager" in response.content.decode()
    manager.refresh_from_db()
    assert manager.is_manager and AuditEvent.objects.count() == before


def test_a_parents_details_changed_in_the_admin_go_through_the_service(manager_admin_client, guardian_link, setting):
    parent = guardian_link.guardian
    data = {"setting": setting.pk, "first_name": parent.first_name, "last_name": parent.last_name,
            "email": "new@example.org", "phone": parent.phone, "address": "", "preferred_language": ""}

    response = manager_admin_client.post(reverse("admin:processes_guardian_change", args=[parent.pk]), data)

    assert response.status_code == 302
    assert audit_of(parent, "update").changes == {"email": [parent.email, "new@example.org"]}


def test_deleting_parents_in_the_admin_removes_the_stray_one_and_refuses_the_linked_one(client, guardian_link,
                                                                                         setting):
    boss = StaffFactory(setting=setting, manager=True, user__username="boss", user__is_staff=True,
                        user__is_superuser=True)
    client.force_login(boss.user)
    linked, stray = guardian_link.guardian, GuardianFactory(setting=setting)

    response = client.post(reverse("admin:processes_guardian_changelist"),
                           {"action": "delete_selected", "_selected_action": [linked.pk, stray.pk], "post": "yes"},
                           follow=True)

    assert response.status_code == 200
    assert f"{linked} is linked to a child" in " ".join(str(m) for m in response.context["messages"])
    assert Guardian.objects.filter(pk=linked.pk).exists() and not Guardian.objects.filter(pk=stray.pk).exists()
    assert AuditEvent.objects.filter(action="delete", record_type="processes.Guardian").count() == 1


def test_deleting_a_linked_parent_from_its_page_is_refused_with_a_message(client, guardian_link, setting):
    boss = StaffFactory(setting=setting, manager=True, user__username="boss", user__is_staff=True,
                        user__is_superuser=True)
    client.force_login(boss.user)
    linked = guardian_link.guardian

    response = client.post(reverse("admin:processes_guardian_delete", args=[linked.pk]), {"post": "yes"})

    assert response.status_code == 302
    assert response.url == reverse("admin:processes_guardian_change", args=[linked.pk])
    assert Guardian.objects.filter(pk=linked.pk).exists()
    assert not AuditEvent.objects.filter(action="delete").exists()


def test_a_superuser_adds_a_manager_for_a_new_setting_in_the_admin(client, root):
    client.force_login(root)
    setting = SettingFactory(name="New Nursery")
    user = UserFactory(username="newmanager")
    data = {"user": user.pk, "setting": setting.pk, "room": "", "job_title": "Manager", "is_manager": "on",
            "working": ["mon_am"], "max_caseload": 8, "sen_experience": "", "qualification_level": 3}

    response = client.post(reverse("admin:processes_staff_add"), data)

    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    staff = Staff.objects.get(user=user)
    assert staff.is_manager and not staff.is_key_person and staff.working_sessions == 1
    assert audit_of(staff, "create").actor == root


def test_a_parent_linked_elsewhere_is_not_a_reason_to_500(manager_admin_client, setting):
    linked = ChildGuardianFactory(child__setting=setting).guardian
    response = manager_admin_client.post(reverse("admin:processes_guardian_delete", args=[linked.pk]), {"post": "yes"})
    assert response.status_code == 403  # parents are removed by a superuser only
    assert Guardian.objects.filter(pk=linked.pk).exists()


def test_the_installation_itself_sets_a_setting_up_and_the_audit_row_has_no_person(db):
    # by=None: a command on the server (the demo, an import); a signed-in user is always passed as themselves.
    chain = services.organisation_create(by=None, name="Imported group")
    setting = services.setting_create(organisation=chain, by=None, name="Imported nursery")
    room = services.room_create(setting=setting, by=None, name="Babies", min_age_months=0, max_age_months=24,
                                children_per_adult=3)
    staff = services.staff_create(setting=setting, user=UserFactory(), by=None, room=room, is_manager=True)

    assert staff.setting == setting and room.setting == setting
    assert AuditEvent.objects.filter(actor__isnull=True, setting_id=setting.pk).count() == 3

"""The manager's everyday pages instead of the admin: a child's details, parents and carers, key persons, staff
absences. Over HTTP for each role: the manager acts through the services; a key person who sees the child is
refused (403), anyone else gets a 404; each page in a fixed number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from processes import services
from processes.models import (
    AssignmentRole,
    AuditEvent,
    ChildGuardian,
    Guardian,
    StaffAbsence,
)

from . import senkit as sk
from .factories import ChildFactory, ChildGuardianFactory, SettingFactory, StaffFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def iso(day: dt.date) -> str:
    return day.isoformat()


def details(child, **changes) -> dict:
    data = {"first_name": child.first_name, "last_name": child.last_name, "preferred_name": child.preferred_name,
            "date_of_birth": iso(child.date_of_birth), "start_date": iso(child.start_date) if child.start_date else "",
            "room": child.room_id or "", "home_language": child.home_language, "allergies": child.allergies,
            "dietary_needs": child.dietary_needs, "known_needs": child.known_needs}
    return {**data, **changes}


def loaded(client, url) -> str:
    return client.get(url).context["form"].initial["loaded"]


# ---- Who may open the pages ----------------------------------------------------------------------------------

CHILD_PAGES = ["child-edit", "child-guardians", "child-key-persons"]


@pytest.mark.parametrize("name", CHILD_PAGES)
def test_the_manager_opens_each_page_of_a_child(client, manager, allocated_child, guardian_link, name):
    client.force_login(manager.user)
    assert client.get(reverse(name, args=[allocated_child.pk])).status_code == 200


@pytest.mark.parametrize("name", CHILD_PAGES)
@pytest.mark.parametrize("who", ["key_person", "other_key_person", "senco"])
def test_staff_who_see_the_child_but_may_not_change_it_are_refused_and_nothing_changes(
    client, request, allocated_child, guardian_link, name, who
):
    user = request.getfixturevalue(who).user
    client.force_login(user)
    url = reverse(name, args=[allocated_child.pk])
    audits = AuditEvent.objects.count()
    assert client.get(url).status_code == 403
    assert client.post(url, {"first_name": "Changed", "action": "new", "role": "primary"}).status_code == 403
    allocated_child.refresh_from_db()
    assert allocated_child.first_name != "Changed"
    # Nothing written but the two attempts, each audited as refused against the child.
    attempts = AuditEvent.objects.filter(pk__gt=0).order_by("pk")[audits:]
    assert [(e.actor, e.outcome, e.child_id) for e in attempts] == [(user, "refused", allocated_child.pk)] * 2


@pytest.mark.parametrize("name", CHILD_PAGES)
def test_someone_elses_child_is_a_404(client, setting, room, allocated_child, name):
    for stranger in (StaffFactory(setting=setting, room=room), StaffFactory(setting=SettingFactory(), manager=True)):
        client.force_login(stranger.user)
        assert client.get(reverse(name, args=[allocated_child.pk])).status_code == 404
        assert client.post(reverse(name, args=[allocated_child.pk]), {}).status_code == 404
        tried = AuditEvent.objects.filter(actor=stranger.user, outcome="not_found", child_id=allocated_child.pk)
        assert tried.count() == 2  # filed under the child's setting, where its manager sees who went looking


def test_a_key_person_is_not_offered_the_links_and_the_manager_is(client, manager, key_person, allocated_child):
    url = reverse("child-detail", args=[allocated_child.pk])
    client.force_login(key_person.user)
    html = client.get(url).content.decode()
    assert reverse("child-edit", args=[allocated_child.pk]) not in html
    assert reverse("child-consents", args=[allocated_child.pk]) in html  # consents: the existing rules let them
    client.force_login(manager.user)
    html = client.get(url).content.decode()
    for name in CHILD_PAGES + ["child-consents"]:
        assert reverse(name, args=[allocated_child.pk]) in html
    assert reverse("staff-absences") in client.get(reverse("dashboard")).content.decode()


# ---- A child's details ---------------------------------------------------------------------------------------

def test_the_manager_edits_a_childs_details_through_the_service(client, manager, allocated_child, room):
    url = reverse("child-edit", args=[allocated_child.pk])
    client.force_login(manager.user)
    stamp = loaded(client, url)
    response = client.post(url, details(allocated_child, allergies="PEANUTS - severe, carries EpiPen",
                                        preferred_name="Mimi", loaded=stamp))
    assert response.status_code == 302
    allocated_child.refresh_from_db()
    assert allocated_child.allergies == "PEANUTS - severe, carries EpiPen" and allocated_child.name.startswith("Mimi")
    event = AuditEvent.objects.filter(action="update", child_id=allocated_child.pk).latest("pk")
    assert set(event.changes) == {"allergies", "preferred_name"}
    assert "PEANUTS" in client.get(reverse("child-detail", args=[allocated_child.pk])).content.decode()


def test_a_start_date_before_birth_is_refused_with_the_reason(client, manager, allocated_child):
    url = reverse("child-edit", args=[allocated_child.pk])
    client.force_login(manager.user)
    before = allocated_child.start_date
    response = client.post(url, details(allocated_child, start_date=iso(allocated_child.date_of_birth
                                                                        - dt.timedelta(days=1)),
                                        loaded=loaded(client, url)))
    assert response.status_code == 400
    assert "before the date of birth" in response.content.decode()
    allocated_child.refresh_from_db()
    assert allocated_child.start_date == before


def test_a_room_of_another_setting_cannot_be_chosen(client, manager, allocated_child):
    from .factories import RoomFactory

    elsewhere = RoomFactory(setting=SettingFactory())
    url = reverse("child-edit", args=[allocated_child.pk])
    client.force_login(manager.user)
    response = client.post(url, details(allocated_child, room=elsewhere.pk, loaded=loaded(client, url)))
    assert response.status_code == 400
    allocated_child.refresh_from_db()
    assert allocated_child.room_id != elsewhere.pk


def test_a_stale_form_does_not_overwrite_a_colleagues_change(client, manager, allocated_child):
    url = reverse("child-edit", args=[allocated_child.pk])
    client.force_login(manager.user)
    stamp = loaded(client, url)
    services.child_update(child=allocated_child, by=manager.user, allergies="Sesame")  # another tab, meanwhile
    response = client.post(url, details(allocated_child, allergies="", loaded=stamp))
    assert response.status_code == 409 and "changed by someone else" in response.content.decode()
    allocated_child.refresh_from_db()
    assert allocated_child.allergies == "Sesame"


# ---- Parents and carers --------------------------------------------------------------------------------------

def test_the_manager_adds_a_new_parent_with_contact_details(client, manager, allocated_child):
    client.force_login(manager.user)
    response = client.post(reverse("child-guardians", args=[allocated_child.pk]), {
        "action": "new", "new-first_name": "Liam", "new-last_name": "O'Connor", "new-relationship": "Father",
        "new-email": "liam@example.org", "new-phone": "07700 900123", "new-has_parental_responsibility": "on",
    })
    assert response.status_code == 302
    link = ChildGuardian.objects.get(child=allocated_child, guardian__first_name="Liam")
    assert link.has_parental_responsibility and link.guardian.email == "liam@example.org"
    assert AuditEvent.objects.filter(action="create", record_type="processes.ChildGuardian").exists()


def test_a_new_parent_with_a_bad_email_is_refused_and_nothing_is_created(client, manager, allocated_child):
    client.force_login(manager.user)
    response = client.post(reverse("child-guardians", args=[allocated_child.pk]), {
        "action": "new", "new-first_name": "Liam", "new-last_name": "Byrne", "new-relationship": "Father",
        "new-email": "not an address",
    })
    assert response.status_code == 400 and not Guardian.objects.filter(first_name="Liam").exists()


def test_a_siblings_parent_is_linked_not_copied(client, manager, setting, room, allocated_child):
    sibling_link = ChildGuardianFactory(child=ChildFactory(setting=setting, room=room))
    client.force_login(manager.user)
    response = client.post(reverse("child-guardians", args=[allocated_child.pk]), {
        "action": "existing", "existing-guardian": sibling_link.guardian.pk, "existing-relationship": "Mother",
        "existing-has_parental_responsibility": "on", "existing-is_primary_contact": "on",
    })
    assert response.status_code == 302
    assert allocated_child.guardians.get() == sibling_link.guardian
    assert Guardian.objects.count() == 1


def test_another_settings_parent_cannot_be_linked(client, manager, allocated_child):
    theirs = ChildGuardianFactory(child=ChildFactory(setting=SettingFactory()))
    client.force_login(manager.user)
    response = client.post(reverse("child-guardians", args=[allocated_child.pk]), {
        "action": "existing", "existing-guardian": theirs.guardian.pk, "existing-relationship": "Mother"})
    assert response.status_code == 400 and not allocated_child.guardians.exists()


def test_editing_a_parent_changes_details_and_responsibility_together_and_one_primary_contact_stays(
    client, manager, allocated_child, guardian_link
):
    second = ChildGuardianFactory(child=allocated_child, is_primary_contact=False, relationship="Father")
    client.force_login(manager.user)
    url = reverse("guardian-edit", args=[allocated_child.pk, second.pk])
    g = second.guardian
    response = client.post(url, {"first_name": g.first_name, "last_name": g.last_name, "email": "new@example.org",
                                 "phone": "01632 960000", "address": "1 High St", "relationship": "Stepfather",
                                 "is_primary_contact": "on"})
    assert response.status_code == 302
    second.refresh_from_db()
    guardian_link.refresh_from_db()
    assert (second.relationship, second.has_parental_responsibility, second.is_primary_contact) == (
        "Stepfather", False, True)
    assert second.guardian.email == "new@example.org" and not guardian_link.is_primary_contact


def test_a_parents_details_are_not_saved_when_the_link_is_refused(client, manager, allocated_child, guardian_link):
    client.force_login(manager.user)
    g = guardian_link.guardian
    url = reverse("guardian-edit", args=[allocated_child.pk, guardian_link.pk])
    response = client.post(url, {"first_name": "Renamed", "last_name": g.last_name, "relationship": "   "})
    assert response.status_code == 400
    g.refresh_from_db()
    assert g.first_name != "Renamed"


def test_a_link_of_another_child_is_a_404(client, manager, setting, room, allocated_child, guardian_link):
    other = ChildGuardianFactory(child=ChildFactory(setting=setting, room=room))
    client.force_login(manager.user)
    assert client.get(reverse("guardian-edit", args=[allocated_child.pk, other.pk])).status_code == 404
    assert client.post(reverse("guardian-unlink", args=[allocated_child.pk, other.pk]),
                       {"reason": "x"}).status_code == 404
    assert ChildGuardian.objects.filter(pk=other.pk).exists()


def test_unlinking_asks_why_keeps_the_last_parent_and_is_audited(client, manager, allocated_child, guardian_link):
    client.force_login(manager.user)
    url = reverse("guardian-unlink", args=[allocated_child.pk, guardian_link.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"reason": "Entered on the wrong child"})
    assert response.status_code == 400 and "only parent or carer" in response.content.decode()
    assert ChildGuardian.objects.filter(pk=guardian_link.pk).exists()

    ChildGuardianFactory(child=allocated_child, relationship="Father")
    assert client.post(url, {"reason": ""}).status_code == 400
    assert client.post(url, {"reason": "Entered on the wrong child"}).status_code == 302
    assert not ChildGuardian.objects.filter(pk=guardian_link.pk).exists()
    assert AuditEvent.objects.filter(action="delete", summary__contains="wrong child").exists()


# ---- Key persons ---------------------------------------------------------------------------------------------

def test_the_manager_changes_the_key_person_from_the_ranked_cards(client, manager, setting, room, allocated_child,
                                                                 key_person):
    newcomer = StaffFactory(setting=setting, room=room, user__first_name="Nia", user__last_name="Khan")
    url = reverse("child-key-persons", args=[allocated_child.pk])
    client.force_login(manager.user)
    page = client.get(url)
    ranked = [c.staff for c in page.context["primary_candidates"]]
    assert newcomer in ranked and f'name="primary-staff" value="{newcomer.pk}"' in page.content.decode()
    response = client.post(url, {"role": "primary", "primary-staff": newcomer.pk, "primary-reason": "Room change"})
    assert response.status_code == 302
    current = allocated_child.assignments.current().get(role=AssignmentRole.PRIMARY)
    assert current.staff == newcomer
    ended = allocated_child.assignments.get(staff=key_person, role=AssignmentRole.PRIMARY)
    assert ended.ends_on is not None and ended.end_reason == "Room change"


def test_going_over_a_caseload_needs_a_written_reason_on_the_page_too(client, manager, setting, room,
                                                                      allocated_child):
    full = StaffFactory(setting=setting, room=room, max_caseload=1)
    services.key_person_assign(child=ChildFactory(setting=setting, room=room), staff=full,
                               role=AssignmentRole.PRIMARY, by=manager.user)
    url = reverse("child-key-persons", args=[allocated_child.pk])
    client.force_login(manager.user)
    response = client.post(url, {"role": "primary", "primary-staff": full.pk})
    assert response.status_code == 400 and "reason to go over their caseload" in response.content.decode()
    assert not allocated_child.assignments.current().filter(staff=full).exists()
    response = client.post(url, {"role": "primary", "primary-staff": full.pk,
                                 "primary-over_caseload_reason": "Sibling's key person"})
    assert response.status_code == 302
    assert allocated_child.assignments.current().get(role=AssignmentRole.PRIMARY).staff == full


def test_the_key_person_cannot_also_be_the_secondary(client, manager, key_person, allocated_child):
    url = reverse("child-key-persons", args=[allocated_child.pk])
    client.force_login(manager.user)
    response = client.post(url, {"role": "secondary", "secondary-staff": key_person.pk})
    assert response.status_code == 400 and "must be someone else" in response.content.decode()


def test_the_secondary_suggestions_back_up_the_current_key_person(client, manager, key_person, allocated_child):
    client.force_login(manager.user)
    page = client.get(reverse("child-key-persons", args=[allocated_child.pk]))
    assert key_person not in [c.staff for c in page.context["secondary_candidates"]]
    assert f"backup for {key_person.name}" in page.content.decode()


# ---- Staff absences ------------------------------------------------------------------------------------------

ABSENCES = reverse("staff-absences")


def test_only_the_manager_opens_the_absences(client, key_person, senco, manager):
    for who in (key_person, senco):
        client.force_login(who.user)
        assert client.get(ABSENCES).status_code == 403
        response = client.post(ABSENCES, {"staff": who.pk, "starts_on": iso(TODAY()), "ends_on": iso(TODAY()),
                                          "reason": "Holiday"})
        assert response.status_code == 403
    assert not StaffAbsence.objects.exists()
    client.force_login(manager.user)
    page = client.get(ABSENCES)
    assert page.status_code == 200 and "Nobody is away today." in page.content.decode()


def test_the_manager_records_an_absence_and_sees_it_as_now_or_coming(client, manager, key_person,
                                                                      other_key_person):
    client.force_login(manager.user)
    response = client.post(ABSENCES, {"staff": key_person.pk, "starts_on": iso(TODAY()),
                                      "ends_on": iso(TODAY() + dt.timedelta(days=2)), "reason": "Sickness"})
    assert response.status_code == 302
    later = TODAY() + dt.timedelta(days=10)
    services.staff_absence_record(staff=other_key_person, by=manager.user, starts_on=later, ends_on=later,
                                  reason="Training")
    page = client.get(ABSENCES)
    assert [a.staff for a in page.context["away_now"]] == [key_person]
    assert [a.staff for a in page.context["coming"]] == [other_key_person]


def test_an_absence_that_ends_before_it_starts_is_refused_on_the_page(client, manager, key_person):
    client.force_login(manager.user)
    response = client.post(ABSENCES, {"staff": key_person.pk, "starts_on": iso(TODAY()),
                                      "ends_on": iso(TODAY() - dt.timedelta(days=1)), "reason": "Sickness"})
    assert response.status_code == 400 and "ends before it starts" in response.content.decode()
    assert not StaffAbsence.objects.exists()


def test_ending_an_absence_hands_the_key_persons_tasks_back(client, manager, key_person, other_key_person,
                                                            allocated_child, guardian_link):
    sk.raise_concern(allocated_child, key_person.user)
    tell = sk.the_task(allocated_child, "tell_parents")
    absence = services.staff_absence_record(staff=key_person, by=manager.user, starts_on=TODAY(),
                                            ends_on=TODAY() + dt.timedelta(days=3), reason="Sickness")
    tell.refresh_from_db()
    assert tell.owner == other_key_person.user  # the routing follows the recorded absence
    client.force_login(manager.user)
    response = client.post(reverse("staff-absence-end", args=[absence.pk]), {"back_on": iso(TODAY())})
    assert response.status_code == 302
    assert not StaffAbsence.objects.filter(pk=absence.pk).exists()  # back the day it began: cancelled
    tell.refresh_from_db()
    assert tell.owner == key_person.user


def test_an_absence_ends_the_day_before_they_are_back(client, manager, key_person):
    absence = services.staff_absence_record(staff=key_person, by=manager.user, starts_on=TODAY() - dt.timedelta(days=2),
                                            ends_on=TODAY() + dt.timedelta(days=5), reason="Sickness")
    client.force_login(manager.user)
    client.post(reverse("staff-absence-end", args=[absence.pk]), {"back_on": iso(TODAY())})
    absence.refresh_from_db()
    assert absence.ends_on == TODAY() - dt.timedelta(days=1)
    assert AuditEvent.objects.filter(action="update", record_type="processes.StaffAbsence").exists()
    response = client.post(reverse("staff-absence-end", args=[absence.pk]),
                           {"back_on": iso(TODAY() + dt.timedelta(days=9))})
    assert "nothing to end early" in client.get(response.url).content.decode()


def test_another_settings_absence_is_a_404(client, manager):
    theirs = StaffFactory(setting=SettingFactory())
    their_manager = StaffFactory(setting=theirs.setting, manager=True)
    absence = services.staff_absence_record(staff=theirs, by=their_manager.user, starts_on=TODAY(),
                                            ends_on=TODAY(), reason="Leave")
    client.force_login(manager.user)
    assert client.post(reverse("staff-absence-end", args=[absence.pk]), {"back_on": iso(TODAY())}).status_code == 404
    assert StaffAbsence.objects.filter(pk=absence.pk).exists()
    assert absence not in client.get(ABSENCES).context["away_now"]


# ---- Fixed costs ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("count", [1, 6])
def test_the_absences_page_runs_a_fixed_number_of_queries(client, setting, room, manager, count,
                                                          django_assert_num_queries):
    for n in range(count):
        staff = StaffFactory(setting=setting, room=room)
        services.staff_absence_record(staff=staff, by=manager.user, starts_on=TODAY() + dt.timedelta(days=n),
                                      ends_on=TODAY() + dt.timedelta(days=n + 1), reason="Leave")
    client.force_login(manager.user)
    # Session, user, staff; the absences with their staff; the staff for the form; the session saved again.
    with django_assert_num_queries(8):
        assert client.get(ABSENCES).status_code == 200


@pytest.mark.parametrize("parents", [1, 4])
def test_the_parents_page_runs_a_fixed_number_of_queries(client, manager, allocated_child, parents,
                                                        django_assert_num_queries):
    for _ in range(parents):
        ChildGuardianFactory(child=allocated_child, is_primary_contact=False)
    client.force_login(manager.user)
    # Session, user, staff; the child; the read's audit row; the links with their parents; whether anyone is
    # left to link, and who; the session saved again.
    with django_assert_num_queries(10):
        assert client.get(reverse("child-guardians", args=[allocated_child.pk])).status_code == 200


@pytest.mark.parametrize("colleagues", [0, 5])
def test_the_key_persons_page_runs_a_fixed_number_of_queries(client, setting, room, manager, allocated_child,
                                                            colleagues, django_assert_num_queries):
    for _ in range(colleagues):
        StaffFactory(setting=setting, room=room)
    client.force_login(manager.user)
    with django_assert_num_queries(KEY_PERSONS_QUERIES):
        assert client.get(reverse("child-key-persons", args=[allocated_child.pk])).status_code == 200


def test_the_edit_page_runs_a_fixed_number_of_queries(client, manager, allocated_child,
                                                      django_assert_num_queries):
    client.force_login(manager.user)
    # Session, user, staff; the child; the read's audit row; their room and the setting's rooms; the session
    # saved again.
    with django_assert_num_queries(10):
        assert client.get(reverse("child-edit", args=[allocated_child.pk])).status_code == 200


# Session, user, staff; the child; the read's audit row; the current key persons; the ranking for each role
# (staff with their rooms and caseloads, absences, siblings' key persons; the setting once); the session saved
# again.
KEY_PERSONS_QUERIES = 16


def test_the_parent_edit_page_runs_a_fixed_number_of_queries(client, setting, room, manager, allocated_child,
                                                             guardian_link, django_assert_num_queries):
    for _ in range(3):  # siblings sharing the parent: listed in one query
        ChildGuardianFactory(child=ChildFactory(setting=setting, room=room), guardian=guardian_link.guardian)
    client.force_login(manager.user)
    # Session, user, staff; the child; the read's audit row; the link with the parent; the parent's other
    # children; the session saved again.
    with django_assert_num_queries(10):
        assert client.get(reverse("guardian-edit", args=[allocated_child.pk, guardian_link.pk])).status_code == 200

"""The room's need-to-know cards (issue 17 part 3) and the key person board (issue 19).

Seed 002: "within any one session [staff] have responsibility for ALL children present"; seed 004: "all staff
to take responsibility for knowing the children's routines" and "a display of all the key workers, their
children and the secondary key workers".
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from processes import services
from processes.models import AssignmentRole, AuditEvent
from processes.room_care import NEED_TO_KNOW, CareCard

from .factories import ChildFactory, ChildGuardianFactory, RoomFactory, SettingFactory, StaffFactory


def _place(child, manager, primary, secondary=None):
    services.key_person_assign(child=child, staff=primary, role=AssignmentRole.PRIMARY, by=manager.user)
    if secondary is not None:
        services.key_person_assign(child=child, staff=secondary, role=AssignmentRole.SECONDARY, by=manager.user)
    return child


@pytest.fixture
def toddlers(setting, room, manager, key_person, other_key_person):
    """Two children of the room: one the key person's own, one a colleague's, with everything a card shows and
    everything it must not (SEN, family, consent)."""
    colleague = StaffFactory(setting=setting, room=room, user__first_name="Priya", user__last_name="Shah")
    theirs = ChildFactory(setting=setting, room=room, first_name="Mateo", last_name="Garcia",
                          allergies="Sesame", dietary_needs="Halal", medical_notes="Asthma: blue inhaler in the office",
                          collected_by="Mum, Dad, Grandma Rosa (password: tulip)",
                          known_needs="Speech delay: SALT referral")
    _place(theirs, manager, colleague, other_key_person)
    services.all_about_me_record(child=theirs, by=colleague.user, routines="Nap at 12:30", sleep="On his back",
                                 comforters="Blue bunny", likes="Diggers", parents_want_known="Parents separating")
    ChildGuardianFactory(child=theirs, guardian__first_name="Consuela", guardian__phone="07700 900123")
    own = _place(ChildFactory(setting=setting, room=room, first_name="Ava", last_name="Brown"), manager,
                 key_person, other_key_person)
    return {"theirs": theirs, "own": own, "colleague": colleague}


def test_a_key_person_sees_a_colleagues_key_childs_allergies_in_their_own_room(client, key_person, room, toddlers):
    theirs = toddlers["theirs"]
    client.force_login(key_person.user)
    # The child's full record stays theirs to see only as key person or secondary...
    assert client.get(reverse("child-detail", args=[theirs.pk])).status_code == 404

    page = client.get(reverse("room-care", args=[room.pk])).content.decode()

    card = page[page.index(f'data-child="{theirs.pk}"'):].split("</article>")[0]
    for shown in ("Sesame", "Halal", "Asthma: blue inhaler", "Nap at 12:30", "On his back", "Blue bunny",
                  "Grandma Rosa", "Priya Shah", other_name(theirs)):
        assert shown in card, shown
    # ...and nothing outside the need-to-know set is on the page: no SEN, family, likes or consent detail.
    for hidden in ("Speech delay", "SALT", "Parents separating", "Diggers", "Consuela", "07700 900123",
                   "Consent", "consent"):
        assert hidden not in page, hidden


def other_name(child) -> str:
    return child.assignments.get(role=AssignmentRole.SECONDARY, ends_on__isnull=True).staff.name


def test_each_card_read_is_audited_against_its_child(client, key_person, room, toddlers):
    client.force_login(key_person.user)
    client.get(reverse("room-care", args=[room.pk]))
    reads = AuditEvent.objects.filter(actor=key_person.user, action="read", outcome="ok")
    assert sorted(reads.values_list("child_id", flat=True)) == sorted([toddlers["theirs"].pk, toddlers["own"].pk])
    assert all("care card in Toddlers" in e.summary for e in reads)


def test_staff_of_another_room_are_told_the_room_does_not_exist_and_it_is_audited(client, setting, room, toddlers):
    babies = RoomFactory(setting=setting, name="Babies", min_age_months=0, max_age_months=24)
    elsewhere = StaffFactory(setting=setting, room=babies)
    client.force_login(elsewhere.user)

    response = client.get(reverse("room-care", args=[room.pk]))

    assert response.status_code == 404 and "Sesame" not in response.content.decode()
    attempt = AuditEvent.objects.get(actor=elsewhere.user)
    assert attempt.outcome == "not_found" and attempt.record_type == "processes.Room"
    assert client.get(reverse("room-care", args=[babies.pk])).status_code == 200


def test_the_card_carries_only_the_need_to_know_fields():
    assert set(CareCard.__dataclass_fields__) == {"child_id", "name", "age", *NEED_TO_KNOW}


@pytest.mark.parametrize("children", [2, 12])
def test_the_room_page_runs_a_fixed_number_of_queries(client, setting, room, manager, key_person,
                                                      other_key_person, children, django_assert_num_queries):
    key_person.max_caseload = 50
    key_person.save()
    for i in range(children):
        child = _place(ChildFactory(setting=setting, room=room, first_name=f"C{i}"), manager, key_person,
                       other_key_person)
        services.all_about_me_record(child=child, by=key_person.user, routines="Snack at ten")
    client.force_login(key_person.user)
    # session, user, staff, room, children with "all about me", key persons, the audit rows (one INSERT),
    # and the session save (3)
    with django_assert_num_queries(10):
        response = client.get(reverse("room-care", args=[room.pk]))
    assert response.content.decode().count("Snack at ten") == children


def test_a_child_without_all_about_me_or_a_key_person_still_has_a_card(client, setting, room, key_person):
    ChildFactory(setting=setting, room=room, first_name="Newcomer", allergies="")
    client.force_login(key_person.user)
    page = client.get(reverse("room-care", args=[room.pk])).content.decode()
    assert "Newcomer" in page and "None known" in page and "None yet" in page


def test_a_room_with_no_children_says_so(client, setting, key_person):
    empty = RoomFactory(setting=setting, name="Garden room")
    key_person.room = empty
    key_person.save()
    client.force_login(key_person.user)
    assert "No children in Garden room" in client.get(reverse("room-care", args=[empty.pk])).content.decode()


# The key person board.

def test_the_board_shows_who_is_responsible_for_whom_in_each_room(client, setting, room, manager, key_person,
                                                                   other_key_person, toddlers):
    client.force_login(other_key_person.user)

    page = client.get(reverse("room-board", args=[room.pk])).content.decode()

    mine = page[page.index(f'data-staff="{key_person.pk}"'):].split("</article>")[0]
    assert "Ava Brown" in mine.split("Secondary for")[0] and "Mateo" not in mine
    backup = page[page.index(f'data-staff="{other_key_person.pk}"'):].split("</article>")[0]
    secondary_part = backup.split("Secondary for")[1]
    assert "Ava Brown" in secondary_part and "Mateo Garcia" in secondary_part
    colleague = page[page.index(f'data-staff="{toddlers["colleague"].pk}"'):].split("</article>")[0]
    assert 'class="initials"' in colleague and ">PS<" in colleague
    # A board hangs on a wall: no health, needs or family detail on it.
    for hidden in ("Sesame", "Halal", "Asthma", "Speech delay", "Grandma Rosa", "Blue bunny"):
        assert hidden not in page
    assert "board-print.css" in page


def test_the_board_names_children_still_without_a_key_person(client, setting, room, key_person):
    ChildFactory(setting=setting, room=room, first_name="Waiting", last_name="Child")
    client.force_login(key_person.user)
    page = client.get(reverse("key-person-board")).content.decode()
    assert "Without a key person yet:</strong> Waiting Child" in page


def test_the_board_is_for_the_settings_own_staff(client, setting, room, toddlers):
    stranger = StaffFactory(setting=SettingFactory(), manager=True)
    client.force_login(stranger.user)
    assert client.get(reverse("room-board", args=[room.pk])).status_code == 404
    assert "Ava Brown" not in client.get(reverse("key-person-board")).content.decode()


def test_the_print_stylesheet_lays_the_board_out_on_a_4_landscape():
    from pathlib import Path

    css = (Path(__file__).resolve().parent.parent / "static" / "css" / "board-print.css").read_text()
    assert "@page { size: A4 landscape;" in css


@pytest.mark.parametrize("children", [3, 24])
def test_the_board_runs_a_fixed_number_of_queries(client, setting, room, manager, key_person, other_key_person,
                                                  children, django_assert_num_queries):
    babies = RoomFactory(setting=setting, name="Babies", min_age_months=0, max_age_months=24)
    key_person.max_caseload = 50
    key_person.save()
    for i in range(children):
        _place(ChildFactory(setting=setting, room=room if i % 2 else babies, first_name=f"C{i}"), manager,
               key_person, other_key_person)
    client.force_login(key_person.user)
    # session, user, staff, setting, rooms, children, staff of the rooms, key persons, and the session save (3)
    with django_assert_num_queries(11):
        response = client.get(reverse("key-person-board"))
    assert response.content.decode().count("<li>C") == 2 * children


def test_the_manager_records_medical_notes_and_who_collects_and_the_room_sees_them(
        client, manager, key_person, other_key_person, allocated_child, room):
    from .test_manager_pages import details, loaded

    url = reverse("child-edit", args=[allocated_child.pk])
    client.force_login(manager.user)
    response = client.post(url, details(allocated_child, medical_notes="Epilepsy: rescue medicine in the office",
                                        collected_by="Mum or Aunt Jo", loaded=loaded(client, url)))
    assert response.status_code == 302
    event = AuditEvent.objects.filter(action="update", child_id=allocated_child.pk).latest("pk")
    assert set(event.changes) == {"medical_notes", "collected_by"}
    colleague = StaffFactory(setting=allocated_child.setting, room=room)  # no key child of their own
    client.force_login(colleague.user)
    page = client.get(reverse("room-care", args=[room.pk])).content.decode()
    assert "Epilepsy: rescue medicine in the office" in page and "Mum or Aunt Jo" in page

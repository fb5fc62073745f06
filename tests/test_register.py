"""The daily register: signing in and out through the services, the room screen's flags, and each page's
fixed number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from processes import register, services, sessions
from processes.errors import Conflict, NotPermitted, RuleViolation
from processes.models import AssignmentRole, AuditEvent, ChildAttendance, StaffAttendance

from .factories import ChildFactory, RoomFactory, StaffFactory


def ago(minutes: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(minutes=minutes)


@pytest.fixture
def baby_room(setting):
    return RoomFactory(setting=setting, name="Babies", min_age_months=0, max_age_months=24, children_per_adult=3)


def baby(setting, room, **extra):
    return ChildFactory(setting=setting, room=room, date_of_birth=timezone.localdate() - dt.timedelta(days=300),
                        start_date=timezone.localdate() - dt.timedelta(days=60), attending_sessions=sessions.ALL,
                        **extra)


def with_key_persons(child, primary, secondary, manager):
    services.key_person_assign(child=child, staff=primary, role=AssignmentRole.PRIMARY, by=manager.user,
                               over_caseload_reason="A test with many children")
    if secondary is not None:
        services.key_person_assign(child=child, staff=secondary, role=AssignmentRole.SECONDARY, by=manager.user)
    return child


def test_a_child_is_signed_in_and_collected_and_both_are_audited(setting, baby_room, key_person):
    child = baby(setting, baby_room)
    services.child_sign_in(child=child, by=key_person.user, at=ago(60), brought_by="Mum")
    row = services.child_sign_out(child=child, by=key_person.user, collected_by=" Grandad ", at=ago(5))

    assert (row.brought_by, row.collected_by, row.signed_out_at > row.signed_in_at) == ("Mum", "Grandad", True)
    summaries = list(AuditEvent.objects.filter(child_id=child.pk).values_list("summary", flat=True))
    assert any("signed in" in s for s in summaries) and any("collected by Grandad" in s for s in summaries)


def test_signing_out_needs_who_collected_and_changes_nothing_without(setting, baby_room, key_person):
    child = baby(setting, baby_room)
    services.child_sign_in(child=child, by=key_person.user, at=ago(60))
    with pytest.raises(RuleViolation, match="who collected"):
        services.child_sign_out(child=child, by=key_person.user, collected_by="  ")
    assert ChildAttendance.objects.get(child=child).signed_out_at is None


def test_a_second_sign_in_is_refused(setting, baby_room, key_person):
    child = baby(setting, baby_room)
    services.child_sign_in(child=child, by=key_person.user, at=ago(60))
    with pytest.raises(Conflict, match="already signed in"):
        services.child_sign_in(child=child, by=key_person.user)


def test_a_time_still_to_come_is_refused(setting, baby_room, key_person):
    child = baby(setting, baby_room)
    with pytest.raises(RuleViolation, match="still to come"):
        services.child_sign_in(child=child, by=key_person.user, at=timezone.now() + dt.timedelta(hours=1))
    assert not ChildAttendance.objects.exists()


def test_another_settings_staff_cannot_keep_this_register(setting, baby_room):
    child = baby(setting, baby_room)
    stranger = StaffFactory()
    with pytest.raises(NotPermitted):
        services.child_sign_in(child=child, by=stranger.user)


def test_signing_in_to_another_room_ends_the_stay_in_the_first(setting, room, baby_room, key_person):
    services.staff_sign_in(staff=key_person, by=key_person.user, room=room, at=ago(60))
    services.staff_sign_in(staff=key_person, by=key_person.user, room=baby_room, at=ago(30))
    stays = list(StaffAttendance.objects.filter(staff=key_person).order_by("signed_in_at"))
    assert [s.room for s in stays] == [room, baby_room]
    assert stays[0].signed_out_at == stays[1].signed_in_at and stays[1].signed_out_at is None


def test_a_collection_after_the_booked_sessions_is_late_and_one_well_before_is_early(setting, baby_room):
    child = baby(setting, baby_room)
    monday = dt.date(2026, 3, 9)
    row = register.ChildRow(child=child, attendance=ChildAttendance(
        signed_in_at=timezone.make_aware(dt.datetime(2026, 3, 9, 8)),
        signed_out_at=timezone.make_aware(dt.datetime(2026, 3, 9, 18, 20))), expected=True,
        ends_at=register.booked_until(child, monday, setting))
    assert row.collection == "late"
    child.attending_sessions = sessions.mask_of(["mon_am"])
    row.ends_at = register.booked_until(child, monday, setting)
    assert row.collection == "late"  # collected at 18:20 after a morning session
    row.attendance.signed_out_at = timezone.make_aware(dt.datetime(2026, 3, 9, 11))
    assert row.collection == "early"


def test_the_room_screen_shows_a_breach_and_a_child_without_their_key_person(
        client, setting, baby_room, manager, key_person, other_key_person):
    children = [with_key_persons(baby(setting, baby_room), key_person, other_key_person, manager) for _ in range(4)]
    helper = StaffFactory(setting=setting, qualification_level=3, first_aid_until=timezone.localdate())
    services.staff_sign_in(staff=helper, by=helper.user, room=baby_room, at=ago(50))
    for child in children:
        services.child_sign_in(child=child, by=helper.user, at=ago(40))
    client.force_login(helper.user)

    page = client.get(reverse("register-room", args=[baby_room.pk])).content.decode()

    assert "Below ratio" in page and "1 adult for 4 children (needs 2)" in page
    assert "Without their key person or secondary" in page
    day = register.register_day(setting, timezone.localdate(), room=baby_room)[0]
    assert day.now.breach and len(day.without_key_person) == 4


def test_the_key_person_or_the_secondary_being_in_is_enough(setting, baby_room, manager, key_person,
                                                             other_key_person):
    child = with_key_persons(baby(setting, baby_room), key_person, other_key_person, manager)
    services.child_sign_in(child=child, by=key_person.user, at=ago(40))
    services.staff_sign_in(staff=other_key_person, by=other_key_person.user, room=None, at=ago(45))
    row = register.register_day(setting, timezone.localdate(), room=baby_room)[0].children[0]
    assert (row.key_person_in, row.secondary_in, row.without_key_person) == (False, True, False)
    assert row.covered_by == other_key_person


def test_the_room_screen_signs_a_child_in_by_one_tap(client, setting, baby_room, key_person):
    child = baby(setting, baby_room)
    client.force_login(key_person.user)
    response = client.post(reverse("register-room", args=[baby_room.pk]), {"action": "child-in", "id": child.pk})
    assert response.status_code == 302
    assert ChildAttendance.objects.get(child=child).is_present


def test_the_room_screen_says_what_was_refused(client, setting, baby_room, key_person):
    child = baby(setting, baby_room)
    client.force_login(key_person.user)
    response = client.post(reverse("register-room", args=[baby_room.pk]),
                           {"action": "child-out", "id": child.pk, "collected_by": "Mum"}, follow=True)
    assert "has not been signed in today" in response.content.decode()


def test_another_settings_room_is_not_found(client, baby_room):
    stranger = StaffFactory()
    client.force_login(stranger.user)
    assert client.get(reverse("register-room", args=[baby_room.pk])).status_code == 404


def _fill(setting, rooms, manager, key_person, other_key_person, n: int) -> None:
    for i in range(n):
        child = with_key_persons(baby(setting, rooms[i % len(rooms)]), key_person, other_key_person, manager)
        services.child_sign_in(child=child, by=manager.user, at=ago(100 - i))
        if i % 2:
            services.child_sign_out(child=child, by=manager.user, collected_by="Dad", at=ago(10))
    for i, room in enumerate(rooms):
        member = StaffFactory(setting=setting, qualification_level=3)
        services.staff_sign_in(staff=member, by=manager.user, room=room, at=ago(120 - n - i))


@pytest.mark.parametrize("n", [2, 9])
@pytest.mark.parametrize("page,queries", [("register", 12), ("register-room", 12), ("register-history", 11),
                                          ("dashboard", 24)])
def test_register_pages_run_a_fixed_number_of_queries(client, setting, room, baby_room, manager, key_person,
                                                      other_key_person, django_assert_num_queries, n, page,
                                                      queries):
    _fill(setting, [room, baby_room], manager, key_person, other_key_person, n)
    client.force_login(manager.user)
    url = reverse(page) if page in ("register", "dashboard") else reverse(page, args=[baby_room.pk])
    with django_assert_num_queries(queries):
        page = client.get(url).content.decode()
    if url == reverse("dashboard"):  # the toddlers' first child is in without their key person, at both sizes
        assert "Without their key person or secondary" in page
    assert "Babies" in page or url == reverse("dashboard")


def test_the_charts_read_attendance_and_minutes_below_ratio_per_day(setting, baby_room, manager,
                                                                     django_assert_num_queries):
    day = timezone.localdate() - dt.timedelta(days=1)
    helper = StaffFactory(setting=setting, qualification_level=3, first_aid_until=day)
    at = timezone.make_aware(dt.datetime.combine(day, dt.time(9)))
    services.staff_sign_in(staff=helper, by=manager.user, room=baby_room, at=at)
    babies = [baby(setting, baby_room) for _ in range(4)]
    for i, child in enumerate(babies):  # the fourth arrives at 10:00 and leaves at 10:30: half an hour below
        came = at + dt.timedelta(hours=1 if i == 3 else 0)
        services.child_sign_in(child=child, by=manager.user, at=came)
        services.child_sign_out(child=child, by=manager.user, collected_by="Mum",
                                at=came + dt.timedelta(minutes=30 if i == 3 else 300))
    services.staff_sign_out(staff=helper, by=manager.user, at=at + dt.timedelta(hours=6))

    with django_assert_num_queries(1):
        attendance = register.attendance_by_day(setting, day - dt.timedelta(days=1), day)
    with django_assert_num_queries(2):
        breaches = register.ratio_breaches_by_day(setting, day - dt.timedelta(days=1), day)

    assert attendance == {day - dt.timedelta(days=1): 0, day: 4}
    assert breaches == {day - dt.timedelta(days=1): 0, day: 30}

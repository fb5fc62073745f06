from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from processes import services
from processes.models import AssignmentRole
from workflows import services as wf

from .factories import ChildFactory, SettingFactory, StaffFactory
from .flowkit import register, the_task


def _allocate(child, manager, primary, secondary):
    services.key_person_assign(child=child, staff=primary, role=AssignmentRole.PRIMARY, by=manager.user)
    services.key_person_assign(child=child, staff=secondary, role=AssignmentRole.SECONDARY, by=manager.user)
    services.child_transition(child=child, transition="allocate", by=manager.user)


def _settled(child, manager, primary, secondary):
    _allocate(child, manager, primary, secondary)
    for step in ("begin_settling_in", "settle"):
        services.child_transition(child=child, transition=step, by=manager.user)
    return child


def test_the_dashboard_shows_what_needs_the_manager(client, setting, room, manager, key_person, other_key_person):
    register(setting=setting, room=room, manager=manager, first_name="Waiting", start_in_days=2)
    held = register(setting=setting, room=room, manager=manager, first_name="Held", start_in_days=3)
    task = the_task(held, "allocate")
    wf.task_claim(process_id=task.process_id, task_id=task.pk, by=manager.user)
    moving = _settled(ChildFactory(setting=setting, room=room, first_name="Moving"), manager, key_person,
                      other_key_person)
    services.child_transition(child=moving, transition="begin_room_move", by=manager.user)
    outgrown = _settled(ChildFactory(setting=setting, room=room, first_name="Outgrown",
                                     date_of_birth=timezone.localdate() - dt.timedelta(days=40 * 31)),
                        manager, key_person, other_key_person)
    _settled(ChildFactory(setting=setting, room=room, first_name="Fine"), manager, key_person, other_key_person)
    key_person.max_caseload = 2
    key_person.save()
    ChildFactory(setting=SettingFactory(), first_name="Elsewhere")  # another setting's child: never shown

    client.force_login(manager.user)
    page = client.get(reverse("dashboard")).content.decode()

    unallocated = page[page.index('id="h-unallocated"'):page.index('id="h-transitions"')]
    assert "Waiting Jones" in unallocated and "Held Jones" in unallocated and "Fine" not in unallocated
    moves = page[page.index('id="h-transitions"'):page.index('id="h-overdue"')]
    assert "Moving now" in moves and outgrown.name in moves and "Fine" not in moves
    overdue = page[page.index('id="h-overdue"'):page.index('id="h-caseloads"')]
    assert "Overdue tasks (2)" in overdue
    assert manager.user.get_full_name() in overdue and "Nobody yet (Manager)" in overdue
    caseloads = page[page.index('id="h-caseloads"'):]
    row = caseloads[caseloads.index(f'data-staff="{key_person.pk}"'):]
    assert "<td>3 <span class=\"badge badge-overdue\">Over</span></td>" in row.split("</tr>")[0]
    assert "<td>3</td>" in caseloads[caseloads.index(f'data-staff="{other_key_person.pk}"'):].split("</tr>")[0]
    assert "Elsewhere" not in page
    assert reverse("dashboard") in page  # linked from the navigation


def test_a_child_whose_key_person_has_left_is_shown_as_needing_one(client, setting, room, manager, key_person,
                                                                   other_key_person):
    child = _settled(ChildFactory(setting=setting, room=room, first_name="Orphaned"), manager, key_person,
                     other_key_person)
    client.force_login(manager.user)

    def sections():
        page = client.get(reverse("dashboard")).content.decode()
        return page[page.index('id="h-unallocated"'):page.index('id="h-transitions"')], page[
            page.index('id="h-caseloads"'):]

    unallocated, caseloads = sections()
    assert child.name not in unallocated and f'data-staff="{key_person.pk}"' in caseloads
    key_person.user.is_active = False
    key_person.user.save()
    unallocated, caseloads = sections()
    assert child.name in unallocated and f'data-staff="{key_person.pk}"' not in caseloads


@pytest.mark.parametrize("children", [3, 30])
def test_the_dashboard_runs_a_fixed_number_of_queries(client, setting, room, manager, key_person,
                                                      other_key_person, children, django_assert_num_queries):
    key_person.max_caseload = 50
    key_person.save()
    for i in range(children):
        child = register(setting=setting, room=room, manager=manager, first_name=f"C{i}", start_in_days=2 + i)
        if i % 2:
            _allocate(child, manager, key_person, other_key_person)
    client.force_login(manager.user)
    # session, user, staff, setting, stuck processes, the transitions pipeline (open processes, their open
    # tasks, their finished steps), children, overdue and their count, caseloads, today's register (rooms,
    # children, attendance, key persons, staff in: processes.register), the charts' open steps and overdue weeks
    # (workflows.charts), the register's weeks (attendance 1; ratio breaches: setting, children's and staff's
    # stays 3: workflows.register_charts), and the session save (3)
    with django_assert_num_queries(26):
        response = client.get(reverse("dashboard"))
    assert response.status_code == 200


def test_a_key_person_may_not_see_the_dashboard_nor_its_link(client, setting, room, manager, key_person):
    register(setting=setting, room=room, manager=manager)
    client.force_login(key_person.user)
    assert client.get(reverse("dashboard")).status_code == 403
    assert reverse("dashboard") not in client.get(reverse("child-list")).content.decode()


def test_a_manager_sees_only_their_own_settings_children(client, setting, room, manager):
    register(setting=setting, room=room, manager=manager, first_name="Ours")
    stranger = StaffFactory(setting=SettingFactory(), manager=True)
    client.force_login(stranger.user)
    page = client.get(reverse("dashboard")).content.decode()
    assert "Ours Jones" not in page and "Every child has a key person" in page and "Nothing is overdue" in page

"""Chains and local authorities: an organisation's member sees every setting's figures, never a child's name."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import get_resolver, reverse
from django.utils import timezone

from processes import services, sessions
from processes.models import OrganisationMember
from workflows.organisation import organisation_overview

from .factories import ChildFactory, RoomFactory, SettingFactory, StaffFactory, UserFactory
from .flowkit import allocate, register
from .test_url_access import _walk

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain(setting, room, manager, key_person, other_key_person):
    """Two settings of one organisation: the first with an allocated child and one waiting, the second empty."""
    allocate(register(setting=setting, room=room, manager=manager, first_name="Quillon"), manager, key_person,
             other_key_person)
    register(setting=setting, room=room, manager=manager, first_name="Wrenna")
    second = SettingFactory(name="Second Acorns", organisation=setting.organisation)
    StaffFactory(setting=second, manager=True)
    member = OrganisationMember.objects.create(organisation=setting.organisation, user=UserFactory(),
                                               title="Area manager")
    return setting, second, member.user


def test_the_figures_of_every_setting_stand_side_by_side(chain):
    setting, second, _ = chain
    figures = {f.setting: f for f in organisation_overview(organisation=setting.organisation)}
    assert set(figures) == {setting, second}
    first = figures[setting]
    assert (first.children, first.without_key_person, first.key_persons, first.key_children) == (2, 1, 2, 1)
    assert figures[second].children == 0


def ago(minutes: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(minutes=minutes)


def _below_ratio_today(setting, room, manager) -> None:
    """A baby alone for ten minutes, then with an adult for ten, then alone again for ten: twice below ratio."""
    child = ChildFactory(setting=setting, room=room, date_of_birth=timezone.localdate() - dt.timedelta(days=300),
                         start_date=timezone.localdate() - dt.timedelta(days=60), attending_sessions=sessions.ALL)
    services.child_sign_in(child=child, by=manager.user, at=ago(30))
    helper = StaffFactory(setting=setting, qualification_level=3, first_aid_until=timezone.localdate())
    services.staff_sign_in(staff=helper, by=manager.user, room=room, at=ago(20))
    services.staff_sign_out(staff=helper, by=manager.user, at=ago(10))


def test_todays_ratio_breaches_are_counted_per_setting(client, chain, room, manager):
    setting, second, member = chain
    _below_ratio_today(setting, room, manager)
    figures = {f.setting: f for f in organisation_overview(organisation=setting.organisation)}
    assert figures[setting].breaches == 2 and 19 <= figures[setting].breach_minutes <= 20
    assert (figures[second].breaches, figures[second].breach_minutes) == (0, 0)
    client.force_login(member)
    assert "2 times, " in client.get(reverse("organisation")).content.decode()


def test_the_overview_costs_the_same_queries_whatever_the_number_of_settings(chain, room, manager,
                                                                              django_assert_num_queries):
    setting, _, _ = chain
    _below_ratio_today(setting, room, manager)
    # settings, children, key persons, overdue, staff, referrals; today's register (children's, staff's stays)
    with django_assert_num_queries(8):
        organisation_overview(organisation=setting.organisation)
    for n in range(3):
        other = SettingFactory(organisation=setting.organisation)
        other_room, other_manager = RoomFactory(setting=other), StaffFactory(setting=other, manager=True)
        register(setting=other, room=other_room, manager=other_manager, first_name=f"Extra{n}")
        _below_ratio_today(other, other_room, other_manager)
    with django_assert_num_queries(8):
        organisation_overview(organisation=setting.organisation)


def test_the_page_shows_figures_and_no_child(client, chain):
    setting, second, member = chain
    client.force_login(member)
    page = client.get(reverse("organisation")).content.decode()
    assert setting.name in page and second.name in page
    assert "Quillon" not in page and "Wrenna" not in page and "Jones" not in page


def test_no_page_or_endpoint_shows_the_member_a_childs_name(client, chain):
    from processes.models import Child

    setting, _, member = chain
    client.force_login(member)
    names = [c.first_name for c in Child.objects.all()]
    ids = [str(c.pk) for c in Child.objects.all()]
    paths = list(_every_path(ids))
    # The walk reaches each child's record, SEN record and the records API with the child's own id.
    assert {f"/children/{pk}/" for pk in ids} | {f"/api/children/{pk}/" for pk in ids} <= set(paths)
    for path in paths:
        for method in ("get", "post"):
            response = getattr(client, method)(path)
            if response.get("Content-Type", "").startswith(("text/", "application/json")):
                body = response.content.decode(errors="replace")
                for name in names:
                    assert name not in body, f"{method.upper()} {path} shows {name}"


def _every_path(ids: list[str]):
    """Every URL of the table (test_url_access's walk), its sample ids pointing at each child in turn."""
    resolver = get_resolver()
    seen = set()
    for pk in ids:
        for _name, sample, _view in _walk(resolver):
            path = re.sub(r"/1(?=/)", f"/{pk}", sample)
            if path not in seen:
                seen.add(path)
                yield path


def test_given_a_settings_records_the_member_sees_them_as_its_staff(client, chain):
    setting, second, member = chain
    StaffFactory(setting=setting, user=member, manager=True)
    client.force_login(member)
    assert "Quillon" in client.get(reverse("child-list")).content.decode()
    assert "Second Acorns" in client.get(reverse("organisation")).content.decode()


def test_staff_without_a_membership_are_refused_the_figures(client, manager):
    client.force_login(manager.user)
    assert client.get(reverse("organisation")).status_code == 403

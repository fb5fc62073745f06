"""The manager's search of the audit trail: filters, scoping to their setting, fixed query count, itself audited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from processes import services
from processes.models import AuditEvent

from .factories import ChildFactory, SettingFactory, StaffFactory

SEARCH = reverse("audit-search")


def _read(user, child, summary="Viewed the record", outcome="ok"):
    return services.audit_record(actor=user, action="read", record=child, summary=summary, outcome=outcome)


def _shown(response) -> list[str]:
    return [e.summary for e in response.context["events"]]


@pytest.fixture
def trail(setting, room, manager, key_person, senco):
    amelia = ChildFactory(setting=setting, room=room, first_name="Amelia")
    noah = ChildFactory(setting=setting, room=room, first_name="Noah")
    _read(key_person.user, amelia, "Viewed Amelia's record")
    _read(senco.user, noah, "Viewed Noah's timeline")
    _read(key_person.user, noah, "Tried to open Noah's record", outcome="not_found")
    services.audit_record(actor=manager.user, action="update", record=amelia, summary="Changed allergies")
    return {"amelia": amelia, "noah": noah}


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager.user)
    return client


def test_the_manager_sees_the_trail_newest_first(manager_client, trail):
    shown = _shown(manager_client.get(SEARCH))
    assert shown[:4] == ["Changed allergies", "Tried to open Noah's record", "Viewed Noah's timeline",
                         "Viewed Amelia's record"]


@pytest.mark.parametrize(("query", "expected"), [
    ({"action": "update"}, ["Changed allergies"]),
    ({"outcome": "not_found"}, ["Tried to open Noah's record"]),
    ({"q": "TIMELINE"}, ["Viewed Noah's timeline"]),
])
def test_the_trail_filters_by_action_outcome_and_summary(manager_client, trail, query, expected):
    assert _shown(manager_client.get(SEARCH, query)) == expected


def test_the_trail_filters_by_child_and_by_user(manager_client, trail, key_person):
    by_child = _shown(manager_client.get(SEARCH, {"child": trail["noah"].pk}))
    assert set(by_child) == {"Viewed Noah's timeline", "Tried to open Noah's record"}
    by_user = _shown(manager_client.get(SEARCH, {"actor": key_person.user.pk}))
    assert set(by_user) == {"Viewed Amelia's record", "Tried to open Noah's record"}


def test_the_trail_filters_by_date_range(manager_client, trail, manager):
    today = timezone.localdate()
    assert len(_shown(manager_client.get(SEARCH, {"at_after": today, "at_before": today}))) >= 4
    yesterday = today - dt.timedelta(days=1)
    assert _shown(manager_client.get(SEARCH, {"at_after": yesterday, "at_before": yesterday})) == []


def test_the_trail_shows_only_the_managers_own_setting(client, trail):
    other_manager = StaffFactory(setting=SettingFactory(), manager=True)
    client.force_login(other_manager.user)
    response = client.get(SEARCH)
    assert response.status_code == 200
    assert not any("Amelia" in s or "Noah" in s for s in _shown(response))
    # A child of another setting cannot be chosen either: the filter refuses it and shows nothing.
    assert _shown(client.get(SEARCH, {"child": trail["noah"].pk})) == []


@pytest.mark.parametrize("role", ["key_person", "senco"])
def test_only_the_manager_may_search(client, request, trail, role):
    client.force_login(request.getfixturevalue(role).user)
    assert client.get(SEARCH).status_code == 403


def test_searching_the_trail_is_itself_audited(manager_client, trail, manager):
    manager_client.get(SEARCH, {"q": "allergies"})
    search = AuditEvent.objects.filter(action="search").get()
    assert search.actor == manager.user and "q=allergies" in search.summary
    assert search.setting_id == manager.setting_id


def test_the_nav_links_the_search_for_managers_only(client, manager, key_person):
    client.force_login(manager.user)
    assert SEARCH.encode() in client.get(reverse("child-list")).content
    client.force_login(key_person.user)
    assert SEARCH.encode() not in client.get(reverse("child-list")).content


@pytest.mark.parametrize("rows", [5, 120])
def test_the_search_runs_a_fixed_number_of_queries(manager_client, setting, room, key_person,
                                                   django_assert_num_queries, rows):
    children = [ChildFactory(setting=setting, room=room) for _ in range(3)]
    for i in range(rows):
        _read(key_person.user, children[i % 3])
    # Session, user, staff; the action choices, count, page, the page's children; the search's own audit row;
    # the setting's name, the children and users offered in the filters; the session saved again (idle timeout,
    # in a savepoint).
    with django_assert_num_queries(14):
        response = manager_client.get(SEARCH)
    assert len(response.context["events"]) == min(rows, 50)

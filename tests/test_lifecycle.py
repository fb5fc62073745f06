"""The child's lifecycle (django-fsm-2), driven only through processes.services.child_transition.

Every transition in the service's table is tried from every state it allows and must leave two traces: a
django-fsm-log StateLog and a processes AuditEvent. Every refusal must say why and change nothing.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django_fsm_log.models import StateLog

from processes import services
from processes.errors import NotPermitted, RuleViolation
from processes.models import AssignmentRole, AuditEvent, Child, LifecycleState
from processes.services.lifecycle import TRANSITIONS

from .factories import ChildFactory, StaffFactory

S = LifecycleState
STATE_FIELD = Child._meta.get_field("state")

# (transition, source, target) for every transition of the service's table, read from the model itself so
# a new source state added to a transition is tested without touching this file.
TABLE = sorted(
    (t.name, S(t.source), S(t.target)) for t in STATE_FIELD.get_all_transitions(Child) if t.name in TRANSITIONS
)
ALLOWED = {(name, source) for name, source, _ in TABLE}
REFUSED_SOURCES = sorted((name, state) for name in TRANSITIONS for state in S if (name, state) not in ALLOWED)
MANAGER_ONLY = ["allocate", "begin_room_move", "prepare_to_leave", "leave", "withdraw"]
KEY_PERSON_TOO = ["begin_settling_in", "settle", "complete_room_move"]

# How to bring a registered child (with both key persons and a leaving date) to each state.
PATH_TO = {
    S.REGISTERED: [],
    S.ALLOCATED: ["allocate"],
    S.SETTLING_IN: ["allocate", "begin_settling_in"],
    S.SETTLED: ["allocate", "begin_settling_in", "settle"],
    S.IN_TRANSITION: ["allocate", "begin_settling_in", "settle", "begin_room_move"],
    S.LEAVING: ["allocate", "begin_settling_in", "settle", "prepare_to_leave"],
    S.LEFT: ["allocate", "begin_settling_in", "settle", "prepare_to_leave", "leave"],
    S.WITHDRAWN: ["withdraw"],
}


def _id(value) -> str:
    return value.value if isinstance(value, S) else str(value)


def in_db(child: Child) -> Child:
    return Child.objects.get(pk=child.pk)


def state_logs(child: Child):
    return StateLog.objects.filter(content_type=ContentType.objects.get_for_model(Child), object_id=child.pk)


def drive(child: Child, to: S, *, by) -> Child:
    for name in PATH_TO[to]:
        child = services.child_transition(child=child, transition=name, by=by.user, reason=f"Test path: {name}")
    assert in_db(child).state == to
    return child


@pytest.fixture
def lifecycle_child(setting, room, manager, key_person, other_key_person):
    """Registered, with a key person, a secondary and an expected leaving date: every guard can pass."""
    start = timezone.localdate() + dt.timedelta(days=21)
    child = ChildFactory(setting=setting, room=room, start_date=start,
                         expected_leaving_date=start + dt.timedelta(days=700))
    services.key_person_assign(child=child, staff=key_person, role=AssignmentRole.PRIMARY, by=manager.user)
    services.key_person_assign(child=child, staff=other_key_person, role=AssignmentRole.SECONDARY, by=manager.user)
    return child


class Snapshot:
    """Everything a refused transition must leave exactly as it was."""

    def __init__(self, child: Child) -> None:
        fresh = in_db(child)
        self.child = child
        self.values = (fresh.state, fresh.state_changed_at, fresh.left_on)
        self.logs = state_logs(child).count()
        self.audits = AuditEvent.objects.count()

    def assert_unchanged(self) -> None:
        fresh = in_db(self.child)
        assert (fresh.state, fresh.state_changed_at, fresh.left_on) == self.values
        assert state_logs(self.child).count() == self.logs
        assert AuditEvent.objects.count() == self.audits


def test_the_service_table_names_every_lifecycle_transition_of_the_model():
    assert {t.name for t in STATE_FIELD.get_all_transitions(Child)} == set(TRANSITIONS)


def test_the_table_covers_the_documented_lifecycle():
    assert {(name, source.value, target.value) for name, source, target in TABLE} == {
        ("allocate", "registered", "allocated"),
        ("begin_settling_in", "allocated", "settling_in"),
        ("settle", "settling_in", "settled"),
        ("begin_room_move", "settled", "in_transition"),
        ("complete_room_move", "in_transition", "settled"),
        ("prepare_to_leave", "settled", "leaving"),
        ("prepare_to_leave", "in_transition", "leaving"),
        ("leave", "leaving", "left"),
        *{("withdraw", state.value, "withdrawn") for state in PATH_TO if state not in (S.LEFT, S.WITHDRAWN)},
    }


# Allowed transitions ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "source", "target"), TABLE, ids=lambda v: _id(v))
def test_each_transition_succeeds_from_each_allowed_state_and_is_logged_and_audited(
    lifecycle_child, manager, name, source, target
):
    child = drive(lifecycle_child, source, by=manager)
    logs_before = state_logs(child).count()

    moved = services.child_transition(child=child, transition=name, by=manager.user, reason="Agreed with parents")

    assert moved.state == target
    fresh = in_db(child)
    assert fresh.state == target
    assert state_logs(child).count() == logs_before + 1
    log = state_logs(child).latest("id")
    assert (log.by, log.source_state, log.state, log.transition, log.description) == (
        manager.user, source.value, target.value, name, "Agreed with parents"
    )
    audit = AuditEvent.objects.filter(action="transition", child_id=child.pk).order_by("id").last()
    assert audit.actor == manager.user
    assert audit.setting_id == child.setting_id
    assert audit.record_type == "processes.Child" and audit.record_id == str(child.pk)
    assert audit.changes == {"transition": name, "from": source.value, "to": target.value,
                             "reason": "Agreed with parents"}
    assert "Agreed with parents" in audit.summary


@pytest.mark.parametrize("name", KEY_PERSON_TOO)
@pytest.mark.parametrize("who", ["key_person", "other_key_person"], ids=["key person", "secondary"])
def test_the_childs_key_persons_may_take_the_day_to_day_steps(lifecycle_child, manager, request, who, name):
    source = next(source for n, source, _ in TABLE if n == name)
    child = drive(lifecycle_child, source, by=manager)
    practitioner = request.getfixturevalue(who)

    moved = services.child_transition(child=child, transition=name, by=practitioner.user)

    assert in_db(moved).state != source
    assert state_logs(child).latest("id").by == practitioner.user
    last = AuditEvent.objects.filter(action="transition", child_id=child.pk).order_by("id").last()
    assert last.actor == practitioner.user


def test_a_transition_without_a_reason_is_logged_with_an_empty_reason(lifecycle_child, manager):
    services.child_transition(child=lifecycle_child, transition="allocate", by=manager.user)

    assert not state_logs(lifecycle_child).get().description
    assert AuditEvent.objects.get(action="transition", child_id=lifecycle_child.pk).changes["reason"] == ""


def test_leaving_and_withdrawing_record_the_day_the_child_left(lifecycle_child, manager):
    left = drive(lifecycle_child, S.LEFT, by=manager)

    assert in_db(left).left_on == timezone.localdate()


@pytest.mark.parametrize("to", [S.LEFT, S.WITHDRAWN])
def test_a_child_who_leaves_leaves_their_key_persons_caseloads(lifecycle_child, manager, key_person,
                                                               other_key_person, to):
    from processes.services.keyperson import caseload_of

    assert caseload_of(key_person) == 1
    child = drive(lifecycle_child, S.SETTLED, by=manager)
    if to == S.LEFT:
        for name in ["prepare_to_leave", "leave"]:
            child = services.child_transition(child=child, transition=name, by=manager.user)
    else:
        child = services.child_transition(child=child, transition="withdraw", by=manager.user, reason="Moved away")

    assert caseload_of(key_person) == 0
    ended = list(in_db(child).assignments.order_by("role"))
    assert [(a.staff, a.ends_on) for a in ended] == [(key_person, timezone.localdate()),
                                                     (other_key_person, timezone.localdate())]
    expected = "Left the setting" if to == S.LEFT else "Withdrawn: Moved away"
    assert {a.end_reason for a in ended} == {expected}
    ends = AuditEvent.objects.filter(action="end", child_id=child.pk)
    assert ends.count() == 2 and {e.actor_id for e in ends} == {manager.user.pk}


def test_a_key_person_cannot_open_the_record_of_a_child_who_has_left(client, lifecycle_child, manager, key_person):
    from django.urls import reverse

    client.force_login(key_person.user)
    assert client.get(reverse("child-detail", args=[lifecycle_child.pk])).status_code == 200
    drive(lifecycle_child, S.LEFT, by=manager)
    assert client.get(reverse("child-detail", args=[lifecycle_child.pk])).status_code == 404
    client.force_login(manager.user)
    assert client.get(reverse("child-detail", args=[lifecycle_child.pk])).status_code == 200


def test_a_transition_stamps_when_the_state_changed(lifecycle_child, manager):
    before = in_db(lifecycle_child).state_changed_at

    services.child_transition(child=lifecycle_child, transition="allocate", by=manager.user)

    assert in_db(lifecycle_child).state_changed_at > before


def test_the_whole_life_of_a_child_is_kept_in_order(lifecycle_child, manager):
    child = drive(lifecycle_child, S.SETTLED, by=manager)
    for name in ["begin_room_move", "complete_room_move", "prepare_to_leave", "leave"]:
        child = services.child_transition(child=child, transition=name, by=manager.user)

    assert list(state_logs(child).order_by("id").values_list("state", flat=True)) == [
        "allocated", "settling_in", "settled", "in_transition", "settled", "leaving", "left",
    ]
    assert AuditEvent.objects.filter(action="transition", child_id=child.pk).count() == 7


# Refused transitions ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "state"), REFUSED_SOURCES, ids=lambda v: _id(v))
def test_each_transition_is_refused_from_every_other_state_and_changes_nothing(
    lifecycle_child, manager, name, state
):
    child = drive(lifecycle_child, state, by=manager)
    before = Snapshot(child)

    with pytest.raises(RuleViolation) as refused:
        services.child_transition(child=child, transition=name, by=manager.user, reason="Trying anyway")

    assert type(refused.value) is RuleViolation
    label = name.replace("_", " ")
    assert refused.value.message == (
        f"{child} is {S(state).label.lower()}: they cannot {label} from there."
    )
    before.assert_unchanged()


@pytest.mark.parametrize("name", MANAGER_ONLY)
def test_a_key_person_may_not_take_a_manager_only_step(lifecycle_child, manager, key_person, name):
    source = next(source for n, source, _ in TABLE if n == name)
    child = drive(lifecycle_child, source, by=manager)
    before = Snapshot(child)

    with pytest.raises(NotPermitted, match="You are not allowed to"):
        services.child_transition(child=child, transition=name, by=key_person.user, reason="Parents asked me")

    before.assert_unchanged()


@pytest.mark.parametrize("name", KEY_PERSON_TOO)
def test_a_practitioner_who_is_not_the_childs_key_person_may_not_move_them_on(lifecycle_child, manager, setting,
                                                                             room, name):
    outsider = StaffFactory(setting=setting, room=room, user__username="outsider")
    source = next(source for n, source, _ in TABLE if n == name)
    child = drive(lifecycle_child, source, by=manager)
    before = Snapshot(child)

    with pytest.raises(NotPermitted):
        services.child_transition(child=child, transition=name, by=outsider.user)

    before.assert_unchanged()


def test_a_manager_of_another_setting_may_not_move_a_child_on(lifecycle_child):
    elsewhere = StaffFactory(manager=True, user__username="othermanager")
    before = Snapshot(lifecycle_child)

    with pytest.raises(NotPermitted):
        services.child_transition(child=lifecycle_child, transition="allocate", by=elsewhere.user)

    before.assert_unchanged()


def test_a_manager_whose_account_is_inactive_may_not_move_a_child_on(lifecycle_child, manager):
    manager.user.is_active = False
    manager.user.save()
    before = Snapshot(lifecycle_child)

    with pytest.raises(NotPermitted):
        services.child_transition(child=lifecycle_child, transition="allocate", by=manager.user)

    before.assert_unchanged()


def test_allocating_without_a_secondary_key_person_is_refused_and_says_so(child, manager, key_person):
    services.key_person_assign(child=child, staff=key_person, role=AssignmentRole.PRIMARY, by=manager.user)
    before = Snapshot(child)

    with pytest.raises(RuleViolation) as refused:
        services.child_transition(child=child, transition="allocate", by=manager.user)

    assert type(refused.value) is RuleViolation  # a guard, not a permission: the manager may allocate
    assert refused.value.message == f"{child} cannot allocate: the child has no secondary key person yet."
    before.assert_unchanged()


def test_allocating_without_any_key_person_names_both_missing_roles(child, manager):
    before = Snapshot(child)

    with pytest.raises(RuleViolation) as refused:
        services.child_transition(child=child, transition="allocate", by=manager.user)

    assert "no key person yet" in refused.value.message
    assert "no secondary key person yet" in refused.value.message
    before.assert_unchanged()


@pytest.mark.parametrize("name", ["begin_settling_in", "complete_room_move"])
def test_steps_that_need_a_key_person_are_refused_once_the_key_person_has_gone(lifecycle_child, manager, name):
    source = next(source for n, source, _ in TABLE if n == name)
    child = drive(lifecycle_child, source, by=manager)
    services.key_person_end(
        assignment=child.assignments.current().get(role=AssignmentRole.PRIMARY), by=manager.user, reason="Left the job"
    )
    before = Snapshot(child)

    with pytest.raises(RuleViolation) as refused:
        services.child_transition(child=child, transition=name, by=manager.user)

    assert type(refused.value) is RuleViolation
    assert refused.value.message.endswith("the child has no key person yet.")
    before.assert_unchanged()


@pytest.mark.parametrize("source", [S.SETTLED, S.IN_TRANSITION], ids=_id)
def test_preparing_to_leave_without_a_leaving_date_is_refused_and_says_so(lifecycle_child, manager, source):
    child = drive(lifecycle_child, source, by=manager)
    services.child_update(child=child, by=manager.user, expected_leaving_date=None)
    before = Snapshot(child)

    with pytest.raises(RuleViolation) as refused:
        services.child_transition(child=child, transition="prepare_to_leave", by=manager.user)

    assert type(refused.value) is RuleViolation
    assert refused.value.message == f"{child} cannot prepare to leave: the child has no expected leaving date."
    before.assert_unchanged()


@pytest.mark.parametrize("reason", ["", "   "], ids=["empty", "blank"])
def test_withdrawing_without_a_reason_is_refused(lifecycle_child, manager, reason):
    before = Snapshot(lifecycle_child)

    with pytest.raises(RuleViolation, match="Give a reason to withdraw") as refused:
        services.child_transition(child=lifecycle_child, transition="withdraw", by=manager.user, reason=reason)

    assert refused.value.field == "reason"
    before.assert_unchanged()


@pytest.mark.parametrize("name", ["fly", "", "delete", "save", "allocate ", "Allocate"])
def test_an_unknown_transition_is_refused_and_changes_nothing(lifecycle_child, manager, name):
    before = Snapshot(lifecycle_child)

    with pytest.raises(RuleViolation, match="There is no lifecycle step called"):
        services.child_transition(child=lifecycle_child, transition=name, by=manager.user)

    before.assert_unchanged()
    assert Child.objects.filter(pk=lifecycle_child.pk).exists()


def test_the_state_cannot_be_set_directly(lifecycle_child):
    with pytest.raises(AttributeError):
        in_db(lifecycle_child).state = S.SETTLED

"""`manage.py load_demo`: the demo setting `make run` loads, built through the services."""

from __future__ import annotations

import datetime as dt
import random
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone
from django_fsm_log.models import StateLog

from demo import build, data, dates
from demo.context import DemoContext
from processes.models import (
    AssignmentRole,
    Child,
    ChildGuardian,
    Consent,
    ConsentPurpose,
    Guardian,
    KeyPersonAssignment,
    LifecycleState,
    Organisation,
    Room,
    Setting,
    Staff,
    StaffAbsence,
)
from processes.models.children import ATTENDING
from processes.services import consent_in_force
from processes.signals import child_registered

from .factories import ChildFactory, SettingFactory

S = LifecycleState
FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def load_demo(*args: str) -> str:
    out = StringIO()
    call_command("load_demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="class")
def built(django_db_setup, django_db_blocker):
    """One build shared by the tests that only read it (TestTheDemoSetting), rolled back after them.

    Building the demo runs a few hundred service calls; doing it once keeps this module quick.
    """
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHER):
        with transaction.atomic():
            output = load_demo()
            yield output
            transaction.set_rollback(True)


@pytest.fixture
def setting(built, db):
    return Setting.objects.get(name=data.SETTING_NAME)


def snapshot() -> dict:
    """Everything the demo makes, by natural keys (database ids and creation times differ between builds)."""
    User = get_user_model()
    models = (Organisation, Setting, Room, User, Staff, StaffAbsence, Child, Guardian, ChildGuardian,
              KeyPersonAssignment, Consent, StateLog)
    return {
        "counts": {model.__name__: model.objects.count() for model in models},
        "children": sorted(
            (c.first_name, c.last_name, c.date_of_birth, c.start_date, c.expected_leaving_date,
             c.destination_school, c.state, c.room.name, c.attending_sessions, c.home_language)
            for c in Child.objects.select_related("room")
        ),
        "assignments": sorted(
            (a.child.name, a.staff.user.username, a.role, a.starts_on, a.ends_on)
            for a in KeyPersonAssignment.objects.select_related("child", "staff__user")
        ),
        "guardians": sorted((g.name, g.email, g.phone, g.address) for g in Guardian.objects.all()),
        "staff": sorted(
            (s.user.username, s.room.name if s.room else "", s.working_sessions, s.max_caseload)
            for s in Staff.objects.select_related("user", "room")
        ),
    }


class TestTheDemoSetting:
    """Read-only checks of one build."""

    def test_it_builds_three_rooms_about_ten_staff_and_about_forty_five_children(self, setting):
        rooms = {r.name: (r.min_age_months, r.max_age_months, r.children_per_adult) for r in setting.rooms.all()}
        assert rooms == {"Babies 0–2": (0, 24, 3), "Toddlers 2–3": (24, 36, 5), "Pre-school 3–5": (36, 60, 8)}
        assert 9 <= setting.staff.count() <= 12
        assert 40 <= setting.children.count() <= 50
        assert setting.guardians.count() > setting.children.count()
        assert not Guardian.objects.filter(setting=setting).exclude(email__endswith="@example.org").exists()


    def test_it_puts_children_at_every_stage_of_their_lifecycle(self, setting):
        states = set(setting.children.values_list("state", flat=True))
        assert states == set(S.values)


    def test_every_attending_child_past_registration_has_one_key_person_and_one_secondary(self, setting):
        past_registration = setting.children.filter(state__in=ATTENDING).exclude(state=S.REGISTERED)
        assert past_registration.count() >= 35
        for child in past_registration:
            roles = sorted(child.assignments.current().values_list("role", flat=True))
            assert roles == [AssignmentRole.PRIMARY, AssignmentRole.SECONDARY], child.name


    def test_children_waiting_for_allocation_have_a_future_start_date_and_no_key_person(self, setting):
        waiting = setting.children.filter(state=S.REGISTERED)
        assert waiting.count() >= 3
        for child in waiting:
            assert child.start_date > timezone.localdate()
            assert not child.assignments.exists()


    def test_children_who_have_gone_keep_their_history_but_have_no_current_key_person(self, setting):
        left = setting.children.filter(state=S.LEFT)
        assert left.count() == 2
        for child in left:
            assert child.left_on is not None
            assert child.assignments.count() == 2 and not child.assignments.current().exists()
        withdrawn = setting.children.get(state=S.WITHDRAWN)
        assert not withdrawn.assignments.exists()


    def test_it_keeps_every_key_person_within_their_maximum_caseload(self, setting):
        for staff in setting.staff.all():
            caseload = staff.assignments.current().filter(role=AssignmentRole.PRIMARY).count()
            assert caseload <= staff.max_caseload, staff.name
        assert not KeyPersonAssignment.objects.exclude(over_caseload_reason="").exists()


    def test_every_attending_child_is_the_right_age_for_their_room(self, setting):
        for child in setting.children.filter(state__in=ATTENDING).select_related("room"):
            assert child.room.min_age_months <= child.age_in_months() < child.room.max_age_months, child.name


    def test_pre_schoolers_have_a_leaving_date_at_the_end_of_the_summer_term(self, setting):
        preschoolers = setting.children.filter(room__name="Pre-school 3–5", state__in=ATTENDING)
        for child in preschoolers:
            assert child.expected_leaving_date.month in (7, 8), child.name
        leaving = setting.children.filter(state=S.LEAVING)
        assert leaving.count() >= 2
        assert all(child.destination_school for child in leaving)


    def test_staff_have_roles_working_patterns_and_one_is_away(self, setting):
        manager, senco = Staff.objects.get(user__username="manager"), Staff.objects.get(user__username="senco")
        assert manager.is_manager and not manager.is_key_person
        assert senco.is_senco and senco.is_key_person and senco.room.name == "Pre-school 3–5"
        assert Staff.objects.get(user__username="keyperson1").room.name == "Toddlers 2–3"
        assert Staff.objects.get(user__username="keyperson2").room.name == "Pre-school 3–5"
        assert len(set(setting.staff.values_list("working_sessions", flat=True))) >= 3
        assert setting.staff.exclude(sen_experience="").count() >= 1
        today = timezone.localdate()
        away = StaffAbsence.objects.filter(staff__setting=setting, starts_on__lte=today, ends_on__gte=today)
        assert away.count() == 1


    def test_siblings_share_their_parents_and_a_grandparent_carer_has_no_parental_responsibility(self, setting):
        shared = [g for g in setting.guardians.all() if g.children.count() > 1]
        assert len(shared) >= 4
        grandparent = ChildGuardian.objects.get(child__setting=setting, relationship="Grandmother")
        assert not grandparent.has_parental_responsibility


    def test_consent_history_has_grants_a_refusal_and_a_withdrawal_in_force(self, setting):
        ruby = setting.children.get(first_name="Ruby")
        assert ruby.consents.count() == 2
        assert consent_in_force(child=ruby, purpose=ConsentPurpose.PHOTOGRAPHS) is None
        ayesha = setting.children.get(first_name="Ayesha")
        assert consent_in_force(child=ayesha, purpose=ConsentPurpose.SENCO_OBSERVATION) is not None
        photographs = Consent.objects.filter(child__setting=setting, purpose=ConsentPurpose.PHOTOGRAPHS)
        assert photographs.filter(status="granted").count() >= 30
        assert photographs.filter(status="declined").count() == 1


    def test_children_are_at_each_stage_of_the_sen_workflow(self, setting):
        from viewflow.workflow.models import Task

        from demo.sen import STAGES

        waiting = {t.flow_task.name for t in Task.objects.filter(
            process__childprocess__kind="sen", process__childprocess__setting=setting, status__in=("NEW", "ASSIGNED"))}
        assert len(STAGES) == setting.children.filter(sen_concerns__isnull=False).count()
        assert {"tell_parents", "ask_consent", "follow_up", "observe", "respond", "decide", "ask_sharing_consent",
                "refer", "track", "review", "ehc_decision"} == waiting

    def test_the_toddlers_care_cards_are_worth_opening_and_the_board_worth_printing(self, setting, client):
        from django.urls import reverse

        from processes.room_care import room_care_cards

        toddlers = setting.rooms.get(name="Toddlers 2–3")
        cards = room_care_cards(toddlers)
        assert len(cards) >= 8 and all(card.routines and card.collected_by for card in cards)
        assert sum(bool(card.medical_notes) for card in cards) >= 3
        client.login(username="keyperson1", password="keyflow-demo")
        page = client.get(reverse("room-care", args=[toddlers.pk])).content.decode()
        assert "Asthma: blue inhaler" in page and "Febrile convulsions" in page
        board = client.get(reverse("room-board", args=[toddlers.pk])).content.decode()
        assert board.count('class="board-person"') >= 3

    def test_a_two_year_check_is_due_one_drafted_and_meetings_are_past_and_coming(self, setting):
        from processes.models import MeetingStatus, ParentMeeting, TwoYearCheck

        checks = set(TwoYearCheck.objects.filter(child__setting=setting).values_list("status", flat=True))
        assert {"due", "drafted"} <= checks
        meetings = ParentMeeting.objects.filter(child__setting=setting).exclude(kind="introduction")
        assert meetings.filter(status=MeetingStatus.HELD, starts_at__lt=timezone.now()).exists()
        assert meetings.filter(status=MeetingStatus.ARRANGED, starts_at__gt=timezone.now()).count() >= 2

    def test_a_cohort_of_leavers_is_at_each_step_of_the_leaving_workflow(self, setting):
        from viewflow.workflow.models import Task

        from demo.leaving import STAGES
        from processes.models import LeavingPlan, RecordsPack
        from processes.services.leaving import school_leaver_cohort

        waiting = {t.flow_task.name for t in Task.objects.filter(
            process__childprocess__kind="leaving", process__childprocess__setting=setting,
            status__in=("NEW", "ASSIGNED"))}
        assert len(STAGES) == LeavingPlan.objects.filter(child__setting=setting).count()
        assert {"report", "meeting", "ask_consent", "pack", "receipt", "learning_record"} == waiting
        assert RecordsPack.objects.filter(plan__child__setting=setting, received_on__isnull=False).exists()
        assert school_leaver_cohort(setting).exists()  # still to start together, on the school leavers screen

    def test_every_lifecycle_step_is_logged(self, setting):
        settled = setting.children.filter(state=S.SETTLED).first()
        steps = StateLog.objects.for_(settled).order_by("timestamp", "pk").values_list("transition", flat=True)
        assert list(steps) == ["allocate", "begin_settling_in", "settle"]


    def test_todays_register_has_a_breach_and_a_child_without_their_key_person(self, setting):
        from processes.register import register_day

        rooms = {day.room.name: day for day in register_day(setting, timezone.localdate())}
        assert rooms["Babies 0–2"].now.breach
        assert any(day.without_key_person for day in rooms.values())
        assert rooms["Pre-school 3–5"].now.level_6 and not rooms["Pre-school 3–5"].now.breach

    def test_it_prints_the_demo_log_ins(self, built):
        assert "Little Acorns Nursery" in built
        assert (
            "Log in at http://127.0.0.1:8000/ as: manager / keyflow-demo (manager), senco / keyflow-demo (SENCO), "
            "keyperson1 / keyflow-demo (key person, Toddlers), keyperson2 / keyflow-demo (key person, Pre-school)"
        ) in built


    def test_the_demo_users_can_log_in(self, setting, client):
        for username, *_ in data.STAFF:
            assert client.login(username=username, password="keyflow-demo"), username
            client.logout()


def test_running_it_twice_changes_nothing(db):
    load_demo()
    before = snapshot()
    output = load_demo()
    assert "already there" in output and "nothing changed" in output
    assert snapshot() == before


def test_reset_builds_the_same_demo_again_and_leaves_other_settings_alone(db, settings):
    settings.KEYFLOW = {**settings.KEYFLOW, "BASE_URL": "https://nursery.example.org/"}
    other = ChildFactory(setting=SettingFactory(name="Another nursery"))
    load_demo()
    before = snapshot()
    output = load_demo("--reset")
    assert "Built the demo setting" in output
    assert "Log in at https://nursery.example.org/ as: manager / keyflow-demo" in output
    assert snapshot() == before
    assert Setting.objects.filter(name=data.SETTING_NAME).count() == 1
    assert Child.objects.filter(pk=other.pk).exists()


def test_it_builds_the_same_demo_without_the_workflows_listening(db, monkeypatch):
    load_demo()
    with_workflows = snapshot()
    monkeypatch.setattr(child_registered, "receivers", [])  # nothing starts an allocation on registration
    load_demo("--reset")
    assert snapshot() == with_workflows


def test_it_refuses_when_a_demo_username_belongs_to_someone_else(db):
    get_user_model().objects.create_user(username="senco", password="not-the-demo-1")
    with pytest.raises(CommandError, match="senco"):
        load_demo()
    assert not Setting.objects.filter(name=data.SETTING_NAME).exists()
    assert not Organisation.objects.filter(name=data.ORGANISATION_NAME).exists()


@pytest.mark.parametrize("today", [dt.date(2027, month, day) for month in range(1, 13) for day in (1, 20)]
                         + [dt.date(2027, 7, 23), dt.date(2027, 8, 31), dt.date(2028, 2, 29)])
def test_the_children_fit_their_rooms_and_school_years_whatever_the_day(today):
    ctx = DemoContext(today=today, rng=random.Random(data.SEED), setting=None, rooms={}, staff={}, buddies={})
    for spec in build.plan_children(ctx):
        _name, low, high, _ratio, leaves_for_school = data.ROOMS[spec.room]
        age = Child(date_of_birth=spec.date_of_birth).age_in_months(today)
        assert low <= age < high, (spec.name, age)
        assert spec.date_of_birth < spec.start_date
        assert (spec.start_date > today) == (spec.stage in (S.REGISTERED, S.ALLOCATED, S.WITHDRAWN)), spec.name
        if leaves_for_school:
            details = dates.school_leaving_details(ctx, spec)
            assert details["expected_leaving_date"] > max(today, spec.start_date), spec.name
            if spec.stage == S.LEAVING:
                assert details.get("destination_school"), spec.name


def test_each_demo_key_person_is_the_rankings_best_in_the_childs_room_when_allocated(db, monkeypatch):
    """The demo allocates as the manager would from the allocation page: the best-ranked key person of
    processes.allocation (no ranking of its own) in the child's room with room for another key child."""
    from demo import steps
    from processes.allocation import allocation_candidates

    chosen = []

    def choose(ctx, child):
        ranked = [c for c in allocation_candidates(child=child, on=steps.assignment_start(ctx, child))
                  if not c.over_caseload and c.staff.room_id == child.room_id]
        staff, why = original(ctx, child)
        chosen.append((staff, ranked[0].staff, why, ranked[0].reasons))
        return staff, why

    original = steps.choose_key_person
    monkeypatch.setattr(steps, "choose_key_person", choose)
    load_demo()

    assert len(chosen) >= 35
    for staff, best, why, reasons in chosen:
        assert staff == best
        assert why.lower().startswith(reasons[0].lower())
    notes = KeyPersonAssignment.objects.filter(role=AssignmentRole.PRIMARY).exclude(reason="")
    assert notes.filter(reason__contains=" of ").count() >= 30  # "works 6 of Olivia's 10 sessions; ..."


def test_the_demo_has_accidents_signed_and_waiting_and_a_supervision_held_and_one_due(db):
    from processes.models import AccidentRecord, Supervision, SupervisionAction

    load_demo()
    accidents = AccidentRecord.objects.all()
    assert accidents.filter(acknowledged_at__isnull=False).count() == 1
    assert accidents.filter(acknowledged_at__isnull=True).count() == 2
    assert accidents.filter(kind="on_arrival").exists()
    assert Supervision.objects.filter(held_on__isnull=False).count() == 1
    assert Supervision.objects.filter(held_on__isnull=True, staff__user__username="keyperson2").exists()
    assert SupervisionAction.objects.filter(child__isnull=False).exists()

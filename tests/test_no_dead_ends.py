"""No dead ends: whatever people decide, in whatever order, every process finishes or can move on.

For each flow, Hypothesis walks random sequences of decisions through the real services: a task completed with
form data drawn from its own form's fields (every choice: sends back, declines, the local authority's answers),
now and then a form sent empty (refused, changing nothing), and, for the SEN flow, parents granting, declining,
withdrawing and granting again their consent, with the professional's name typed in other capitals and scripts.
After every step, workflows.health.stuck_processes (what `manage.py workflow_health` and the dashboard report)
must find none of the child's processes, and a task completed with valid data must not be refused by a rule
(a task that always refuses is a dead end the health check cannot see from the tables).

The walks know the flows only through their tasks' forms and the public services, never their internal state,
so they hold whatever shape a flow's data takes.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django import forms
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from processes.errors import Conflict, NotPermitted, RuleViolation
from processes.models import ConsentPurpose, ConsentStatus
from processes.services import consent_in_force
from workflows import services as wf
from workflows.health import stuck_processes
from workflows.models import ChildProcess, ProcessKind, TaskRole
from workflows.transition_forms import TransitionVisitsForm

from . import senkit as sk
from .factories import ChildGuardianFactory
from .flowkit import allocate, introduce, open_tasks, proposed_rows, register
from .transitionkit import plan_move, settled_child

pytestmark = pytest.mark.django_db

WALKS = settings(max_examples=25, deadline=None, derandomize=True, database=None,
                 suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                        HealthCheck.filter_too_much])

RECIPIENT = "Dr Ayşe Kılıç, Straße-Klinik"
SPELLINGS = [RECIPIENT, RECIPIENT.upper(), RECIPIENT.casefold(), RECIPIENT.upper().replace("I", "İ"),
             "  " + RECIPIENT.replace(" ", "  ")]
FUTURE_DATES = {"review_on", "next_review_on"}  # every other date is of something that has happened


def _value(draw, name: str, field: forms.Field, initial):
    """A valid value for one field of a task's form, drawn where the field offers a choice."""
    today = timezone.localdate()
    if isinstance(field, forms.ModelChoiceField):
        return draw(st.sampled_from(list(field.queryset))).pk
    if isinstance(field, forms.ChoiceField):
        return draw(st.sampled_from([value for value, _ in field.choices if value != ""]))
    if isinstance(field, forms.BooleanField):
        return draw(st.sampled_from(["on", ""]))
    if isinstance(field, forms.DateTimeField):
        return (timezone.localtime() + dt.timedelta(days=1)).strftime("%Y-%m-%d %H:%M")
    if isinstance(field, forms.DateField):
        return str(today + dt.timedelta(weeks=4) if name in FUTURE_DATES else today)
    if initial not in (None, ""):
        return initial
    if isinstance(field, forms.IntegerField):
        return field.min_value or 30
    if name == "refer_to":
        return draw(st.sampled_from(SPELLINGS))
    if name in ("extra_visits", "visits"):
        return ""  # a plan's own format; "visits" always has its initial plan
    if name == "targets":
        return "Use two-word phrases | modelling at snack time"
    return "Noted with the parents"


def _form_data(draw, task) -> dict:
    node = task.flow_task
    form = node.form_class(**node.form_kwargs(task))
    data = {}
    for name, field in form.fields.items():
        initial = form.initial.get(name, field.initial)
        data[name] = _value(draw, name, field, initial() if callable(initial) else initial)
        if name == "visits" and isinstance(form, TransitionVisitsForm):
            data.update(proposed_rows(task))  # the room move's proposed visits, posted as the page would
    return data


def _who_acts(task, people) -> object:
    if task.owner_id is not None:
        return task.owner
    return people[task.inbox.role]


def _check(child) -> None:
    stuck = list(stuck_processes(child_id=child.pk))
    assert not stuck, f"nobody can move on: {stuck}"


def _complete_one(draw, child, kinds, people, log) -> bool:
    """Complete (or try to) one open task of the walked flows. False when there is none."""
    tasks = [t for t in open_tasks(child) if ChildProcess.objects.get(pk=t.process_id).kind in kinds]
    if not tasks:
        return False
    task = draw(st.sampled_from(tasks))
    by = _who_acts(task, people)
    if draw(st.integers(0, 9)) == 0:  # an empty form: refused, and nothing changes
        with pytest.raises(wf.FormInvalid):
            wf.task_complete(process_id=task.process_id, task_id=task.pk, by=by, data={})
        log.append(f"{task.flow_task.name}: refused empty")
        return True
    data = _form_data(draw, task)
    try:
        wf.task_complete(process_id=task.process_id, task_id=task.pk, by=by, data=data)
    except wf.FormInvalid as exc:  # drawn values that do not go together (the same person twice): refused
        log.append(f"{task.flow_task.name}: form refused ({exc.message})")
        return True
    except (Conflict, NotPermitted) as exc:
        raise AssertionError(f"{task.flow_task.name} could not be completed by {by}: {exc.message}") from None
    except RuleViolation as exc:
        consent_missing = "consent" in exc.message and "not in force" in exc.message
        assert consent_missing, f"{task.flow_task.name} refused valid data {data}: {exc.message}  after {log}"
        log.append(f"{task.flow_task.name}: waits for consent")
        return True
    log.append(f"{task.flow_task.name}: {data.get('next') or data.get('decision') or data.get('outcome') or 'done'}")
    return True


def _consent_event(draw, child, by, log) -> None:
    purpose = draw(st.sampled_from([ConsentPurpose.SENCO_OBSERVATION, ConsentPurpose.SHARE_PROFESSIONAL]))
    recipient = draw(st.sampled_from(SPELLINGS)) if purpose == ConsentPurpose.SHARE_PROFESSIONAL else ""
    in_force = consent_in_force(child=child, purpose=purpose, recipient=recipient) is not None
    status = draw(st.sampled_from([ConsentStatus.WITHDRAWN] if in_force else
                                  [ConsentStatus.GRANTED, ConsentStatus.DECLINED]))
    sk.record_consent(child, by, status, purpose=purpose, recipient=recipient)
    log.append(f"parents {status} {purpose}")


SCHOOL = "St Ælfric's Ürsuline Primary"
SCHOOL_SPELLINGS = [SCHOOL, SCHOOL.upper(), SCHOOL.casefold(), "  " + SCHOOL.replace(" ", "  ")]


def _school_consent_event(draw, child, by, log) -> None:
    """The parents decide about sharing with the school the child goes to (issue 18), typed any which way."""
    recipient = draw(st.sampled_from(SCHOOL_SPELLINGS))
    in_force = consent_in_force(child=child, purpose=ConsentPurpose.SHARE_SCHOOL, recipient=recipient) is not None
    status = draw(st.sampled_from([ConsentStatus.WITHDRAWN] if in_force else
                                  [ConsentStatus.GRANTED, ConsentStatus.DECLINED]))
    sk.record_consent(child, by, status, purpose=ConsentPurpose.SHARE_SCHOOL, recipient=recipient)
    log.append(f"parents {status} sharing with the school")


def walk(data, child, kinds, people, *, max_steps: int, consent_events: bool = False,
         consent_event=_consent_event, before_each=None) -> list[str]:
    log: list[str] = []
    _check(child)
    for _ in range(max_steps):
        if before_each is not None:
            before_each(child)
        if consent_events and data.draw(st.integers(0, 4)) == 0:
            consent_event(data.draw, child, people[TaskRole.KEY_PERSON], log)
        elif not _complete_one(data.draw, child, kinds, people, log):
            break
        _check(child)
    return log


@pytest.fixture
def people(manager, key_person, senco):
    return {TaskRole.MANAGER: manager.user, TaskRole.KEY_PERSON: key_person.user, TaskRole.SENCO: senco.user}


def _new_child(setting, room, manager, key_person):
    key_person.max_caseload = 10_000  # the fixtures outlive the examples; so does the caseload they build
    key_person.save(update_fields=["max_caseload"])
    return register(setting=setting, room=room, manager=manager)


@WALKS
@given(data=st.data())
def test_allocation_never_reaches_a_dead_end(data, setting, room, manager, key_person, other_key_person, people):
    child = _new_child(setting, room, manager, key_person)
    walk(data, child, {ProcessKind.ALLOCATION}, people, max_steps=6)


@WALKS
@given(data=st.data())
def test_the_introduction_never_reaches_a_dead_end(data, setting, room, manager, key_person, other_key_person,
                                                   people):
    child = _new_child(setting, room, manager, key_person)
    allocate(child, manager, key_person, other_key_person)
    walk(data, child, {ProcessKind.INTRODUCTION}, people, max_steps=8)


@WALKS
@given(data=st.data())
def test_settling_in_never_reaches_a_dead_end(data, setting, room, manager, key_person, other_key_person, people):
    child = _new_child(setting, room, manager, key_person)
    allocate(child, manager, key_person, other_key_person)
    introduce(child, key_person.user)
    walk(data, child, {ProcessKind.SETTLING}, people, max_steps=16)


@WALKS
@given(data=st.data())
def test_a_sen_concern_never_reaches_a_dead_end(data, setting, room, manager, key_person, other_key_person, senco,
                                                people):
    child = _new_child(setting, room, manager, key_person)
    allocate(child, manager, key_person, other_key_person)
    ChildGuardianFactory(child=child)
    sk.raise_concern(child, key_person.user)
    walk(data, child, {ProcessKind.SEN}, people, max_steps=30, consent_events=True)


def _meetings_have_begun(child) -> None:
    # A meeting is recorded once it has begun: the walk lets its time come before every step.
    from processes.models import ParentMeeting

    ParentMeeting.objects.filter(child=child).update(starts_at=timezone.now() - dt.timedelta(minutes=5))


@pytest.fixture
def dsl(setting):
    from .factories import StaffFactory

    return StaffFactory(setting=setting, is_dsl=True, is_key_person=False)


@WALKS
@given(data=st.data())
def test_a_meeting_with_the_parents_never_reaches_a_dead_end(data, setting, room, manager, key_person,
                                                             other_key_person, people):
    from processes import services
    from processes.models import MeetingKind
    from workflows.starts import meeting_process_start

    child = _new_child(setting, room, manager, key_person)
    allocate(child, manager, key_person, other_key_person)
    kind = data.draw(st.sampled_from([MeetingKind.PROGRESS, MeetingKind.REQUESTED, MeetingKind.DROP_IN]))
    meeting = services.meeting_arrange(child=child, by=key_person.user, kind=kind,
                                       starts_at=timezone.now() + dt.timedelta(days=1))
    meeting_process_start(meeting=meeting)
    walk(data, child, {ProcessKind.MEETING}, people, max_steps=12, before_each=_meetings_have_begun)


@WALKS
@given(data=st.data())
def test_an_injury_pattern_never_reaches_a_dead_end(data, setting, room, manager, key_person, other_key_person,
                                                    people, dsl):
    from processes.services import injury_patterns_sweep
    from workflows.injury import injury_pattern_flows_start

    from .accidentkit import accident

    child = _new_child(setting, room, manager, key_person)
    allocate(child, manager, key_person, other_key_person)
    for hours in (1, 2, 3):
        accident(child, key_person, hours_ago=hours)
    injury_patterns_sweep()
    injury_pattern_flows_start()  # what the sweep's commit starts
    walk(data, child, {ProcessKind.INJURY_PATTERN}, people | {TaskRole.DSL: dsl.user}, max_steps=6)


@WALKS
@given(data=st.data())
def test_the_progress_check_at_two_never_reaches_a_dead_end(data, setting, room, manager, key_person,
                                                            other_key_person, senco, people):
    from workflows.starts import two_year_check_start

    child = _new_child(setting, room, manager, key_person)
    allocate(child, manager, key_person, other_key_person)
    two_year_check_start(child=child)
    walk(data, child, {ProcessKind.TWO_YEAR_CHECK}, people, max_steps=16, before_each=_meetings_have_begun)


@WALKS
@given(data=st.data())
def test_an_absence_follow_up_never_reaches_a_dead_end(data, setting, room, manager, key_person, other_key_person,
                                                       people):
    from processes import services, sessions
    from workflows.absence import absence_follow_ups_raise

    from .factories import ChildFactory
    from .test_absence_follow_up import DAY, DAYS, at

    key_person.max_caseload = 10_000
    key_person.save(update_fields=["max_caseload"])
    child = ChildFactory(setting=setting, room=room, start_date=DAYS[0], attending_sessions=sessions.ALL)
    services.key_person_assign(child=child, staff=key_person, role="primary", by=manager.user)
    services.key_person_assign(child=child, staff=other_key_person, role="secondary", by=manager.user)
    absence_follow_ups_raise(now=at(DAY, 11))  # three days unexplained: a contact task and a welfare check
    walk(data, child, {ProcessKind.ABSENCE_CONTACT, ProcessKind.ABSENCE_WELFARE}, people, max_steps=10)


@WALKS
@given(data=st.data())
def test_an_action_agreed_at_supervision_never_reaches_a_dead_end(data, setting, room, manager, key_person,
                                                                   other_key_person, people):
    from processes.services import supervision_hold, supervision_schedule
    from workflows.supervision import supervision_action_flows_start

    child = _new_child(setting, room, manager, key_person)
    allocate(child, manager, key_person, other_key_person)
    due = supervision_schedule(staff=key_person, by=manager.user, due_on=timezone.localdate())
    whose = data.draw(st.sampled_from([key_person, manager]))
    supervision_hold(supervision=due, by=manager.user, held_on=timezone.localdate(), actions=[
        {"what": "Talk to the parents", "for_staff": whose, "child": child, "due_on": timezone.localdate()}])
    supervision_action_flows_start(supervision_id=due.pk)  # what the supervision's commit starts
    walk(data, child, {ProcessKind.SUPERVISION_ACTION}, people, max_steps=4)


def _settled(setting, room, manager, key_person, other_key_person):
    key_person.max_caseload = 10_000
    key_person.save(update_fields=["max_caseload"])
    return settled_child(setting, room, manager, key_person, other_key_person)


@WALKS
@given(data=st.data())
def test_a_room_move_never_reaches_a_dead_end(data, setting, room, manager, key_person, other_key_person,
                                              preschool, new_key_person, new_secondary, people):
    child = _settled(setting, room, manager, key_person, other_key_person)
    plan_move(child, manager, preschool)
    walk(data, child, {ProcessKind.ROOM_MOVE}, people, max_steps=14)


@WALKS
@given(data=st.data())
def test_leaving_never_reaches_a_dead_end(data, setting, room, manager, key_person, other_key_person, people):
    from processes import services

    from .factories import ChildFactory
    from .leavingkit import settled, started_a_year_ago

    key_person.max_caseload = 10_000
    key_person.save(update_fields=["max_caseload"])
    child = ChildFactory(setting=setting, room=room)  # here a year already: no allocation flow waiting
    allocate_directly(child, manager, key_person, other_key_person)
    started_a_year_ago(child)
    child = settled(child, manager)
    ChildGuardianFactory(child=child)
    plan = services.leaving_record(child=child, by=manager.user, destination=SCHOOL,
                                   leaving_on=timezone.localdate() + dt.timedelta(days=30), contact_name="Mrs Ng",
                                   contact_email="office@school.example")
    log = walk(data, child, {ProcessKind.LEAVING}, people, max_steps=14, consent_events=True,
               consent_event=_school_consent_event)
    if data.draw(st.booleans()):  # the leaving date comes, wherever the steps have got to
        services.leavers_leave(today=plan.leaving_on)
        assert not open_tasks(child), log
        _check(child)


def allocate_directly(child, manager, key_person, other_key_person) -> None:
    from processes import services
    from processes.models import AssignmentRole

    for staff, role in ((key_person, AssignmentRole.PRIMARY), (other_key_person, AssignmentRole.SECONDARY)):
        services.key_person_assign(child=child, staff=staff, role=role, by=manager.user)
    services.child_transition(child=child, transition="allocate", by=manager.user)


@WALKS
@given(data=st.data())
def test_a_change_of_key_person_never_reaches_a_dead_end(data, setting, room, manager, key_person,
                                                         other_key_person, new_key_person, people):
    from processes import services

    child = _settled(setting, room, manager, key_person, other_key_person)
    services.key_person_change_start(child=child, to_staff=new_key_person, to_secondary=other_key_person,
                                     reason=data.draw(st.sampled_from(["parents_ask", "not_clicked",
                                                                       "caseload_review"])), by=manager.user)
    walk(data, child, {ProcessKind.KEY_PERSON_CHANGE}, people, max_steps=6)

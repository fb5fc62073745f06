"""Room move.

The manager plans the move (the room, the day, why: from the upcoming room moves list, or for any child) and
chooses the new room's key person and secondary from the ranked suggestions. The new key person plans visits
to the new room, several and growing longer, the key person now going along at first, records how the child
was at each, and decides when the child is ready (more visits when needed; the date moves, with a reason, when
they need more time than it leaves). Then the parents meet the new key person (an invitation with iCalendar)
and the key person now hands over (routines, sleep, comforters, interests, what helps, next
steps, SEN support; "all about me" brought up to date). On the day the manager makes the move: the room and
the key persons change together, the child is settled again and their tasks follow the new key person.
Steps Ahead: "at the child's pace and sympathetically"; Potton: "gradual introductions and parental involvement".
"""

from __future__ import annotations

from viewflow import this
from viewflow.workflow import flow, lock

from processes import deadlines, services
from processes.dates import day_text
from processes.models import HandoverFor, HandoverSource, RoomMove

from .base import ChildFlowMixin
from .models import ProcessKind, RoomMoveProcess, TaskRole
from .nodes import End, HumanTask, If, StartHandle
from .transition_forms import (
    ChooseNewKeyPersonsForm,
    ConfirmForm,
    HandoverForm,
    NewKeyPersonMeetingForm,
    ReadinessForm,
    TransitionVisitForm,
    TransitionVisitsForm,
    next_visit,
)


class RoomMoveFlow(ChildFlowMixin, flow.Flow):
    process_class = RoomMoveProcess
    lock_impl = lock.select_for_update_lock
    kind = ProcessKind.ROOM_MOVE
    process_title = "Room move"

    start = StartHandle(this.start_move).Next(this.choose_key_persons)

    # manager
    choose_key_persons = (
        HumanTask(ChooseNewKeyPersonsForm, role=TaskRole.MANAGER, due=this.soon, on_complete=this.key_persons_chosen,
                  shows=("attending_sessions", "known_needs"))
        .Annotation(title="Choose the key person in the new room")
        .Next(this.plan_visits)
    )

    # the new key person
    plan_visits = (
        HumanTask(TransitionVisitsForm, role=TaskRole.KEY_PERSON, owner=this.new_key_person, due=this.soon,
                  on_complete=this.visits_planned)
        .Annotation(title="Plan the visits to the new room")
        .Next(this.more_visits)
    )
    more_visits = If(this.has_visit_to_record).Then(this.record_visit).Else(this.ready)
    record_visit = (
        HumanTask(TransitionVisitForm, role=TaskRole.KEY_PERSON, owner=this.new_key_person, due=this.visit_due,
                  on_complete=this.visit_recorded)
        .Annotation(title="Record how the visit to the new room went")
        .Next(this.more_visits)
    )
    ready = (
        HumanTask(ReadinessForm, role=TaskRole.KEY_PERSON, owner=this.new_key_person, due=this.move_due,
                  on_complete=this.readiness_decided)
        .Annotation(title="Decide whether the child is ready to move")
        .Next(this.is_ready)
    )
    is_ready = If(this.child_ready).Then(this.meet_parents).Else(this.more_visits)
    meet_parents = (
        HumanTask(NewKeyPersonMeetingForm, role=TaskRole.KEY_PERSON, owner=this.new_key_person, due=this.move_due,
                  on_complete=this.meeting_arranged)
        .Annotation(title="Arrange for the parents to meet the new key person")
        .Next(this.handover)
    )

    # the key person now (the secondary while they are away)
    handover = (
        HumanTask(HandoverForm, role=TaskRole.KEY_PERSON, due=this.move_due, on_complete=this.handed_over)
        .Annotation(title="Hand over to the new key person")
        .Next(this.move_day)
    )

    # manager
    move_day = (
        HumanTask(ConfirmForm, role=TaskRole.MANAGER, due=this.move_due, on_complete=this.moved)
        .Annotation(title="Move the child to the new room")
        .Next(this.end)
    )
    end = End()

    def start_move(self, activation, child, by=None, move: RoomMove | None = None):
        process = self.start_process(activation, child, by)
        process.move = move
        return process

    # Who and when
    def new_key_person(self, activation):
        staff = activation.process.move.new_key_person
        return staff.user if staff is not None and staff.user.is_active else None

    def soon(self, activation):
        return deadlines.room_move_step_due(activation.process.child.setting)

    def move_due(self, activation):
        return deadlines.settling_session_due(activation.process.move.planned_on, activation.process.child.setting)

    def visit_due(self, activation):
        visit = getattr(activation.process, "next_visit", None) or next_visit(activation.process.move)
        return deadlines.settling_session_due(visit.on, activation.process.child.setting) if visit else None

    # Predicates
    def has_visit_to_record(self, activation) -> bool:
        activation.process.next_visit = next_visit(activation.process.move)
        return activation.process.next_visit is not None

    def child_ready(self, activation) -> bool:
        return activation.process.move.ready_on is not None

    # Steps
    def key_persons_chosen(self, activation, data, by) -> None:
        services.room_move_key_persons_choose(move=activation.process.move, primary=data["primary"],
                                              secondary=data["secondary"], by=by,
                                              over_caseload_reason=data.get("over_caseload_reason", ""))

    def visits_planned(self, activation, data, by) -> None:
        services.room_move_visits_plan(move=activation.process.move, visits=data["visits"], by=by)

    def visit_recorded(self, activation, data, by) -> None:
        if data["visit"] is not None:
            services.transition_visit_record(visit=data["visit"], by=by, how_it_went=data["how_it_went"])

    def readiness_decided(self, activation, data, by) -> None:
        services.room_move_readiness_record(move=activation.process.move, by=by, ready=data["ready"],
                                            notes=data.get("notes", ""), extra_visits=data.get("extra_visits", ()),
                                            new_date=data.get("new_date"), reason=data.get("reason", ""))

    def meeting_arranged(self, activation, data, by) -> None:
        services.room_move_parents_meeting_arrange(move=activation.process.move, by=by, **data)

    def handed_over(self, activation, data, by) -> None:
        move = activation.process.move
        source = (HandoverSource.KEY_PERSON if move.old_key_person_id and by.pk == move.old_key_person.user_id
                  else HandoverSource.SECONDARY_AND_RECORDS)
        services.handover_record(child=activation.process.child, made_for=HandoverFor.ROOM_MOVE, by=by,
                                 from_staff=move.old_key_person, to_staff=move.new_key_person, source=source, **data)

    def moved(self, activation, data, by) -> None:
        services.room_move_complete(move=activation.process.move, by=by)

    def task_facts(self, process) -> list[tuple[str, str]]:
        move = process.coerced.move
        facts = [("Moving to", str(move.to_room)), ("On", day_text(move.planned_on, weekday=True))]
        if move.why:
            facts.append(("Why", move.why))
        if move.new_key_person_id:
            facts.append(("New key person", move.new_key_person.name))
        visits = list(move.visits.all())
        if visits:
            facts.append(("Visits", "; ".join(
                f"{v}" + (f" ({'with the key person now' if v.with_old_key_person else 'new key person'})")
                + (f": {v.how_it_went}" if v.how_it_went else "") for v in visits)))
        return facts

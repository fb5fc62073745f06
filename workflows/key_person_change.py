"""Change of key person.

The manager plans it for one child (the parents ask, the relationship has not "clicked", a caseload review) or
for all of a leaver's (or a long-absent key person's) key children in one screen, each with a successor and a
secondary. For each child, in either order: the key person hands over to the new one while still there (the
secondary, acting for them once they are away or gone, hands over from the records), and the new key person
introduces themselves gradually to the child and the parents. On the day, the manager makes the change: the
key persons change (history kept), the parents get a letter naming the new key person, and the child's tasks
follow them. Steps Ahead: "at the child's pace and sympathetically".
"""

from __future__ import annotations

from viewflow import this
from viewflow.workflow import flow, lock

from processes import deadlines, services
from processes.dates import day_text
from processes.models import HandoverFor, HandoverSource, KeyPersonChange

from .base import ChildFlowMixin
from .models import OPEN, KeyPersonChangeProcess, ProcessKind, TaskRole
from .nodes import End, HumanTask, If, StartHandle
from .transition_forms import ConfirmForm, HandoverForm, IntroductionForm


class KeyPersonChangeFlow(ChildFlowMixin, flow.Flow):
    process_class = KeyPersonChangeProcess
    lock_impl = lock.select_for_update_lock
    kind = ProcessKind.KEY_PERSON_CHANGE
    process_title = "Change of key person"

    start = StartHandle(this.start_change).Next(this.split)
    split = flow.Split().Next(this.handover).Next(this.introduce)

    # the key person now (the secondary while they are away or once they have gone)
    handover = (
        HumanTask(HandoverForm, role=TaskRole.KEY_PERSON, due=this.change_due, on_complete=this.handed_over)
        .Annotation(title="Hand over to the new key person")
        .Next(this.join)
    )

    # the new key person
    introduce = (
        HumanTask(IntroductionForm, role=TaskRole.KEY_PERSON, owner=this.new_key_person, due=this.change_due,
                  on_complete=this.introduced)
        .Annotation(title="Introduce yourself to the child and the parents")
        .Next(this.join)
    )

    join = If(this.ready_for_the_day).Then(this.take_over).Else(this.end)

    # manager
    take_over = (
        HumanTask(ConfirmForm, role=TaskRole.MANAGER, due=this.change_due, on_complete=this.changed)
        .Annotation(title="Make the change of key person")
        .Next(this.end)
    )
    end = End()

    def start_change(self, activation, child, by=None, change: KeyPersonChange | None = None):
        process = self.start_process(activation, child, by)
        process.change = change
        return process

    def new_key_person(self, activation):
        user = activation.process.change.to_staff.user
        return user if user.is_active else None

    def change_due(self, activation):
        return deadlines.settling_session_due(activation.process.change.change_on, activation.process.child.setting)

    def ready_for_the_day(self, activation) -> bool:
        return not activation.process.task_set.filter(flow_task_type="HUMAN", status__in=OPEN).exists()

    def handed_over(self, activation, data, by) -> None:
        change = activation.process.change
        from_staff = change.from_staff
        source = (HandoverSource.KEY_PERSON if from_staff is not None and by.pk == from_staff.user_id
                  else HandoverSource.SECONDARY_AND_RECORDS)
        services.handover_record(child=activation.process.child, made_for=HandoverFor.KEY_PERSON_CHANGE, by=by,
                                 from_staff=from_staff, to_staff=change.to_staff, source=source, **data)

    def introduced(self, activation, data, by) -> None:
        services.key_person_change_introduction_record(change=activation.process.change, by=by,
                                                       introduced_on=data["introduced_on"], notes=data["notes"])

    def changed(self, activation, data, by) -> None:
        services.key_person_change_complete(change=activation.process.change, by=by)

    def task_facts(self, process) -> list[tuple[str, str]]:
        change = process.coerced.change
        return [("Why", change.get_reason_display()),
                ("From", change.from_staff.name if change.from_staff else "—"),
                ("New key person", change.to_staff.name), ("From the day", day_text(change.change_on, weekday=True))]

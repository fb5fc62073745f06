from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver
from django_fsm.signals import post_transition
from viewflow.workflow.signals import flow_finished

from processes.models import Child, LifecycleState
from processes.signals import (
    child_allocated_elsewhere,
    child_registered,
    consent_changed,
    consent_withdrawal_asked,
    injury_pattern_found,
    key_person_change_planned,
    key_person_changed,
    leaving_recorded,
    meeting_arranged,
    meeting_changed,
    room_move_planned,
    sen_concern_raised,
    staff_absence_ended,
    staff_absence_recorded,
    transition_ended,
)


@receiver(child_registered)
def start_allocation(sender, child, by, **kwargs) -> None:
    """A child registered with a start date needs a key person before it (EYFS 3.26)."""
    if child.start_date is None:
        return
    from .allocation import AllocationFlow
    from .base import process_start

    process_start(flow_class=AllocationFlow, child=child, by=by)


@receiver(injury_pattern_found)
def start_injury_pattern_process(sender, pattern, **kwargs) -> None:
    """After the pattern's own transaction commits: one process per pattern, however often this runs."""
    from .injury import injury_pattern_flows_start

    transaction.on_commit(injury_pattern_flows_start)


@receiver(sen_concern_raised)
def start_sen_process(sender, concern, by, **kwargs) -> None:
    from .base import process_start
    from .sen import SenFlow

    process_start(flow_class=SenFlow, child=concern.child, by=by, concern=concern)


@receiver(leaving_recorded)
def start_leaving_process(sender, plan, by, **kwargs) -> None:
    from .base import process_start
    from .leaving import LeavingFlow

    process_start(flow_class=LeavingFlow, child=plan.child, by=by, plan=plan)


@receiver(consent_changed)
def stop_or_resume_consented_steps(sender, consent, by, **kwargs) -> None:
    from .consent_gate import consent_gate_apply

    consent_gate_apply(consent=consent, by=by)


@receiver(consent_withdrawal_asked)
def steps_a_withdrawal_would_stop(sender, child, purpose, recipient, user, **kwargs) -> list:
    from processes.access import may_see_sen
    from processes.consents import StoppedStep

    from .consent_gate import consent_gate_preview
    from .models import ProcessKind

    sees_sen = may_see_sen(user, child)
    steps = []
    for process, task in consent_gate_preview(child_id=child.pk, purpose=purpose, recipient=recipient):
        if process.kind == ProcessKind.SEN and not sees_sen:
            # The DSL sees the consents but not the SEN record: the step is named only as "an SEN step".
            steps.append(StoppedStep(title="A step of the SEN record", process="SEN", holder=""))
            continue
        holder = (task.owner.get_full_name() or task.owner.get_username()) if task.owner else ""
        steps.append(StoppedStep(title=task.title, process=process.get_kind_display(), holder=holder,
                                 due=getattr(getattr(task, "inbox", None), "due_at", None)))
    return steps


@receiver(staff_absence_recorded)
@receiver(staff_absence_ended)
def reroute_for_absence(sender, absence, by, **kwargs) -> None:
    from processes.models import KeyPersonAssignment

    from .routing import tasks_reroute

    children = KeyPersonAssignment.objects.current().filter(staff=absence.staff).values_list("child_id", flat=True)
    tasks_reroute(child_ids=list(children))


@receiver(post_save, sender=get_user_model())
def hand_on_the_tasks_of_a_closed_account(sender, instance, created, raw=False, **kwargs) -> None:
    """Someone who leaves the setting has their account closed: nothing of theirs may wait in their inbox."""
    if created or raw or instance.is_active:
        return
    from .routing import tasks_hand_on_from

    tasks_hand_on_from(user=instance)


@receiver(key_person_changed)
def reroute_for_new_key_person(sender, child, assignment, by, **kwargs) -> None:
    from .routing import tasks_reroute

    tasks_reroute(child_ids=[child.pk])


@receiver(post_transition, sender=Child)
def close_workflows_of_a_child_who_goes(sender, instance, name, target, method_kwargs=None, **kwargs) -> None:
    """A child who leaves or is withdrawn has no more steps: their open tasks leave everyone's inbox."""
    if target not in (LifecycleState.LEFT, LifecycleState.WITHDRAWN):
        return
    from processes.services import audit_record

    from .models import ChildProcess
    from .nodes import HumanTask
    from .services import task_cancel

    by = (method_kwargs or {}).get("by")
    for process in ChildProcess.objects.filter(child=instance, open_kind__isnull=False):
        flow = process.flow_class.instance
        with flow.lock(process.pk), transaction.atomic():
            for task in process.task_set.filter(status__in=("NEW", "ASSIGNED")):
                if isinstance(task.flow_task, HumanTask):
                    task_cancel(task=task, by=by, reason=f"{instance.name} {target}")
            flow.cancel(process)  # and the gateways waiting on them
        audit_record(actor=by, action="cancel", record=process, setting_id=process.setting_id,
                     child_id=instance.pk, summary=f"Closed the {process.get_kind_display().lower()}: child {target}")


@receiver(child_allocated_elsewhere)
def answer_an_allocation_made_elsewhere(sender, child, by, **kwargs) -> None:
    from .allocation import AllocationFlow

    AllocationFlow.instance.allocated_elsewhere(child=child, by=by)


@receiver(flow_finished)
def start_what_follows(sender, process, **kwargs) -> None:
    """A flow that names the flow following it (its follow_on) has it started once this step has committed, in a
    transaction of its own (workflows.follow_on): the next process's bookkeeping is not this step's cost."""
    if hasattr(sender, "follow_on"):
        from .tasks import follow_on_after_commit

        follow_on_after_commit(process)


@receiver(meeting_arranged)
def follow_the_meeting(sender, meeting, by, **kwargs) -> None:
    """Every meeting is followed by its own process (recorded held or not, followed up): started once the
    arranging step or page has committed, never inside it (its cost is the arranging step's otherwise)."""
    from .starts import FOLLOWED_ELSEWHERE
    from .tasks import meeting_process_follow

    if meeting.kind not in FOLLOWED_ELSEWHERE:
        transaction.on_commit(lambda: meeting_process_follow.delay(meeting.pk))


@receiver(meeting_changed)
def close_a_cancelled_meetings_process(sender, meeting, by, **kwargs) -> None:
    """A meeting called off from its page: its open steps close with that reason."""
    from processes.models import MeetingStatus

    from .models import MeetingProcess
    from .nodes import HumanTask
    from .services import task_cancel

    if meeting.status != MeetingStatus.CANCELLED:
        return
    for process in MeetingProcess.objects.filter(meeting=meeting, open_kind__isnull=False):
        if process.task_set.filter(status="STARTED").exists():
            continue  # called off by one of its own steps (rearrange): the flow ends the process itself
        open_tasks = process.task_set.filter(status__in=("NEW", "ASSIGNED"))
        for task in open_tasks:
            if isinstance(task.flow_task, HumanTask):
                task_cancel(task=task, by=by, reason="The meeting was called off")
        process.flow_class.instance.cancel(process)
@receiver(room_move_planned)
def start_room_move(sender, move, by, **kwargs) -> None:
    from .base import process_start
    from .room_move import RoomMoveFlow

    process_start(flow_class=RoomMoveFlow, child=move.child, by=by, move=move)


@receiver(key_person_change_planned)
def start_key_person_change(sender, change, by, **kwargs) -> None:
    from .base import process_start
    from .key_person_change import KeyPersonChangeFlow

    process_start(flow_class=KeyPersonChangeFlow, child=change.child, by=by, change=change)


@receiver(transition_ended)
def close_an_ended_transition(sender, child, kind, reason, by, **kwargs) -> None:
    """A move or change called off (or its child leaving): its open steps leave everyone's inbox, saying why."""
    from .models import ChildProcess
    from .nodes import HumanTask
    from .services import task_cancel

    for process in ChildProcess.objects.filter(child=child, open_kind=kind):
        flow = process.flow_class.instance
        with flow.lock(process.pk), transaction.atomic():
            for task in process.task_set.filter(status__in=("NEW", "ASSIGNED")):
                if isinstance(task.flow_task, HumanTask):
                    task_cancel(task=task, by=by, reason=reason)
            flow.cancel(process)

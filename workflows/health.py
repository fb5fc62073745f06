"""What must never be left behind in the workflow tables, whatever ran before (a load test, an outage, a bug).

- a duplicated step: two open human tasks of the same node for one process;
- a stuck task: a human task left STARTED (a completion that never finished: completions start and finish
  in one transaction), or any task in ERROR;
- a missing process: one that should follow a finished one (the introduction after the allocation, the
  settling-in after the introduction) and never started (workflows.follow_on);
- a stuck process: an open process that nobody can move on. A process can move on when it has an open task
  someone can complete (its owner is an active member of the setting's staff, or nobody has it and an active
  member of staff may take it: workflows.nodes.HumanTask.may_claim), a timer that will fire (a SCHEDULED task),
  or a step stopped because the parents withdrew their consent (workflows.consent_gate), which their
  granting it again resumes.

stuck_processes is the one rule: `manage.py workflow_health` reports what breaks it, the manager's dashboard
shows it (one query whatever the number of processes), and the dead-end walks (tests/test_no_dead_ends.py)
check it after every step of every flow.
"""

from __future__ import annotations

from collections import Counter

from django.db.models import Exists, OuterRef, Q, QuerySet
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from processes.models import Staff

from .follow_on import follow_ons_missing
from .models import OPEN, ChildProcess, InboxEntry, TaskRole

WAITING = ("NEW", "ASSIGNED")  # a person can act on it now

# Who may take an unowned task of each role (HumanTask.may_claim): a manager may take a key person's task
# when the child has nobody acting as key person.
_CLAIMANTS = {TaskRole.MANAGER: Q(is_manager=True), TaskRole.KEY_PERSON: Q(is_manager=True),
              TaskRole.SENCO: Q(is_senco=True), TaskRole.DSL: Q(is_dsl=True)}


def _claimant_in_setting(role: str) -> Exists:
    return Exists(Staff.objects.filter(_CLAIMANTS[role], setting_id=OuterRef("setting_id"), user__is_active=True))


def stuck_processes(*, setting_id: int | None = None, child_id: int | None = None) -> QuerySet[ChildProcess]:
    """Open processes nobody can move on (see the module's docstring), oldest first, with their child. One query."""
    # From the setting's open inbox rows (partial indexes on open rows), each joined to its own task by key, never
    # from all of viewflow_task: the cost follows the setting's open processes, not the size of the history. The
    # owner is the inbox row's copy of the task's, which every save of a task keeps in step (inbox_sync).
    waiting = InboxEntry.objects.filter(process_id=OuterRef("pk"), setting_id=OuterRef("setting_id"), is_open=True,
                                        task__status__in=WAITING)
    someone_holds_it = waiting.filter(owner__is_active=True, owner__staff__setting_id=OuterRef("setting_id"))
    someone_may_take_it = (
        waiting.filter(owner__isnull=True)
        .alias(managers=_claimant_in_setting(TaskRole.MANAGER), sencos=_claimant_in_setting(TaskRole.SENCO),
               dsls=_claimant_in_setting(TaskRole.DSL))
        .filter(Q(role__in=(TaskRole.MANAGER, TaskRole.KEY_PERSON), managers=True)
                | Q(role=TaskRole.SENCO, sencos=True) | Q(role=TaskRole.DSL, dsls=True))
    )
    timer = Task.objects.filter(process_id=OuterRef("pk"), status=STATUS.SCHEDULED)
    paused_for_consent = Task.objects.filter(process_id=OuterRef("pk"), status=STATUS.CANCELED,
                                             data__has_key="paused_for").exclude(data__has_key="resumed_as")
    # Open: open_kind is set exactly while the process is open (workflows.models.process), and a partial index
    # holds only those rows (process_open_by_setting), so the finished history is never read.
    processes = ChildProcess.objects.filter(open_kind__isnull=False)
    if setting_id is not None:
        # The child's setting is the process's (workflows.base): said twice so the children are read through
        # the setting's index too, not hashed whole.
        processes = processes.filter(setting_id=setting_id, child__setting_id=setting_id)
    if child_id is not None:
        processes = processes.filter(child_id=child_id)
    return (
        processes.filter(~Exists(someone_holds_it), ~Exists(someone_may_take_it), ~Exists(timer),
                         ~Exists(paused_for_consent))
        .select_related("child").order_by("created", "pk")
    )


def workflow_anomalies() -> dict[str, list]:
    open_human = list(
        InboxEntry.objects.filter(task__status__in=OPEN).values_list("task__process_id", "task__flow_task",
                                                                     "task_id", "task__status"))
    nodes = Counter((process_id, str(node)) for process_id, node, _, _ in open_human)
    started = [task_id for _, _, task_id, status in open_human if status == STATUS.STARTED]
    errored = list(Task.objects.filter(status=STATUS.ERROR).values_list("pk", flat=True))
    return {
        "duplicated_tasks": sorted(f"process {p}: {node} x{n}" for (p, node), n in nodes.items() if n > 1),
        "stuck_tasks": sorted(started + errored),
        "stuck_processes": sorted(stuck_processes().values_list("pk", flat=True)),
        # A finished process whose next one never started (a lost after-commit start): the hourly sweep
        # (workflows.tasks.start_missing_follow_ons) starts it.
        "missing_follow_ons": sorted(follow_ons_missing().values_list("pk", flat=True)),
    }

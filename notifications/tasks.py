"""Celery tasks: each loads its data and calls the code that does the work. Enqueued only after commit.

Late acknowledgement is on (settings): a worker that dies mid-task leaves the message for another, and the
notification rows make running a task twice harmless. The e-mail tasks (notification_send,
notifications_deliver) are defined beside the queueing they serve (notifications.email_queue), under this
module's names; Celery's autodiscovery imports this module, and with it them.
"""

from __future__ import annotations

from celery import shared_task

from . import sweeps
from .email_queue import RETRY, notification_send, notifications_deliver  # noqa: F401
from .parents import key_persons_letter_send


@shared_task(bind=True, **RETRY)
def email_parents_key_persons(self, *, child_id: int) -> int:
    return key_persons_letter_send(child_id=child_id)


@shared_task
def reroute_key_person_tasks() -> int:
    """Hourly: hand key-person tasks to the secondary while the key person is away, and back on return."""
    from workflows.routing import tasks_reroute

    return tasks_reroute()


@shared_task
def purge_expired_records() -> int:
    """Nightly: delete records past their retention period (processes.retention); returns how many children."""
    from processes.services import retention_purge

    return len(retention_purge())


@shared_task
def send_reminders() -> int:
    return sweeps.reminders_sweep()


@shared_task
def send_escalations() -> int:
    return sweeps.escalations_sweep()


@shared_task
def send_digests() -> int:
    return sweeps.digests_sweep()


@shared_task
def announce_lifecycle_dates() -> int:
    return sweeps.lifecycle_sweep()


@shared_task
def resend_stuck_notifications() -> int:
    return sweeps.resend_sweep()


@shared_task
def raise_absence_follow_ups() -> int:
    """Every quarter hour: absent children followed up once per child and day (workflows.absence)."""
    from workflows.absence import absence_follow_ups_raise

    return absence_follow_ups_raise()


@shared_task
def find_injury_patterns() -> int:
    """Nightly: a pattern of accidents or injuries gives the key person and the safeguarding lead a task each
    (processes.services.injury_patterns_sweep; workflows.injury), once per pattern."""
    from processes.services import injury_patterns_sweep
    from workflows.injury import injury_pattern_flows_start

    found = len(injury_patterns_sweep())
    injury_pattern_flows_start()  # any pattern left waiting on an earlier one still open
    return found


@shared_task
def start_supervision_actions(*, supervision_id: int) -> int:
    """After a supervision commits: each action agreed about a key child becomes a task (once per action)."""
    from workflows.supervision import supervision_action_flows_start

    return supervision_action_flows_start(supervision_id=supervision_id)


@shared_task
def schedule_supervisions() -> int:
    """Daily: every key person has a supervision due (a new key person's first; a lost next one)."""
    from processes.services import supervisions_schedule_missing

    return supervisions_schedule_missing()


@shared_task
def leavers_leave() -> int:
    """Early each morning: children whose leaving date has come become "left" (processes.services.leaving)."""
    from processes.services import leavers_leave as leave

    return len(leave())

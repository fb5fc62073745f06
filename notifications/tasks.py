"""Celery tasks: each loads its data and calls the code that does the work. Enqueued only after commit.

Late acknowledgement is on (settings): a worker that dies mid-task leaves the message for another, and the
notification rows make running a task twice harmless.
"""

from __future__ import annotations

from celery import shared_task
from django.db import transaction

from . import services, sweeps
from .parents import key_persons_letter_send

# Backoff between attempts to reach the mail server: 30 s, 1 min, 2 min … capped at an hour; then failed.
RETRY = dict(autoretry_for=services.TRANSIENT_ERRORS, retry_backoff=30, retry_backoff_max=60 * 60,
             retry_jitter=True, max_retries=6)


@shared_task(bind=True, **RETRY)
def notification_send(self, *, notification_id: int) -> bool:
    return services.notification_send(notification_id=notification_id,
                                      final_attempt=self.request.retries >= self.max_retries)


@shared_task
def notifications_deliver(*, keys: list[str]) -> int:
    """Send a batch's e-mails; each one the mail server refuses gets its own retries with backoff."""
    retry = services.notifications_deliver(keys=keys)
    for notification_id in retry:
        transaction.on_commit(lambda i=notification_id: notification_send.apply_async(kwargs={"notification_id": i}, countdown=30), robust=True)  # noqa: E501
    return len(retry)


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

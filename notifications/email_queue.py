"""The Celery tasks that send e-mail notifications (notifications.sending), and queueing them after commit.

Apart from notifications.tasks so that the services and sweeps that queue e-mails need not import the module
that runs them. The tasks keep the names they were first queued under (notifications.tasks.*): a message
already waiting in the broker finds its task after an upgrade.
"""

from __future__ import annotations

from collections.abc import Iterable

from celery import shared_task
from django.db import transaction

from . import sending

# Backoff between attempts to reach the mail server: 30 s, 1 min, 2 min … capped at an hour; then failed.
RETRY = dict(autoretry_for=sending.TRANSIENT_ERRORS, retry_backoff=30, retry_backoff_max=60 * 60,
             retry_jitter=True, max_retries=6)


@shared_task(bind=True, name="notifications.tasks.notification_send", **RETRY)
def notification_send(self, *, notification_id: int) -> bool:
    return sending.notification_send(notification_id=notification_id,
                                     final_attempt=self.request.retries >= self.max_retries)


@shared_task(name="notifications.tasks.notifications_deliver")
def notifications_deliver(*, keys: list[str]) -> int:
    """Send a batch's e-mails; each one the mail server refuses gets its own retries with backoff."""
    retry = sending.notifications_deliver(keys=keys)
    for notification_id in retry:
        retry_after_commit(notification_id)
    return len(retry)


def retry_after_commit(notification_id: int) -> None:
    """Each e-mail the mail server refused tries again on its own, in 30 s, once this batch's rows are saved."""
    kwargs = {"notification_id": notification_id}
    transaction.on_commit(lambda: notification_send.apply_async(kwargs=kwargs, countdown=30), robust=True)


def deliver_after_commit(keys: Iterable[str]) -> None:
    keys = list(keys)
    transaction.on_commit(lambda: notifications_deliver.delay(keys=keys), robust=True)


def send_after_commit(notification_id: int) -> None:
    transaction.on_commit(lambda: notification_send.delay(notification_id=notification_id), robust=True)

"""Sending e-mail notifications at most once each: the work the Celery tasks (notifications.email_queue) do.

* An e-mail is sent only by whoever moves its row from queued to sending (one conditional UPDATE); a retried
  Celery task or a second worker finds the row sending or sent and sends nothing;
* a failure puts the row back to queued (to be retried with backoff) or, at the last attempt, to failed, with
  the error, where the manager's page shows it. A worker that dies mid-send leaves the row "sending"; after
  CLAIM_LEASE the resend sweep may claim it again.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
from collections.abc import Iterable

from django.db.models import F, Q
from django.utils import timezone

from processes.services import audit_record
from workflows.models import InboxEntry

from .messages import email_for
from .models import Channel, Kind, Notification, Status

log = logging.getLogger(__name__)

# A row claimed longer ago than this belongs to a worker that died: it may be claimed again.
CLAIM_LEASE = dt.timedelta(minutes=10)
# What a mail server that is down or refusing looks like; anything else is a fault in Keyflow (failed at once).
TRANSIENT_ERRORS = (smtplib.SMTPException, OSError)

PARENT_KINDS = (Kind.KEY_PERSONS, Kind.MEETING_ARRANGED, Kind.CONSENT_REQUESTED)


def _claim(notification_id: int, now: dt.datetime) -> bool:
    stale = now - CLAIM_LEASE
    return bool(
        Notification.objects.filter(pk=notification_id, channel=Channel.EMAIL)
        .filter(Q(status=Status.QUEUED) | Q(status=Status.SENDING, claimed_at__lt=stale))
        .update(status=Status.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    )


def _about_a_closed_task(notification_id: int) -> bool:
    """Drop a claimed e-mail about a task that was done or cancelled before the e-mail left: it asks its reader
    to do what is already done (a demo or an import records whole histories in one transaction, and a key
    person may finish a task within the minute). The in-app notification stays as the record."""
    closed = InboxEntry.objects.filter(is_open=False).values("task_id")
    dropped, _ = Notification.objects.filter(pk=notification_id, task_id__in=closed).delete()
    return bool(dropped)


def notification_send(*, notification_id: int, final_attempt: bool = True) -> bool:
    """Send one e-mail notification if nobody has. True if this call sent it.

    A transient failure (the mail server) puts it back in the queue and re-raises so Celery retries with
    backoff; on the final attempt, or for any other error, the row is marked failed with the error and kept.
    """
    now = timezone.now()
    if not _claim(notification_id, now):
        return False
    if _about_a_closed_task(notification_id):
        return False
    notification = Notification.objects.select_related("recipient_user", "recipient_guardian", "setting").get(
        pk=notification_id)
    mine = Notification.objects.filter(pk=notification_id, status=Status.SENDING, claimed_at=now)
    try:
        message = email_for(notification)
        message.send()
    except Exception as exc:
        transient = isinstance(exc, TRANSIENT_ERRORS)
        failed = final_attempt or not transient
        mine.update(status=Status.FAILED if failed else Status.QUEUED, last_error=f"{type(exc).__name__}: {exc}"[:2000])
        if failed:
            log.warning("Notification %s failed for good: %r", notification_id, exc)
            audit_record(actor=None, action="notify", record=notification, child_id=notification.child_id,
                         outcome="failed", summary=f"Could not e-mail {notification.recipient_name}: "
                                                   f"{notification.subject} ({type(exc).__name__})")
        if transient and not failed:
            raise
        return False
    mine.update(status=Status.SENT, sent_at=timezone.now(), body=message.body, last_error="")
    if notification.kind in PARENT_KINDS:
        audit_record(actor=None, action="notify", record=notification, child_id=notification.child_id,
                     summary=f"E-mailed {notification.recipient_name}: {notification.subject}")
    return True


def notifications_deliver(*, keys: Iterable[str]) -> list[int]:
    """Send the queued e-mails among `keys`; return the ids whose send failed for now (to be retried)."""
    ids = Notification.objects.filter(dedupe_key__in=list(keys), channel=Channel.EMAIL, status=Status.QUEUED)
    retry = []
    for notification_id in ids.order_by("pk").values_list("pk", flat=True):
        try:
            notification_send(notification_id=notification_id, final_attempt=False)
        except TRANSIENT_ERRORS:
            retry.append(notification_id)
    return retry

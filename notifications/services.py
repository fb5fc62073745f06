"""Writing notifications exactly once and sending them at most once each. Every trigger, sweep, view and
Celery task goes through these.

Exactly once, as the recipient sees it:
* a notification is a row first, keyed by `dedupe_key` (unique in the database); `notifications_save` inserts
  with ON CONFLICT DO NOTHING, so the same event saved twice, by two workers or two sweeps, is one row;
* an e-mail is sent only by whoever moves its row from queued to sending (one conditional UPDATE); a retried
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

from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from processes.access import is_manager_of
from processes.errors import NotPermitted, RuleViolation
from processes.services import audit_record
from workflows.models import InboxEntry

from .models import Channel, EmailPreference, Kind, Notification, NotificationPreference, Status

log = logging.getLogger(__name__)

# A row claimed longer ago than this belongs to a worker that died: it may be claimed again.
CLAIM_LEASE = dt.timedelta(minutes=10)
# What a mail server that is down or refusing looks like; anything else is a fault in Keyflow (failed at once).
TRANSIENT_ERRORS = (smtplib.SMTPException, OSError)
# Rows per INSERT: well under PostgreSQL's 65,535 parameters per statement.
INSERT_CHUNK = 2000

PARENT_KINDS = (Kind.KEY_PERSONS, Kind.MEETING_ARRANGED, Kind.CONSENT_REQUESTED)


def email_preference_of(user) -> str:
    try:
        return user.notification_preference.email
    except ObjectDoesNotExist:
        return EmailPreference.EACH


def for_staff(user, *, kind: str, event: str, setting_id: int, subject: str, now: dt.datetime,
              child_id: int | None = None, task_id: int | None = None, refs: dict | None = None) -> list[Notification]:
    """In the app at once; by e-mail too if the user asked for each notification (digests come later)."""
    common = dict(setting_id=setting_id, kind=kind, recipient_user=user, child_id=child_id, task_id=task_id,
                  subject=subject[:200], refs=refs or {}, created_at=now)
    rows = [Notification(channel=Channel.IN_APP, status=Status.SENT, sent_at=now,
                         dedupe_key=f"{kind}:{event}:in_app:u{user.pk}"[:200], **common)]
    if user.email and email_preference_of(user) == EmailPreference.EACH:
        rows.append(Notification(channel=Channel.EMAIL, email=user.email,
                                 dedupe_key=f"{kind}:{event}:email:u{user.pk}"[:200], **common))
    return rows


def for_guardian(guardian, *, kind: str, event: str, setting_id: int, subject: str, now: dt.datetime,
                 child_id: int | None = None, refs: dict | None = None) -> list[Notification]:
    if not guardian.email:
        return []
    return [Notification(
        setting_id=setting_id, kind=kind, channel=Channel.EMAIL, recipient_guardian=guardian, email=guardian.email,
        child_id=child_id, subject=subject[:200], refs=refs or {}, created_at=now,
        dedupe_key=f"{kind}:{event}:email:g{guardian.pk}"[:200],
    )]


def notifications_save(rows: list[Notification]) -> list[str]:
    """Insert the rows that are new (a duplicate key is skipped by the database) and queue their e-mails
    after the transaction commits. Returns the dedupe keys of the e-mails queued."""
    for start in range(0, len(rows), INSERT_CHUNK):
        Notification.objects.bulk_create(rows[start:start + INSERT_CHUNK], ignore_conflicts=True)
    keys = [r.dedupe_key for r in rows if r.channel == Channel.EMAIL]
    if keys:
        from .tasks import notifications_deliver

        transaction.on_commit(lambda: notifications_deliver.delay(keys=keys), robust=True)
    return keys


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
    from .messages import email_for

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


def notification_mark_read(*, user, notification_ids: Iterable[int] | None = None) -> int:
    """Mark the user's own in-app notifications read (all of them when no ids are given)."""
    unread = Notification.objects.filter(recipient_user=user, channel=Channel.IN_APP, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(pk__in=list(notification_ids))
    return unread.update(read_at=timezone.now())


def notification_preference_set(*, user, email: str) -> NotificationPreference:
    if email not in EmailPreference.values:
        raise RuleViolation("Choose how you want to be e-mailed.", field="email")
    preference, _ = NotificationPreference.objects.update_or_create(user=user, defaults={"email": email})
    staff = getattr(user, "staff", None)
    audit_record(actor=user, action="update", record=preference, setting_id=getattr(staff, "setting_id", None),
                 summary=f"E-mail notifications: {preference.get_email_display().lower()}")
    return preference


def notification_retry(*, notification_id: int, by) -> Notification:
    """The manager sends a failed e-mail again: back in the queue, sent after commit."""
    with transaction.atomic():
        notification = Notification.objects.select_for_update().filter(pk=notification_id).first()
        if notification is None or not is_manager_of(by, notification.setting_id):
            raise NotPermitted("Only the setting's manager can send a notification again.")
        if notification.status != Status.FAILED:
            raise RuleViolation("Only a notification that failed can be sent again.")
        notification.status = Status.QUEUED
        notification.claimed_at = None
        notification.save(update_fields=["status", "claimed_at"])
        audit_record(actor=by, action="retry", record=notification, child_id=notification.child_id,
                     summary=f"Sent again: {notification.subject} to {notification.recipient_name}")
        from .tasks import notification_send as send_task

        transaction.on_commit(lambda: send_task.delay(notification_id=notification.pk), robust=True)
    return notification

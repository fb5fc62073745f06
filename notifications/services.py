"""Writing notifications exactly once. Every trigger, sweep, view and Celery task goes through these.

Exactly once, as the recipient sees it: a notification is a row first, keyed by `dedupe_key` (unique in the
database); `notifications_save` inserts with ON CONFLICT DO NOTHING, so the same event saved twice, by two
workers or two sweeps, is one row. Its e-mail is sent at most once (notifications.sending).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.utils import timezone

from processes.access import is_manager_of
from processes.errors import NotPermitted, RuleViolation
from processes.services import audit_record

from . import email_queue
from .models import Channel, EmailPreference, Notification, NotificationPreference, Status

# Rows per INSERT: well under PostgreSQL's 65,535 parameters per statement.
INSERT_CHUNK = 2000


def email_preference_of(user) -> str:
    try:
        return user.notification_preference.email
    except ObjectDoesNotExist:
        return EmailPreference.EACH


def for_staff(user, *, kind: str, event: str, setting_id: int, subject: str, now: dt.datetime,
              child_id: int | None = None, task_id: int | None = None, refs: dict | None = None) -> list[Notification]:
    """In the app at once; by e-mail too if the user asked for each notification (a digest is the daily sweep's)."""
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
        email_queue.deliver_after_commit(keys)
    return keys


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
        email_queue.send_after_commit(notification.pk)
    return notification

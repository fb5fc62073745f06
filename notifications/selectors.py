"""What the notification pages read: one query for the rows whatever their number (joined), one for the count."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet

from workflows.models import InboxEntry

from .models import Channel, Notification, Status


def notifications_of(user) -> QuerySet[Notification]:
    """The user's own notifications in the app, newest first. `task_done` says the task a notice is about is
    no longer open: "a new task" about a finished one is history, not news (read in the same query)."""
    closed = InboxEntry.objects.filter(task_id=OuterRef("task_id"), is_open=False)
    return (Notification.objects.filter(recipient_user=user, channel=Channel.IN_APP).select_related("setting")
            .annotate(task_done=Exists(closed)))


def notifications_of_setting(setting_id: int, *, status: str | None = None) -> QuerySet[Notification]:
    """Everything sent (or not) to anyone in the setting, for its manager: who, what, how, and what failed."""
    sent = Notification.objects.filter(setting_id=setting_id)
    if status in Status.values:
        sent = sent.filter(status=status)
    return sent.select_related("recipient_user", "recipient_guardian", "child", "setting").defer("body")

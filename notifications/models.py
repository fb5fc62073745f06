"""What Keyflow told whom, and how each person wants to be told.

A Notification row is written before anything is sent, with a unique `dedupe_key` naming the event and the
recipient: a retried task, a second worker or a sweep run twice finds the row already there and sends nothing
new. Sending then claims the row (queued → sending) so only one worker ever sends it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from processes import deadlines
from processes.models import Child, Guardian, Setting


class Channel(models.TextChoices):
    IN_APP = "in_app", "In the app"
    EMAIL = "email", "E-mail"


class Status(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class Kind(models.TextChoices):
    TASK_ASSIGNED = "task_assigned", "A task for you"
    TASK_REROUTED = "task_rerouted", "A task passed to you"
    TASK_REMINDER = "task_reminder", "A task falls due soon"
    TASK_ESCALATION = "task_escalation", "A task is overdue"
    DIGEST = "digest", "Daily digest"
    TWO_YEAR_CHECK = "two_year_check", "Two-year progress check due"
    ROOM_MOVE = "room_move", "Room move due"
    LEAVING = "leaving", "Leaving date coming up"
    KEY_PERSONS = "key_persons", "Parents told the key persons"
    MEETING_ARRANGED = "meeting_arranged", "Parents invited to a meeting"
    CONSENT_REQUESTED = "consent_requested", "Parents asked for consent"


class EmailPreference(models.TextChoices):
    EACH = "each", "An e-mail for each notification"
    DIGEST = "digest", "One e-mail a day with everything"
    NONE = "none", "No e-mail: in the app only"


class NotificationPreference(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="notification_preference")
    email = models.CharField("e-mail", max_length=10, choices=EmailPreference.choices, default=EmailPreference.EACH)

    def __str__(self) -> str:
        return f"{self.user}: {self.get_email_display()}"


class NotificationPolicy(models.Model):
    """A setting's reminder lead time and escalation margin; without a row the defaults in deadlines.py hold."""

    setting = models.OneToOneField(Setting, on_delete=models.CASCADE, related_name="notification_policy")
    reminder_lead_hours = models.PositiveSmallIntegerField(
        default=int(deadlines.REMINDER_LEAD.total_seconds() // 3600),
        help_text="How long before a task falls due its assignee is reminded.")
    escalation_margin_hours = models.PositiveSmallIntegerField(
        default=int(deadlines.ESCALATION_MARGIN.total_seconds() // 3600),
        help_text="How long a task may be overdue before the manager is told.")

    class Meta:
        verbose_name_plural = "notification policies"

    def __str__(self) -> str:
        return f"Notification policy of {self.setting}"


class Notification(models.Model):
    setting = models.ForeignKey(Setting, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    # Exactly one of a member of staff (a user) or a parent/carer.
    recipient_user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True,
                                       related_name="notifications")
    recipient_guardian = models.ForeignKey(Guardian, on_delete=models.CASCADE, null=True, blank=True,
                                           related_name="notifications")
    email = models.EmailField(blank=True, help_text="The address it was sent to (e-mail only).")
    child = models.ForeignKey(Child, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    task_id = models.BigIntegerField(null=True, blank=True, help_text="The workflow task it is about.")
    subject = models.CharField(max_length=200)
    # What the message's templates (templates/notifications/<kind>.txt/.html) are rendered from: ids and
    # plain values, so a message can be rendered again exactly at send time.
    refs = models.JSONField(default=dict, blank=True)
    body = models.TextField(blank=True, help_text="The plain-text body as it was sent.")
    dedupe_key = models.CharField(max_length=200, unique=True)

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField()
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient_user", "channel", "-created_at"], name="notification_inbox"),
            models.Index(fields=["setting", "-created_at"], name="notification_by_setting"),
            models.Index(fields=["status", "created_at"], name="notification_pending"),
            models.Index(fields=["task_id", "kind"], name="notification_by_task"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(recipient_user__isnull=False, recipient_guardian__isnull=True)
                | Q(recipient_user__isnull=True, recipient_guardian__isnull=False),
                name="notification_has_one_recipient",
            ),
            models.CheckConstraint(condition=~Q(channel="email") | ~Q(email=""), name="email_notification_has_address"),
            models.CheckConstraint(condition=Q(status__in=Status.values), name="notification_status_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.recipient_name} ({self.get_channel_display()})"

    @property
    def recipient_name(self) -> str:
        person = self.recipient_user or self.recipient_guardian
        if person is None:
            return ""
        return getattr(person, "name", None) or person.get_full_name() or person.get_username()

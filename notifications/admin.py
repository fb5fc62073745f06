"""Notifications in the admin: the manager reads what was sent (scoped to their setting), sets the reminder
policy; sending again goes through the service, as on the manager's page."""

from __future__ import annotations

from django.contrib import admin, messages

from processes.admin import ADD, CHANGE, VIEW, KeyflowAdmin
from processes.errors import RuleViolation

from . import services
from .models import Notification, NotificationPolicy, NotificationPreference, Status


@admin.register(Notification)
class NotificationAdmin(KeyflowAdmin):
    manager_can = superuser_can = frozenset({VIEW})
    list_display = ("created_at", "kind", "channel", "recipient", "email", "subject", "status", "attempts", "sent_at")
    list_filter = ("status", "channel", "kind")
    list_select_related = ("recipient_user", "recipient_guardian")
    search_fields = ("subject", "email", "dedupe_key")
    date_hierarchy = "created_at"
    fields = readonly_fields = (
        "setting", "kind", "channel", "recipient_user", "recipient_guardian", "email", "child", "task_id", "subject",
        "body", "refs", "dedupe_key", "status", "attempts", "last_error", "created_at", "claimed_at", "sent_at",
        "read_at",
    )
    actions = ["send_again"]

    @admin.display(description="to")
    def recipient(self, obj: Notification) -> str:
        return obj.recipient_name

    @admin.action(description="Send the selected failed e-mails again")
    def send_again(self, request, queryset):
        for notification in queryset.filter(status=Status.FAILED):
            try:
                services.notification_retry(notification_id=notification.pk, by=request.user)
            except RuleViolation as exc:
                messages.error(request, exc.message)


@admin.register(NotificationPolicy)
class NotificationPolicyAdmin(KeyflowAdmin):
    manager_can = superuser_can = frozenset({VIEW, ADD, CHANGE})
    list_display = ("setting", "reminder_lead_hours", "escalation_margin_hours")


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(KeyflowAdmin):
    setting_lookup = "user__staff__setting_id"
    manager_can = frozenset({VIEW})
    superuser_can = frozenset({VIEW, CHANGE})
    list_display = ("user", "email")
    list_select_related = ("user",)

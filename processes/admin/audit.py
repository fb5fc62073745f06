"""The audit trail: read, searched and filtered here; written only by the services."""

from __future__ import annotations

from django.contrib import admin

from ..models import AuditEvent
from .base import VIEW, KeyflowAdmin


@admin.register(AuditEvent)
class AuditEventAdmin(KeyflowAdmin):
    """The audit trail: read, searched and filtered here; written only by the services."""

    manager_can = superuser_can = frozenset({VIEW})
    list_display = ("at", "actor", "action", "record_type", "record_id", "summary", "outcome")
    list_select_related = ("actor",)
    list_filter = ("action", "outcome", "record_type")
    search_fields = ("summary", "record_type", "record_id")
    date_hierarchy = "at"
    readonly_fields = (
        "at", "actor", "setting_id", "child_id", "action", "record_type", "record_id", "summary", "changes",
        "outcome",
    )
    fields = readonly_fields

    def get_actions(self, request):
        return {}

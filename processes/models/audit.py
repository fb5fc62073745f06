from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from .append_only import AppendOnlyModel


class AuditEvent(AppendOnlyModel):
    """Who did what to which record, when, and with what outcome. Never updated, never deleted."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Plain ids, not foreign keys: the trail must outlive the records it describes (retention purges).
    setting_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    child_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    action = models.CharField(max_length=40)
    record_type = models.CharField(max_length=60)
    record_id = models.CharField(max_length=40, blank=True)
    summary = models.TextField()
    changes = models.JSONField(default=dict, blank=True)
    outcome = models.CharField(max_length=20, default="ok")

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.record_type}#{self.record_id}"

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from .organisation import Setting


class ImportKind(models.TextChoices):
    # In the order a setting brings its records in: each kind names records of the kinds before it.
    ROOMS = "rooms", "Rooms"
    STAFF = "staff", "Staff"
    CHILDREN = "children", "Children"
    GUARDIANS = "guardians", "Parents and carers"
    ASSIGNMENTS = "assignments", "Key person assignments"


class ImportStatus(models.TextChoices):
    WAITING = "waiting", "Waiting for the worker"
    CHECKING = "checking", "Checking every row"
    WRITING = "writing", "Writing"
    DONE = "done", "Imported"
    REFUSED = "refused", "Not imported: rows to correct"
    FAILED = "failed", "Failed"


class ImportJob(models.Model):
    """One CSV file brought in by the manager, run by the worker (processes.tasks) with its progress and its
    report of every bad row. The file is kept with the job: it is what the report's row numbers point at."""

    setting = models.ForeignKey(Setting, on_delete=models.CASCADE, related_name="import_jobs")
    kind = models.CharField(max_length=20, choices=ImportKind.choices)
    file_name = models.CharField(max_length=200, blank=True)
    content = models.TextField()
    status = models.CharField(max_length=10, choices=ImportStatus.choices, default=ImportStatus.WAITING)
    total_rows = models.PositiveIntegerField(default=0)
    checked_rows = models.PositiveIntegerField(default=0)
    # [{"row": 3, "field": "room", "message": "..."}], and what was written: {"created": n, "updated": n, ...}
    errors = models.JSONField(default=list, blank=True)
    counts = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} import {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def percent(self) -> int:
        if self.status in (ImportStatus.DONE, ImportStatus.REFUSED, ImportStatus.FAILED):
            return 100
        return int(100 * self.checked_rows / self.total_rows) if self.total_rows else 0

    @property
    def finished(self) -> bool:
        return self.status in (ImportStatus.DONE, ImportStatus.REFUSED, ImportStatus.FAILED)

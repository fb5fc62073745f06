"""Celery tasks of the processes app: a task loads its record and calls the service."""

from __future__ import annotations

from celery import shared_task

from .csv_import import import_job_run
from .models import ImportJob, ImportStatus


@shared_task
def run_import_job(*, job_id: int) -> str | None:
    """Check and write one uploaded CSV file. Enqueued after commit; a job already run is left alone (a task
    delivered twice runs it once)."""
    job = ImportJob.objects.filter(pk=job_id, status=ImportStatus.WAITING).select_related("setting", "created_by")
    job = job.first()
    if job is None:
        return None
    return import_job_run(job=job).status

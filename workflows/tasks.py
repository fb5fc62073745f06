"""Celery tasks of the workflows: each loads its data and calls the code that does the work. Enqueued only after
commit; running one twice is harmless (workflows.follow_on starts a process at most once)."""

from __future__ import annotations

from celery import shared_task
from django.db import transaction

from .follow_on import follow_on_start, follow_ons_sweep


@shared_task
def start_follow_on(*, process_id: int) -> bool:
    """Start the process that follows the finished process `process_id` (the sweep catches a lost one)."""
    return follow_on_start(process_id=process_id) is not None


@shared_task
def start_missing_follow_ons() -> int:
    """Hourly: start every next process a lost start left out."""
    return follow_ons_sweep()


def follow_on_after_commit(process) -> None:
    """Ask for the process that follows `process` once the current step has committed (nothing if it rolls
    back), as the flow's last node of a finished process does."""
    process_id = process.pk
    transaction.on_commit(lambda: start_follow_on.delay(process_id=process_id), robust=True)

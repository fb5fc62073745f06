"""Celery tasks of the workflows: each loads its data and calls the code that does the work. Processes are started
only after the step or service that leads to them has committed; running a task twice is harmless (each start is
idempotent: workflows.follow_on and workflows.starts start a process at most once)."""

from __future__ import annotations

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from processes import deadlines
from processes.errors import RuleViolation
from processes.models import Child, ParentMeeting
from processes.models.children import ATTENDING as ATTENDING_STATES

from .follow_on import follow_on_start, follow_ons_sweep
from .sen_start import sen_concern_from_two_year_check
from .starts import meeting_process_start, two_year_check_start

__all__ = [
    "follow_on_after_commit", "meeting_process_follow", "sen_concern_from_two_year_check", "start_follow_on",
    "start_missing_follow_ons", "two_year_checks_open",
]


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


@shared_task
def meeting_process_follow(meeting_id: int) -> None:
    meeting = ParentMeeting.objects.select_related("child").filter(pk=meeting_id).first()
    if meeting is not None:
        meeting_process_start(meeting=meeting)


@shared_task
def two_year_checks_open() -> int:
    """Daily: the check of every attending child whose window is open (and who has none) begins."""
    today = timezone.localdate()
    born_from, born_to = deadlines.two_year_check_births(today)
    started = 0
    for child in Child.objects.filter(state__in=ATTENDING_STATES, date_of_birth__range=(born_from, born_to),
                                      two_year_checks__isnull=True).select_related("setting"):
        if child.start_date and child.start_date > today:
            continue
        try:
            two_year_check_start(child=child)
            started += 1
        except RuleViolation:
            continue
    return started

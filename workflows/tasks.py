"""Processes started after the step or service that leads to them has committed (each idempotent)."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from processes import deadlines
from processes.errors import RuleViolation
from processes.models import Child, ParentMeeting
from processes.models.children import ATTENDING as ATTENDING_STATES

from .sen_start import sen_concern_from_two_year_check
from .starts import meeting_process_start, two_year_check_start

__all__ = ["meeting_process_follow", "sen_concern_from_two_year_check", "two_year_checks_open"]


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

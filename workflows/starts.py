"""Starting the meeting and progress-check-at-two processes: idempotent, so a retried Celery task or a second
request starts nothing twice."""

from __future__ import annotations

from django.db import transaction

from processes import services
from processes.models import Child, MeetingKind, MeetingStatus, ParentMeeting

from .base import process_start
from .models import MeetingProcess, TwoYearCheckProcess

# The check's own flow records its meeting (workflows.two_year_check): no second process follows it.
FOLLOWED_ELSEWHERE = (MeetingKind.TWO_YEAR_CHECK, MeetingKind.SETTLING_REVIEW)


def meeting_process_start(*, meeting: ParentMeeting) -> MeetingProcess | None:
    from .meetings import MeetingFlow

    if meeting.kind in FOLLOWED_ELSEWHERE or meeting.status != MeetingStatus.ARRANGED:
        return None
    if MeetingProcess.objects.filter(meeting=meeting).exists():
        return None
    return process_start(flow_class=MeetingFlow, child=meeting.child, meeting=meeting)


def two_year_check_start(*, child: Child) -> TwoYearCheckProcess:
    """The check's window is open (or the child joined after it opened): the check and its process begin."""
    from .two_year_check import TwoYearCheckFlow

    with transaction.atomic():
        check = services.two_year_check_open(child=child)
        return process_start(flow_class=TwoYearCheckFlow, child=child, check=check)

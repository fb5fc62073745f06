"""An SEN concern started from the progress check at two, after the SENCO's step has committed."""

from __future__ import annotations

from celery import shared_task
from django.contrib.auth import get_user_model

from processes import services
from processes.models import LearningArea, TwoYearCheck


@shared_task
def sen_concern_from_two_year_check(check_id: int, user_id: int) -> None:
    """The SENCO chose to start an SEN concern from a check's concern: raised once, whatever retries."""
    check = TwoYearCheck.objects.select_related("child").get(pk=check_id)
    if check.child.sen_concerns.filter(observed__startswith="Progress check at two:").exists():
        return
    by = get_user_model().objects.get(pk=user_id)
    services.sen_concern_raise(child=check.child, by=by, since=check.drafted_at.date(),
                               areas=[LearningArea.COMMUNICATION, LearningArea.PHYSICAL, LearningArea.PSED],
                               observed=f"Progress check at two: {check.concern_notes}")

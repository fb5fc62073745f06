"""Reading a child's SEN records: one selector for the page, the API and the subject access export."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from .models import Child, Referral, SenConcern, SupportPlan


def sen_concerns_of(child: Child) -> QuerySet[SenConcern]:
    """Every concern about the child, newest first, with everything recorded under it: a fixed number of
    queries whatever their number."""
    return (
        SenConcern.objects.filter(child=child)
        .select_related("raised_by")
        .prefetch_related(
            "ehc_requests",
            "conversations__recorded_by",
            "observations__observed_by",
            "decisions__decided_by",
            "meetings",
            Prefetch("referrals", queryset=Referral.objects.prefetch_related("updates").select_related("consent")),
            Prefetch("plans", queryset=SupportPlan.objects.select_related("review").prefetch_related(
                "targets__progress")),
        )
        .order_by("-raised_at", "-id")
    )

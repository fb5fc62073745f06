"""Driving the leaving flow in tests: a settled child, a leaving plan, the steps through the flow layer."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from processes import services
from processes.models import ConsentPurpose

from .flowkit import complete, the_task

SCHOOL = "Oakbridge Primary School"
REPORT = {
    "personal_social_emotional": "Confident with adults, takes turns", "physical": "Climbs, uses scissors",
    "communication_language": "Speaks in full sentences", "literacy": "Recognises her name",
    "mathematics": "Counts to twenty", "understanding_world": "Loves the garden and bugs",
    "expressive_arts": "Sings every song", "effective_learning": "Keeps trying when things are hard",
    "interests": "Dinosaurs and trains", "what_helps": "A warning before changes", "friendships": "Plays with Zara",
    "sen_support": "", "others_involved": "", "parents_view": "Excited about school",
    "child_voice": "I want to see the big playground",
}


def started_a_year_ago(child):
    # The factory's child starts in the future; a leaver has been coming for a while.
    type(child).objects.filter(pk=child.pk).update(start_date=timezone.localdate() - dt.timedelta(days=365))
    child.start_date = timezone.localdate() - dt.timedelta(days=365)


def settled(child, manager):
    for name in ("begin_settling_in", "settle"):
        child = services.child_transition(child=child, transition=name, by=manager.user)
    return child


def plan_leaving(child, manager, *, days: int = 60, destination: str = SCHOOL):
    return services.leaving_record(
        child=child, by=manager.user, leaving_on=timezone.localdate() + dt.timedelta(days=days),
        destination=destination, contact_name="Mrs Patel", contact_email="reception@oakbridge.example")


def share_consent(child, by, *, status: str = "granted", recipient: str = SCHOOL):
    guardian = child.guardians.first()
    return services.consent_record(child=child, guardian=guardian, purpose=ConsentPurpose.SHARE_SCHOOL,
                                   recipient=recipient, status=status, method="signed_form", by=by)


def write_report(child, by):
    complete(the_task(child, "report"), by, **REPORT)


def meet_parents(child, by):
    complete(the_task(child, "meeting"), by, held_on=timezone.localdate().isoformat(),
             notes="Shared the report; she is excited about school")


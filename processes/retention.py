"""How long each kind of record about a child is kept, and the purge that deletes what is past it.

The periods are settings (KEYFLOW_RETENTION, defaults explained in README "Data protection"). A record is
kept up to and including its last day; the nightly purge (notifications.tasks.purge_expired_records, or
`manage.py purge_expired_records`) deletes it the day after. A legal hold on a child stops every purge of
their records. The audit trail is never purged: each purge adds a row saying what kinds of record went,
how many, and under which rule, with no personal data in it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db import models
from django.db.models import Q
from django_fsm_log.models import StateLog

from . import deadlines, hooks
from .models import (
    AllAboutMe,
    Child,
    Consent,
    ConsentPurpose,
    Guardian,
    LeavingPlan,
    LegalHold,
    LifecycleState,
)

GENERAL, ACCIDENT, SEN, SAFEGUARDING = "general", "accident", "sen", "safeguarding"
SEN_CONSENTS = (ConsentPurpose.SENCO_OBSERVATION, ConsentPurpose.SHARE_PROFESSIONAL)
LEFT = (LifecycleState.LEFT, LifecycleState.WITHDRAWN)
PASSED_ON_KINDS = (SEN, SAFEGUARDING)


# Whole months on a date (29 February plus a year is 28 February): the one implementation, in deadlines.
add_months = deadlines.months_after


def retain_until(child: Child, kind: str) -> dt.date | None:
    """The last day `kind` records about `child` are kept; None while the period has not begun (not left).

    SEN and safeguarding records passed on to the next school are kept as general records from then on.
    """
    if kind in PASSED_ON_KINDS and child.records_passed_on.filter(kind=kind).exists():
        kind = GENERAL  # the next school keeps them now: our copy goes with the general records
    rule = settings.KEYFLOW_RETENTION[kind]
    start = child.date_of_birth if rule["after"] == "birth" else (child.left_on if child.state in LEFT else None)
    if start is None:
        return None
    return add_months(start, rule["years"] * 12 + rule.get("months", 0))


def _erase(queryset: models.QuerySet) -> int:
    # The base QuerySet's delete, on purpose: consent history is append-only for everyone but the retention
    # rule that ends it. The audit trail (AuditEvent) is never passed here.
    return models.QuerySet.delete(queryset)[0]


def _general_records(child: Child) -> list[tuple[str, models.QuerySet]]:
    return [
        ("key person assignments", child.assignments.all()),
        ("progress checks at two", child.two_year_checks.all()),
        ("parent meetings and their next steps", child.meetings.all()),
        ("all about me", AllAboutMe.objects.filter(child=child)),
        ("settling-in sessions", child.settling_sessions.all()),
        ("settling-in reviews", child.settling_reviews.all()),
        # Before the consents: a records pack keeps the consent it was made under.
        ("leaving plan, transition report and records packs", LeavingPlan.objects.filter(child=child)),
        ("consents", Consent.objects.filter(child=child).exclude(purpose__in=SEN_CONSENTS)),
        ("lifecycle log", StateLog.objects.for_(child)),
        ("parent/carer links", child.guardian_links.all()),
        ("records passed on", child.records_passed_on.all()),
    ]


def _sen_records(child: Child) -> list[tuple[str, models.QuerySet]]:
    # Concerns before consents: an observation or a referral keeps the consent it relied on until it goes.
    return [
        ("SEN concerns and their records", child.sen_concerns.all()),
        ("SEN consents", Consent.objects.filter(child=child, purpose__in=SEN_CONSENTS)),
    ]


def records_by_kind(child: Child) -> dict[str, list[tuple[str, models.QuerySet]]]:
    """Every record held about the child, by retention kind. Safeguarding records are not kept in Keyflow yet.

    The records the apps above hold (processes.hooks: the workflows and their tasks) come first in each kind:
    they may point at the domain's records of that kind.
    """
    own = {
        GENERAL: _general_records(child),
        ACCIDENT: [("accident records", child.accidents.all())],
        SEN: _sen_records(child),
        SAFEGUARDING: [],
    }
    above = [records.retained(child) for records in hooks.held_records()]
    return {kind: [*(held for by_kind in above for held in by_kind.get(kind, [])), *records]
            for kind, records in own.items()}


# What the child's own row keeps once their general records are gone but an accident or SEN record is not:
# who they are, nothing more.
MINIMISED = {"preferred_name": "", "dietary_needs": "", "allergies": "", "known_needs": "", "medical_notes": "",
             "collected_by": "", "home_language": "",
             "destination_school": "", "attending_sessions": 0, "preferred_key_person": None}


@dataclass
class ChildPurge:
    child_id: int
    setting_id: int
    kinds: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    child_deleted: bool = False


def expired_kinds(child: Child, today: dt.date) -> list[str]:
    kinds = []
    for kind in records_by_kind(child):
        until = retain_until(child, kind)
        if until is not None and today > until:
            kinds.append(kind)
    return kinds


def children_with_expired_records(today: dt.date):
    """Children who may have something to purge, not under a legal hold: a cheap, generous pre-filter."""
    youngest_birth_rule = min(
        r["years"] * 12 + r.get("months", 0) for r in settings.KEYFLOW_RETENTION.values() if r["after"] == "birth")
    general = settings.KEYFLOW_RETENTION[GENERAL]
    left_before = add_months(today, -(general["years"] * 12 + general.get("months", 0)))
    born_before = add_months(today, -youngest_birth_rule)
    return (
        Child.objects.filter(Q(state__in=LEFT, left_on__lt=left_before) | Q(date_of_birth__lt=born_before))
        .exclude(pk__in=LegalHold.objects.filter(lifted_at__isnull=True).values("child_id"))
        .order_by("pk")
    )


def child_purge(child: Child, *, today: dt.date, dry_run: bool = False) -> ChildPurge | None:
    """Delete the kinds of the child's records past their period; the child too once nothing else is kept."""
    kinds = expired_kinds(child, today)
    if not kinds or child.legal_holds.filter(lifted_at__isnull=True).exists():
        return None
    report = ChildPurge(child_id=child.pk, setting_id=child.setting_id, kinds=kinds)
    held = records_by_kind(child)
    guardians = list(child.guardian_links.values_list("guardian_id", flat=True))
    for kind in kinds:
        for label, queryset in held[kind]:
            count = queryset.count()
            if count:
                report.counts[label] = count
                if not dry_run:
                    _erase(queryset)
    kept = [kind for kind in held if kind not in kinds and any(qs.exists() for _, qs in held[kind])]
    if GENERAL in kinds and not kept:
        report.child_deleted = True
        if not dry_run:
            child.delete()
    elif GENERAL in kinds:
        changed = {name: value for name, value in MINIMISED.items() if getattr(child, name) != value}
        if changed:
            report.counts["details cleared from the child's record"] = len(changed)
            if not dry_run:
                # Saved, not updated in bulk: copies of the child's details elsewhere (the inbox rows of a
                # kept SEN workflow) follow every save of a child, and must not keep what is cleared here.
                for name, value in changed.items():
                    setattr(child, name, value)
                child.save(update_fields=list(changed))
    if GENERAL in kinds and not dry_run:
        # A parent/carer goes with their last child, unless an SEN consent they gave is still kept.
        Guardian.objects.filter(pk__in=guardians, child_links__isnull=True, consents__isnull=True).delete()
    if not report.counts and not report.child_deleted:
        return None
    return report

"""Leaving for school or another setting (issue 18 part 3; seed 002): the plan, the report, the meeting with
the parents, the learning record handed to them, and the day the child leaves. The records pack and its
download links are in processes.services.records_pack."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from ..access import staff_of
from ..date_bounds import date_check
from ..errors import NotPermitted, RuleViolation
from ..models import Child, DestinationKind, LeavingPlan, LifecycleState, TransitionReport
from ..signals import leaving_recorded
from .audit import audit_record
from .children import _require_manager
from .lifecycle import lifecycle_move

S = LifecycleState
# A child may be prepared to leave from these (processes.models.Child.prepare_to_leave), or already be leaving.
MAY_LEAVE = (S.SETTLED, S.IN_TRANSITION, S.LEAVING)
REPORT_REQUIRED = ("personal_social_emotional", "physical", "communication_language", "literacy", "mathematics",
                   "understanding_world", "expressive_arts", "effective_learning", "interests", "what_helps",
                   "friendships", "parents_view", "child_voice")


def school_start_year(date_of_birth: dt.date) -> int:
    """The September a child starts reception: the one after their fourth birthday (school year 1 Sep-31 Aug)."""
    return date_of_birth.year + (5 if date_of_birth.month >= 9 else 4)


def leavers_year(today: dt.date) -> int:
    """The September the current school year's leavers start school."""
    return today.year + 1 if today.month >= 9 else today.year


def school_leaver_cohort(setting, *, today: dt.date | None = None):
    """Children of the setting due to start school next September (by date of birth) with no leaving plan yet."""
    year = leavers_year(today or timezone.localdate())
    born = (dt.date(year - 5, 9, 1), dt.date(year - 4, 8, 31))
    return (Child.objects.filter(setting=setting, state__in=MAY_LEAVE, leaving_plan__isnull=True,
                                 date_of_birth__range=born)
            .select_related("room").order_by("date_of_birth", "pk"))


def _require_staff_of(by, child: Child, what: str):
    staff = staff_of(by)
    if staff is None or staff.setting_id != child.setting_id:
        raise NotPermitted(f"Only staff of {child.name}'s setting can {what}.")
    return staff


@transaction.atomic
def leaving_record(*, child: Child, by, leaving_on: dt.date, destination: str, contact_name: str,
                   contact_email: str, destination_kind: str = DestinationKind.SCHOOL) -> LeavingPlan:
    """Record when the child leaves and where for (the named contact receives their records), and start the
    leaving workflow (processes.signals.leaving_recorded). Recorded again: the date or destination changes."""
    _require_manager(by, child.setting_id, "record a leaving date")
    child = Child.objects.select_for_update().get(pk=child.pk)
    if child.state not in MAY_LEAVE:
        raise RuleViolation(f"{child.name} is {child.get_state_display().lower()}: only a child who has settled "
                            "can be prepared to leave (withdraw a child who leaves earlier).")
    try:
        destination_kind = DestinationKind(destination_kind)
    except ValueError:
        raise RuleViolation("A child leaves for a school or another setting.", field="destination_kind") from None
    for name, value in (("destination", destination), ("contact_name", contact_name),
                        ("contact_email", contact_email)):
        if not value.strip():
            raise RuleViolation("Name the school or setting, its contact and their e-mail.", field=name)
    if "@" not in contact_email:
        raise RuleViolation(f"{contact_email!r} is not an e-mail address.", field="contact_email")
    date_check(leaving_on, what="The leaving date", field="leaving_on", when="any", child=child,
               not_before=[(timezone.localdate(), "today"), (child.start_date, "the child's first day")])
    plan = LeavingPlan.objects.filter(child=child).first()
    created = plan is None
    plan = plan or LeavingPlan(child=child, recorded_by=by)
    plan.leaving_on, plan.destination_kind = leaving_on, destination_kind
    plan.destination, plan.contact_name = " ".join(destination.split()), contact_name.strip()
    plan.contact_email = contact_email.strip()
    plan.save()
    child.expected_leaving_date, child.destination_school = leaving_on, plan.destination
    child.save(update_fields=["expected_leaving_date", "destination_school"])
    if child.state != S.LEAVING:
        lifecycle_move(child=child, transition="prepare_to_leave", by=by, locked=True,
                       reason=f"Leaving for {plan.destination} on {leaving_on:%d %b %Y}")
    audit_record(actor=by, action="create" if created else "update", record=plan, child_id=child.pk,
                 setting_id=child.setting_id, summary=f"{child.name} leaves for {plan.destination} on "
                 f"{leaving_on:%d %b %Y} (contact: {plan.contact_name})")
    if created:
        plan.child = child
        leaving_recorded.send(sender=LeavingPlan, plan=plan, by=by)
    return plan


@transaction.atomic
def leaving_cohort_start(*, setting, by, leaving_on: dt.date, rows: list[dict]) -> list[LeavingPlan]:
    """The summer term's school leavers started together: each row a child and their school; all or none."""
    if not rows:
        raise RuleViolation("Choose at least one child.")
    plans = []
    for row in rows:
        child = row["child"]
        if child.setting_id != setting.pk:
            raise NotPermitted(f"{child.name} is not at {setting.name}.")
        try:
            plans.append(leaving_record(child=child, by=by, leaving_on=leaving_on, destination=row["destination"],
                                        contact_name=row["contact_name"], contact_email=row["contact_email"]))
        except RuleViolation as refusal:
            raise type(refusal)(f"{child.name}: {refusal.message}", field=refusal.field) from None
    return plans


def transition_report_write(*, plan: LeavingPlan, by, **sections: str) -> TransitionReport:
    """The key person's transition report; written again, it replaces the draft (nothing has been sent)."""
    _require_staff_of(by, plan.child, "write the transition report")
    unknown = set(sections) - set(TransitionReport.SECTIONS)
    if unknown:
        raise RuleViolation(f"The report has no part called {', '.join(sorted(unknown))}.")
    for name in REPORT_REQUIRED:
        if not (sections.get(name) or "").strip():
            label = TransitionReport._meta.get_field(name).verbose_name
            raise RuleViolation(f"Write the report's part on {str(label).lower()}.", field=name)
    report, created = TransitionReport.objects.update_or_create(
        plan=plan, defaults={**{k: v.strip() for k, v in sections.items()}, "written_by": by,
                             "written_at": timezone.now()})
    audit_record(actor=by, action="create" if created else "update", record=report, child_id=plan.child_id,
                 setting_id=plan.child.setting_id, summary=f"Transition report for {plan.child.name} written")
    return report


def leaving_meeting_record(*, plan: LeavingPlan, by, held_on: dt.date, notes: str) -> LeavingPlan:
    """Seed 002: the key person meets the parents "again before their child leaves for primary school to share
    pertinent information on transition and achievements"."""
    _require_staff_of(by, plan.child, "record the meeting with the parents")
    date_check(held_on, what="The meeting", field="held_on", child=plan.child,
               not_before=[(plan.child.start_date, "the child's first day")])
    if not notes.strip():
        raise RuleViolation("Say what was shared and agreed with the parents.", field="notes")
    plan.parents_met_on, plan.parents_meeting_notes = held_on, notes.strip()
    plan.save(update_fields=["parents_met_on", "parents_meeting_notes"])
    audit_record(actor=by, action="update", record=plan, child_id=plan.child_id, setting_id=plan.child.setting_id,
                 summary=f"Met {plan.child.name}'s parents before leaving ({held_on:%d %b %Y})")
    return plan


def learning_record_give(*, plan: LeavingPlan, by, given_on: dt.date, how: str) -> LeavingPlan:
    """Seed 002: "when the child leaves the setting the learning story will be given electronically to the
    parent/carer as a record of their time at pre-school"."""
    _require_staff_of(by, plan.child, "record the learning record given to the parents")
    date_check(given_on, what="The day the learning record was given", field="given_on", child=plan.child)
    if not how.strip():
        raise RuleViolation("Say how the parents received it (e-mailed, Tapestry export, printed…).", field="how")
    plan.learning_record_given_on, plan.learning_record_how = given_on, how.strip()
    plan.save(update_fields=["learning_record_given_on", "learning_record_how"])
    audit_record(actor=by, action="update", record=plan, child_id=plan.child_id, setting_id=plan.child.setting_id,
                 summary=f"{plan.child.name}'s learning record given to the parents ({how.strip()})")
    return plan


def leavers_leave(*, today: dt.date | None = None) -> list[Child]:
    """The nightly step: every child whose leaving date has come becomes "left". Their open tasks close with
    that reason (workflows' receiver) and the retention clock starts from the day (processes.retention).
    A child who leaves before the transition report was written is said so, on their plan and in the trail."""
    today = today or timezone.localdate()
    gone = []
    plans = LeavingPlan.objects.filter(leaving_on__lte=today, child__state=S.LEAVING).select_related("child")
    for plan in plans:
        with transaction.atomic():
            child = lifecycle_move(child=plan.child, transition="leave", by=None,
                                   reason=f"Leaving date reached ({plan.leaving_on:%d %b %Y})")
            if not TransitionReport.objects.filter(plan=plan).exists():
                plan.no_pack_reason = (f"{child.name} left on {plan.leaving_on:%d %b %Y} before the transition "
                                       "report was written: no records pack was made.")
                plan.save(update_fields=["no_pack_reason"])
                audit_record(actor=None, action="left_unfinished", record=plan, child_id=child.pk,
                             setting_id=child.setting_id, summary=plan.no_pack_reason)
            gone.append(child)
    return gone

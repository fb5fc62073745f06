"""Absence follow-up: a child expected and not brought, and a run of unexplained absence.

    sweep (Celery beat, after the setting's check time)
      ├─ child expected, not signed in, no reason given ──▶ key person: contact the parents (due that day)
      └─ unexplained for the setting's number of days ───▶ manager / DSL: check on the child's welfare

Each follow-up is a row unique per child, day and kind (processes.models.AbsenceFollowUp): a sweep run twice,
or by two beats at once, raises nothing the second time. The contact task goes to whoever acts as the key
person today (workflows.routing: the secondary while the key person is away, on another shift or not in).
"""

from __future__ import annotations

import logging

from django import forms
from django.db import transaction
from django.utils import timezone
from viewflow import this
from viewflow.workflow import flow, lock

from processes import deadlines, services
from processes.attendance import follow_ups_due
from processes.errors import Conflict
from processes.models import AbsenceFollowUp, FollowUpKind, Setting, Staff
from processes.text import ACCOUNT

from .base import ChildFlowMixin, process_start
from .models import AbsenceProcess, ProcessKind, TaskRole
from .nodes import HumanTask

log = logging.getLogger(__name__)


class ContactForm(forms.Form):
    reason = forms.CharField(
        max_length=200, required=False, label="Reason the parents gave",
        help_text="Unwell, holiday, appointment… Leave empty if you could not reach them.")
    outcome = forms.CharField(max_length=ACCOUNT, label="What you did and what came of it",
                              widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, task, **kwargs) -> None:
        super().__init__(*args, **kwargs)


class WelfareForm(forms.Form):
    outcome = forms.CharField(
        max_length=ACCOUNT, label="What was done and what came of it",
        help_text="Whom you spoke to, whether the child was seen, and whether the setting's safeguarding "
        "procedures were followed (a referral is the designated safeguarding lead's call).",
        widget=forms.Textarea(attrs={"rows": 4}))
    reason = forms.CharField(max_length=200, required=False, label="Reason for the absence, if now known")

    def __init__(self, *args, task, **kwargs) -> None:
        super().__init__(*args, **kwargs)


class _AbsenceFlowMixin(ChildFlowMixin):
    def start_follow_up(self, activation, child, follow_up: AbsenceFollowUp, by=None):
        process = self.start_process(activation, child, by)
        process.follow_up = follow_up
        return process

    def due_today(self, activation):
        follow_up = activation.process.follow_up
        return deadlines.at_end_of(follow_up.day, activation.process.child.setting)

    def recorded(self, activation, data, by) -> None:
        follow_up = activation.process.follow_up
        follow_up.child = activation.process.child  # read with the task (workflows.services._locked)
        services.absence_follow_up_close(follow_up=follow_up, by=by, outcome=data["outcome"],
                                         reason=data.get("reason", ""))


class AbsenceContactFlow(_AbsenceFlowMixin, flow.Flow):
    """A child expected today is not in and no reason was given: the key person (or whoever covers for them
    today) contacts the parents the same day and records the reason."""

    process_class = AbsenceProcess
    lock_impl = lock.select_for_update_lock
    kind = ProcessKind.ABSENCE_CONTACT
    process_title = "Absence: contact the parents"

    start = flow.StartHandle(this.start_follow_up).Next(this.contact)

    # key person
    contact = (
        HumanTask(ContactForm, role=TaskRole.KEY_PERSON, due=this.due_today, on_complete=this.recorded)
        .Annotation(title="Contact the parents: the child is not in today")
        .Next(this.end)
    )
    end = flow.End()


def _safeguarding_lead(activation):
    """The setting's designated safeguarding lead acts; without one, the task waits for a manager to take."""
    lead = (Staff.objects.filter(setting_id=activation.process.setting_id, is_dsl=True, user__is_active=True)
            .select_related("user").order_by("pk").first())
    return lead.user if lead else None


class AbsenceWelfareFlow(_AbsenceFlowMixin, flow.Flow):
    """A run of unexplained absence (three expected days by default, per setting): the designated safeguarding
    lead, or a manager, checks on the child's welfare and records what was done."""

    process_class = AbsenceProcess
    lock_impl = lock.select_for_update_lock
    kind = ProcessKind.ABSENCE_WELFARE
    process_title = "Absence: welfare check"

    start = flow.StartHandle(this.start_follow_up).Next(this.welfare)

    # manager / designated safeguarding lead
    welfare = (
        HumanTask(WelfareForm, role=TaskRole.MANAGER, due=this.due_today, on_complete=this.recorded)
        .Annotation(title="Check on the child's welfare after unexplained absence")
        .Assign(_safeguarding_lead)
        .Next(this.end)
    )
    end = flow.End()


FLOWS = {FollowUpKind.CONTACT: AbsenceContactFlow, FollowUpKind.WELFARE: AbsenceWelfareFlow}


def absence_follow_ups_raise(*, now=None) -> int:
    """The sweep: for every setting past its check time today, record the follow-ups due (ignoring those already
    recorded) and raise a task for each not yet raised. Returns how many tasks were raised."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    local_time = timezone.localtime(now).time()
    raised = 0
    for setting in Setting.objects.all():
        if local_time < setting.absence_check_at:
            continue
        due = follow_ups_due(setting, today)
        AbsenceFollowUp.objects.bulk_create(
            [AbsenceFollowUp(child=d.child, setting=setting, day=today, kind=d.kind, days_absent=d.days_absent)
             for d in due], ignore_conflicts=True)
        for follow_up in AbsenceFollowUp.objects.filter(setting=setting, day=today, started=False).select_related(
                "child__setting", "child__room"):
            raised += _raise(follow_up)
    return raised


def _raise(follow_up: AbsenceFollowUp) -> int:
    with transaction.atomic():
        # Claimed by one sweep only: a second running at the same moment updates no row and raises nothing.
        if not AbsenceFollowUp.objects.filter(pk=follow_up.pk, started=False).update(started=True):
            return 0
        try:
            process_start(flow_class=FLOWS[follow_up.kind], child=follow_up.child, follow_up=follow_up)
        except Conflict:
            # The child's previous follow-up of this kind is still open: its task stands for this one too.
            log.info("%s: an earlier follow-up is still open", follow_up)
            return 0
    return 1

"""The leaving process (workflows.leaving): the child's leaving plan, and where the flow goes next."""
from __future__ import annotations

from django.db import models
from django.db.models.signals import pre_save
from viewflow.workflow.managers import ProcessQuerySet

from processes.models import ConsentPurpose, LeavingPlan

from .process import ChildProcess, _track_open_kind


class LeavingFacts(models.Manager):
    def get_queryset(self):
        return super().get_queryset().select_related("plan")


class LeavingProcess(ChildProcess):
    """Leaving for school or another setting: the plan it follows, and the one choice no record holds
    (the parents declined sharing and are to be asked again)."""

    plan = models.OneToOneField(LeavingPlan, on_delete=models.CASCADE, related_name="process")
    ask_again = models.BooleanField(default=False)

    objects = ProcessQuerySet.as_manager()
    facts = LeavingFacts()

    class Meta:
        default_manager_name = "objects"
        # As SenProcess: a step reads its process with the plan in one statement.
        base_manager_name = "facts"

    def plan_of_child(self) -> LeavingPlan:
        plan = self.plan
        if not LeavingPlan.child.is_cached(plan):
            plan.child = self.child
        return plan

    @property
    def sharing_consent(self) -> tuple[str, str]:
        return ConsentPurpose.SHARE_SCHOOL, self.plan.recipient

    # Predicates the gateways ask.
    @property
    def has_sharing_consent(self) -> bool:
        return self.has_consent(*self.sharing_consent)

    @property
    def is_asking_again(self) -> bool:
        return self.ask_again

# The same rule as every child process: at most one open leaving process per child (process._track_open_kind).
pre_save.connect(_track_open_kind, sender=LeavingProcess, dispatch_uid="leaving_open_kind")

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q, Value
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver
from viewflow.workflow.fields import TaskReferenceField
from viewflow.workflow.managers import ProcessQuerySet
from viewflow.workflow.models import Process, Task
from viewflow.workflow.status import PROCESS

from processes.models import (
    Child,
    ConsentPurpose,
    EhcDecision,
    EhcRequest,
    Referral,
    ReviewOutcome,
    Room,
    SencoDecision,
    SencoDecisionKind,
    SenConcern,
    Setting,
    SupportPlan,
)
from processes.services import consent_in_force


class ProcessKind(models.TextChoices):
    ALLOCATION = "allocation", "Key person allocation"
    INTRODUCTION = "introduction", "Introduction to the parents"
    SETTLING = "settling", "Settling in"
    SEN = "sen", "SEN concern"


class TaskRole(models.TextChoices):
    """Who may take a human task. Every node declares one (workflows.nodes.HumanTask)."""

    MANAGER = "manager", "Manager"
    SENCO = "senco", "SENCO"
    KEY_PERSON = "key_person", "Key person"


FINISHED = (PROCESS.DONE, PROCESS.CANCELED)
OPEN = ("NEW", "ASSIGNED", "STARTED")  # viewflow task statuses still waiting for a person


class ChildProcess(Process):
    """A workflow about one child. Viewflow's Process with the child it concerns, queryable and constrained."""

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="processes")
    setting = models.ForeignKey(Setting, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=30, choices=ProcessKind.choices)
    # The kind while the process is open, NULL once finished: the unique constraint below then allows at most
    # one open process of each kind per child, whichever entry point tries to start a second.
    open_kind = models.CharField(max_length=30, null=True, blank=True, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["child", "open_kind"], name="one_open_process_of_a_kind_per_child"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.child}"

    def has_consent(self, purpose: str, recipient: str = "") -> bool:
        """Whether the parents' consent for `purpose` (and `recipient`) is in force.

        A step asks more than once (its completion, its gateway, the gated task it creates), so the answer is
        read once per step: the process row is read afresh, under its lock, for every step, and a decision the
        step records itself is noted here (consent_noted). Services check consent themselves.
        """
        answers = self.__dict__.setdefault("_consent_answers", {})
        if (purpose, recipient) not in answers:
            found = consent_in_force(child=self.child, purpose=purpose, recipient=recipient)
            answers[purpose, recipient] = found is not None
        return answers[purpose, recipient]

    def consent_noted(self, purpose: str, recipient: str, in_force: bool) -> None:
        """This step recorded the parents' decision: what follows in the step reads it from here."""
        self.__dict__.setdefault("_consent_answers", {})[purpose, recipient] = in_force


@receiver(pre_save, sender=ChildProcess)
def _track_open_kind(sender, instance: ChildProcess, **kwargs) -> None:
    instance.open_kind = None if instance.status in FINISHED else instance.kind


class SentBackFrom(models.TextChoices):
    """The SENCO's steps that can go back to the key person with a comment."""

    OBSERVE = "observe", "The SENCO's observation"
    DECIDE = "decide", "The SENCO's decision"
    REFER = "refer", "The referral"


class SenProcessFacts(models.Manager):
    """SEN process rows with the facts they point at, in one statement (the base manager: see SenProcess)."""

    def get_queryset(self):
        return super().get_queryset().select_related("concern", "decision", "plan__review", "referral",
                                                     "ehc_request")


class SenProcess(ChildProcess):
    """The SEN concern and referral workflow (workflows.sen): the concern it follows, and where it is routed.

    Each step records its facts through processes.services; what the flow needs to choose its next node is
    kept here, one field per choice, and read by the named predicates below (the flow's If and Switch nodes).
    """

    # RESTRICT: a concern goes only with its workflow (the retention purge erases the SEN workflows, listed by
    # workflows.child_records, before the concerns).
    concern = models.OneToOneField(SenConcern, on_delete=models.RESTRICT, related_name="process")
    # The SENCO's decision in force (which the meeting and the referral follow), the support plan in force, the
    # referral being followed up, the EHC needs assessment request whose clock runs: each set by its step.
    decision = models.ForeignKey(SencoDecision, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+")
    plan = models.ForeignKey(SupportPlan, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    referral = models.ForeignKey(Referral, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    ehc_request = models.ForeignKey(EhcRequest, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    # A SENCO step sent back to the key person: which one, and the SENCO's comment (shown on the reply task).
    sent_back_from = models.CharField(max_length=20, choices=SentBackFrom.choices, blank=True)
    comment = models.TextField(blank=True)
    # The other choices a step makes that no record holds: observe again, ask the parents again.
    observe_again = models.BooleanField(default=False)
    ask_again = models.BooleanField(default=False)

    objects = ProcessQuerySet.as_manager()
    facts = SenProcessFacts()

    class Meta:
        default_manager_name = "objects"
        # Viewflow reaches a task's process through the parent rows (its `coerced`), that is through the base
        # manager: so a step reads its process and the facts it needs in one statement, not one each.
        base_manager_name = "facts"

    @classmethod
    def of_task(cls, task) -> SenProcess:
        """The task's SEN process (as viewflow's activation will see it), sharing the child read with the task
        (workflows.services._locked) rather than reading it again."""
        process = task.process.coerced
        if not cls.child.is_cached(process) and cls.childprocess_ptr.is_cached(process):
            process.child = process.childprocess_ptr.child
        return process

    def concern_of_child(self) -> SenConcern:
        """The concern, sharing this process's child (read once, not again for the concern)."""
        concern = self.concern
        if not SenConcern.child.is_cached(concern):
            concern.child = self.child
        return concern

    def route(self, **fields) -> None:
        """Record where the process goes next: the fields given, in one UPDATE of this row."""
        for name, value in fields.items():
            setattr(self, name, value)
        self.save(update_fields=list(fields))

    # Consent each gated step needs: (purpose, recipient).
    @property
    def observation_consent(self) -> tuple[str, str]:
        return ConsentPurpose.SENCO_OBSERVATION, ""

    @property
    def sharing_consent(self) -> tuple[str, str]:
        return ConsentPurpose.SHARE_PROFESSIONAL, self.refer_to

    @property
    def refer_to(self) -> str:
        return self.decision.refer_to if self.decision is not None else ""

    # The predicates the flow's gateways read (properties, so `act.process.<name>` gives the answer).
    @property
    def has_observation_consent(self) -> bool:
        return self.has_consent(*self.observation_consent)

    @property
    def has_sharing_consent(self) -> bool:
        return self.has_consent(*self.sharing_consent)

    @property
    def is_asking_again(self) -> bool:
        return self.ask_again

    @property
    def is_observing_again(self) -> bool:
        return self.observe_again

    @property
    def is_sent_back(self) -> bool:
        return bool(self.sent_back_from)

    @property
    def was_sent_back_from_observation(self) -> bool:
        return self.sent_back_from == SentBackFrom.OBSERVE

    @property
    def was_sent_back_from_decision(self) -> bool:
        return self.sent_back_from == SentBackFrom.DECIDE

    def _decided(self, kind: SencoDecisionKind) -> bool:
        return self.decision is not None and self.decision.decision == kind

    @property
    def decision_is_no_further_action(self) -> bool:
        return self._decided(SencoDecisionKind.NO_FURTHER_ACTION)

    @property
    def decision_is_monitoring(self) -> bool:
        return self._decided(SencoDecisionKind.MONITOR)

    @property
    def decision_is_referral(self) -> bool:
        return self._decided(SencoDecisionKind.REFER)

    @property
    def may_refer(self) -> bool:
        """A referral decided, and the parents' consent to share with that professional in force."""
        return self.decision_is_referral and self.has_sharing_consent

    @property
    def returns_to_observation(self) -> bool:
        """Sent back from the observation, and the parents' consent to it still in force."""
        return self.was_sent_back_from_observation and self.has_observation_consent

    @property
    def referral_is_concluded(self) -> bool:
        return self.referral is not None and self.referral.concluded_on is not None

    def _reviewed(self, outcome: ReviewOutcome) -> bool:
        review = getattr(self.plan, "review", None) if self.plan is not None else None
        return review is not None and review.outcome == outcome

    @property
    def review_continues_support(self) -> bool:
        return self._reviewed(ReviewOutcome.CONTINUE)

    @property
    def review_requests_ehc(self) -> bool:
        return self._reviewed(ReviewOutcome.REQUEST_EHC)

    @property
    def local_authority_will_assess(self) -> bool:
        return self.ehc_request is not None and self.ehc_request.decision == EhcDecision.ASSESS


# The open kind is tracked on every save of an SEN process too (pre_save names the concrete class it saves).
pre_save.connect(_track_open_kind, sender=SenProcess, dispatch_uid="sen_process_open_kind")


class InboxEntry(models.Model):
    """What the inbox shows of a human task, on one row, so the inbox is one indexed scan of one table.

    Setting, process, node, child, process kind, role, due date and priority are written once when the task is
    created. The rest are copies kept in step where they change: the owner and whether the task is still open
    by `inbox_sync` on every save of a task (a post_save receiver, so viewflow's own transitions cannot miss
    it), the child's name and room by `inbox_copy_child` on every save of a child, the room's name on every
    save of a room. Task, Child and Room stay the truth.
    """

    task = models.OneToOneField(Task, on_delete=models.CASCADE, primary_key=True, related_name="inbox")
    # The task's own process and node, so a row links to its task page and names its step without a join.
    # No database constraint: the task's (cascading to this row) already guarantees the process.
    process = models.ForeignKey(Process, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False,
                                related_name="+")
    flow_task = TaskReferenceField()
    setting = models.ForeignKey(Setting, on_delete=models.CASCADE, related_name="+")
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="+")
    child_name = models.CharField(max_length=201, blank=True)
    room = models.ForeignKey(Room, on_delete=models.SET_NULL, null=True, blank=True, db_constraint=False,
                             db_index=False, related_name="+")
    room_name = models.CharField(max_length=100, blank=True)
    role = models.CharField(max_length=20, choices=TaskRole.choices)
    due_at = models.DateTimeField(null=True, blank=True)
    # The process's kind, copied so the inbox names and filters it without joining two process tables.
    kind = models.CharField(max_length=30, choices=ProcessKind.choices, blank=True)
    # Approvals (HumanTask(approval=True)) come first in whoever's inbox they wait in.
    priority = models.SmallIntegerField(default=0)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+", db_index=False)
    is_open = models.BooleanField(default=True)

    class Meta:
        indexes = [
            # "Assigned to me", in inbox order: the partial index holds only the ~5% of rows still open.
            models.Index(fields=["owner", "setting", "-priority", "due_at", "task"], condition=Q(is_open=True),
                         name="inbox_open_owner"),
            # "Claimable by my role in my setting", in inbox order.
            models.Index(fields=["setting", "role", "-priority", "due_at", "task"],
                         condition=Q(is_open=True, owner__isnull=True), name="inbox_open_claimable"),
            # The manager's overdue list.
            models.Index(fields=["setting", "due_at"], condition=Q(is_open=True), name="inbox_open_due"),
            # A child's open tasks (the dashboard's allocations, rerouting a child's tasks).
            models.Index(fields=["child", "kind"], condition=Q(is_open=True), name="inbox_open_child"),
            models.Index(fields=["child", "due_at"], name="inbox_by_child"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(role__in=TaskRole.values), name="inbox_role_valid"),
        ]

    @property
    def title(self) -> str:
        return node_title(self.flow_task)


def node_title(node) -> str:
    """A step's title as viewflow's Task.title gives it: its annotation, else the node's name."""
    return str(node.task_title or node) if node else ""


def inbox_sync(task: Task) -> None:
    """Copy the task's owner and open/closed state onto its inbox row: the one place they are mirrored.

    Free when nothing changed and the row is loaded with the task (select_related("inbox")); otherwise one
    UPDATE. Tasks without an inbox row (gateways, start and end events) cost nothing.
    """
    if task.flow_task_type != "HUMAN":
        return
    is_open = task.status in OPEN
    cache = task._state.fields_cache
    entry = cache.get("inbox")
    if "inbox" in cache and (entry is None or (entry.owner_id == task.owner_id and entry.is_open == is_open)):
        return
    InboxEntry.objects.filter(task_id=task.pk).update(owner_id=task.owner_id, is_open=is_open)
    if entry is not None:
        entry.owner_id, entry.is_open = task.owner_id, is_open
        entry._state.fields_cache.pop("owner", None)


@receiver(post_save, sender=Task)
def _mirror_task_on_inbox(sender, instance: Task, created: bool, update_fields=None, **kwargs) -> None:
    if created:  # a new task's inbox row is written with its mirror (workflows.nodes.HumanTaskActivation)
        return
    if update_fields is not None and not {"status", "owner", "owner_id"} & set(update_fields):
        return
    inbox_sync(instance)


# Whatever changes a child's name or room (the record form, the admin, a room move) saves the child: its inbox
# rows follow in one UPDATE. A new child has no tasks yet.
CHILD_COPIED = {"first_name", "last_name", "preferred_name", "room", "room_id"}


def inbox_copy_child(child: Child) -> None:
    room_name = Room.objects.filter(pk=child.room_id).values("name")[:1] if child.room_id else Value("")
    InboxEntry.objects.filter(child_id=child.pk).update(child_name=child.name, room_id=child.room_id,
                                                        room_name=room_name)


@receiver(post_save, sender=Child)
def _copy_child_on_inbox(sender, instance: Child, created: bool, update_fields=None, raw=False, **kwargs) -> None:
    if created or raw or (update_fields is not None and not CHILD_COPIED & set(update_fields)):
        return
    inbox_copy_child(instance)


@receiver(post_save, sender=Room)
def _copy_room_on_inbox(sender, instance: Room, created: bool, update_fields=None, raw=False, **kwargs) -> None:
    if created or raw or (update_fields is not None and "name" not in update_fields):
        return
    InboxEntry.objects.filter(room_id=instance.pk).update(room_name=instance.name)

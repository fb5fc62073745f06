"""The parent meeting and progress-check-at-two processes: the records they follow, and their predicates."""
from __future__ import annotations

from django.db import models
from django.db.models.signals import pre_save
from viewflow.workflow.managers import ProcessQuerySet

from processes.models import ConsentPurpose, MeetingKind, MeetingStatus, ParentMeeting, TwoYearCheck

from .process import FINISHED, ChildProcess


class _MeetingFacts(models.Manager):
    def get_queryset(self):
        return super().get_queryset().select_related("meeting")


class _CheckFacts(models.Manager):
    def get_queryset(self):
        return super().get_queryset().select_related("check_record__template", "meeting")


def _share_child(process, record):
    # The record's child is the process's, read with it under the lock: not read a second time.
    if record is not None and not type(record).child.is_cached(record):
        record.child = process.child
    return record


class MeetingProcess(ChildProcess):
    """One meeting with the parents (workflows.meetings), from its invitation to its follow-up."""

    meeting = models.OneToOneField(ParentMeeting, on_delete=models.CASCADE, related_name="process")
    objects = ProcessQuerySet.as_manager()
    facts = _MeetingFacts()

    class Meta:
        default_manager_name = "objects"
        # As SenProcess: a step reads its process and the meeting in one statement (viewflow's `coerced`).
        base_manager_name = "facts"

    @property
    def the_meeting(self) -> ParentMeeting:
        return _share_child(self, self.meeting)

    def actions_noted(self, for_the_setting: bool) -> None:
        """The step that recorded the meeting says whether the setting has next steps (no second read)."""
        self.__dict__["_setting_actions"] = for_the_setting

    @property
    def is_progress_meeting(self) -> bool:
        return self.meeting.kind == MeetingKind.PROGRESS

    @property
    def was_held(self) -> bool:
        return self.meeting.status == MeetingStatus.HELD

    @property
    def was_cancelled(self) -> bool:
        return self.meeting.status == MeetingStatus.CANCELLED

    @property
    def parents_were_absent(self) -> bool:
        return self.was_held and self.meeting.parents_present is False and self.meeting.parents_told_at is None

    @property
    def has_setting_actions(self) -> bool:
        if "_setting_actions" in self.__dict__:
            return self.was_held and self.__dict__["_setting_actions"]
        return self.was_held and self.meeting.actions.filter(staff__isnull=False, done_at__isnull=True).exists()


class TwoYearCheckProcess(ChildProcess):
    """The progress check at two (workflows.two_year_check): the check it follows and the meeting it uses."""

    check_record = models.OneToOneField(TwoYearCheck, on_delete=models.CASCADE, related_name="process")
    meeting = models.ForeignKey(ParentMeeting, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    objects = ProcessQuerySet.as_manager()
    facts = _CheckFacts()

    class Meta:
        default_manager_name = "objects"
        base_manager_name = "facts"

    @property
    def the_check(self) -> TwoYearCheck:
        return _share_child(self, self.check_record)

    @property
    def the_meeting(self) -> ParentMeeting | None:
        return _share_child(self, self.meeting)

    @property
    def meeting_held(self) -> bool:
        return self.meeting is not None and self.meeting.status == MeetingStatus.HELD

    @property
    def meeting_cancelled(self) -> bool:
        return self.meeting is not None and self.meeting.status == MeetingStatus.CANCELLED

    @property
    def has_concern(self) -> bool:
        return self.check_record.concern

    @property
    def may_share_with_health_visitor(self) -> bool:
        return self.has_consent(ConsentPurpose.SHARE_HEALTH_VISITOR)


def _track_open_meeting(sender, instance: MeetingProcess, **kwargs) -> None:
    # Many meetings of a child may be open at once: one open process per meeting, not per kind.
    instance.open_kind = None if instance.status in FINISHED else f"meeting:{instance.meeting_id}"


pre_save.connect(_track_open_meeting, sender=MeetingProcess, dispatch_uid="meeting_process_open_kind")


def _track_open_check(sender, instance: TwoYearCheckProcess, **kwargs) -> None:
    instance.open_kind = None if instance.status in FINISHED else instance.kind


pre_save.connect(_track_open_check, sender=TwoYearCheckProcess, dispatch_uid="two_year_check_open_kind")

"""The parent meeting and progress-check-at-two processes: the records they follow, and their predicates."""
from __future__ import annotations

from django.db import models
from django.db.models.signals import pre_save
from viewflow.workflow.managers import ProcessQuerySet

from processes.models import ConsentPurpose, MeetingKind, MeetingStatus, ParentMeeting, TwoYearCheck

from .process import FINISHED, ChildProcess


class MeetingProcess(ChildProcess):
    """One meeting with the parents (workflows.meetings), from its invitation to its follow-up."""

    meeting = models.OneToOneField(ParentMeeting, on_delete=models.CASCADE, related_name="process")
    objects = ProcessQuerySet.as_manager()

    class Meta:
        default_manager_name = "objects"

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
        return self.was_held and self.meeting.actions.filter(staff__isnull=False, done_at__isnull=True).exists()


class TwoYearCheckProcess(ChildProcess):
    """The progress check at two (workflows.two_year_check): the check it follows and the meeting it uses."""

    check_record = models.OneToOneField(TwoYearCheck, on_delete=models.CASCADE, related_name="process")
    meeting = models.ForeignKey(ParentMeeting, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    objects = ProcessQuerySet.as_manager()

    class Meta:
        default_manager_name = "objects"

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

"""A handover from one key person to the next: what the new key person needs to care for the child.

One record whichever process asks for it (a room move, a change of key person). Little Caterpillars' policy:
"effective hand-overs and appropriate documentation"; Steps Ahead's: the change is made "at the child's pace
and sympathetically".
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from .children import Child
from .staff import Staff


class HandoverFor(models.TextChoices):
    ROOM_MOVE = "room_move", "Room move"
    KEY_PERSON_CHANGE = "key_person_change", "Change of key person"


class HandoverSource(models.TextChoices):
    KEY_PERSON = "key_person", "From the key person, in person"
    SECONDARY_AND_RECORDS = "records", "From the secondary and the records"


HANDOVER_TOPICS = ("routines", "sleep", "comforters", "interests", "what_helps", "next_steps", "sen_support")


class Handover(models.Model):
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="handovers")
    made_for = models.CharField(max_length=20, choices=HandoverFor.choices)
    from_staff = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    to_staff = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(max_length=20, choices=HandoverSource.choices, default=HandoverSource.KEY_PERSON)
    routines = models.TextField(blank=True)
    sleep = models.TextField(blank=True)
    comforters = models.TextField(blank=True)
    interests = models.TextField(blank=True)
    what_helps = models.TextField("what helps", blank=True)
    next_steps = models.TextField("next steps", blank=True)
    sen_support = models.TextField("SEN support", blank=True)
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    written_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-written_at"]

    def __str__(self) -> str:
        return f"Handover for {self.child} to {self.to_staff}"

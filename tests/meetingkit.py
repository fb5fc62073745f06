"""Driving the meeting and progress-check-at-two flows in tests."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from .flowkit import allocate, complete, introduce, register, the_task


def when(days: float = 2, hour: int = 10) -> str:
    at = timezone.localtime() + dt.timedelta(days=days)
    return at.replace(hour=hour, minute=0).strftime("%Y-%m-%d %H:%M")


def settled_child(setting, room, manager, key_person, other_key_person, **extra):
    """A child who started three weeks ago, allocated and introduced."""
    child = register(setting=setting, room=room, manager=manager, start_in_days=-21, **extra)
    allocate(child, manager, key_person, other_key_person)
    introduce(child, key_person.user)
    return child


DRAFT = {"communication": "Uses two-word phrases", "physical": "Climbs the steps", "personal_social": "Shares",
         "going_well": "Loves stories", "support_needed": "", "setting_plan": "Songs at circle time",
         "home_help": "Read together at bedtime"}


def draft_check(child, by, **extra):
    return complete(the_task(child, "draft"), by, **{**DRAFT, **extra})

"""The domain's extension points: what the apps above it add, registered from their AppConfig.ready().

`processes` is the lowest layer and imports none of the apps above it (import-linter's layers contract,
pyproject.toml). Where it must know about them (the records an upper app holds about a child, for retention
and subject access; the child's timeline on their record; the page a user lands on), the upper app fills
the hook here and the domain reads it. Registering again replaces what was there, so ready() may run twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet

from .lawful_basis import SECTIONS


@dataclass(frozen=True)
class HeldRecords:
    """Records an upper app keeps about a child.

    `section` names them in the subject access export (its lawful basis is in processes.lawful_basis);
    `export` gives them as plain rows; `retained` gives, for each retention kind (processes.retention), the
    querysets to count and delete with that kind, as (label, queryset). They are deleted before the domain's
    records of the same kind, which they may point at (an SEN workflow at its concern).
    """

    section: str
    export: Callable[[Any], list[dict[str, Any]]]
    retained: Callable[[Any], dict[str, list[tuple[str, QuerySet]]]]


@dataclass(frozen=True)
class ChildTimeline:
    """The child's timeline on their record: the partial `template`, given `timeline` by `build(child, user=)`."""

    template: str
    build: Callable[..., Any]


@dataclass
class _Registry:
    held_records: dict[str, HeldRecords] = field(default_factory=dict)
    timeline: ChildTimeline | None = None
    # The list of children until an upper app offers something better (the workflows app: the inbox).
    home_url_name: str = "child-list"


_registry = _Registry()


def held_records_register(records: HeldRecords) -> None:
    if records.section not in SECTIONS:
        raise ImproperlyConfigured(
            f"Records held about a child in section {records.section!r} need their lawful basis in "
            "processes.lawful_basis.SECTIONS (UK GDPR Art 15(1)).")
    _registry.held_records[records.section] = records


def held_records() -> list[HeldRecords]:
    return list(_registry.held_records.values())


def child_timeline_register(timeline: ChildTimeline) -> None:
    _registry.timeline = timeline


def child_timeline() -> ChildTimeline | None:
    return _registry.timeline


def home_page_register(url_name: str) -> None:
    _registry.home_url_name = url_name


def home_page() -> str:
    """The URL name a signed-in user lands on."""
    return _registry.home_url_name

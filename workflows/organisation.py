"""The organisation's view: every setting of a chain (or of a local authority's area) side by side, as figures.

For an area manager or a local authority's early years team (processes.OrganisationMember). Counts only, never
a child's name: a child's record needs a staff profile in that setting, under the setting's own rules. One query
per figure for all the settings together, whatever their number or size.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, F, Q
from django.utils import timezone

from processes.models import (
    AssignmentRole,
    Child,
    KeyPersonAssignment,
    LifecycleState,
    Organisation,
    Referral,
    Setting,
    Staff,
)
from processes.models.children import ATTENDING
from processes.register import ratio_breaches_on

from .models import InboxEntry


@dataclass
class SettingFigures:
    setting: Setting
    children: int = 0
    in_transition: int = 0
    without_key_person: int = 0
    overdue_tasks: int = 0
    key_persons: int = 0
    key_children: int = 0
    capacity: int = 0
    over_caseload: int = 0
    referrals_waiting: int = 0
    # Today's minutes and stretches below the ratios, any room (processes.register; EYFS 3.40-3.45).
    breach_minutes: int = 0
    breaches: int = 0

    @property
    def caseload_percent(self) -> int:
        return round(100 * self.key_children / self.capacity) if self.capacity else 0


def _by_setting(rows, key: str = "setting_id", value: str = "n") -> dict[int, int]:
    return {row[key]: row[value] for row in rows}


def organisation_overview(*, organisation: Organisation) -> list[SettingFigures]:
    settings = list(Setting.objects.filter(organisation=organisation).order_by("name"))
    ids = [s.pk for s in settings]
    attending = Child.objects.filter(setting_id__in=ids, state__in=ATTENDING)
    children = attending.order_by().values("setting_id").annotate(
        n=Count("pk"), moving=Count("pk", filter=Q(state=LifecycleState.IN_TRANSITION)))
    counted = {row["setting_id"]: row for row in children}
    with_key_person = _by_setting(
        KeyPersonAssignment.objects.current().filter(child__in=attending, role=AssignmentRole.PRIMARY,
                                                     staff__user__is_active=True)
        .order_by().values(setting_id=F("child__setting_id")).annotate(n=Count("child_id", distinct=True)))
    overdue = _by_setting(InboxEntry.objects.filter(setting_id__in=ids, is_open=True, due_at__lt=timezone.now())
                          .order_by().values("setting_id").annotate(n=Count("pk")))
    staff_rows = _staff_figures(ids)
    waiting = _by_setting(Referral.objects.filter(concern__child__setting_id__in=ids, concluded_on__isnull=True)
                          .order_by().values(setting_id=F("concern__child__setting_id")).annotate(n=Count("pk")))
    below_ratio = ratio_breaches_on(settings, timezone.localdate())
    figures = []
    for setting in settings:
        row = counted.get(setting.pk, {"n": 0, "moving": 0})
        staff = staff_rows.get(setting.pk, {})
        figures.append(SettingFigures(
            setting=setting, children=row["n"], in_transition=row["moving"],
            without_key_person=row["n"] - with_key_person.get(setting.pk, 0),
            overdue_tasks=overdue.get(setting.pk, 0), referrals_waiting=waiting.get(setting.pk, 0), **staff,
            breach_minutes=below_ratio[setting.pk].minutes, breaches=below_ratio[setting.pk].times,
        ))
    return figures


def _staff_figures(ids: list[int]) -> dict[int, dict]:
    """Key persons, their key children, the caseload they can carry and how many are over it, per setting."""
    current = Q(assignments__ends_on__isnull=True, assignments__role=AssignmentRole.PRIMARY)
    out: dict[int, dict] = {}
    rows = (Staff.objects.filter(setting_id__in=ids, is_key_person=True, user__is_active=True)
            .order_by().annotate(primaries=Count("assignments", filter=current))
            .values_list("setting_id", "max_caseload", "primaries"))
    for setting_id, most, primaries in rows:
        figures = out.setdefault(setting_id, {"key_persons": 0, "key_children": 0, "capacity": 0,
                                              "over_caseload": 0})
        figures["key_persons"] += 1
        figures["key_children"] += primaries
        figures["capacity"] += most
        figures["over_caseload"] += primaries > most
    return out

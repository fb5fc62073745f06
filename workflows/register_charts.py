"""The register's weekly series for the dashboard's pictures (workflows.charts.weekly_series_register): children
signed in per week, and minutes any room spent below the ratios per week (EYFS 3.40-3.45 via processes.ratios).
Each reads the whole span at once, so the dashboard's query count does not grow with the weeks or children."""

from __future__ import annotations

import datetime as dt

from processes.models import Setting
from processes.register import attendance_by_day, ratio_breaches_by_day

from .charts import WeeklySeries


def _per_week(by_day: dict[dt.date, int], endings: list[dt.date]) -> list[int]:
    return [sum(by_day.get(end - dt.timedelta(days=n), 0) for n in range(7)) for end in endings]


def _span(endings: list[dt.date]) -> tuple[dt.date, dt.date]:
    return endings[0] - dt.timedelta(days=6), endings[-1]


def attendance_weeks(setting_id: int, endings: list[dt.date]) -> list[int]:
    """Children signed in each week (a child counts once per day they came): one query."""
    if not endings:
        return []
    # Only the setting's key is needed to filter, so no query to read the setting itself.
    return _per_week(attendance_by_day(Setting(pk=setting_id), *_span(endings)), endings)


def ratio_breach_weeks(setting_id: int, endings: list[dt.date]) -> list[int]:
    """Minutes below the ratios each week, any room: three queries (the setting's closing time, then the
    children's and staff's stays)."""
    if not endings:
        return []
    setting = Setting.objects.only("pk", "closes_at").get(pk=setting_id)
    return _per_week(ratio_breaches_by_day(setting, *_span(endings)), endings)


# The register page lists the rooms, each linking to its day's history (the timeline the breaches come from).
ATTENDANCE = WeeklySeries(key="attendance", title="Children attended, by week", url_name="register",
                          desc="How many child-days were signed in on the register each week.",
                          build=attendance_weeks, value_heading="Children attended")
RATIO_BREACHES = WeeklySeries(key="ratio-breaches", title="Minutes below ratio, by week", url_name="register",
                              desc="Minutes any room spent with fewer staff than the ratios need, each week.",
                              build=ratio_breach_weeks, value_heading="Minutes below ratio")

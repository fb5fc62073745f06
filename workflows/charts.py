"""Pictures for the manager's dashboard, drawn as SVG on the server (no script, no CDN; the CSP allows only
Keyflow's own files, so the SVG carries its colours as presentation attributes, never as style).

Each chart is built from plain series (labels or dates, and numbers), so any app can hand one over: a bar chart
of values against an optional limit (caseload against maximum), and a weekly column chart (overdue tasks, and
through `weekly_series_register`, the register's attendance and ratio breaches). Every chart has an SVG title
and description and a table alternative (templates/workflows/_chart_*.html), and links to the list it sums up.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from processes.dates import day_text

from .models import InboxEntry, ProcessKind, node_title

WIDTH = 600
BAR_HEIGHT = 22
BAR_GAP = 8
LABEL_WIDTH = 170
COLUMN_CHART_HEIGHT = 180
WEEKS_SHOWN = 12


@dataclass
class Bar:
    label: str
    value: int
    limit: int | None = None
    # Filled in by bar_chart: where to draw it.
    y: int = 0
    width: float = 0
    limit_x: float | None = None
    over: bool = False


@dataclass
class BarChart:
    key: str
    title: str
    desc: str
    href: str
    bars: list[Bar]
    height: int = 0
    label_width: int = LABEL_WIDTH
    plot_width: int = WIDTH - LABEL_WIDTH - 40
    value_heading: str = "Count"


def bar_chart(*, key: str, title: str, desc: str, href: str, bars: Sequence[Bar],
              value_heading: str = "Count") -> BarChart:
    """Horizontal bars, one per row, scaled to the largest value or limit; a limit is drawn as a mark."""
    chart = BarChart(key=key, title=title, desc=desc, href=href, bars=list(bars), value_heading=value_heading)
    top = max([1] + [b.value for b in chart.bars] + [b.limit or 0 for b in chart.bars])
    for i, bar in enumerate(chart.bars):
        bar.y = i * (BAR_HEIGHT + BAR_GAP)
        bar.width = round(chart.plot_width * bar.value / top, 1)
        if bar.limit is not None:
            bar.limit_x = round(chart.label_width + chart.plot_width * bar.limit / top, 1)
            bar.over = bar.value > bar.limit
    chart.height = max(BAR_HEIGHT, len(chart.bars) * (BAR_HEIGHT + BAR_GAP))
    return chart


@dataclass
class Column:
    week_ending: dt.date
    value: int
    x: float = 0
    y: float = 0
    height: float = 0

    @property
    def label(self) -> str:
        return day_text(self.week_ending, year=False)


@dataclass
class ColumnChart:
    key: str
    title: str
    desc: str
    href: str
    columns: list[Column]
    top: int = 0
    width: int = WIDTH
    height: int = COLUMN_CHART_HEIGHT
    column_width: float = 0
    value_heading: str = "Count"


def week_chart(*, key: str, title: str, desc: str, href: str, points: Sequence[tuple[dt.date, int]],
               value_heading: str = "Count") -> ColumnChart:
    """One column per week (its last day and a number), oldest first."""
    chart = ColumnChart(key=key, title=title, desc=desc, href=href, value_heading=value_heading,
                        columns=[Column(week_ending=day, value=value) for day, value in points])
    chart.top = max([1] + [c.value for c in chart.columns])
    slot = chart.width / max(1, len(chart.columns))
    chart.column_width = round(slot * 0.7, 1)
    plot = chart.height - 30  # room for the week labels underneath
    for i, column in enumerate(chart.columns):
        column.height = round(plot * column.value / chart.top, 1)
        column.x = round(i * slot + (slot - chart.column_width) / 2, 1)
        column.y = round(plot - column.height, 1)
    return chart


# Series other apps add to the dashboard (the register's attendance and ratio breaches): each a function of
# (setting_id, week endings) returning one number per week, in a fixed number of queries. Filled in from an
# AppConfig.ready(); the dashboard draws each as a week_chart.
@dataclass(frozen=True)
class WeeklySeries:
    key: str
    title: str
    desc: str
    url_name: str
    build: Callable[[int, list[dt.date]], list[int]]
    value_heading: str = "Count"


WEEKLY_SERIES: list[WeeklySeries] = []


def weekly_series_register(series: WeeklySeries) -> None:
    if all(s.key != series.key for s in WEEKLY_SERIES):
        WEEKLY_SERIES.append(series)


def week_endings(today: dt.date, weeks: int = WEEKS_SHOWN) -> list[dt.date]:
    """The last `weeks` Sundays up to today (today itself last, for the week so far)."""
    return [today - dt.timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]


def caseload_chart(caseloads) -> BarChart:
    """From the dashboard's caseload rows (already read: no query of its own)."""
    return bar_chart(
        key="caseload", title="Key children per key person", href="#h-caseloads", value_heading="Key children",
        desc="Each key person's key children as a bar, their maximum as a mark; a red bar is over the maximum.",
        bars=[Bar(label=s.name, value=s.primaries, limit=s.max_caseload) for s in caseloads])


def pipeline_chart(setting_id: int) -> BarChart:
    """Open steps of the setting's processes, by kind and step: one query."""
    rows = (InboxEntry.objects.filter(setting_id=setting_id, is_open=True).values("kind", "flow_task")
            .annotate(n=Count("task")).order_by("kind", "flow_task"))
    kinds = dict(ProcessKind.choices)
    bars = [Bar(label=f"{kinds.get(r['kind'], r['kind'])}: {node_title(r['flow_task'])}", value=r["n"])
            for r in rows]
    return bar_chart(key="pipeline", title="Processes in progress, by step", href=reverse("inbox"),
                     desc="How many open steps wait at each stage of each kind of process.", bars=bars,
                     value_heading="Open steps")


def overdue_chart(setting_id: int, endings: list[dt.date]) -> ColumnChart:
    """How many tasks were overdue at the end of each of the last weeks: one query (one count per week)."""
    tz = timezone.get_current_timezone()
    counts = {}
    for i, day in enumerate(endings):
        moment = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        if moment > timezone.now():
            moment = timezone.now()
        counts[f"w{i}"] = Count("task", filter=Q(due_at__lt=moment, task__created__lt=moment)
                                & (Q(task__finished__isnull=True) | Q(task__finished__gt=moment)))
    totals = InboxEntry.objects.filter(setting_id=setting_id, due_at__isnull=False).aggregate(**counts)
    return week_chart(key="overdue", title=f"Overdue tasks, last {len(endings)} weeks", href="#h-overdue",
                      desc="Tasks past their due date at the end of each week.", value_heading="Overdue",
                      points=[(day, totals[f"w{i}"] or 0) for i, day in enumerate(endings)])


@dataclass
class Charts:
    bars: list[BarChart] = field(default_factory=list)
    weeks: list[ColumnChart] = field(default_factory=list)


def dashboard_charts(*, setting_id: int, caseloads, today: dt.date | None = None) -> Charts:
    endings = week_endings(today or timezone.localdate())
    charts = Charts(bars=[caseload_chart(caseloads), pipeline_chart(setting_id)],
                    weeks=[overdue_chart(setting_id, endings)])
    for series in WEEKLY_SERIES:
        charts.weeks.append(week_chart(key=series.key, title=series.title, desc=series.desc,
                                       href=reverse(series.url_name), value_heading=series.value_heading,
                                       points=list(zip(endings, series.build(setting_id, endings), strict=True))))
    return charts

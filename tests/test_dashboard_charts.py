"""The dashboard's pictures: built from plain series, each with a title, a description and a table alternative,
linking to the list it sums up, in a fixed number of queries (tests/test_dashboard.py pins the page)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from processes import services, sessions
from workflows import charts, register_charts
from workflows.models import InboxEntry

from .factories import ChildFactory, StaffFactory
from .flowkit import register


def test_a_weekly_chart_draws_plain_dates_and_numbers_to_scale():
    monday = dt.date(2026, 11, 30)
    chart = charts.week_chart(key="k", title="T", desc="D", href="/x/",
                              points=[(monday, 0), (monday + dt.timedelta(weeks=1), 4), (monday, 2)])
    heights = [c.height for c in chart.columns]
    assert heights[0] == 0 and heights[1] == chart.height - 30 and heights[2] == heights[1] / 2


def test_a_key_person_over_their_maximum_is_drawn_red_with_the_maximum_marked():
    chart = charts.bar_chart(key="c", title="T", desc="D", href="#", bars=[
        charts.Bar(label="Ana", value=9, limit=8), charts.Bar(label="Ben", value=4, limit=8)])
    ana, ben = chart.bars
    assert ana.over and not ben.over
    assert ana.limit_x == ben.limit_x and ana.width > ben.width


def test_the_pipeline_counts_open_steps_by_kind_and_step(setting, room, manager):
    for i in range(3):
        register(setting=setting, room=room, manager=manager, first_name=f"C{i}")
    chart = charts.pipeline_chart(setting.pk)
    assert [(b.label, b.value) for b in chart.bars] == [("Key person allocation: Allocate a key person", 3)]


def test_overdue_weeks_count_a_task_in_each_week_it_was_overdue(setting, room, manager):
    register(setting=setting, room=room, manager=manager)
    entry = InboxEntry.objects.get()
    entry.due_at = timezone.now() - dt.timedelta(weeks=2, days=1)
    entry.save(update_fields=["due_at"])
    entry.task.__class__.objects.filter(pk=entry.task_id).update(created=timezone.now() - dt.timedelta(weeks=5))
    chart = charts.overdue_chart(setting.pk, charts.week_endings(timezone.localdate()))
    assert [c.value for c in chart.columns][-4:] == [0, 1, 1, 1]


def test_another_apps_weekly_series_is_drawn_through_the_hook(client, setting, manager, monkeypatch):
    monkeypatch.setattr(charts, "WEEKLY_SERIES", [])
    charts.weekly_series_register(charts.WeeklySeries(
        key="ratio-breaches", title="Ratio breaches", desc="Breaches per week.", url_name="inbox",
        build=lambda setting_id, endings: [1] * len(endings)))
    client.force_login(manager.user)
    page = client.get(reverse("dashboard")).content.decode()
    assert 'id="chart-ratio-breaches"' in page and "<desc" in page


def test_each_picture_has_a_title_a_description_a_table_and_a_link(client, setting, room, manager, key_person):
    register(setting=setting, room=room, manager=manager)
    client.force_login(manager.user)
    page = client.get(reverse("dashboard")).content.decode()
    for key, href in (("caseload", "#h-caseloads"), ("pipeline", reverse("inbox")), ("overdue", "#h-overdue")):
        assert f'id="chart-{key}-t"' in page and f'id="chart-{key}-d"' in page
        assert f'<figcaption><a href="{href}">' in page
    assert page.count("<summary>As a table</summary>") == 5
    assert "style=" not in page.split('id="h-charts"')[1].split("</section>")[0]  # the CSP forbids inline style


@pytest.mark.parametrize("children", [2, 20])
def test_the_charts_read_a_fixed_number_of_queries(setting, room, manager, children, django_assert_num_queries):
    for i in range(children):
        register(setting=setting, room=room, manager=manager, first_name=f"C{i}")
    # A day of the register in each size: one child signed in per registered child, one adult in the room.
    _register_day(setting, room, manager, timezone.localdate() - dt.timedelta(days=1), babies=children)
    # the open steps, the overdue weeks; the register's attendance (1), its ratio breaches (setting, children's
    # and staff's stays: 3)
    with django_assert_num_queries(6):
        drawn = charts.dashboard_charts(setting_id=setting.pk, caseloads=[])
    assert {c.key: c.columns[-1].value for c in drawn.weeks}["attendance"] == children


def _register_day(setting, room, manager, day, *, babies: int, late_baby: bool = False):
    """One qualified adult 9:00-15:00 and `babies` babies in all day (a last one 10:00-10:30 if `late_baby`)."""
    helper = StaffFactory(setting=setting, qualification_level=3, first_aid_until=day)
    at = timezone.make_aware(dt.datetime.combine(day, dt.time(9)))
    services.staff_sign_in(staff=helper, by=manager.user, room=room, at=at)
    for i in range(babies + late_baby):
        child = ChildFactory(setting=setting, room=room, date_of_birth=day - dt.timedelta(days=300),
                             start_date=day - dt.timedelta(days=60), attending_sessions=sessions.ALL)
        late = late_baby and i == babies
        came = at + dt.timedelta(hours=1 if late else 0, minutes=i % 30)
        services.child_sign_in(child=child, by=manager.user, at=came)
        services.child_sign_out(child=child, by=manager.user, collected_by="Mum",
                                at=came + dt.timedelta(minutes=30 if late else 300))
    services.staff_sign_out(staff=helper, by=manager.user, at=at + dt.timedelta(hours=6))


def test_the_registers_weeks_count_child_days_and_minutes_below_ratio(setting, room, manager):
    room.children_per_adult = 3
    room.save()
    day = timezone.localdate() - dt.timedelta(days=1)
    _register_day(setting, room, manager, day, babies=3, late_baby=True)  # the fourth baby: 30 minutes below
    _register_day(setting, room, manager, day - dt.timedelta(days=14), babies=2)
    endings = charts.week_endings(timezone.localdate())

    assert register_charts.attendance_weeks(setting.pk, endings)[-3:] == [2, 0, 4]
    assert register_charts.ratio_breach_weeks(setting.pk, endings)[-3:] == [0, 0, 30]


def test_the_registers_pictures_are_on_the_dashboard_linking_to_the_register(client, setting, manager):
    client.force_login(manager.user)
    page = client.get(reverse("dashboard")).content.decode()
    for key in ("attendance", "ratio-breaches"):
        assert f'id="chart-{key}-t"' in page
    assert page.count(f'<figcaption><a href="{reverse("register")}">') == 2

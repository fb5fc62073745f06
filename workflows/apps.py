from django.apps import AppConfig


class WorkflowsConfig(AppConfig):
    name = "workflows"
    verbose_name = "Workflows"

    def ready(self) -> None:
        from processes import hooks

        from . import charts, checks, receivers, register_charts  # noqa: F401
        from .child_records import HELD_ABOUT_A_CHILD
        from .timeline import child_timeline

        # The domain's hooks (processes.hooks): what this app adds to retention, subject access, a child's
        # record and the page a user lands on.
        hooks.held_records_register(HELD_ABOUT_A_CHILD)
        hooks.child_timeline_register(hooks.ChildTimeline(template="workflows/_child_timeline.html",
                                                          build=child_timeline))
        hooks.home_page_register("inbox")
        # The register's attendance and ratio breaches, drawn on the dashboard beside the overdue weeks.
        charts.weekly_series_register(register_charts.ATTENDANCE)
        charts.weekly_series_register(register_charts.RATIO_BREACHES)

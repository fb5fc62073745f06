"""`manage.py workflow_health`: duplicated steps, stuck tasks and stuck processes (workflows.health).

Exits with status 1 if there is any, so a script (scripts/load.sh) can fail on it.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from workflows.health import workflow_anomalies


class Command(BaseCommand):
    help = "Check the workflow tables for duplicated or stuck tasks and processes nobody can move on."

    def handle(self, *args, **options) -> None:
        found = workflow_anomalies()
        for name, items in found.items():
            self.stdout.write(f"{name.replace('_', ' ')}: {len(items)}" + (f"  {items[:20]}" if items else ""))
        if any(found.values()):
            raise CommandError("The workflow tables are not healthy.")
        self.stdout.write(self.style.SUCCESS("No duplicated or stuck tasks; every open process has a task."))

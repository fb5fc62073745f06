"""`manage.py load_demo`: the demo setting `make run` starts with (built by demo.build)."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo.build import demo_load
from demo.context import DemoError
from demo.data import SETTING_NAME
from demo.reset import demo_login_line
from processes.models import LifecycleState


class Command(BaseCommand):
    help = (
        f'Build the demo setting "{SETTING_NAME}" (rooms, staff, families, children at every stage). '
        "Does nothing if it is already there; --reset deletes it and builds it again."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--reset", action="store_true",
            help="Delete the demo setting (only that one, with its users) and build it again.",
        )

    def handle(self, *args, reset: bool = False, **options) -> None:
        try:
            result = demo_load(reset=reset)
        except DemoError as exc:
            raise CommandError(str(exc)) from None
        counts = result.counts
        if result.created:
            states = ", ".join(
                f"{counts['states'][state]} {label.lower()}" for state, label in LifecycleState.choices
                if counts["states"].get(state)
            )
            self.stdout.write(self.style.SUCCESS(
                f'Built the demo setting "{result.setting}" in {result.seconds:.1f}s: {counts["rooms"]} rooms, '
                f'{counts["staff"]} staff, {counts["children"]} children ({states}), '
                f'{counts["guardians"]} parents/carers, {counts["assignments"]} key person assignments, '
                f'{counts["consents"]} consent records.'
            ))
        else:
            self.stdout.write(
                f'The demo setting "{result.setting}" is already there ({counts["children"]} children): '
                "nothing changed. Use --reset to rebuild it."
            )
        self.stdout.write(demo_login_line(settings.KEYFLOW["BASE_URL"]))

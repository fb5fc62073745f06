from __future__ import annotations

from django.apps import AppConfig


class ProbeConfig(AppConfig):
    # An app of its own because viewflow stores a flow by the app that holds it ("probe/flows.ProbeFlow").
    # No models, so no migrations: a database is the same with it installed or not.
    name = "tests.probe"
    label = "probe"

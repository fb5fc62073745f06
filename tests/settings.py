"""The settings the tests run with: Keyflow's own, plus the probe flow (tests/probe) the step-cost tests drive."""

from keyflow.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "tests.probe"]  # noqa: F405

"""The benchmark's settings (scripts/bench.py): Keyflow's own, plus the probe flow (tests/probe) whose plain step
it times. Keyflow itself never installs it."""

from keyflow.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "tests.probe"]  # noqa: F405

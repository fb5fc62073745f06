"""A flow for measuring, never for the nursery: installed only by the test settings (tests/settings.py) and the
benchmark's (scripts/bench_settings.py), so Keyflow itself never loads it."""

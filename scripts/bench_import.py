#!/usr/bin/env python
"""Time the CSV import of a large children's file: checked whole, then written in one transaction.

Builds a throwaway database (SQLite file under var/ by default, or --database-url postgres://…), imports the
test suite's rooms and staff, then a file of --children children with a parent each, through the same job the
worker runs (processes.tasks.run_import_job), and prints the time of each phase. A measurement, not a test.

    .venv/bin/python scripts/bench_import.py                       # 5,000 children, SQLite
    .venv/bin/python scripts/bench_import.py --database-url postgres://postgres@127.0.0.1:5432/keyflow_bench_import
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, default=5000)
    parser.add_argument("--database-url", default=f"sqlite:///{ROOT / 'var' / 'bench_import.sqlite3'}")
    args = parser.parse_args()
    if args.database_url.startswith("sqlite:///"):
        path = Path(args.database_url.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.unlink(missing_ok=True)
    else:
        sys.path.insert(0, str(ROOT / "scripts"))
        from bench_sweep import _recreate

        _recreate(args.database_url)
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keyflow.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from processes.models import Child, ImportStatus
    from tests.factories import SettingFactory, StaffFactory
    from tests.test_csv_import import bring_in, child_row, run

    setting = SettingFactory(name="Bench Nursery")
    manager = StaffFactory(setting=setting, manager=True, user__username="bench-manager")
    bring_in(setting, manager)
    rows = [child_row(n) for n in range(args.children)]
    started = time.monotonic()
    job = run(setting, manager, "children", rows)
    seconds = time.monotonic() - started
    written = Child.objects.filter(setting=setting).count()
    print(f"{args.children:,}-child file on {django.db.connection.vendor}: {job.get_status_display()} in "
          f"{seconds:.1f} s ({seconds / args.children * 1000:.1f} ms a row, checked and written); "
          f"{written:,} children in the setting")
    if job.status != ImportStatus.DONE:
        sys.exit(f"the import did not finish: {job.errors[:3]}")


if __name__ == "__main__":
    main()

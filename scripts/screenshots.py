#!/usr/bin/env python3
"""Take the README's screenshots again: the main pages (inbox, child record, task, dashboard, SEN record) at
1366x768, 768x1024 and 390x844, as PNGs in docs/screenshots/. They are made by a marked browser test with the
test suite's own data (a throwaway in-memory database, Debian's chromium), so nothing real is ever pictured.

    .venv/bin/python scripts/screenshots.py
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

if __name__ == "__main__":
    env = dict(os.environ, KEYFLOW_SCREENSHOTS="1")
    env.pop("DATABASE_URL", None)  # SQLite in memory: the pictures need no database of yours
    sys.exit(subprocess.call(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         "tests/test_browser_pages.py::test_screenshots_of_the_main_pages"],
        cwd=ROOT, env=env,
    ))

"""Read Locust's statistics and gunicorn's access log after `make load`: print p95 per request, fail on a 5xx."""

from __future__ import annotations

import csv
import re
import sys
from collections import Counter


def main(stats_path: str, access_log: str) -> int:
    with open(stats_path, newline="") as f:
        rows = list(csv.DictReader(f))
    print(f"{'request':<22}{'count':>8}{'fails':>7}{'median ms':>11}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}")
    for row in rows:
        print(f"{row['Name']:<22}{row['Request Count']:>8}{row['Failure Count']:>7}{row['50%']:>11}"
              f"{row['95%']:>9}{row['99%']:>9}{float(row['Max Response Time']):>9.0f}")
    statuses = Counter()
    with open(access_log) as f:
        for line in f:
            found = re.search(r'" (\d{3}) ', line)
            if found:
                statuses[found.group(1)] += 1
    print("HTTP statuses:", dict(sorted(statuses.items())))
    errors = sum(n for code, n in statuses.items() if code.startswith("5"))
    failures = sum(int(r["Failure Count"]) for r in rows if r["Name"] != "Aggregated")
    if errors or failures:
        print(f"FAILED: {errors} server errors (5xx), {failures} failed requests.")
        return 1
    print("No 5xx.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))

"""`manage.py purge_expired_records`: what the nightly Celery beat job does, by hand (processes.retention)."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from processes.services import retention_purge


class Command(BaseCommand):
    help = "Delete the records past their retention period (and audit it). Children under a legal hold are kept."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Say what would be deleted; delete nothing.")
        parser.add_argument("--today", help="Purge as of this date (YYYY-MM-DD) instead of today.")

    def handle(self, *args, dry_run: bool = False, today: str | None = None, **options) -> None:
        try:
            as_of = dt.date.fromisoformat(today) if today else None
        except ValueError:
            raise CommandError(f"--today must be a date like 2026-09-01, not {today!r}.") from None
        purged = retention_purge(today=as_of, dry_run=dry_run)
        verb = "Would purge" if dry_run else "Purged"
        for report in purged:
            counts = ", ".join(f"{n} {label}" for label, n in report.counts.items())
            self.stdout.write(f"{verb} child #{report.child_id} ({', '.join(report.kinds)}): {counts}"
                              + ("; the child's record" if report.child_deleted else ""))
        self.stdout.write(self.style.SUCCESS(f"{verb} records of {len(purged)} child(ren)."))

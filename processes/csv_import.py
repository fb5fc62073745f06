"""Bringing a CSV file in: the whole file checked first, nothing written unless every row is good.

An import is a job (ImportJob) the worker runs (processes.tasks.import_job_run). It reads the file with
django-import-export's CSV format (tablib), checks the header against the documented columns
(processes.csv_columns), then makes two passes over the rows, both through the services every other entry point
calls (processes.csv_rows):

1. Check: every row is run through its service in a transaction that is rolled back, a block of rows at a time,
   so each bad row and column is reported with the service's own reason, and the job's progress is committed
   after each block for the page's progress bar. Duplicates inside the file are caught by their natural keys.
2. Write: only if no row was refused, every row again in ONE transaction: any refusal now (someone changed a
   record meanwhile) rolls the whole file back and is reported.

Importing the same file twice changes nothing: every row finds its record again by its natural key.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterator

from django.db import transaction
from django.utils import timezone
from import_export.formats.base_formats import CSV

from .csv_columns import COLUMNS
from .csv_rows import HANDLERS, KEYS
from .errors import RuleViolation
from .models import ImportJob, ImportKind, ImportStatus, Setting
from .services import audit_batch, audit_record
from .services.children import _require_manager

logger = logging.getLogger(__name__)

CHECK_BLOCK = 250  # rows checked between two progress updates
MAX_ROWS = 20_000
MAX_BYTES = 10 * 1024 * 1024


class _RollBack(Exception):
    pass


def _error(row: int, field: str | None, message: str) -> dict:
    return {"row": row, "field": field or "", "message": message}


def parse(kind: str, text: str) -> tuple[list[tuple[int, dict]], list[dict]]:
    """The rows read into values (with their line numbers as a spreadsheet shows them: the header is 1), and
    every cell that could not be read."""
    text = text.lstrip("\ufeff")  # a spreadsheet's byte-order mark
    try:
        dataset = CSV().create_dataset(text)
    except Exception as exc:  # tablib raises whatever the csv module or its own checks raise
        return [], [_error(1, None, f"The file cannot be read as CSV: {exc}")]
    columns = COLUMNS[kind]
    headers = [h.strip().lower() for h in (dataset.headers or [])]
    missing = [c.name for c in columns if c.required and c.name not in headers]
    unknown = [h for h in headers if h and h not in {c.name for c in columns}]
    if missing or unknown or not headers:
        parts = []
        if missing:
            parts.append(f"missing column(s) {', '.join(missing)}")
        if unknown:
            parts.append(f"unknown column(s) {', '.join(unknown)}")
        return [], [_error(1, None, "The header row does not match the template: " + ("; ".join(parts) or
                                                                                    "it is empty") + ".")]
    rows, errors = [], []
    for number, raw in enumerate(dataset.dict, start=2):
        cells = {h.strip().lower(): v for h, v in raw.items()}
        if not any((str(v or "")).strip() for v in cells.values()):
            continue  # a blank line
        values, bad = {}, False
        for column in columns:
            if column.coming:
                continue
            try:
                values[column.name] = column.read(str(cells.get(column.name) or ""))
            except RuleViolation as exc:
                errors.append(_error(number, exc.field, exc.message))
                bad = True
        if not bad:
            rows.append((number, values))
    return rows, errors


def _duplicates(kind: str, rows: list[tuple[int, dict]]) -> list[dict]:
    seen: dict[tuple, int] = {}
    errors = []
    for number, values in rows:
        key = KEYS[kind](values)
        if key in seen:
            errors.append(_error(number, None, f"A duplicate of row {seen[key]}."))
        else:
            seen[key] = number
    return errors


def _blocks(rows: list, size: int) -> Iterator[list]:
    for start in range(0, len(rows), size):
        yield rows[start:start + size]


def _run_row(kind: str, setting: Setting, by, number: int, values: dict, errors: list[dict],
             counts: Counter) -> None:
    try:
        with transaction.atomic():
            counts[HANDLERS[kind](setting=setting, by=by, row=values)] += 1
    except RuleViolation as exc:
        errors.append(_error(number, exc.field, exc.message))


def check_rows(*, kind: str, setting: Setting, by, rows: list[tuple[int, dict]], job: ImportJob | None = None
               ) -> tuple[list[dict], Counter]:
    """Run every row through its service and roll it all back: the refusals, and what a write would do."""
    errors: list[dict] = []
    counts: Counter = Counter()
    for block in _blocks(rows, CHECK_BLOCK):
        try:
            # The services' audit rows are held (audit_batch) and dropped with the roll-back: never inserted.
            with transaction.atomic(), audit_batch():
                for number, values in block:
                    _run_row(kind, setting, by, number, values, errors, counts)
                raise _RollBack
        except _RollBack:
            pass
        if job is not None:
            job.checked_rows += len(block)
            job.save(update_fields=["checked_rows"])
    return errors, counts


def write_rows(*, kind: str, setting: Setting, by, rows: list[tuple[int, dict]]) -> tuple[list[dict], Counter]:
    errors: list[dict] = []
    counts: Counter = Counter()
    try:
        with transaction.atomic(), audit_batch():  # the file's audit rows in one INSERT, with the records
            for number, values in rows:
                _run_row(kind, setting, by, number, values, errors, counts)
            if errors:
                raise _RollBack
    except _RollBack:
        return errors, Counter()
    return errors, counts


def import_job_create(*, setting: Setting, by, kind: str, content: str, file_name: str = "") -> ImportJob:
    """A file the manager brought in, waiting for the worker."""
    _require_manager(by, setting.pk, "import records")
    if kind not in ImportKind.values:
        raise RuleViolation("Choose what the file holds.", field="kind")
    if len(content.encode()) > MAX_BYTES:
        raise RuleViolation("The file is larger than 10 MB: split it.", field="file")
    job = ImportJob.objects.create(setting=setting, kind=kind, content=content, file_name=file_name[:200],
                                   created_by=by)
    audit_record(actor=by, action="create", record=job, setting_id=setting.pk,
                 summary=f"Uploaded {file_name or 'a file'} to import {job.get_kind_display().lower()}")
    return job


def import_job_run(*, job: ImportJob) -> ImportJob:
    """Check the job's file, then write it if every row is good (the worker's task calls this). A fault in the
    code (not a refused row) marks the job failed, with nothing written, rather than leaving it "checking"."""
    try:
        return _run(job)
    except Exception:
        logger.exception("Import job %s failed", job.pk)
        job.status, job.finished_at = ImportStatus.FAILED, timezone.now()
        job.errors = [_error(1, None, "The import stopped on an unexpected fault: nothing was written. The "
                                      "administrator has the details in the log.")]
        job.save(update_fields=["status", "finished_at", "errors"])
        return job


def _run(job: ImportJob) -> ImportJob:
    by, setting, kind = job.created_by, job.setting, job.kind
    rows, errors = parse(kind, job.content)
    if len(rows) > MAX_ROWS:
        errors.append(_error(1, None, f"The file has more than {MAX_ROWS} rows: split it."))
    duplicates = _duplicates(kind, rows)
    errors += duplicates
    job.total_rows, job.status = len(rows), ImportStatus.CHECKING
    job.save(update_fields=["total_rows", "status"])
    # Every row that could be read goes through its service, even when others could not: the report lists
    # every bad row at once, not the first only.
    repeated = {e["row"] for e in duplicates}
    refused, _ = check_rows(kind=kind, setting=setting, by=by, job=job,
                            rows=[(n, values) for n, values in rows if n not in repeated])
    errors += refused
    counts: Counter = Counter()
    if not errors:
        job.status = ImportStatus.WRITING
        job.save(update_fields=["status"])
        errors, counts = write_rows(kind=kind, setting=setting, by=by, rows=rows)
    job.errors = sorted(errors, key=lambda e: e["row"])
    job.counts = dict(counts)
    job.status = ImportStatus.REFUSED if errors else ImportStatus.DONE
    job.finished_at = timezone.now()
    job.save(update_fields=["errors", "counts", "status", "finished_at"])
    summary = (f"Imported {job.get_kind_display().lower()}: " + ", ".join(f"{n} {what}" for what, n in counts.items())
               if not errors else f"Refused the {job.get_kind_display().lower()} file: {len(errors)} row(s) to correct")
    audit_record(actor=by, action="import", record=job, setting_id=setting.pk, summary=summary,
                 outcome="ok" if not errors else "refused")
    return job

#!/usr/bin/env python
"""Benchmark the reminder (and escalation) sweep over many open tasks in PostgreSQL.

Builds a throwaway database (dropped and made again), fills it with --tasks open workflow tasks in a few seconds
(INSERT … SELECT over generate_series into viewflow's process and task tables, Keyflow's ChildProcess and
InboxEntry, with the children they belong to), then runs the sweeps and prints the elapsed time, the number of
batches and the queries each batch ran. E-mails are queued on an in-memory broker (nothing is sent).

    make bench-sweep                                  # 100,000 tasks, batches of 500
    .venv/bin/python scripts/bench_sweep.py --tasks 100000 --batch-size 1000 --all-due

A benchmark, not a test: it asserts nothing about time. `--all-due` puts every task inside the reminder
window (the worst case: every task reminded); by default due dates spread over [-5 days, +20 days).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=100_000)
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--key-persons", type=int, default=250)
    parser.add_argument("--all-due", action="store_true", help="every task falls due within the reminder lead")
    parser.add_argument("--database-url", default=os.environ.get(
        "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/keyflow_bench_sweep"))
    parser.add_argument("--keep", action="store_true", help="leave the throwaway database in place")
    return parser.parse_args()


def _recreate(url: str) -> None:
    import environ
    import psycopg
    from psycopg import sql

    db = environ.Env.db_url_config(url)
    if not db["ENGINE"].endswith("postgresql"):
        sys.exit("The sweep benchmark needs PostgreSQL: pass --database-url postgres://…")
    params = {"host": db["HOST"] or "127.0.0.1", "port": db["PORT"] or 5432, "user": db["USER"] or "postgres"}
    if db["PASSWORD"]:
        params["password"] = db["PASSWORD"]
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(db["NAME"])))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(db["NAME"])))


def _drop(url: str) -> None:
    import environ
    import psycopg
    from psycopg import sql

    db = environ.Env.db_url_config(url)
    params = {"host": db["HOST"] or "127.0.0.1", "port": db["PORT"] or 5432, "user": db["USER"] or "postgres"}
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(db["NAME"])))


def _build(tasks: int, key_persons: int, all_due: bool) -> None:
    """The setting, its staff, and `tasks` children each with one open task, mostly a key person's."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
    from django.db import connection, transaction

    from processes.models import Organisation, Setting, Staff
    from workflows.allocation import AllocationFlow
    from workflows.introduction import IntroductionFlow

    User = get_user_model()
    with transaction.atomic():
        setting = Setting.objects.create(organisation=Organisation.objects.create(name="Bench"), name="Bench")
        password = UNUSABLE_PASSWORD_PREFIX + "bench"
        users = User.objects.bulk_create(
            [User(username=f"kp{i}", first_name="Key", last_name=f"Person {i}", email=f"kp{i}@example.org",
                  password=password) for i in range(key_persons)]
            + [User(username=f"manager{i}", first_name="Manager", last_name=str(i), email=f"m{i}@example.org",
                    password=password) for i in range(2)]
        )
        Staff.objects.bulk_create([Staff(user=u, setting=setting, is_manager=u.username.startswith("manager"),
                                         is_key_person=not u.username.startswith("manager")) for u in users])
        owners = [u.pk for u in users if u.username.startswith("kp")]
        # Due dates: all inside the next 24 hours, or spread over [-5 days, +20 days) by a fixed scramble of the id.
        due = ("now() + ((t.id * 7919) % 1380 + 30) * interval '1 minute'" if all_due
               else "now() + ((t.id * 7919) % 36000 - 7200) * interval '1 minute'")
        intro, alloc = IntroductionFlow, AllocationFlow
        with connection.cursor() as cursor:
            cursor.execute(
                """
                INSERT INTO processes_child (setting_id, first_name, last_name, preferred_name, date_of_birth,
                    start_date, destination_school, attending_sessions, home_language, dietary_needs, allergies,
                    known_needs, state, state_changed_at, registered_at)
                SELECT %s, 'Child', 'No ' || g, '', current_date - 800, current_date + 10, '', 0, 'English', '', '',
                       '', 'allocated', now(), now()
                FROM generate_series(1, %s) g
                """, [setting.pk, tasks])
            # One task in ten is a manager's allocation nobody has taken yet: reminded to the managers.
            cursor.execute(
                """
                INSERT INTO viewflow_process (flow_class, status, created, data)
                SELECT CASE WHEN g %% 10 = 0 THEN %s ELSE %s END, 'NEW', now(), '{}'::jsonb
                FROM generate_series(1, %s) g
                """, [f"{alloc.__module__.replace('.', '/')}.{alloc.__name__}",
                      f"{intro.__module__.replace('.', '/')}.{intro.__name__}", tasks])
            cursor.execute(
                """
                INSERT INTO workflows_childprocess (process_ptr_id, child_id, setting_id, kind, open_kind)
                SELECT p.id, c.id, %s, k.kind, k.kind
                FROM (SELECT id, row_number() OVER (ORDER BY id) rn FROM viewflow_process) p
                JOIN (SELECT id, row_number() OVER (ORDER BY id) rn FROM processes_child) c USING (rn)
                CROSS JOIN LATERAL (SELECT CASE WHEN p.rn %% 10 = 0 THEN 'allocation' ELSE 'introduction' END kind) k
                """, [setting.pk])
            cursor.execute(
                """
                INSERT INTO viewflow_task (flow_task, flow_task_type, status, created, assigned, token, owner_id,
                    owner_permission, process_id, data)
                SELECT CASE WHEN cp.kind = 'allocation' THEN %s ELSE %s END, 'HUMAN',
                       CASE WHEN cp.kind = 'allocation' THEN 'NEW' ELSE 'ASSIGNED' END, now(),
                       CASE WHEN cp.kind = 'allocation' THEN NULL ELSE now() END, 'start',
                       CASE WHEN cp.kind = 'allocation' THEN NULL
                            ELSE (%s::int[])[1 + cp.process_ptr_id %% %s] END,
                       CASE WHEN cp.kind = 'allocation' THEN 'workflows.manager' END, cp.process_ptr_id, '{}'::jsonb
                FROM workflows_childprocess cp
                """, [f"{alloc.__module__.replace('.', '/')}.{alloc.__name__}.allocate",
                      f"{intro.__module__.replace('.', '/')}.{intro.__name__}.arrange_meeting",
                      owners, len(owners)])
            cursor.execute(
                f"""
                INSERT INTO workflows_inboxentry (task_id, process_id, flow_task, setting_id, child_id, child_name,
                    role, due_at)
                SELECT t.id, t.process_id, t.flow_task, cp.setting_id, cp.child_id, c.first_name || ' ' || c.last_name,
                       CASE WHEN cp.kind = 'allocation' THEN 'manager' ELSE 'key_person' END, {due}
                FROM viewflow_task t JOIN workflows_childprocess cp ON cp.process_ptr_id = t.process_id
                JOIN processes_child c ON c.id = cp.child_id
                """)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _measure(name: str, sweep, batch_size: int) -> None:
    from django.db import connection

    counter = {"queries": 0}

    def count(execute, sql, params, many, context):
        counter["queries"] += 1
        return execute(sql, params, many, context)

    per_batch: list[int] = []
    marks = {"last": 0}

    def on_batch(rows: int) -> None:
        per_batch.append(counter["queries"] - marks["last"])
        marks["last"] = counter["queries"]

    from notifications.models import Notification

    before = Notification.objects.count()
    with connection.execute_wrapper(count):
        started = time.perf_counter()
        sweep(batch_size=batch_size, on_batch=on_batch)
        elapsed = time.perf_counter() - started
    written = Notification.objects.count() - before
    spread = f"{min(per_batch)}–{max(per_batch)}" if per_batch else "—"
    print(f"{name:<24} {elapsed:8.2f} s  {len(per_batch):5d} batches  {spread:>5} queries/batch "
          f"(first includes the setup query)  {counter['queries']:6d} queries  {written:7d} new notification rows")


def main() -> None:
    args = _args()
    _recreate(args.database_url)
    os.environ["DATABASE_URL"] = args.database_url
    os.environ["CELERY_BROKER_URL"] = "memory://"  # the e-mails are queued, not sent: the sweep is measured
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keyflow.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command

    from notifications.sweeps import escalations_sweep, reminders_sweep
    from workflows.models import InboxEntry

    try:
        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        migrated = time.perf_counter()
        _build(args.tasks, args.key_persons, args.all_due)
        built = time.perf_counter()
        print(f"migrate {migrated - started:.1f} s; built {InboxEntry.objects.count():,} open tasks in "
              f"{built - migrated:.1f} s ({'all due within the lead' if args.all_due else 'due over -5..+20 days'})")
        print(f"batch size {args.batch_size}")
        _measure("reminders (first run)", reminders_sweep, args.batch_size)
        _measure("reminders (run again)", reminders_sweep, args.batch_size)
        _measure("escalations", escalations_sweep, args.batch_size)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            _drop(args.database_url)


if __name__ == "__main__":
    main()

"""Keyflow at the size of a nursery chain, against the raw SQL floor. `make bench`; a script, never a test.

For each scale (1 and 0.1 by default) it builds the data set in its own PostgreSQL database (scripts/bench_data.py),
then measures, each a median over many calls:
  1. the inbox of a random key person: the query alone (and its SQL alone, without Python), and the whole page
     through Django's test Client in-process (middleware, session, template; no network), with their query counts;
  2. completing a task through workflows.services.task_complete so the next is created and audited (the probe
     flow's step, tests/probe: the engine's cost with no domain work), in one process and in two at once;
     and two real steps of the introduction to the parents (arranging the meeting; "all about me", whose join
     starts the settling-in), each with its domain records;
  3. the manager's dashboard for one setting of 200 children;
  4. a reminder sweep over the whole data set (notifications.sweeps.reminders_sweep);
and the floor (../shared/floor) with pgbench in a database of its own, for the Keyflow ÷ floor ratios.
Every figure is printed and written to .bench/results.json.

    .venv/bin/python scripts/bench.py [--scales 1 0.1] [--seconds 15] [--completions 300]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
SERVER = os.environ.get("BENCH_SERVER", "postgres://postgres@127.0.0.1:5432")
DATABASE = os.environ.get("BENCH_DATABASE", "keyflow_bench")
TEMPLATE = f"{DATABASE}_template"
FLOOR_DATABASE = os.environ.get("BENCH_FLOOR_DATABASE", "keyflow_floor")
os.environ["DATABASE_URL"] = f"{SERVER}/{DATABASE}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench_settings")  # Keyflow's, with the probe flow
os.environ.setdefault("DEBUG", "0")  # no per-query logging, templates as in production
# E-mails a step queues stay in this process: nothing written under var/, no worker needed.
os.environ.setdefault("CELERY_BROKER_URL", "memory://")

import django  # noqa: E402

django.setup()

import logging  # noqa: E402

logging.getLogger("axes").setLevel(logging.WARNING)  # a line per force_login would bury the figures

import bench_data  # noqa: E402
import bench_floor  # noqa: E402
from django.db import connection, connections  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402


def _admin(sql: str) -> None:
    subprocess.run(["psql", *bench_floor.PG, "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-qc", sql], check=True,
                   capture_output=True, text=True)


def _median_ms(samples: list[float]) -> float:
    return round(statistics.median(samples) * 1000, 3)


def _timed(fn, times: int, warmup: int = 5) -> list[float]:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(times):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return samples


def _statements(fn) -> int:
    """SQL statements `fn` sends, not counting BEGIN/COMMIT (the floor's transition has them too)."""
    with CaptureQueriesContext(connection) as captured:
        fn()
    return len([q for q in captured.captured_queries if q["sql"] not in ("BEGIN", "COMMIT")])


def _sent(fn) -> list[tuple[str, list]]:
    """The statements `fn` sends and their parameters, as the database driver gets them."""
    sent = []

    def record(execute, sql, params, many, context):
        sent.append((sql, list(params or ())))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        fn()
    return sent


# -- building -------------------------------------------------------------------------------------------------

def template_build() -> None:
    """A freshly migrated database to copy for each scale (migrations are applied once per run)."""
    from django.core.management import call_command

    connections.close_all()
    _admin(f"DROP DATABASE IF EXISTS {TEMPLATE}")
    _admin(f"CREATE DATABASE {TEMPLATE}")
    connections["default"].settings_dict["NAME"] = TEMPLATE
    call_command("migrate", verbosity=0)
    connections.close_all()
    connections["default"].settings_dict["NAME"] = DATABASE


BIG_TABLES = ("viewflow_task", "workflows_inboxentry", "processes_auditevent", "viewflow_process",
              "workflows_childprocess", "processes_child", "processes_keypersonassignment")


def database_build(scale: float) -> float:
    """A fresh database from the migrated template, filled; returns the seconds the fill took.

    The big tables' plain indexes are dropped during the load and built again after it, and foreign-key
    triggers are off for the load (session_replication_role): the data set is consistent by construction.
    """
    from viewflow.workflow.fields import get_flow_ref, get_task_ref

    from workflows.allocation import AllocationFlow
    from workflows.introduction import IntroductionFlow
    from workflows.settling import SettlingFlow

    connections.close_all()
    _admin(f"DROP DATABASE IF EXISTS {DATABASE}")
    _admin(f"CREATE DATABASE {DATABASE} TEMPLATE {TEMPLATE}")

    refs = {"allocation": get_flow_ref(AllocationFlow), "introduction": get_flow_ref(IntroductionFlow),
            "settling": get_flow_ref(SettlingFlow)}
    for node in (AllocationFlow.allocate, IntroductionFlow.arrange_meeting, IntroductionFlow.all_about_me,
                 SettlingFlow.plan, SettlingFlow.record_visit, SettlingFlow.review):
        refs[node.name] = get_task_ref(node)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("""SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s)
                          AND indexname NOT IN (SELECT conname FROM pg_constraint)""", [list(BIG_TABLES)])
        indexes = cursor.fetchall()
        for name, _ in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        cursor.execute("SET session_replication_role = replica")
        for sql in bench_data.statements(bench_data.Size(scale), refs):
            cursor.execute(sql)
        cursor.execute("SET session_replication_role = DEFAULT")
        cursor.execute("SET maintenance_work_mem = '256MB'")
        for _, definition in indexes:
            cursor.execute(definition)
    connection.close()
    subprocess.run(["psql", *bench_floor.PG, "-d", DATABASE, "-qc", "VACUUM ANALYZE"], check=True)
    return time.perf_counter() - started


def probes_start(count: int) -> list[int]:
    """Start the probe flow for `count` allocated children spread over the settings; their process ids."""
    from processes.models import Child
    from tests.probe.flows import ProbeFlow
    from workflows.base import process_start

    children = list(Child.objects.filter(state="settled").order_by("?")[:count])
    return [process_start(flow_class=ProbeFlow, child=child).pk for child in children]


# -- measuring ------------------------------------------------------------------------------------------------

def key_person_users(count: int):
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.filter(staff__is_key_person=True, staff__is_manager=False)
    return list(users.select_related("staff").order_by("?")[:count])


def measure_inbox(times: int) -> dict:
    from workflows.inbox import inbox_entries

    users = key_person_users(50)
    picks = [random.choice(users) for _ in range(times + 5)]
    it = iter(picks)
    query = _timed(lambda: list(inbox_entries(next(it))[:50]), times)
    [(sql, params)] = _sent(lambda: list(inbox_entries(users[0])[:50]))
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())

    statements = [_sent(lambda user=user: list(inbox_entries(user)[:50]))[0] for user in users]
    pairs = iter([random.choice(statements) for _ in range(times + 5)])

    def raw():  # the same SQL and parameters, without the Python around them: the database's share
        sql, params = next(pairs)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            cursor.fetchall()

    sql_only = _timed(raw, times)
    clients = []
    for user in users[:20]:
        client = Client()
        client.force_login(user)
        clients.append(client)
    cycle = iter(clients * (times // len(clients) + 2))
    page = _timed(lambda: _ok(next(cycle).get("/inbox/")), times)
    rows = [len(list(inbox_entries(u)[:50])) for u in users]
    return {
        "inbox_query_ms": _median_ms(query),
        "inbox_query_queries": _statements(lambda: list(inbox_entries(users[1])[:50])),
        "inbox_sql_ms": _median_ms(sql_only),
        "inbox_page_ms": _median_ms(page),
        "inbox_page_queries": _statements(lambda: _ok(clients[0].get("/inbox/"))),
        "inbox_rows_median": statistics.median(rows),
        "_inbox_plan": plan,
    }


def _ok(response):
    assert response.status_code == 200, response.status_code
    return response


def _complete_probes(process_ids: list[int], count: int, *, count_statements: bool = False
                     ) -> tuple[list[float], list[int]]:
    """Complete `count` probe steps round the processes; the time of each completion, and with
    `count_statements` the statements each sent (captured on separate calls: capturing slows a call down)."""
    from viewflow.workflow.models import Task

    from workflows import services

    open_task = {t.process_id: t for t in Task.objects.filter(process_id__in=process_ids, status="ASSIGNED")
                 .select_related("owner__staff")}
    samples, statements = [], []
    for i in range(count):
        task = open_task[process_ids[i % len(process_ids)]]

        def complete(task=task):
            services.task_complete(process_id=task.process_id, task_id=task.pk, by=task.owner, data={})

        if count_statements and i % 10 == 0:
            with CaptureQueriesContext(connection) as captured:
                complete()
            statements.append(len([q for q in captured.captured_queries if q["sql"] not in ("BEGIN", "COMMIT")]))
        else:
            started = time.perf_counter()
            complete()
            samples.append(time.perf_counter() - started)
        following = Task.objects.select_related("owner__staff").get(process_id=task.process_id, status="ASSIGNED")
        open_task[task.process_id] = following
    return samples, statements


def _worker(process_ids, count, barrier, results):
    connections.close_all()
    _complete_probes(process_ids[:5], 5)  # warm up
    barrier.wait()
    started = time.perf_counter()
    samples, _ = _complete_probes(process_ids, count)
    results.put((time.perf_counter() - started, samples))
    connections.close_all()


def measure_completion(count: int) -> dict:
    process_ids = probes_start(100)
    _complete_probes(process_ids, 20)  # warm up
    samples, statements = _complete_probes(process_ids, count, count_statements=True)
    connections.close_all()
    context = multiprocessing.get_context("fork")
    barrier, results = context.Barrier(2), context.Queue()
    halves = [process_ids[0::2], process_ids[1::2]]
    workers = [context.Process(target=_worker, args=(half, count, barrier, results)) for half in halves]
    for w in workers:
        w.start()
    outcomes = [results.get() for _ in workers]
    for w in workers:
        w.join()
    wall = max(elapsed for elapsed, _ in outcomes)
    both = [s for _, samples2 in outcomes for s in samples2]
    return {
        "completion_ms": _median_ms(samples),
        "completion_statements": statistics.median(statements),  # BEGIN and COMMIT not counted
        "completions_per_s_1proc": round(len(samples) / sum(samples), 1),
        "completion_ms_2proc": _median_ms(both),
        "completions_per_s_2proc": round(2 * count / wall, 1),
    }


def measure_domain_steps(count: int) -> dict:
    """Two real steps, each on a fresh introduction to the parents: arranging the meeting (a meeting record,
    the parents' e-mails queued) and "all about me" (its record, then the end of the introduction; the
    settling-in starts after commit, on a worker: workflows/follow_on.py). What a key person's click costs with
    the domain's own work on top."""
    from django.db.models import Q
    from django.utils import timezone
    from viewflow.workflow.models import Task

    from processes.models import Child
    from workflows import services
    from workflows.base import process_start
    from workflows.introduction import IntroductionFlow
    from workflows.models import ChildProcess

    busy = ChildProcess.objects.filter(open_kind__isnull=False).filter(
        Q(kind="introduction") | Q(kind="settling")).values("child_id")
    children = list(Child.objects.filter(state="settled", start_date__isnull=False)
                    .exclude(pk__in=busy).order_by("?")[:count])
    processes = [process_start(flow_class=IntroductionFlow, child=child) for child in children]
    tasks = {(t.process_id, t.flow_task.name): t for t in Task.objects.filter(
        process__in=processes, status__in=("NEW", "ASSIGNED")).select_related("owner__staff")}

    def run(name: str, data: dict, process) -> float:
        task = tasks[(process.pk, name)]
        started = time.perf_counter()
        services.task_complete(process_id=process.pk, task_id=task.pk, by=task.owner, data=data)
        return time.perf_counter() - started

    meeting, about = [], []
    statements = {}
    for i, process in enumerate(processes):
        child = children[i]
        when = min(timezone.now() + dt.timedelta(days=1),
                   dt.datetime.combine(child.start_date, dt.time(9), tzinfo=dt.UTC))
        meeting_data = {"starts_at": when.strftime("%Y-%m-%d %H:%M"), "duration_minutes": 30}
        if when < timezone.now():  # the bench's children started long ago: the meeting is recorded as held
            meeting_data["already_held"] = "on"
        about_data = {"routines": "Naps after lunch", "likes": "Trains"}
        if i == 0:  # counted on a call of its own: capturing slows a call down
            statements["arrange_meeting"] = _statements(lambda p=process, d=meeting_data: run("arrange_meeting", d, p))
            statements["all_about_me"] = _statements(lambda p=process, d=about_data: run("all_about_me", d, p))
            continue
        meeting.append(run("arrange_meeting", meeting_data, process))
        about.append(run("all_about_me", about_data, process))
    return {
        "domain_arrange_meeting_ms": _median_ms(meeting),
        "domain_arrange_meeting_statements": statements["arrange_meeting"],
        "domain_all_about_me_ms": _median_ms(about),
        "domain_all_about_me_statements": statements["all_about_me"],
    }


def measure_dashboard(times: int) -> dict:
    from django.contrib.auth import get_user_model

    managers = list(get_user_model().objects.filter(staff__is_manager=True).order_by("?")[:10])
    clients = []
    for user in managers:
        client = Client()
        client.force_login(user)
        clients.append(client)
    cycle = iter(clients * (times // len(clients) + 2))
    page = _timed(lambda: _ok(next(cycle).get("/dashboard/")), times, warmup=3)
    return {"dashboard_ms": _median_ms(page),
            "dashboard_queries": _statements(lambda: _ok(clients[0].get("/dashboard/")))}


def measure_sweep() -> dict:
    from notifications.sweeps import reminders_sweep

    samples = _timed(lambda: reminders_sweep(), 5, warmup=1)
    return {"sweep_ms": _median_ms(samples), "sweep_queries": _statements(lambda: reminders_sweep())}


def run_scale(scale: float, args) -> dict:
    size = bench_data.Size(scale)
    print(f"\n== scale {scale}: {size.settings} settings, {size.children:,} children, {size.users:,} staff, "
          f"{size.processes:,} processes, {size.tasks:,} tasks")
    build = database_build(scale)
    print(f"  built Keyflow's data set in {build:.1f} s")
    results: dict = {"build_s": round(build, 1), "children": size.children, "tasks": size.tasks}
    floor = bench_floor.floor_measure(FLOOR_DATABASE, scale, args.seconds)
    print(f"  built the floor in {floor['floor_build_s']} s and ran pgbench")
    results.update(floor)
    results.update(measure_inbox(args.calls))
    plan = results.pop("_inbox_plan")
    results.update(measure_completion(args.completions))
    results.update(measure_domain_steps(args.domain_steps))
    results.update(measure_dashboard(max(20, args.calls // 10)))
    results.update(measure_sweep())
    results["inbox_ratio"] = round(results["inbox_query_ms"] / results["inbox_floor_ms"], 2)
    results["inbox_sql_ratio"] = round(results["inbox_sql_ms"] / results["inbox_floor_ms"], 2)
    results["completion_ratio"] = round(results["completion_ms"] / results["completion_floor_ms"], 2)
    # The floor's own transition sent from Python (psycopg, no Django): what Python alone adds to pgbench's C.
    results["completion_floor_python_ratio"] = round(
        results["completion_ms"] / results["completion_floor_python_ms"], 2)
    for key, value in results.items():
        print(f"  {key:32} {value}")
    print("  the inbox query's plan:\n    " + plan.replace("\n", "\n    "))
    return results


def goals(f: dict) -> list[tuple[str, bool]]:
    """The issue's goals, as this run's figures read them (a report, never a test)."""
    return [
        (f"inbox query within 2x the floor: {f['inbox_ratio']}x (its SQL alone {f['inbox_sql_ratio']}x)",
         f["inbox_ratio"] <= 2),
        (f"inbox page median under 25 ms: {f['inbox_page_ms']} ms in {f['inbox_page_queries']} queries",
         f["inbox_page_ms"] < 25),
        (f"completion within 3x the floor's transition: {f['completion_ratio']}x", f["completion_ratio"] <= 3),
        (f"completion in at most 10 statements incl. the audit row: {f['completion_statements']}",
         f["completion_statements"] <= 10),
        (f"dashboard under 200 ms for a setting of 200 children: {f['dashboard_ms']} ms", f["dashboard_ms"] < 200),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=float, nargs="+", default=[1.0, 0.1])
    parser.add_argument("--seconds", type=int, default=15, help="each pgbench run of the floor")
    parser.add_argument("--calls", type=int, default=300, help="inbox calls measured")
    parser.add_argument("--completions", type=int, default=300, help="completions measured per process")
    parser.add_argument("--domain-steps", type=int, default=100, help="introductions driven through two real steps")
    args = parser.parse_args()
    random.seed(42)
    template_build()
    everything: dict = {}
    for scale in args.scales:
        key = "full" if scale == 1 else f"scale_{scale:g}"
        everything[key] = run_scale(scale, args)
    flat = dict(everything.get("full", {}))
    for key, figures in everything.items():
        if key != "full":
            flat.update({f"{name}_{key}": value for name, value in figures.items()})
    for key, figures in everything.items():
        print(f"\ngoals at {key}:")
        for label, met in goals(figures):
            print(f"  {'met    ' if met else 'NOT MET'}  {label}")
    out = REPO / ".bench" / "results.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({**flat, "by_scale": everything}, indent=2) + "\n")
    print(f"\nwrote {out.relative_to(REPO)}")


if __name__ == "__main__":
    main()

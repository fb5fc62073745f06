"""Eight people completing one task at the same moment, each with their own browser (a test Client per thread).

Shared by the PostgreSQL test (in process, real threads) and the SQLite run (tests/race_sqlite.py, a
subprocess on a file database, since pytest-django's SQLite test database lives in memory).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass

from django.db import connection
from django.test import Client
from django.urls import reverse

from .factories import StaffFactory
from .flowkit import open_tasks, register, the_task

RACERS = 8
REFUSALS = ("already completed by", "being updated")


@dataclass
class Race:
    child: object
    task: object
    managers: list
    data: dict


def race_setup(*, setting, room, manager, key_person, other_key_person) -> Race:
    """A child waiting for allocation, and eight managers who may all take the task."""
    managers = [manager] + [StaffFactory(setting=setting, manager=True) for _ in range(RACERS - 1)]
    child = register(setting=setting, room=room, manager=manager)
    return Race(child=child, task=the_task(child, "allocate"), managers=managers,
                data={"primary": key_person.pk, "secondary": other_key_person.pk})


def _message(response) -> str:
    if response.get("Content-Type", "").startswith("application/json"):
        return str(response.json().get("detail", ""))
    page = response.content.decode()
    found = re.search(r'role="alert"[^>]*>(.*?)<', page, re.S) or re.search(r"(already completed by[^<]*)", page)
    return found.group(1).strip() if found else page[:200]


def race_completions(race: Race, *, via: str) -> list[tuple[int, str]]:
    """POST the completion from eight clients released together; (status, message) for each."""
    name = "task-detail" if via == "page" else "api-task-complete"
    url = reverse(name, args=[race.task.process_id, race.task.pk])
    clients = []
    for staff in race.managers:
        client = Client(raise_request_exception=False)  # a 500 must show as a 500, not an exception
        client.force_login(staff.user)
        clients.append(client)
    barrier = threading.Barrier(len(clients))
    results: list[tuple[int, str]] = [(0, "did not run")] * len(clients)

    def complete(i: int, client: Client) -> None:
        try:
            barrier.wait(timeout=30)
            if via == "page":
                response = client.post(url, race.data)
            else:
                response = client.post(url, race.data, content_type="application/json")
            results[i] = (response.status_code, _message(response))
        except Exception as exc:  # noqa: BLE001 - reported as a failed racer, not lost in a thread
            results[i] = (0, repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=complete, args=(i, c)) for i, c in enumerate(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


def race_outcome(race: Race, results: list[tuple[int, str]]) -> dict:
    """What the race left behind, as plain data (it crosses a process boundary on SQLite).

    The introduction follows the allocation after its commit, through the worker; in a long run another test may
    have pointed Celery at a real broker, so the hourly sweep's pass (workflows.follow_on) is run here as well:
    it starts only what is missing, so two introductions would still show as two."""
    from workflows.follow_on import follow_ons_sweep

    follow_ons_sweep()
    return {
        "results": results,
        "assignments": race.child.assignments.count(),
        "next_tasks": sorted(t.flow_task.name for t in open_tasks(race.child)),
        "allocate_tasks": [t.status for t in race.child.processes.get(kind="allocation").task_set.all()
                           if t.flow_task.name == "allocate"],
    }


def assert_one_winner(outcome: dict, *, via: str) -> None:
    results = [tuple(r) for r in outcome["results"]]
    won = 302 if via == "page" else 200
    assert [s for s, _ in results].count(won) == 1, results
    refused = [(s, m) for s, m in results if s != won]
    assert len(refused) == RACERS - 1, results
    for status, message in refused:
        assert status in (403, 409), results
        assert any(r in message for r in REFUSALS), results
    assert outcome["assignments"] == 2  # one key person and one secondary: the allocation was written once
    assert outcome["allocate_tasks"] == ["DONE"]
    assert outcome["next_tasks"] == ["all_about_me", "arrange_meeting"]  # one of each, not eight

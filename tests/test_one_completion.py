"""One completion per task: eight people completing the same task at once, through the pages and the API.

Exactly one succeeds, seven are told clearly (409/403 with a message, never a 5xx), one next step is made.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from .race import assert_one_winner, race_completions, race_outcome, race_setup

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("via", ["page", "api"])
def test_eight_people_completing_one_task_at_once_on_postgresql_get_one_success(
    via, setting, room, manager, key_person, other_key_person
):
    race = race_setup(setting=setting, room=room, manager=manager, key_person=key_person,
                      other_key_person=other_key_person)
    outcome = race_outcome(race, race_completions(race, via=via))
    assert_one_winner(outcome, via=via)


@pytest.mark.parametrize("via", ["page", "api"])
def test_eight_people_completing_one_task_at_once_on_sqlite_get_one_success(via, tmp_path):
    run = subprocess.run(
        [sys.executable, "-m", "tests.race_sqlite", str(tmp_path / "race.sqlite3"), via],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    outcome = json.loads(run.stdout.strip().splitlines()[-1])
    assert_one_winner(outcome, via=via)

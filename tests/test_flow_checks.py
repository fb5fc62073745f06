from __future__ import annotations

from types import SimpleNamespace

from django.core.management import call_command
from viewflow.workflow import flow, lock

from workflows.checks import flow_problems, keyflow_flows


def test_every_keyflow_flow_locks_its_rows_and_names_who_takes_each_task():
    assert flow_problems(keyflow_flows()) == []
    call_command("check")  # the same check runs with every manage.py command


def test_the_check_flags_a_flow_without_row_locking_and_an_open_human_node():
    open_node = flow.View(lambda request: None)
    open_node.name = "approve"
    unlocked = SimpleNamespace(__name__="CarelessFlow", lock_impl=lock.no_lock,
                               instance=SimpleNamespace(nodes=lambda: [open_node]))
    ids = [p.id for p in flow_problems([unlocked])]
    assert ids == ["keyflow.E001", "keyflow.E002"]


def test_the_probe_flow_the_tests_and_the_bench_drive_passes_the_same_checks():
    from .probe.flows import ProbeFlow

    assert flow_problems([ProbeFlow]) == []

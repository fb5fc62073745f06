"""No Celery task is queued from inside a transaction: every `.delay(` / `.apply_async(` in workflows/,
processes/ and notifications/ sits inside a `transaction.on_commit(...)` call (read from the syntax tree)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("workflows", "processes", "notifications")
ENQUEUE = {"delay", "apply_async"}


def _is_on_commit(call: ast.Call) -> bool:
    func = call.func
    return (isinstance(func, ast.Attribute) and func.attr == "on_commit") or (
        isinstance(func, ast.Name) and func.id == "on_commit")


def bare_enqueues(source: str, filename: str = "<source>") -> list[str]:
    """Each `.delay(`/`.apply_async(` call not lexically inside an on_commit(...) call, as 'file:line'."""
    found: list[str] = []

    def visit(node: ast.AST, inside_on_commit: bool) -> None:
        if isinstance(node, ast.Call):
            if isinstance(node.func, ast.Attribute) and node.func.attr in ENQUEUE and not inside_on_commit:
                found.append(f"{filename}:{node.lineno}")
            inside_on_commit = inside_on_commit or _is_on_commit(node)
        for child in ast.iter_child_nodes(node):
            visit(child, inside_on_commit)

    visit(ast.parse(source, filename), False)
    return found


def test_no_celery_task_is_queued_outside_on_commit():
    offenders = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            offenders += bare_enqueues(path.read_text(), str(path.relative_to(ROOT)))
    assert offenders == []


def test_the_scan_catches_a_bare_delay_and_accepts_one_inside_on_commit():
    bad = "def f(child):\n    send.delay(child_id=child.pk)\n    send.apply_async(kwargs={})\n"
    good = "def f(child):\n    transaction.on_commit(lambda: send.delay(child_id=child.pk))\n"
    sneaky = "def f(child):\n    job = lambda: send.delay(child_id=child.pk)\n    transaction.on_commit(job)\n"
    assert bare_enqueues(bad) == ["<source>:2", "<source>:3"]
    assert bare_enqueues(good) == []
    # A callable built outside on_commit is flagged too: the rule is read where the call is written.
    assert bare_enqueues(sneaky) == ["<source>:2"]

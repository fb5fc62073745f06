"""No product module leans on Django's private query internals (issue 14): they change between patch releases,
so code that uses them is safe only while Django is pinned to one. Public, documented APIs only (`Model._meta`
is documented; the SQL compiler, `Query`'s alias bookkeeping and the queryset's row populators are not).

The layers themselves are checked by import-linter (`lint-imports`, contracts in pyproject.toml)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRODUCT_PACKAGES = ("keyflow", "demo", "accounts", "notifications", "workflows", "processes")
# Modules whose names say they are the query compiler's, not the ORM's public face.
PRIVATE_MODULES = ("django.db.models.sql",)
# Names of the compiler and of Query's bookkeeping: reading or importing any of them is leaning on internals.
PRIVATE_NAMES = frozenset({
    "klass_info", "get_related_populators", "RelatedPopulator", "alias_refcount", "alias_map", "get_compiler",
    "get_converters", "apply_converters", "results_iter", "execute_sql",
})


def private_uses(source: str) -> list[str]:
    """Each use of a Django internal in `source`, as 'line: what'."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("django"):
            if node.module.startswith(PRIVATE_MODULES):
                found.append(f"{node.lineno}: from {node.module} import ...")
            found.extend(f"{node.lineno}: from {node.module} import {alias.name}" for alias in node.names
                         if alias.name in PRIVATE_NAMES or alias.name.startswith("_"))
        elif isinstance(node, ast.Import):
            found.extend(f"{node.lineno}: import {alias.name}" for alias in node.names
                         if alias.name.startswith(PRIVATE_MODULES))
        elif isinstance(node, ast.Attribute) and node.attr in PRIVATE_NAMES:
            found.append(f"{node.lineno}: .{node.attr}")
    return found


def product_modules() -> list[Path]:
    return sorted(path for package in PRODUCT_PACKAGES for path in (ROOT / package).rglob("*.py")
                  if "migrations" not in path.parts)


def offenders(paths) -> dict[str, list[str]]:
    found = {}
    for path in paths:
        uses = private_uses(path.read_text())
        if uses:
            found[str(path.relative_to(ROOT))] = uses
    return found


def test_no_product_module_uses_djangos_private_query_internals():
    assert offenders(product_modules()) == {}


@pytest.mark.parametrize("source, found", [
    ("from django.db.models.sql.compiler import SQLCompiler", ["1: from django.db.models.sql.compiler import ..."]),
    ("from django.db.models.query import get_related_populators",
     ["1: from django.db.models.query import get_related_populators"]),
    ("import django.db.models.sql.query", ["1: import django.db.models.sql.query"]),
    ("refs = query.alias_refcount[alias]", ["1: .alias_refcount"]),
    ("info = compiler.klass_info", ["1: .klass_info"]),
    ("from django.db.models.base import _private", ["1: from django.db.models.base import _private"]),
    ("label = record._meta.label\nrows = Child.objects.raw(sql, params)", []),
])
def test_the_check_finds_each_kind_of_private_use(source, found):
    assert private_uses(source) == found

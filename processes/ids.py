"""Ids the database can hold: a BigAutoField (PostgreSQL bigint, SQLite's 64-bit INTEGER) ends at 2**63 - 1.

A larger number in a URL names no row, and sent to the database it overflows (OverflowError, DataError):
it is refused as "not found" before any query or audit row uses it.
"""

from __future__ import annotations

DB_ID_MAX = 2**63 - 1


def id_in_range(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= DB_ID_MAX

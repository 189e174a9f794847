"""The engine package exports its documented names (sorting, docstrings: test_exports.py)."""

from __future__ import annotations

import pytest

import accord.engine


@pytest.mark.parametrize(
    "name",
    [
        "create_engine",
        "Engine",
        "Connection",
        "URL",
        "make_url",
        "Result",
        "Row",
        "CursorResult",
        "ScalarResult",
        "MappingResult",
        "Transaction",
        "RootTransaction",
        "NestedTransaction",
        "TwoPhaseTransaction",
    ],
)
def test_documented_names_are_exported(name: str) -> None:
    assert name in accord.engine.__all__


def test_sqlite_dialect_is_exported() -> None:
    import accord.dialects.sqlite as sqlite

    assert sqlite.dialect is sqlite.SQLiteDialect_pysqlite
    assert sqlite.__all__ == sorted(sqlite.__all__)

"""The engine package and its modules export sorted, complete ``__all__`` lists."""

from __future__ import annotations

import importlib

import pytest

import accord.engine

MODULES = [
    "accord.engine.base",
    "accord.engine.create",
    "accord.engine.default",
    "accord.engine.interfaces",
    "accord.engine.registry",
    "accord.engine.result",
    "accord.engine.row",
    "accord.engine.transaction",
    "accord.engine.url",
    "accord.engine.util",
    "accord.dialects.sqlite.pysqlite",
]


def test_engine_all_is_sorted_and_importable() -> None:
    names = accord.engine.__all__
    assert names == sorted(names)
    for name in names:
        assert getattr(accord.engine, name) is not None, name


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


@pytest.mark.parametrize("modname", MODULES)
def test_module_all_is_sorted_and_defined(modname: str) -> None:
    module = importlib.import_module(modname)
    names = module.__all__
    assert names == sorted(names)
    for name in names:
        assert hasattr(module, name), f"{modname}.{name}"


def test_public_names_have_docstrings() -> None:
    for name in accord.engine.__all__:
        obj = getattr(accord.engine, name)
        if callable(obj):
            assert obj.__doc__, name


def test_sqlite_dialect_is_exported() -> None:
    import accord.dialects.sqlite as sqlite

    assert sqlite.dialect is sqlite.SQLiteDialect_pysqlite
    assert sqlite.__all__ == sorted(sqlite.__all__)

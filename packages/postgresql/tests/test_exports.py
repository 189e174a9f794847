"""Every public module of the dialect has a sorted, complete ``__all__``; the entry point."""

from __future__ import annotations

import importlib
from importlib.metadata import entry_points

import pytest

MODULES = [
    "accord.dialects.postgresql",
    "accord.dialects.postgresql.base",
    "accord.dialects.postgresql.dml",
    "accord.dialects.postgresql.psycopg",
    "accord.dialects.postgresql.types",
]


@pytest.mark.parametrize("name", MODULES)
def test_all_is_sorted_and_names_exist(name):
    module = importlib.import_module(name)
    assert module.__all__ == sorted(module.__all__)
    for public in module.__all__:
        assert hasattr(module, public), public


@pytest.mark.parametrize("name", MODULES)
def test_public_classes_are_exported(name):
    module = importlib.import_module(name)
    defined = {
        n
        for n, obj in vars(module).items()
        if isinstance(obj, type) and obj.__module__ == name and not n.startswith("_")
    }
    assert defined <= set(module.__all__)


def test_entry_point_names_the_psycopg_dialect():
    (ep,) = [e for e in entry_points(group="accord.dialects") if e.name == "postgresql.psycopg"]
    assert ep.value == "accord.dialects.postgresql.psycopg:PGDialect_psycopg"
    assert ep.load().__name__ == "PGDialect_psycopg"

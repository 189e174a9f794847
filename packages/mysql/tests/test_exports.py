"""Each public module of the dialect has a sorted, complete ``__all__``; the entry points."""

from __future__ import annotations

import importlib
from importlib.metadata import entry_points

import pytest

MODULES = [
    "accord.dialects.mysql",
    "accord.dialects.mysql.base",
    "accord.dialects.mysql.dml",
    "accord.dialects.mysql.pymysql",
    "accord.dialects.mysql.types",
]


@pytest.mark.parametrize("name", MODULES)
def test_module_all_is_sorted_and_every_name_exists(name: str) -> None:
    module = importlib.import_module(name)
    assert module.__all__ == sorted(module.__all__)
    for public in module.__all__:
        assert hasattr(module, public), public


@pytest.mark.parametrize("name", MODULES)
def test_module_public_classes_are_all_exported(name: str) -> None:
    module = importlib.import_module(name)
    defined = {
        n
        for n, obj in vars(module).items()
        if isinstance(obj, type) and obj.__module__ == name and not n.startswith("_")
    }
    assert defined <= set(module.__all__)


@pytest.mark.parametrize(
    ("name", "target"),
    [
        ("mysql.pymysql", "accord.dialects.mysql.pymysql:MySQLDialect_pymysql"),
        ("mariadb.pymysql", "accord.dialects.mysql.pymysql:MariaDBDialect_pymysql"),
    ],
)
def test_entry_point_names_the_dialect_class(name: str, target: str) -> None:
    (ep,) = [e for e in entry_points(group="accord.dialects") if e.name == name]
    assert ep.value == target
    assert ep.load().__name__ == target.rpartition(":")[2]

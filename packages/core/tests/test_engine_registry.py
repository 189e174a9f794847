"""Dialect lookup through the accord.dialects entry points and register()."""

from __future__ import annotations

import sys
import types

import pytest

from accord.engine import create_engine, registry
from accord.engine.default import DefaultDialect
from accord.exc import NoSuchModuleError


def test_sqlite_default_driver_is_pysqlite() -> None:
    cls = registry.load("sqlite")
    assert cls.__name__ == "SQLiteDialect_pysqlite"
    assert registry.load("sqlite+pysqlite") is cls
    assert registry.load("sqlite.pysqlite") is cls


@pytest.mark.parametrize(
    ("backend", "driver"),
    [
        ("postgresql", "psycopg"),
        ("mysql", "pymysql"),
        ("oracle", "oracledb"),
        ("sqlite", "pysqlite"),
    ],
)
def test_default_drivers(backend: str, driver: str) -> None:
    assert registry.DEFAULT_DRIVERS[backend] == driver


def test_missing_dialect_names_the_distribution(monkeypatch: pytest.MonkeyPatch) -> None:
    # A backend accord knows by name but whose distribution is not installed here.
    monkeypatch.setitem(registry.DISTRIBUTIONS, "firebird", "accord-firebird")
    monkeypatch.setitem(registry.DEFAULT_DRIVERS, "firebird", "fdb")
    with pytest.raises(NoSuchModuleError, match="pip install accord-firebird"):
        registry.load("firebird")


def test_unknown_backend_is_no_such_module() -> None:
    with pytest.raises(NoSuchModuleError, match="nosuchdb"):
        registry.load("nosuchdb")


class _FakeDialect(DefaultDialect):
    name = "fakedb"
    driver = "fakedrv"

    @classmethod
    def import_dbapi(cls) -> object:
        import sqlite3

        return sqlite3


def test_register_makes_a_dialect_loadable() -> None:
    module = types.ModuleType("accord_test_fake_dialect")
    module.FakeDialect = _FakeDialect  # type: ignore[attr-defined]
    sys.modules[module.__name__] = module
    registry.register("fakedb.fakedrv", module.__name__, "FakeDialect")
    try:
        assert registry.load("fakedb") is _FakeDialect
        assert registry.load("fakedb+fakedrv") is _FakeDialect
        engine = create_engine("fakedb+fakedrv:///:memory:", poolclass=_null_pool())
        assert engine.dialect.name == "fakedb"
    finally:
        registry.unregister("fakedb.fakedrv")
        del sys.modules[module.__name__]
    with pytest.raises(NoSuchModuleError):
        registry.load("fakedb.fakedrv")


def _null_pool() -> type:
    from accord.engine.pool import NullPool

    return NullPool

"""Keys made by SQL come back; generated columns never take a value; one ``%`` rule."""

from __future__ import annotations

from typing import Any

import pytest

from accord.dialects.sqlite.base import SQLiteCompiler
from accord.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite
from accord.engine import create_engine
from accord.engine.default import DefaultDialect
from accord.sql import (
    CheckConstraint,
    Column,
    Computed,
    Integer,
    MetaData,
    Sequence,
    String,
    Table,
    insert,
    literal_column,
    select,
    text,
    update,
)
from accord.sql.ddl import CreateTable


class _PyformatDialect(DefaultDialect):
    """A compile-only dialect with RETURNING, sequences and pyformat placeholders."""

    name = "pyformat_test"
    paramstyle = "pyformat"
    supports_sequences = True
    supports_returning = True
    insert_returning = True
    update_returning = True
    implicit_returning = True
    postfetch_lastrowid = False


def _tables() -> tuple[MetaData, Table, Table]:
    m = MetaData()
    keyed = Table("keyed", m, Column("id", Integer, primary_key=True), Column("x", Integer))
    comp = Table(
        "comp",
        m,
        Column("id", Integer, primary_key=True),
        Column("x", Integer),
        Column("y", Integer, Computed("x * 2")),
    )
    return m, keyed, comp


def test_key_given_as_a_sequence_nextval_is_returned() -> None:
    _, keyed, _ = _tables()
    seq = Sequence("keyed_seq")
    c = (
        insert(keyed)
        .values(id=seq.next_value())
        .compile(dialect=_PyformatDialect(), column_keys=["x"])
    )
    assert str(c).endswith("RETURNING keyed.id")
    assert c.implicit_returning == [keyed.c.id]
    assert not c.postfetch_lastrowid


def test_key_given_as_sql_uses_lastrowid_without_returning() -> None:
    _, keyed, _ = _tables()
    c = (
        insert(keyed)
        .values(id=literal_column("7"))
        .compile(dialect=SQLiteDialect_pysqlite(), column_keys=["x"])
    )
    assert "RETURNING" not in str(c)
    assert c.postfetch_lastrowid


def test_key_given_as_a_value_is_not_fetched() -> None:
    _, keyed, _ = _tables()
    c = insert(keyed).compile(dialect=_PyformatDialect(), column_keys=["id", "x"])
    assert "RETURNING" not in str(c)
    assert not c.postfetch_lastrowid


@pytest.mark.parametrize("keys", [None, [], ["x"], ["x", "y"]])
def test_computed_column_never_in_insert_values(keys: list[str] | None) -> None:
    _, _, comp = _tables()
    sql = str(insert(comp).compile(dialect=_PyformatDialect(), column_keys=keys))
    assert "y" not in sql.split("RETURNING")[0].replace("keyed", "")
    assert "%(y)s" not in sql


@pytest.mark.parametrize("keys", [None, ["x", "y"]])
def test_computed_column_never_in_update_set(keys: list[str] | None) -> None:
    _, _, comp = _tables()
    c = update(comp).compile(dialect=_PyformatDialect(), column_keys=keys)
    assert "y=" not in str(c)
    assert comp.c.y in c.postfetch


def test_percent_is_doubled_in_statements_and_single_in_ddl() -> None:
    m, _, _ = _tables()
    t = Table(
        "pct",
        m,
        Column("id", Integer, primary_key=True),
        Column("label", String(9), server_default="50%"),
        Column("n", Integer),
        CheckConstraint("n % 2 = 0"),
    )
    dialect = _PyformatDialect()
    ddl = CreateTable(t).compile(dialect=dialect)
    assert "n % 2 = 0" in str(ddl)
    assert "'50%'" in str(ddl)
    assert not ddl.percent_escaped
    stmt = select(text("'100%'")).compile(dialect=dialect)
    assert str(stmt).startswith("SELECT '100%%'")
    assert stmt.percent_escaped
    assert not select(text("'1%'")).compile(dialect=SQLiteDialect_pysqlite()).percent_escaped


class _EscapingCompiler(SQLiteCompiler):
    """sqlite's compiler flagged as %-escaping, to watch how the engine runs its text."""

    def __init__(self, *args: Any, **kw: Any) -> None:
        kw["escape_percent"] = True
        super().__init__(*args, **kw)


def test_escaped_statement_without_parameters_runs_with_an_empty_container() -> None:
    # %-escaped text is never sent bare: do_execute gets an empty parameter container.
    engine = create_engine("sqlite://")
    dialect = engine.dialect
    calls: list[tuple[str, Any]] = []
    bare: list[str] = []
    original = dialect.do_execute
    original_bare = dialect.do_execute_no_params

    def record(cursor: Any, statement: str, parameters: Any, context: Any) -> None:
        calls.append((statement, parameters))
        original(cursor, statement, parameters, context)

    def record_bare(cursor: Any, statement: str, context: Any) -> None:
        bare.append(statement)
        original_bare(cursor, statement, context)

    dialect.do_execute = record  # type: ignore[method-assign]
    dialect.do_execute_no_params = record_bare  # type: ignore[method-assign]
    with engine.connect() as conn:
        conn.execute(select(literal_column("1")))
        assert calls == []
        assert len(bare) == 1
        dialect.statement_compiler = _EscapingCompiler
        conn.execute(select(literal_column("2")), execution_options={"compiled_cache": None})
        assert len(calls) == 1
        assert not calls[0][1]
        conn.exec_driver_sql("SELECT 3")
        assert len(bare) == 2
    engine.dispose()


def test_sqlite_round_trip_key_from_sql_and_computed_column() -> None:
    m, keyed, comp = _tables()
    engine = create_engine("sqlite://")
    with engine.begin() as conn:
        m.create_all(conn)
        result = conn.execute(insert(keyed).values(id=literal_column("40") + 2), {"x": 1})
        assert result.inserted_primary_key == (42,)
        result = conn.execute(insert(comp))
        assert result.inserted_primary_key == (1,)
        conn.execute(insert(comp), {"x": 3, "y": 99})
        conn.execute(update(comp).where(comp.c.id == 1), {"x": 5, "y": 0})
        rows = conn.execute(select(comp.c.x, comp.c.y).order_by(comp.c.id)).all()
        assert [tuple(r) for r in rows] == [(5, 10), (3, 6)]
    engine.dispose()

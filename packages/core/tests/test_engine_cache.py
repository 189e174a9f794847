"""The compiled-SQL cache: a statement of the same shape is compiled only once per engine."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from accord.engine import create_engine
from accord.sql import Column, Integer, MetaData, String, Table, insert, select, text

if TYPE_CHECKING:
    from collections.abc import Iterator

    from accord.engine import Engine

metadata = MetaData()
items = Table(
    "items",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(30)),
    Column("qty", Integer),
)


class _Counter:
    n = 0


@pytest.fixture
def engine() -> Iterator[Engine]:
    eng = create_engine("sqlite://")
    metadata.create_all(eng)
    with eng.begin() as conn:
        conn.execute(
            insert(items),
            [{"id": i, "name": f"n{i}", "qty": i * 10} for i in range(1, 6)],
        )
    yield eng
    eng.dispose()


@pytest.fixture
def compiles(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> type[_Counter]:
    """Count statement compilations on this engine's dialect."""
    base = engine.dialect.statement_compiler
    counter: type[_Counter] = type("Counter", (_Counter,), {"n": 0})

    class CountingCompiler(base):  # type: ignore[misc, valid-type]
        def __init__(self, *args: Any, **kw: Any) -> None:
            counter.n += 1
            super().__init__(*args, **kw)

    monkeypatch.setattr(engine.dialect, "statement_compiler", CountingCompiler)
    engine.clear_compiled_cache()  # forget what the fixture's own statements left
    return counter


def test_same_statement_object_compiles_once(engine: Engine, compiles: type[_Counter]) -> None:
    stmt = select(items.c.name).where(items.c.id == 2)
    with engine.connect() as conn:
        assert conn.execute(stmt).scalar_one() == "n2"
        assert conn.execute(stmt).scalar_one() == "n2"
    assert compiles.n == 1


def test_equal_shapes_with_other_values_compile_once(
    engine: Engine, compiles: type[_Counter]
) -> None:
    with engine.connect() as conn:
        for i in (1, 3, 5):
            stmt = select(items.c.name).where(items.c.id == i)
            assert conn.execute(stmt).scalar_one() == f"n{i}"
    assert compiles.n == 1


def test_cache_is_shared_by_connections(engine: Engine, compiles: type[_Counter]) -> None:
    for i in (1, 2):
        with engine.connect() as conn:
            conn.execute(select(items).where(items.c.id == i)).one()
    assert compiles.n == 1


def test_different_shapes_compile_separately(engine: Engine, compiles: type[_Counter]) -> None:
    with engine.connect() as conn:
        conn.execute(select(items.c.name)).all()
        conn.execute(select(items.c.qty)).all()
        conn.execute(select(items.c.name).where(items.c.id > 1)).all()
    assert compiles.n == 3


def test_single_and_executemany_are_separate_entries(
    engine: Engine, compiles: type[_Counter]
) -> None:
    with engine.begin() as conn:
        conn.execute(insert(items), {"id": 10, "name": "a", "qty": 1})
        conn.execute(insert(items), {"id": 11, "name": "b", "qty": 2})
        conn.execute(insert(items), [{"id": 12, "name": "c", "qty": 3}] * 1)
        conn.execute(
            insert(items), [{"id": 13, "name": "d", "qty": 4}, {"id": 14, "name": "e", "qty": 5}]
        )
        conn.execute(insert(items), {"id": 15, "name": "f"})  # other column keys
    assert compiles.n == 3


def test_text_statements_are_cached(engine: Engine, compiles: type[_Counter]) -> None:
    with engine.connect() as conn:
        for i in (1, 2):
            q = text("SELECT name FROM items WHERE id = :id")
            assert conn.execute(q, {"id": i}).scalar_one() == f"n{i}"
    assert compiles.n == 1


def test_compiled_cache_none_disables_the_cache(engine: Engine, compiles: type[_Counter]) -> None:
    stmt = select(items.c.name).where(items.c.id == 1)
    with engine.connect() as conn:
        conn.execution_options(compiled_cache=None)
        conn.execute(stmt).all()
        conn.execute(stmt).all()
    assert compiles.n == 2
    with engine.connect() as conn:
        conn.execute(stmt, execution_options={"compiled_cache": None}).all()
        conn.execute(stmt.execution_options(compiled_cache=None)).all()
    assert compiles.n == 4
    with engine.execution_options(compiled_cache=None).connect() as conn:
        conn.execute(stmt).all()
    assert compiles.n == 5


def test_query_cache_size_zero_disables_the_cache() -> None:
    eng = create_engine("sqlite://", query_cache_size=0)
    metadata.create_all(eng)
    base = eng.dialect.statement_compiler
    seen: list[int] = []

    class CountingCompiler(base):  # type: ignore[misc, valid-type]
        def __init__(self, *args: Any, **kw: Any) -> None:
            seen.append(1)
            super().__init__(*args, **kw)

    eng.dialect.statement_compiler = CountingCompiler
    stmt = select(items)
    with eng.connect() as conn:
        conn.execute(stmt).all()
        conn.execute(stmt).all()
    assert len(seen) == 2


def test_cache_is_bounded() -> None:
    eng = create_engine("sqlite://", query_cache_size=2)
    metadata.create_all(eng)
    stmts = [select(items.c.id), select(items.c.name), select(items.c.qty)]
    with eng.connect() as conn:
        for s in stmts + stmts[:1]:
            conn.execute(s).all()
    assert eng._compiled_cache is not None
    assert len(eng._compiled_cache) == 2
    eng.clear_compiled_cache()
    assert len(eng._compiled_cache) == 0

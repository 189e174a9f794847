"""S1 DML: executemany, server-generated primary keys, rowcounts and upserts on every backend."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from accord.exc import IntegrityError
from accord.sql import (
    Column,
    Integer,
    MetaData,
    String,
    Table,
    delete,
    func,
    insert,
    select,
    update,
)

if TYPE_CHECKING:
    from accord.engine import Engine
    from accord.testing import Backend


@pytest.fixture
def item(accord_engine: Engine) -> Table:
    """A table with a server-generated integer key and a unique code."""
    table = Table(
        "dml_item",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("code", String(20), nullable=False, unique=True),
        Column("qty", Integer, nullable=False, server_default="0"),
    )
    table.create(accord_engine)
    return table


def _rows(engine: Engine, table: Table) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(table.c.code, table.c.qty).order_by("code"))]


def test_executemany_inserts_every_row(accord_engine: Engine, item: Table) -> None:
    with accord_engine.begin() as conn:
        result = conn.execute(insert(item), [{"code": f"c{i:03}", "qty": i} for i in range(250)])
        assert result.rowcount in (250, -1)  # DBAPIs may not report executemany counts
    rows = _rows(accord_engine, item)
    assert len(rows) == 250
    assert rows[7] == ("c007", 7)


def test_inserted_primary_key_comes_from_the_server(accord_engine: Engine, item: Table) -> None:
    with accord_engine.begin() as conn:
        first = conn.execute(insert(item).values(code="a")).inserted_primary_key
        second = conn.execute(insert(item).values(code="b")).inserted_primary_key
    assert first is not None
    assert second is not None
    assert second[0] > first[0]
    with accord_engine.connect() as conn:
        ids = conn.execute(select(item.c.id).order_by(item.c.code)).scalars().all()
    assert ids == [first[0], second[0]]


@pytest.mark.requires("insert_returning")
def test_insert_returning_gives_generated_values(accord_engine: Engine, item: Table) -> None:
    with accord_engine.begin() as conn:
        row = conn.execute(insert(item).values(code="r").returning(item.c.id, item.c.qty)).one()
        stored = conn.execute(select(item.c.id).where(item.c.code == "r")).scalar_one()
    assert row.id == stored
    assert row.qty == 0  # the server default


@pytest.mark.requires("insert_executemany_returning")
def test_executemany_returning_gives_a_row_per_parameter_set(
    accord_engine: Engine, item: Table
) -> None:
    with accord_engine.begin() as conn:
        result = conn.execute(
            insert(item).returning(item.c.id, item.c.code),
            [{"code": "z"}, {"code": "y"}, {"code": "x"}],
        )
        rows = result.all()
    assert [r.code for r in rows] == ["z", "y", "x"]
    assert len({r.id for r in rows}) == 3


def test_update_and_delete_report_matched_rows(accord_engine: Engine, item: Table) -> None:
    with accord_engine.begin() as conn:
        conn.execute(insert(item), [{"code": c, "qty": 1} for c in "abcde"])
    with accord_engine.begin() as conn:
        assert conn.execute(update(item).where(item.c.code < "c").values(qty=5)).rowcount == 2
        # Matched, not changed: the value is already 5 (MySQL counts found rows).
        assert conn.execute(update(item).where(item.c.code == "a").values(qty=5)).rowcount == 1
        assert conn.execute(update(item).where(item.c.code == "nope").values(qty=1)).rowcount == 0
        assert conn.execute(delete(item).where(item.c.qty == 1)).rowcount == 3
    assert _rows(accord_engine, item) == [("a", 5), ("b", 5)]


def test_failed_insert_in_a_transaction_leaves_nothing(accord_engine: Engine, item: Table) -> None:
    with accord_engine.connect() as conn:
        conn.begin()
        conn.execute(insert(item).values(code="dup"))
        with pytest.raises(IntegrityError):
            conn.execute(insert(item).values(code="dup"))
        conn.rollback()
    with accord_engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(item)).scalar_one() == 0


def _upsert(backend: Backend, table: Table, rows: list[dict[str, Any]], update: bool) -> Any:
    """The backend's own upsert construct: ON CONFLICT or ON DUPLICATE KEY UPDATE."""
    if backend.name == "mysql":
        from accord.dialects.mysql import insert as mysql_insert

        stmt = mysql_insert(table).values(rows)
        if update:
            return stmt.on_duplicate_key_update(qty=stmt.inserted.qty)
        return stmt.on_duplicate_key_update(code=table.c.code)  # a no-op update
    if backend.name == "postgresql":
        from accord.dialects.postgresql import insert as pg_insert

        stmt = pg_insert(table).values(rows)
    else:
        from accord.dialects.sqlite import insert as sqlite_insert

        stmt = sqlite_insert(table).values(rows)
    if update:
        return stmt.on_conflict_do_update(
            index_elements=[table.c.code], set_={"qty": stmt.excluded.qty}
        )
    return stmt.on_conflict_do_nothing(index_elements=[table.c.code])


@pytest.mark.backend("sqlite", "postgresql", "mysql")
def test_upsert_updates_the_conflicting_row(
    accord_backend: Backend, accord_engine: Engine, item: Table
) -> None:
    with accord_engine.begin() as conn:
        conn.execute(insert(item), [{"code": "a", "qty": 1}, {"code": "b", "qty": 2}])
        conn.execute(
            _upsert(
                accord_backend, item, [{"code": "b", "qty": 20}, {"code": "c", "qty": 3}], True
            )
        )
    assert _rows(accord_engine, item) == [("a", 1), ("b", 20), ("c", 3)]


@pytest.mark.backend("sqlite", "postgresql", "mysql")
def test_upsert_do_nothing_keeps_the_existing_row(
    accord_backend: Backend, accord_engine: Engine, item: Table
) -> None:
    with accord_engine.begin() as conn:
        conn.execute(insert(item), {"code": "a", "qty": 1})
        conn.execute(
            _upsert(
                accord_backend, item, [{"code": "a", "qty": 9}, {"code": "n", "qty": 4}], False
            )
        )
    assert _rows(accord_engine, item) == [("a", 1), ("n", 4)]

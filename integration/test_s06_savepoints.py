"""S6 SAVEPOINT: rolling back a nested transaction keeps the outer transaction's work."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from accord.exc import IntegrityError
from accord.sql import Column, Integer, MetaData, String, Table, insert, select

if TYPE_CHECKING:
    from accord.engine import Engine

pytestmark = pytest.mark.requires("savepoints")


@pytest.fixture
def note(accord_engine: Engine) -> Table:
    """A table with a unique text column."""
    table = Table(
        "sp_note",
        MetaData(),
        Column("id", Integer, primary_key=True, autoincrement=False),
        Column("body", String(40), unique=True),
    )
    table.create(accord_engine)
    return table


def _bodies(engine: Engine, table: Table) -> list[str]:
    with engine.connect() as conn:
        return list(conn.execute(select(table.c.body).order_by(table.c.id)).scalars())


def test_savepoint_rollback_keeps_outer_work(accord_engine: Engine, note: Table) -> None:
    with accord_engine.begin() as conn:
        conn.execute(insert(note), {"id": 1, "body": "outer"})
        savepoint = conn.begin_nested()
        conn.execute(insert(note), {"id": 2, "body": "inner"})
        savepoint.rollback()
        conn.execute(insert(note), {"id": 3, "body": "after"})
    assert _bodies(accord_engine, note) == ["outer", "after"]


def test_released_savepoint_commits_with_the_outer_transaction(
    accord_engine: Engine, note: Table
) -> None:
    with accord_engine.begin() as conn:
        with conn.begin_nested():
            conn.execute(insert(note), {"id": 1, "body": "inner"})
        conn.execute(insert(note), {"id": 2, "body": "outer"})
    assert _bodies(accord_engine, note) == ["inner", "outer"]


def test_error_inside_savepoint_leaves_outer_transaction_usable(
    accord_engine: Engine, note: Table
) -> None:
    with accord_engine.begin() as conn:
        conn.execute(insert(note), {"id": 1, "body": "same"})
        # PostgreSQL aborts the whole transaction on an error unless a savepoint catches it.
        with pytest.raises(IntegrityError), conn.begin_nested():
            conn.execute(insert(note), {"id": 2, "body": "same"})
        conn.execute(insert(note), {"id": 3, "body": "other"})
    assert _bodies(accord_engine, note) == ["same", "other"]


def test_nested_savepoints_roll_back_to_the_right_one(accord_engine: Engine, note: Table) -> None:
    with accord_engine.begin() as conn:
        conn.execute(insert(note), {"id": 1, "body": "a"})
        outer = conn.begin_nested()
        conn.execute(insert(note), {"id": 2, "body": "b"})
        inner = conn.begin_nested()
        conn.execute(insert(note), {"id": 3, "body": "c"})
        inner.rollback()
        outer.commit()
    assert _bodies(accord_engine, note) == ["a", "b"]


def test_outer_rollback_discards_released_savepoints(accord_engine: Engine, note: Table) -> None:
    with accord_engine.connect() as conn:
        conn.begin()
        with conn.begin_nested():
            conn.execute(insert(note), {"id": 1, "body": "gone"})
        conn.rollback()
    assert _bodies(accord_engine, note) == []

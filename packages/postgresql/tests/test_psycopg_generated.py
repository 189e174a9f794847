"""Keys made by a sequence come back; generated columns take no value (on a real server)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from accord.dialects.postgresql import insert as pg_insert
from accord.dialects.postgresql.psycopg import PGDialect_psycopg
from accord.sql import (
    Column,
    Computed,
    Integer,
    MetaData,
    Sequence,
    String,
    Table,
    insert,
    select,
    update,
)

if TYPE_CHECKING:
    from accord.engine import Engine


def test_key_from_sequence_nextval_in_values_compiles_with_returning() -> None:
    t = Table("k", MetaData(), Column("id", Integer, primary_key=True), Column("x", Integer))
    stmt = insert(t).values(id=Sequence("k_seq").next_value())
    sql = str(stmt.compile(dialect=PGDialect_psycopg(), column_keys=["x"]))
    assert sql == "INSERT INTO k (id, x) VALUES (nextval('k_seq'), %(x)s) RETURNING k.id"


def test_key_from_sequence_nextval_in_values_comes_back(
    engine: Engine, metadata: MetaData
) -> None:
    seq = Sequence("given_seq", start=70, metadata=metadata)
    t = Table("given", metadata, Column("id", Integer, primary_key=True), Column("x", Integer))
    metadata.create_all(engine)
    with engine.begin() as conn:
        result = conn.execute(insert(t).values(id=seq.next_value()), {"x": 1})
        assert result.inserted_primary_key == (70,)
        result = conn.execute(pg_insert(t).values(id=seq.next_value()).on_conflict_do_nothing())
        assert result.inserted_primary_key == (71,)


def test_computed_columns_take_no_value(engine: Engine, metadata: MetaData) -> None:
    t = Table(
        "gen",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("x", Integer, server_default="3"),
        Column("y", Integer, Computed("x * 2")),
        Column("label", String(10)),
    )
    compiled = str(insert(t).compile(dialect=PGDialect_psycopg(), column_keys=[]))
    assert compiled == "INSERT INTO gen DEFAULT VALUES RETURNING gen.id"
    metadata.create_all(engine)
    with engine.begin() as conn:
        assert conn.execute(insert(t)).inserted_primary_key == (1,)
        conn.execute(insert(t), {"x": 4, "y": 100, "label": "a"})
        conn.execute(update(t).where(t.c.id == 1), {"x": 5, "y": 0})
        rows = conn.execute(select(t.c.x, t.c.y).order_by(t.c.id)).all()
        assert [tuple(r) for r in rows] == [(5, 10), (4, 8)]

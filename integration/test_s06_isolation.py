"""S6 isolation levels: set per engine or per connection, reported back, AUTOCOMMIT included."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from accord.exc import ArgumentError
from accord.sql import Column, Integer, MetaData, Table, insert, select

if TYPE_CHECKING:
    from accord.engine import Engine
    from accord.testing import Backend

pytestmark = pytest.mark.requires("isolation_levels")


def _levels(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return [
            level
            for level in engine.dialect.get_isolation_level_values(
                conn.connection.dbapi_connection
            )
            if level != "AUTOCOMMIT"
        ]


def test_each_level_is_applied_per_connection_and_reset(accord_engine: Engine) -> None:
    with accord_engine.connect() as conn:
        default = conn.get_isolation_level()
    assert default == accord_engine.dialect.default_isolation_level
    for level in _levels(accord_engine):
        with accord_engine.connect() as conn:
            conn.execution_options(isolation_level=level)
            assert conn.get_isolation_level() == level
        # Back in the pool the connection returns to the default level.
        with accord_engine.connect() as conn:
            assert conn.get_isolation_level() == default


def test_engine_wide_level(accord_backend: Backend) -> None:
    level = "SERIALIZABLE"
    engine = accord_backend.create_engine(isolation_level=level)
    try:
        with engine.connect() as conn:
            assert conn.get_isolation_level() == level
    finally:
        engine.dispose()


def test_unknown_level_is_a_clear_error(accord_backend: Backend) -> None:
    engine = accord_backend.create_engine()
    try:
        with pytest.raises(ArgumentError, match="isolation level"), engine.connect() as conn:
            conn.execution_options(isolation_level="SOMETIMES")
    finally:
        engine.dispose()


@pytest.mark.requires("autocommit")
def test_autocommit_makes_each_statement_durable(accord_engine: Engine) -> None:
    table = Table("iso_auto", MetaData(), Column("id", Integer, primary_key=True))
    table.create(accord_engine)
    with accord_engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT")
        assert conn.get_isolation_level() == "AUTOCOMMIT"
        conn.execute(insert(table), {"id": 1})
        # Seen at once from another connection, with no commit().
        with accord_engine.connect() as other:
            assert other.execute(select(table.c.id)).scalars().all() == [1]
        conn.rollback()  # nothing to roll back: the row stays
    with accord_engine.connect() as conn:
        assert conn.execute(select(table.c.id)).scalars().all() == [1]


def test_uncommitted_rows_are_invisible_at_read_committed_and_above(
    accord_backend: Backend, accord_engine: Engine
) -> None:
    table = Table("iso_vis", MetaData(), Column("id", Integer, primary_key=True))
    table.create(accord_engine)
    level = "READ COMMITTED" if "READ COMMITTED" in _levels(accord_engine) else "SERIALIZABLE"
    with accord_engine.connect() as writer, accord_engine.connect() as reader:
        reader.execution_options(isolation_level=level)
        writer.begin()
        writer.execute(insert(table), {"id": 1})
        if accord_backend.name == "sqlite":
            # sqlite locks the whole file: a reader sees the last committed state.
            pass
        assert reader.execute(select(table.c.id)).scalars().all() == []
        reader.rollback()
        writer.commit()
        assert reader.execute(select(table.c.id)).scalars().all() == [1]

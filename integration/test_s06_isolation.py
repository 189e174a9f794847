"""S6 isolation levels: per engine, connection, Session bind and transaction; AUTOCOMMIT."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from accord.exc import ArgumentError
from accord.orm import DeclarativeBase, Mapped, Session, mapped_column
from accord.sql import Column, Integer, MetaData, String, Table, insert, select

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


# -- through the Session --------------------------------------------------------------


class _Base(DeclarativeBase):
    pass


class Gadget(_Base):
    __tablename__ = "s06s_gadget"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(40), unique=True)


@pytest.fixture
def tables(accord_engine: Engine) -> None:
    """The Session tests' table on the backend."""
    _Base.metadata.create_all(accord_engine)


def committed(engine: Engine) -> list[tuple[int, str]]:
    """Rows another connection sees."""
    with engine.connect() as conn:
        rows = conn.execute(select(Gadget.id, Gadget.name).order_by(Gadget.id)).all()
        return [(r[0], r[1]) for r in rows]


def _other_level(engine: Engine) -> str:
    with engine.connect() as conn:
        default = conn.get_isolation_level()
        levels = engine.dialect.get_isolation_level_values(conn.connection.dbapi_connection)
    return next(lv for lv in levels if lv not in (default, "AUTOCOMMIT"))


def test_isolation_level_per_session_bind_and_per_transaction(
    accord_backend: Backend, accord_engine: Engine
) -> None:
    level = _other_level(accord_engine)
    default = accord_engine.dialect.default_isolation_level
    with Session(bind=accord_engine.execution_options(isolation_level=level)) as s:
        assert s.connection().get_isolation_level() == level
    with Session(accord_engine) as s:
        conn = s.connection(execution_options={"isolation_level": level})
        assert conn.get_isolation_level() == level
        s.commit()
        assert s.connection().get_isolation_level() == default
    engine = accord_backend.create_engine(isolation_level=level)
    try:
        with Session(engine) as s:
            assert s.connection().get_isolation_level() == level
    finally:
        engine.dispose()


@pytest.mark.usefixtures("tables")
def test_isolation_level_per_class_bind(accord_engine: Engine) -> None:
    level = _other_level(accord_engine)
    default = accord_engine.dialect.default_isolation_level
    leveled = accord_engine.execution_options(isolation_level=level)
    with Session(binds={Gadget: leveled}, bind=accord_engine) as s:
        gadget_conn = s.connection(bind_arguments={"mapper": Gadget})
        assert gadget_conn.get_isolation_level() == level
        assert s.connection().get_isolation_level() == default  # the Session's own bind
        s.add(Gadget(id=1, name="written at the bind's level"))
        s.commit()
    assert committed(accord_engine) == [(1, "written at the bind's level")]


@pytest.mark.requires("autocommit")
@pytest.mark.usefixtures("tables")
def test_autocommit_session_bind_makes_each_flush_durable(accord_engine: Engine) -> None:
    with Session(bind=accord_engine.execution_options(isolation_level="AUTOCOMMIT")) as s:
        s.add(Gadget(id=1, name="durable"))
        s.flush()
        assert committed(accord_engine) == [(1, "durable")]  # no commit() needed
        s.rollback()  # nothing to roll back at the database
    assert committed(accord_engine) == [(1, "durable")]

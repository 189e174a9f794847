"""S12 disconnects: a connection killed from outside is detected, discarded, and replaced."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from accord.exc import DBAPIError
from accord.sql import Column, Integer, MetaData, String, Table, insert, select, text

if TYPE_CHECKING:
    from accord.engine import Connection, Engine
    from accord.testing import Backend


def _session_id(backend: Backend, conn: Connection) -> int:
    """The server's id of ``conn``'s session."""
    if backend.name == "postgresql":
        return int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())
    if backend.name == "mysql":
        return int(conn.execute(text("SELECT CONNECTION_ID()")).scalar_one())
    pytest.skip(f"no way to terminate a {backend.name} session from outside here")


def _terminate(backend: Backend, session_id: int) -> None:
    """End a server session from a second connection, as an outage or an admin would."""
    if backend.name == "postgresql":
        kill = text("SELECT pg_terminate_backend(:pid)").bindparams(pid=session_id)
    else:
        kill = text(f"KILL {session_id}")
    admin = backend.create_engine(isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(kill)
    finally:
        admin.dispose()


def _kill(backend: Backend, victim: Connection) -> None:
    """Kill ``victim``'s DBAPI connection (sqlite: close it under accord's feet)."""
    if backend.name == "sqlite":
        victim.connection.dbapi_connection.close()
    else:
        _terminate(backend, _session_id(backend, victim))


@pytest.mark.backend("sqlite", "postgresql", "mysql")
def test_killed_connection_is_invalidated_and_next_transaction_works(
    accord_backend: Backend, accord_engine: Engine
) -> None:
    table = Table("dc_item", MetaData(), Column("id", Integer, primary_key=True))
    table.create(accord_engine)
    if accord_backend.name == "sqlite":
        # An in-memory-free file database: a new DBAPI connection sees the same data.
        assert accord_backend.url.database
    with accord_engine.connect() as conn:
        conn.execute(select(table.c.id)).all()
        conn.commit()
        _kill(accord_backend, conn)
        with pytest.raises(DBAPIError) as caught:
            conn.execute(select(table.c.id)).all()
        assert caught.value.connection_invalidated is True
        assert conn.invalidated
        conn.rollback()
        # The same Connection reconnects for its next transaction.
        with conn.begin():
            conn.execute(insert(table), {"id": 1})
    with accord_engine.begin() as conn:
        conn.execute(insert(table), {"id": 2})
    with accord_engine.connect() as conn:
        assert conn.execute(select(table.c.id).order_by(table.c.id)).scalars().all() == [1, 2]


@pytest.mark.backend("postgresql", "mysql")
def test_pool_replaces_every_connection_opened_before_the_outage(
    accord_backend: Backend,
) -> None:
    engine = accord_backend.create_engine(pool_size=2)
    try:
        first, second = engine.connect(), engine.connect()
        ids = [_session_id(accord_backend, conn) for conn in (first, second)]
        for conn in (first, second):
            conn.commit()
        second.close()  # idle in the pool
        for session_id in ids:
            _terminate(accord_backend, session_id)
        with pytest.raises(DBAPIError) as caught:
            first.execute(text("SELECT 1")).scalar_one()
        assert caught.value.connection_invalidated is True
        first.close()
        # The dead connection waiting in the pool is replaced on checkout, not handed out.
        for _ in range(2):
            with engine.connect() as conn:
                assert conn.execute(text("SELECT 1")).scalar_one() == 1
    finally:
        engine.dispose()


@pytest.mark.backend("sqlite", "postgresql", "mysql")
def test_session_survives_a_killed_connection(
    accord_backend: Backend, accord_engine: Engine
) -> None:
    """A flush on a dead connection fails cleanly; after rollback() the Session works again."""
    from accord.exc import PendingRollbackError
    from accord.inspection import inspect
    from accord.orm import DeclarativeBase, Mapped, Session, mapped_column

    class Base(DeclarativeBase):
        pass

    class Gadget(Base):
        __tablename__ = "dc_gadget"

        id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
        name: Mapped[str] = mapped_column(String(20), default="")

    Base.metadata.create_all(accord_engine)
    with Session(accord_engine) as session:
        session.add(Gadget(id=1, name="first"))
        session.commit()
        loaded = session.scalars(select(Gadget)).one()  # the transaction holds a connection
        _kill(accord_backend, session.connection())
        loaded.name = "renamed"
        lost = Gadget(id=2, name="lost")
        session.add(lost)
        with pytest.raises(DBAPIError) as caught:
            session.flush()
        assert caught.value.connection_invalidated is True
        with pytest.raises(PendingRollbackError):
            session.scalars(select(Gadget)).all()
        session.rollback()
        assert inspect(lost).transient  # added in the lost transaction: expunged
        assert inspect(loaded).persistent
        assert "name" in inspect(loaded).expired_attributes
        # the next transaction runs on a fresh connection from the pool
        assert loaded.name == "first"
        session.add(Gadget(id=3, name="third"))
        session.commit()
    with accord_engine.connect() as conn:
        rows = conn.execute(text("SELECT id, name FROM dc_gadget ORDER BY id")).all()
        assert [tuple(r) for r in rows] == [(1, "first"), (3, "third")]

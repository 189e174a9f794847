"""Session(twophase=True) on sqlite: refused clearly, before anything is written.

The two-phase protocol itself (prepare on every database, then commit; failures before
and after prepare; recovery) runs against PostgreSQL and MariaDB in
integration/test_s06_two_phase.py.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING, Any

import pytest

from accord import exc
from accord.engine import create_engine
from accord.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

if TYPE_CHECKING:
    from pathlib import Path


class Base(DeclarativeBase):
    pass


class Item(Base):
    __tablename__ = "item"

    id: Mapped[int] = mapped_column(primary_key=True)


@pytest.fixture
def path(tmp_path: Path) -> str:
    return str(tmp_path / "tpc.sqlite")


@pytest.fixture
def engine(path: str) -> Any:
    eng = create_engine(f"sqlite:///{path}")
    Base.metadata.create_all(eng)
    yield eng
    eng.dispose()


def committed_ids(path: str) -> list[int]:
    """Ids another connection sees."""
    with sqlite3.connect(path) as raw:
        return [r[0] for r in raw.execute("SELECT id FROM item ORDER BY id")]


def test_twophase_on_sqlite_is_refused_before_anything_is_written(engine: Any, path: str) -> None:
    with Session(engine, twophase=True) as s:
        s.add(Item(id=1))
        with pytest.raises(exc.InvalidRequestError, match="sqlite dialect does not support"):
            s.commit()
        with pytest.raises(exc.PendingRollbackError):
            s.flush()
        s.rollback()
        with pytest.raises(exc.InvalidRequestError, match="sqlite dialect does not support"):
            s.connection()
    assert committed_ids(path) == []


def test_twophase_from_a_sessionmaker(engine: Any) -> None:
    factory = sessionmaker(engine, twophase=True)
    with factory() as s:
        assert s.twophase
        with pytest.raises(exc.InvalidRequestError, match="two-phase"):
            s.connection()


def test_prepare_needs_twophase_and_the_root(engine: Any) -> None:
    with (
        Session(engine) as s,
        pytest.raises(exc.InvalidRequestError, match="'twophase' mode not enabled"),
    ):
        s.prepare()
    with Session(engine, twophase=True) as s:
        nested = s.begin_nested()
        with pytest.raises(exc.InvalidRequestError, match="not the root transaction"):
            nested.prepare()


def test_twophase_cannot_join_a_connection_already_in_a_transaction(engine: Any) -> None:
    with engine.connect() as conn:
        conn.begin()
        s = Session(conn, twophase=True)
        with pytest.raises(exc.InvalidRequestError, match="already in a transaction"):
            s.connection()
        s.close()

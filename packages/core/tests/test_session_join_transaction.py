"""A Session bound to a Connection already in a transaction: join_transaction_mode."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from accord import exc
from accord.engine import create_engine
from accord.orm import DeclarativeBase, Mapped, Session, mapped_column
from accord.sql import func, select

if TYPE_CHECKING:
    from pathlib import Path


class Base(DeclarativeBase):
    pass


class Pet(Base):
    __tablename__ = "pet"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(unique=True)


@pytest.fixture
def engine(tmp_path: Path) -> Any:
    eng = create_engine(f"sqlite:///{tmp_path / 'j.sqlite'}")
    Base.metadata.create_all(eng)
    yield eng
    eng.dispose()


def _names(conn: Any) -> list[str]:
    return list(conn.execute(select(Pet.name).order_by(Pet.name)).scalars())


def _committed_count(engine: Any) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(Pet)).scalar_one())


def test_create_savepoint_commit_and_rollback_stay_inside_the_outer_transaction(
    engine: Any,
) -> None:
    with engine.connect() as conn:
        outer = conn.begin()
        session = Session(conn, join_transaction_mode="create_savepoint")
        session.add(Pet(name="kept"))
        session.commit()  # releases the Session's SAVEPOINT only
        assert outer.is_active
        session.add(Pet(name="dropped"))
        session.flush()
        session.rollback()  # back to the SAVEPOINT
        assert outer.is_active
        assert _names(conn) == ["kept"]
        session.close()
        outer.rollback()
    assert _committed_count(engine) == 0


def test_create_savepoint_failed_flush_keeps_the_outer_transaction_usable(engine: Any) -> None:
    with engine.connect() as conn:
        outer = conn.begin()
        session = Session(conn, join_transaction_mode="create_savepoint")
        session.add(Pet(name="a"))
        session.commit()
        session.add(Pet(name="a"))
        with pytest.raises(exc.IntegrityError):
            session.flush()
        session.rollback()
        assert outer.is_active
        assert _names(conn) == ["a"]
        outer.rollback()


def test_conservative_savepoint_rolls_back_but_never_commits_the_outer_transaction(
    engine: Any,
) -> None:
    with engine.connect() as conn:
        outer = conn.begin()
        session = Session(conn)
        assert session.join_transaction_mode == "conservative_savepoint"
        session.add(Pet(name="x"))
        session.commit()
        assert outer.is_active  # not committed by the Session
        session.rollback()
        assert outer.is_active
        session.add(Pet(name="y"))
        session.flush()
        session.rollback()
        assert not outer.is_active  # the Session rolled the outer transaction back
    assert _committed_count(engine) == 0


def test_conservative_savepoint_inside_a_savepoint_makes_its_own(engine: Any) -> None:
    with engine.connect() as conn:
        outer = conn.begin()
        conn.begin_nested()
        session = Session(conn)
        session.add(Pet(name="z"))
        session.flush()
        session.rollback()
        assert outer.is_active
        assert conn.in_nested_transaction()
        outer.rollback()


def test_control_fully_commits_the_outer_transaction(engine: Any) -> None:
    with engine.connect() as conn:
        outer = conn.begin()
        session = Session(conn, join_transaction_mode="control_fully")
        session.add(Pet(name="c"))
        session.commit()
        assert not outer.is_active
    assert _committed_count(engine) == 1


def test_unknown_join_transaction_mode_is_an_argument_error() -> None:
    with pytest.raises(exc.ArgumentError, match="join_transaction_mode"):
        Session(join_transaction_mode="sometimes")


# -- each mode, exhaustively: commit, rollback and close against the outer transaction ------


def test_rollback_only_never_commits_or_closes_but_rolls_back(engine: Any) -> None:
    with engine.connect() as conn:
        outer = conn.begin()
        session = Session(conn, join_transaction_mode="rollback_only")
        session.add(Pet(name="a"))
        session.commit()
        assert outer.is_active  # commit() did not reach the outer transaction
        assert _committed_count(engine) == 0
        session.add(Pet(name="b"))
        session.flush()
        session.close()
        assert outer.is_active  # neither did close()
        assert _names(conn) == ["a", "b"]
        session = Session(conn, join_transaction_mode="rollback_only")
        session.add(Pet(name="c"))
        session.flush()
        session.rollback()
        assert not outer.is_active  # rollback() did
        assert _names(conn) == []
    assert _committed_count(engine) == 0


def test_control_fully_rolls_back_and_closes_the_outer_transaction(engine: Any) -> None:
    with engine.connect() as conn:
        outer = conn.begin()
        session = Session(conn, join_transaction_mode="control_fully")
        session.add(Pet(name="r"))
        session.flush()
        session.rollback()
        assert not outer.is_active
        outer = conn.begin()
        session = Session(conn, join_transaction_mode="control_fully")
        session.add(Pet(name="c"))
        session.flush()
        session.close()
        assert not outer.is_active  # close() rolled it back
        assert not conn.closed  # the Connection itself is the caller's
    assert _committed_count(engine) == 0


def test_control_fully_inside_a_savepoint_commits_that_savepoint(engine: Any) -> None:
    with engine.connect() as conn:
        outer = conn.begin()
        conn.begin_nested()
        session = Session(conn, join_transaction_mode="control_fully")
        session.add(Pet(name="s"))
        session.commit()
        assert not conn.in_nested_transaction()  # RELEASE SAVEPOINT
        assert outer.is_active
        assert _names(conn) == ["s"]
        outer.rollback()
    assert _committed_count(engine) == 0


def test_rollback_only_inside_a_savepoint_rolls_back_to_it(engine: Any) -> None:
    with engine.connect() as conn:
        outer = conn.begin()
        conn.execute(Pet.__table__.insert(), {"name": "outer"})
        conn.begin_nested()
        session = Session(conn, join_transaction_mode="rollback_only")
        session.add(Pet(name="inner"))
        session.flush()
        session.rollback()
        assert outer.is_active
        assert not conn.in_nested_transaction()
        assert _names(conn) == ["outer"]
        outer.rollback()


def test_create_savepoint_close_rolls_back_to_its_savepoint_only(engine: Any) -> None:
    with engine.connect() as conn:
        outer = conn.begin()
        conn.execute(Pet.__table__.insert(), {"name": "outer"})
        session = Session(conn, join_transaction_mode="create_savepoint")
        session.add(Pet(name="session"))
        session.flush()
        session.close()
        assert outer.is_active
        assert _names(conn) == ["outer"]
        outer.rollback()


def test_conservative_savepoint_close_leaves_the_outer_transaction_alone(engine: Any) -> None:
    with engine.connect() as conn:
        outer = conn.begin()
        session = Session(conn)
        session.add(Pet(name="kept until the caller decides"))
        session.flush()
        session.close()
        assert outer.is_active
        outer.commit()
    assert _committed_count(engine) == 1


def test_test_suite_recipe_lets_the_code_commit_and_roll_back(engine: Any) -> None:
    """The documented pytest pattern: everything vanishes with the outer rollback."""
    conn = engine.connect()
    outer = conn.begin()
    session = Session(bind=conn, join_transaction_mode="create_savepoint")
    try:
        # the code under test commits, fails, rolls back and commits again
        session.add(Pet(name="one"))
        session.commit()
        session.add(Pet(name="one"))
        with pytest.raises(exc.IntegrityError):
            session.commit()
        session.rollback()
        session.add(Pet(name="two"))
        session.commit()
        assert [p.name for p in session.scalars(select(Pet).order_by(Pet.name))] == ["one", "two"]
    finally:
        session.close()
        outer.rollback()
        conn.close()
    assert _committed_count(engine) == 0

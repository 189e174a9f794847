"""Transaction events fire in SQLAlchemy 2.0's order: plain, nested and failure cases."""

from __future__ import annotations

from typing import Any

import pytest

from accord import exc
from accord.engine import create_engine
from accord.event import listen
from accord.orm import DeclarativeBase, Mapped, Session, mapped_column

NAMES = (
    "after_transaction_create",
    "after_transaction_end",
    "after_begin",
    "before_commit",
    "after_commit",
    "after_rollback",
    "after_soft_rollback",
)


class Base(DeclarativeBase):
    pass


class Item(Base):
    __tablename__ = "item"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(unique=True)


@pytest.fixture
def engine() -> Any:
    eng = create_engine("sqlite://")
    Base.metadata.create_all(eng)
    with Session(eng) as s, s.begin():
        s.add(Item(id=1, name="taken"))
    yield eng
    eng.dispose()


def recorded(session: Session) -> list[Any]:
    """Every transaction event of ``session`` as a name, or (name, the transaction's origin)."""
    log: list[Any] = []
    for name in NAMES:

        def record(*args: Any, name: str = name) -> None:
            trans = args[1] if len(args) > 1 and hasattr(args[1], "origin") else None
            log.append(name if trans is None else (name, trans.origin.name))

        listen(session, name, record)
    return log


def test_begin_flush_commit(engine: Any) -> None:
    s = Session(engine)
    log = recorded(s)
    with s.begin():
        s.add(Item(id=2, name="x"))
    assert log == [
        ("after_transaction_create", "BEGIN"),
        "before_commit",
        ("after_transaction_create", "SUBTRANSACTION"),  # the commit's flush
        ("after_begin", "BEGIN"),  # the root checks the connection out for it
        ("after_transaction_end", "SUBTRANSACTION"),
        "after_commit",
        ("after_transaction_end", "BEGIN"),
    ]
    s.close()


def test_savepoint_released_then_root_committed(engine: Any) -> None:
    s = Session(engine)
    log = recorded(s)
    s.begin()
    s.connection()
    with s.begin_nested():
        s.add(Item(id=2, name="y"))
    s.commit()
    assert log == [
        ("after_transaction_create", "BEGIN"),
        ("after_begin", "BEGIN"),
        ("after_transaction_create", "BEGIN_NESTED"),
        "before_commit",
        ("after_transaction_create", "SUBTRANSACTION"),
        ("after_begin", "BEGIN_NESTED"),  # SAVEPOINT when the flush first needs it
        ("after_transaction_end", "SUBTRANSACTION"),
        "after_commit",  # RELEASE SAVEPOINT
        ("after_transaction_end", "BEGIN_NESTED"),
        "before_commit",
        "after_commit",
        ("after_transaction_end", "BEGIN"),
    ]
    s.close()


def test_savepoint_rolled_back_then_root_rolled_back(engine: Any) -> None:
    s = Session(engine)
    log = recorded(s)
    s.begin()
    s.connection()
    savepoint = s.begin_nested()
    s.add(Item(id=2, name="z"))
    s.flush()
    del log[:]
    savepoint.rollback()
    assert log == [
        "after_rollback",  # ROLLBACK TO SAVEPOINT
        ("after_transaction_end", "BEGIN_NESTED"),
        ("after_soft_rollback", "BEGIN_NESTED"),
    ]
    del log[:]
    s.rollback()
    assert log == [
        "after_rollback",
        ("after_transaction_end", "BEGIN"),
        ("after_soft_rollback", "BEGIN"),
    ]
    s.close()


def test_session_rollback_inside_a_savepoint_rolls_back_both_levels(engine: Any) -> None:
    s = Session(engine)
    s.connection()
    s.begin_nested()
    log = recorded(s)
    s.rollback()
    assert log == [
        "after_rollback",
        ("after_transaction_end", "BEGIN_NESTED"),
        ("after_soft_rollback", "BEGIN_NESTED"),
        "after_rollback",
        ("after_transaction_end", "AUTOBEGIN"),
        ("after_soft_rollback", "AUTOBEGIN"),
    ]
    s.close()


def test_failed_flush_rolls_back_at_once_and_the_later_rollback_is_soft(engine: Any) -> None:
    s = Session(engine)
    log = recorded(s)
    s.add(Item(id=2, name="taken"))
    with pytest.raises(exc.IntegrityError):
        s.flush()
    assert log == [
        ("after_transaction_create", "AUTOBEGIN"),
        ("after_transaction_create", "SUBTRANSACTION"),
        ("after_begin", "AUTOBEGIN"),
        "after_rollback",  # the database rollback happens when the flush fails
        ("after_transaction_end", "SUBTRANSACTION"),
        ("after_soft_rollback", "SUBTRANSACTION"),
    ]
    del log[:]
    s.rollback()
    assert log == [
        ("after_transaction_end", "AUTOBEGIN"),
        ("after_soft_rollback", "AUTOBEGIN"),  # no second after_rollback
    ]
    s.close()


def test_failed_flush_inside_a_savepoint_rolls_back_only_the_savepoint(engine: Any) -> None:
    s = Session(engine)
    s.connection()
    log = recorded(s)
    with pytest.raises(exc.IntegrityError), s.begin_nested():
        s.add(Item(id=2, name="taken"))
    assert log == [
        ("after_transaction_create", "BEGIN_NESTED"),
        "before_commit",
        ("after_transaction_create", "SUBTRANSACTION"),
        ("after_begin", "BEGIN_NESTED"),
        "after_rollback",  # ROLLBACK TO SAVEPOINT
        ("after_transaction_end", "SUBTRANSACTION"),
        ("after_soft_rollback", "SUBTRANSACTION"),
        ("after_transaction_end", "BEGIN_NESTED"),
        ("after_soft_rollback", "BEGIN_NESTED"),
    ]
    assert s.is_active
    s.close()


def test_rollback_without_a_connection_is_still_a_rollback(engine: Any) -> None:
    s = Session(engine)
    log = recorded(s)
    s.rollback()  # nothing begun: nothing happens
    assert log == []
    s.begin()
    s.rollback()
    assert log == [
        ("after_transaction_create", "BEGIN"),
        "after_rollback",
        ("after_transaction_end", "BEGIN"),
        ("after_soft_rollback", "BEGIN"),
    ]


def test_close_ends_every_level_without_rollback_events(engine: Any) -> None:
    s = Session(engine)
    s.connection()
    s.begin_nested()
    log = recorded(s)
    s.close()
    assert log == [
        ("after_transaction_end", "BEGIN_NESTED"),
        ("after_transaction_end", "AUTOBEGIN"),
    ]


def test_after_soft_rollback_can_use_the_session_again(engine: Any) -> None:
    s = Session(engine)
    seen: list[bool] = []

    def check(session: Session, previous: Any) -> None:
        seen.append(session.is_active)
        if previous.parent is None and session.is_active:
            session.connection()  # a new transaction can start from here

    listen(s, "after_soft_rollback", check)
    s.connection()
    s.rollback()
    assert seen == [True]
    assert s.in_transaction()
    s.close()


def test_after_begin_fires_once_per_connection_at_each_level(engine: Any) -> None:
    other = create_engine("sqlite://")
    s = Session(engine)
    log: list[Any] = []
    listen(
        s,
        "after_begin",
        lambda session, trans, conn: log.append(
            (trans.origin.name, "first" if conn.engine is engine else "other")
        ),
    )
    s.connection()
    s.connection(bind_arguments={"bind": other})
    s.connection()  # already begun: no event
    savepoint = s.begin_nested()  # no SAVEPOINT until a connection is used in it
    s.connection(bind_arguments={"bind": other})  # SAVEPOINT on this one only
    s.connection(bind_arguments={"bind": other})  # no second SAVEPOINT
    savepoint.commit()
    s.commit()
    s.close()
    other.dispose()
    assert log == [
        ("AUTOBEGIN", "first"),
        ("AUTOBEGIN", "other"),
        ("BEGIN_NESTED", "other"),
    ]

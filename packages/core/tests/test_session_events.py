"""Session lifecycle and transaction events, on a Session, the class and a sessionmaker."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from accord.engine import create_engine
from accord.event import listen
from accord.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker
from accord.sql import select

if TYPE_CHECKING:
    from pathlib import Path

LIFECYCLE = (
    "transient_to_pending",
    "pending_to_transient",
    "pending_to_persistent",
    "loaded_as_persistent",
    "persistent_to_transient",
    "persistent_to_deleted",
    "deleted_to_detached",
    "persistent_to_detached",
    "detached_to_persistent",
    "deleted_to_persistent",
)


class Base(DeclarativeBase):
    pass


class Thing(Base):
    __tablename__ = "thing"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str]


@pytest.fixture
def engine(tmp_path: Path) -> Any:
    eng = create_engine(f"sqlite:///{tmp_path / 'e.sqlite'}")
    Base.metadata.create_all(eng)
    yield eng
    eng.dispose()


def recorder(target: Any) -> list[tuple[str, Any]]:
    seen: list[tuple[str, Any]] = []
    for name in LIFECYCLE:
        # the label is a plain (unmapped) attribute: readable whatever the object's state
        listen(target, name, lambda s, obj, name=name: seen.append((name, label(obj))))
    return seen


def label(obj: Any) -> str:
    return obj.__dict__.get("label") or obj.__dict__.get("name", "?")


def thing(id_: int, name: str) -> Thing:
    t = Thing(id=id_, name=name)
    t.label = name  # type: ignore[attr-defined]
    return t


def test_every_lifecycle_transition(engine: Any) -> None:
    s = Session(engine)
    seen = recorder(s)
    a = thing(1, "a")
    s.add(a)
    s.expunge(a)  # pending -> transient
    s.add(a)
    s.commit()  # pending -> persistent
    s.close()  # persistent -> detached
    s.add(a)  # detached -> persistent
    s.delete(a)
    s.flush()  # persistent -> deleted
    s.rollback()  # deleted -> persistent (and a is expired)
    b = thing(2, "b")
    s.add(b)
    s.flush()
    s.rollback()  # b: persistent -> transient
    s.delete(s.get(Thing, 1))
    s.commit()  # deleted -> detached
    c = thing(3, "c")
    s.add(c)
    s.commit()
    s.expunge_all()
    s.scalars(select(Thing)).all()  # loaded_as_persistent
    assert seen == [
        ("transient_to_pending", "a"),
        ("pending_to_transient", "a"),
        ("transient_to_pending", "a"),
        ("pending_to_persistent", "a"),
        ("persistent_to_detached", "a"),
        ("detached_to_persistent", "a"),
        ("persistent_to_deleted", "a"),
        ("deleted_to_persistent", "a"),
        ("transient_to_pending", "b"),
        ("pending_to_persistent", "b"),
        ("persistent_to_transient", "b"),
        ("persistent_to_deleted", "a"),
        ("deleted_to_detached", "a"),
        ("transient_to_pending", "c"),
        ("pending_to_persistent", "c"),
        ("persistent_to_detached", "c"),
        ("loaded_as_persistent", "c"),
    ]


def test_transaction_events_and_targets(engine: Any) -> None:
    seen: list[str] = []
    factory = sessionmaker(engine)
    for name in ("after_transaction_create", "after_begin", "before_commit", "after_commit"):
        listen(factory, name, lambda *a, name=name: seen.append(name))
    listen(Session, "after_rollback", lambda s: seen.append("after_rollback (class)"))
    s = factory()
    s.add(Thing(id=1, name="x"))
    s.commit()
    s.rollback()
    # SQLAlchemy's order: the commit's flush runs in a subtransaction of its own, and the
    # connection (after_begin) is only checked out by that flush
    assert seen == [
        "after_transaction_create",
        "before_commit",
        "after_transaction_create",
        "after_begin",
        "after_commit",
    ]
    s.add(Thing(id=2, name="y"))
    s.rollback()
    assert seen[-1] == "after_rollback (class)"
    assert "after_begin" not in [n for n in seen[5:]]  # nothing flushed: no connection


def test_do_orm_execute_changes_statements_and_can_replace_results(engine: Any) -> None:
    with Session(engine) as s:
        s.add_all([Thing(id=1, name="keep"), Thing(id=2, name="hide")])
        s.commit()
    seen: list[tuple[bool, bool, bool]] = []

    def hide(state: Any) -> None:
        seen.append((state.is_select, state.is_orm_statement, state.is_update))
        if state.is_select and state.is_orm_statement:
            state.statement = state.statement.where(Thing.name != "hide")

    cache: dict[str, Any] = {}

    def cached(state: Any) -> Any:
        if state.execution_options.get("cache_key") is None:
            return None
        key = state.execution_options["cache_key"]
        if key not in cache:
            cache[key] = state.invoke_statement().scalars().all()
        return cache[key]

    s = Session(engine)
    listen(s, "do_orm_execute", hide)
    listen(s, "do_orm_execute", cached)
    assert [t.name for t in s.scalars(select(Thing))] == ["keep"]
    first = s.execute(select(Thing), execution_options={"cache_key": "k"})
    again = s.execute(select(Thing), execution_options={"cache_key": "k"})
    assert first is again
    assert [t.name for t in first] == ["keep"]
    assert seen[0] == (True, True, False)


def test_result_cache_of_frozen_results_merged_into_each_session(engine: Any) -> None:
    """The re-executing-statements recipe: cache ``freeze()``d results, serve them again."""
    from accord.event import listens_for
    from accord.inspection import inspect
    from accord.orm.loading import merge_frozen_result

    with Session(engine) as s:
        s.add_all([Thing(id=1, name="a"), Thing(id=2, name="b")])
        s.commit()
    cache: dict[str, Any] = {}
    statements: list[str] = []
    listen(engine, "before_cursor_execute", lambda c, cur, sql, *a: statements.append(sql))
    factory = sessionmaker(engine)

    @listens_for(factory, "do_orm_execute")
    def serve_from_cache(state: Any) -> Any:
        key = state.execution_options.get("cache_key")
        if key is None:
            return None
        if key not in cache:
            cache[key] = state.invoke_statement().freeze()
        merged = merge_frozen_result(state.session, state.statement, cache[key], load=False)
        return merged()

    query = select(Thing).order_by(Thing.id).execution_options(cache_key="things")
    with factory() as first:
        names = [t.name for t in first.scalars(query)]
    selects = len(statements)
    with factory() as second:
        things = second.scalars(query).all()
        # served from the cache: no SELECT, yet the objects belong to this Session
        assert len(statements) == selects
        assert [t.name for t in things] == names == ["a", "b"]
        assert all(inspect(t).session is second for t in things)
        assert second.get(Thing, 1) is things[0]  # in its identity map
        things[0].name = "changed"
        second.commit()
    with factory() as third:
        assert third.get(Thing, 1).name == "changed"

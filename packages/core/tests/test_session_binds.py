"""Session(binds=...) by class, mapper, table and base class; get_bind(); two-engine flushes."""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING, Any

import pytest

from accord import exc
from accord.engine import create_engine
from accord.event import listen
from accord.inspection import inspect
from accord.orm import DeclarativeBase, Mapped, Session, mapped_column
from accord.sql import Column, Integer, MetaData, Table, insert, select

if TYPE_CHECKING:
    from pathlib import Path


class Base(DeclarativeBase):
    pass


class Audited:
    """A mixin: binding it binds every mapped class that uses it."""


class Account(Base):
    __tablename__ = "account"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str]


class Entry(Base):
    __tablename__ = "entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    amount: Mapped[int]


class Log(Audited, Base):
    __tablename__ = "log"

    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str]


class OtherBase(DeclarativeBase):
    pass


class Note(OtherBase):
    __tablename__ = "note"

    id: Mapped[int] = mapped_column(primary_key=True)
    body: Mapped[str]


plain = Table("plain", MetaData(), Column("id", Integer, primary_key=True))


@pytest.fixture
def paths(tmp_path: Path) -> dict[str, str]:
    return {name: str(tmp_path / f"{name}.sqlite") for name in ("a", "b", "c")}


@pytest.fixture
def engines(paths: dict[str, str]) -> Any:
    made = {name: create_engine(f"sqlite:///{p}") for name, p in paths.items()}
    for e in made.values():
        Base.metadata.create_all(e)
        OtherBase.metadata.create_all(e)
        plain.create(e)
    yield made
    for e in made.values():
        e.dispose()


def rows(path: str, table: str) -> list[tuple[Any, ...]]:
    """Committed rows of ``table`` in the database file ``path``."""
    with sqlite3.connect(path) as raw:
        return [tuple(r) for r in raw.execute(f"SELECT * FROM {table} ORDER BY id")]


def test_binds_by_class_mapper_table_mixin_and_base(engines: Any) -> None:
    a, b, c = engines["a"], engines["b"], engines["c"]
    s = Session(
        binds={Account: a, inspect(Entry): b, Log.__table__: a, Audited: c, OtherBase: b},
        bind=c,
    )
    assert s.get_bind(Account) is a
    assert s.get_bind(inspect(Account)) is a
    assert s.get_bind(Entry) is b  # bound through its mapper
    assert s.get_bind(Log) is c  # the class's MRO (the mixin) wins over its table
    assert s.get_bind(Note) is b  # through the declarative base
    assert s.get_bind(clause=select(Entry.amount)) is b  # a statement's table
    assert s.get_bind(clause=Log.__table__) is a
    assert s.get_bind(clause=select(plain)) is c  # nothing matches: the Session's bind
    assert s.get_bind() is c


def test_unresolvable_binds_are_clear_errors(engines: Any) -> None:
    s = Session(binds={Account: engines["a"]})
    with pytest.raises(exc.UnboundExecutionError, match="mapper Entry"):
        s.get_bind(Entry)
    with pytest.raises(exc.UnboundExecutionError, match="no mapper or statement"):
        s.get_bind()
    with pytest.raises(exc.UnboundExecutionError, match="not bound"):
        Session().get_bind(Account)
    with pytest.raises(exc.UnmappedClassError, match="is not mapped"):
        s.get_bind(int)
    with pytest.raises(exc.ArgumentError, match="Not an acceptable bind target"):
        Session(binds={"account": engines["a"]})


def test_one_flush_writes_to_two_databases_and_one_commit_commits_both(
    engines: Any, paths: dict[str, str]
) -> None:
    with Session(binds={Account: engines["a"], Entry: engines["b"]}) as s:
        s.add_all([Account(id=1, name="ada"), Entry(id=1, amount=5), Entry(id=2, amount=7)])
        s.flush()
        assert rows(paths["a"], "account") == []
        assert rows(paths["b"], "entry") == []
        s.commit()
        # and reads go to the right database too
        assert s.scalars(select(Entry.amount).order_by(Entry.id)).all() == [5, 7]
        assert s.get(Account, 1).name == "ada"
    assert rows(paths["a"], "account") == [(1, "ada")]
    assert rows(paths["b"], "entry") == [(1, 5), (2, 7)]
    assert rows(paths["a"], "entry") == []
    assert rows(paths["b"], "account") == []


def test_rollback_undoes_both_databases(engines: Any, paths: dict[str, str]) -> None:
    with Session(binds={Account: engines["a"], Entry: engines["b"]}) as s:
        s.add_all([Account(id=1, name="ada"), Entry(id=1, amount=5)])
        s.flush()
        s.rollback()
    assert rows(paths["a"], "account") == []
    assert rows(paths["b"], "entry") == []


def test_core_statements_route_by_table(engines: Any, paths: dict[str, str]) -> None:
    with Session(binds={plain: engines["b"]}, bind=engines["a"]) as s:
        s.execute(insert(plain), [{"id": 1}, {"id": 2}])
        s.commit()
    assert rows(paths["b"], "plain") == [(1,), (2,)]
    assert rows(paths["a"], "plain") == []


def test_get_bind_override_in_a_subclass(engines: Any, paths: dict[str, str]) -> None:
    class Routing(Session):
        def get_bind(self, mapper: Any = None, **kw: Any) -> Any:
            m = inspect(mapper) if isinstance(mapper, type) else mapper
            if m is not None and m.class_.__name__.startswith("A"):
                return engines["c"]
            return engines["a"]

    with Routing() as s:
        s.add_all([Account(id=1, name="to c"), Entry(id=1, amount=1)])
        s.commit()
    assert rows(paths["c"], "account") == [(1, "to c")]
    assert rows(paths["a"], "entry") == [(1, 1)]
    assert rows(paths["a"], "account") == []


def test_without_twophase_commit_is_ordered_best_effort(
    engines: Any, paths: dict[str, str]
) -> None:
    order: list[str] = []
    for name in ("a", "b"):
        listen(engines[name], "commit", lambda conn, name=name: order.append(name))
    s = Session(binds={Account: engines["a"], Entry: engines["b"]})
    s.add(Account(id=1, name="first"))
    s.flush()  # engine a joins the transaction first, so it commits first
    s.add(Entry(id=1, amount=1))
    s.commit()
    assert order == ["a", "b"]

    def fail(conn: Any) -> None:
        raise RuntimeError("engine b is gone")

    listen(engines["b"], "commit", fail)
    acc = Account(id=2, name="committed anyway")
    entry = Entry(id=2, amount=2)
    s.add(acc)
    s.flush()
    s.add(entry)
    with pytest.raises(RuntimeError, match="engine b is gone"):
        s.commit()
    # engine a committed before b failed: that row stays (no two-phase: best effort)
    assert rows(paths["a"], "account") == [(1, "first"), (2, "committed anyway")]
    assert rows(paths["b"], "entry") == [(1, 1)]
    with pytest.raises(exc.PendingRollbackError, match="during commit"):
        s.execute(select(Account))
    s.rollback()
    assert inspect(entry).transient
    s.close()


def test_bind_arguments_choose_the_database_for_orm_and_core_statements(
    engines: Any, paths: dict[str, str]
) -> None:
    with Session(engines["a"]) as s:
        s.add(Account(id=1, name="in a"))
        s.commit()
    with Session(engines["b"]) as s:
        s.add(Account(id=1, name="in b"))
        s.commit()
    with Session(engines["a"]) as s:
        b_only = {"bind": engines["b"]}
        assert s.scalars(select(Account.name), bind_arguments=b_only).all() == ["in b"]
        assert s.execute(select(Account), bind_arguments=b_only).scalar_one().name == "in b"
        assert s.scalars(select(Account.name)).all() == ["in a"]


def test_bind_mapper_and_bind_table_route_like_binds(engines: Any, paths: dict[str, str]) -> None:
    with Session(bind=engines["a"]) as s:
        s.bind_mapper(Entry, engines["b"])
        s.bind_table(plain, engines["c"])
        assert s.get_bind(Entry) is engines["b"]
        s.add_all([Account(id=1, name="ada"), Entry(id=1, amount=5)])
        s.execute(insert(plain), [{"id": 3}])
        s.commit()
    assert rows(paths["a"], "account") == [(1, "ada")]
    assert rows(paths["b"], "entry") == [(1, 5)]
    assert rows(paths["c"], "plain") == [(3,)]
    assert rows(paths["a"], "entry") == []


def test_bind_mapper_and_bind_table_refuse_other_targets(engines: Any) -> None:
    s = Session()
    with pytest.raises(exc.UnmappedClassError, match="bind_mapper"):
        s.bind_mapper(Audited, engines["a"])
    with pytest.raises(exc.ArgumentError, match="bind_table"):
        s.bind_table(Account, engines["a"])

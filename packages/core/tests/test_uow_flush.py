"""The unit of work: order, defaults, versioning, events of a flush."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from accord import exc
from accord.engine import create_engine
from accord.event import listen
from accord.inspection import inspect
from accord.orm import DeclarativeBase, Mapped, Session, mapped_column
from accord.sql import FetchedValue, ForeignKey, func, text

if TYPE_CHECKING:
    from pathlib import Path


class Base(DeclarativeBase):
    pass


class Parent(Base):
    __tablename__ = "parent"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(default="unnamed")
    status: Mapped[str] = mapped_column(server_default="new")
    counter: Mapped[int] = mapped_column(default=lambda: 42)


class Child(Base):
    __tablename__ = "child"

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int] = mapped_column(ForeignKey("parent.id"))


class Versioned(Base):
    __tablename__ = "versioned"

    id: Mapped[int] = mapped_column(primary_key=True)
    data: Mapped[str]
    version: Mapped[int] = mapped_column()
    __mapper_args__ = {"version_id_col": version}


class Eager(Base):
    __tablename__ = "eager"

    id: Mapped[int] = mapped_column(primary_key=True)
    stamp: Mapped[str] = mapped_column(server_default="s")
    trig: Mapped[str | None] = mapped_column(server_default=FetchedValue())
    __mapper_args__ = {"eager_defaults": True}


@pytest.fixture
def engine(tmp_path: Path) -> Any:
    eng = create_engine(f"sqlite:///{tmp_path / 'u.sqlite'}")
    Base.metadata.create_all(eng)
    with eng.begin() as conn:
        conn.execute(text("PRAGMA foreign_keys=ON"))
    yield eng
    eng.dispose()


def test_parent_inserted_before_child_and_deleted_after(engine: Any) -> None:
    order: list[str] = []
    listen(engine, "before_cursor_execute", lambda c, cur, st, p, ctx, em: order.append(st))
    with Session(engine) as s:
        s.add(Child(id=1, parent_id=1))  # added first, written second
        p = Parent(id=1)
        s.add(p)
        s.commit()
        ins = [x.split()[2] for x in order if x.startswith("INSERT")]
        assert ins == ["parent", "child"]
        order.clear()
        child = s.get(Child, 1)
        s.delete(p)
        s.delete(child)
        s.commit()
        dels = [x.split()[2] for x in order if x.startswith("DELETE")]
        assert dels == ["child", "parent"]


def test_defaults_fill_or_expire(engine: Any) -> None:
    with Session(engine) as s:
        p = Parent(id=1)
        s.add(p)
        s.flush()
        assert p.__dict__["name"] == "unnamed"
        assert p.__dict__["counter"] == 42
        # eager_defaults="auto" (SQLAlchemy's default): with INSERT ... RETURNING the
        # server default is read back even though the key was given
        assert p.__dict__["status"] == "new"
        assert "status" not in inspect(p).expired_attributes
        # a database-generated key is fetched anyway: with RETURNING, "auto" eager
        # defaults read the server default in the same statement
        q = Parent()
        s.add(q)
        s.flush()
        assert q.id == 2
        if engine.dialect.insert_returning:
            assert q.__dict__["status"] == "new"
        else:
            assert q.status == "new"


def test_eager_defaults_fetch_server_values_with_returning(engine: Any) -> None:
    if not engine.dialect.insert_returning:
        pytest.skip("needs INSERT RETURNING")
    with Session(engine) as s:
        e = Eager(id=1)
        s.add(e)
        s.flush()
        assert e.__dict__["stamp"] == "s"
        assert e.__dict__["trig"] is None


def test_sql_expression_value_is_expired_after_flush(engine: Any) -> None:
    with Session(engine) as s:
        p = Parent(id=1, name=func.upper("abc"))
        s.add(p)
        s.flush()
        assert "name" not in p.__dict__
        assert p.name == "ABC"


def test_version_id_col_and_stale_data(engine: Any) -> None:
    with Session(engine, expire_on_commit=False) as s:
        v = Versioned(id=1, data="a")
        s.add(v)
        s.commit()
        assert v.version == 1
        v.data = "b"
        s.commit()
        assert v.version == 2
        with engine.begin() as conn:  # another writer moves the version on
            conn.execute(text("UPDATE versioned SET version = 9"))
        v.data = "c"
        with pytest.raises(exc.StaleDataError):
            s.flush()
        s.rollback()
    with Session(engine, expire_on_commit=False) as s2:
        w = s2.get(Versioned, 1)
        s2.commit()
        with engine.begin() as conn:
            conn.execute(text("UPDATE versioned SET version = 10"))
        s2.delete(w)
        with pytest.raises(exc.StaleDataError):
            s2.flush()


def test_persistence_and_flush_events_in_order(engine: Any) -> None:
    seen: list[str] = []
    s = Session(engine)
    for name in ("before_flush", "after_flush", "after_flush_postexec"):
        listen(s, name, lambda *a, name=name: seen.append(name))
    for name in (
        "before_insert",
        "after_insert",
        "before_update",
        "after_update",
        "before_delete",
        "after_delete",
    ):
        listen(Parent, name, lambda m, c, t, name=name: seen.append(f"{name} {t.id}"))
    for name in ("transient_to_pending", "pending_to_persistent", "persistent_to_deleted"):
        listen(Session, name, lambda sess, o, name=name: seen.append(name))
    listen(s, "deleted_to_detached", lambda sess, o: seen.append("deleted_to_detached"))
    p = Parent(id=1)
    s.add(p)
    s.commit()
    p.name = "x"
    s.commit()
    s.delete(p)
    s.commit()
    assert seen == [
        "transient_to_pending",
        "before_flush",
        "before_insert 1",
        "after_insert 1",
        "after_flush",
        "pending_to_persistent",
        "after_flush_postexec",
        "before_flush",
        "before_update 1",
        "after_update 1",
        "after_flush",
        "after_flush_postexec",
        "before_flush",
        "before_delete 1",
        "after_delete 1",
        "after_flush",
        "persistent_to_deleted",
        "after_flush_postexec",
        "deleted_to_detached",
    ]


def test_sessionmaker_listeners_reach_only_its_sessions(engine: Any) -> None:
    from accord.orm import sessionmaker

    factory = sessionmaker(engine)
    seen: list[Any] = []
    listen(factory, "after_commit", lambda sess: seen.append(sess))
    a = factory()
    a.commit()
    Session(engine).commit()
    assert seen == [a]


def test_generated_keys_match_their_objects_across_batches(engine: Any) -> None:
    with Session(engine) as s:
        s.add(Parent(id=5000, name="gap"))  # keys continue after the largest one
        s.commit()
        objs = [Parent(name=f"p{i}") for i in range(1500)]
        s.add_all(objs)
        s.flush()
        assert [o.id for o in objs] == list(range(5001, 6501))
        s.commit()
        with engine.connect() as conn:
            rows = dict(conn.execute(text("SELECT id, name FROM parent")).all())
        assert all(rows[o.id] == o.name for o in objs)


def test_a_flush_of_many_objects_looks_alike_to_listeners_and_arrives_whole(engine: Any) -> None:
    # listeners see the dialect's named statements; without them sqlite may get "?" ones
    seen: list[tuple[str, Any]] = []

    def record(conn: Any, cursor: Any, statement: str, parameters: Any, *args: Any) -> None:
        seen.append((statement, parameters))

    with Session(engine) as s:
        s.add(Parent(id=1))
        s.flush()
        s.add_all([Child(id=i, parent_id=1) for i in range(1, 301)])
        s.commit()
        listen(engine, "before_cursor_execute", record)
        s.add_all([Child(id=i, parent_id=1) for i in range(301, 601)])
        s.commit()
    inserts = [(st, p) for st, p in seen if st.startswith("INSERT INTO child")]
    assert inserts
    assert all(":id" in st and "?" not in st for st, _p in inserts)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*), sum(id) FROM child")).one() == (600, 180300)

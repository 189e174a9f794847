"""Session basics: states, commit/rollback through a fresh connection, transactions, errors."""

from __future__ import annotations

import gc
from typing import TYPE_CHECKING, Any

import pytest

from accord import exc
from accord.engine import create_engine
from accord.event import listen
from accord.inspection import inspect
from accord.orm import (
    DeclarativeBase,
    Mapped,
    ObjectState,
    Session,
    make_transient,
    make_transient_to_detached,
    mapped_column,
    object_session,
    sessionmaker,
)
from accord.sql import ForeignKey, select, text

if TYPE_CHECKING:
    from pathlib import Path


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str]
    fullname: Mapped[str | None]


class Address(Base):
    __tablename__ = "addresses"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    email: Mapped[str] = mapped_column(unique=True)


@pytest.fixture
def url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    engine = create_engine(url)
    Base.metadata.create_all(engine)
    engine.dispose()
    return url


@pytest.fixture
def engine(url: str) -> Any:
    eng = create_engine(url)
    yield eng
    eng.dispose()


def committed_rows(url: str, sql: str) -> list[tuple[Any, ...]]:
    """Rows as another connection sees them (what was committed)."""
    eng = create_engine(url)
    try:
        with eng.connect() as conn:
            return [tuple(r) for r in conn.execute(text(sql)).all()]
    finally:
        eng.dispose()


def test_states_from_transient_to_detached(engine: Any, url: str) -> None:
    u = User(name="ann")
    st = inspect(u)
    assert st.transient
    assert st.status is ObjectState.TRANSIENT
    with Session(engine) as s:
        s.add(u)
        assert st.pending
        assert u in s
        assert s.new == [u]
        assert object_session(u) is s
        s.flush()
        assert st.persistent
        assert st.identity == (u.id,)
        assert s.new == []
        assert committed_rows(url, "SELECT name FROM users") == []  # flushed, not committed
        uid = u.id
        s.commit()
        assert st.expired_attributes == {"id", "name", "fullname"}
        assert committed_rows(url, "SELECT id, name FROM users") == [(uid, "ann")]
        assert u.name == "ann"  # loads on access
        s.delete(u)
        assert s.deleted == [u]
        s.flush()
        assert st.deleted
        assert st.was_deleted
        s.commit()
        assert st.detached
    assert committed_rows(url, "SELECT * FROM users") == []


def test_close_detaches_and_expunge(engine: Any) -> None:
    s = Session(engine)
    u = User(name="a")
    s.add(u)
    s.commit()
    p = User(name="p")
    s.add(p)
    s.expunge(p)
    assert inspect(p).transient
    s.close()
    assert inspect(u).detached
    assert object_session(u) is None
    s.add(u)
    assert inspect(u).persistent
    assert u.name == "a"


def test_object_session_and_close_all_classmethods(engine: Any) -> None:
    s1, s2 = Session(engine), Session(engine)
    u, v = User(name="u"), User(name="v")
    s1.add(u)
    s2.add(v)
    assert Session.object_session(u) is s1
    assert Session.object_session(v) is s2
    Session.close_all()
    assert inspect(u).transient  # pending objects are expunged
    assert inspect(v).transient
    assert Session.object_session(u) is None


def test_invalidate_discards_the_connection_and_rolls_back(engine: Any, url: str) -> None:
    checkins: list[Any] = []
    listen(engine.pool, "invalidate", lambda dbapi_conn, rec, err: checkins.append(dbapi_conn))
    s = Session(engine)
    u = User(name="kept?")
    s.add(u)
    s.flush()
    s.invalidate()
    assert len(checkins) == 1  # the pool was told to discard the DBAPI connection
    assert inspect(u).transient  # its INSERT went with the discarded transaction
    assert s.get_transaction() is None
    assert committed_rows(url, "SELECT name FROM users") == []
    s.add(User(name="after"))  # the Session stays usable on a fresh connection
    s.commit()
    assert committed_rows(url, "SELECT name FROM users") == [("after",)]


def test_rollback_expunges_pending_and_expires_persistent(engine: Any, url: str) -> None:
    s = Session(engine)
    a = User(name="a")
    s.add(a)
    s.commit()
    a.name = "changed"
    b = User(name="b")
    s.add(b)
    s.flush()
    c = User(name="c")
    s.add(c)
    s.rollback()
    assert inspect(b).transient
    assert inspect(c).transient
    assert inspect(a).persistent
    assert a.name == "a"
    assert committed_rows(url, "SELECT name FROM users") == [("a",)]


def test_dirty_is_modified_and_update_of_changed_columns(engine: Any, url: str) -> None:
    statements: list[str] = []
    listen(engine, "before_cursor_execute", lambda c, cur, st, p, ctx, em: statements.append(st))
    with Session(engine) as s:
        u = User(name="a", fullname="A")
        s.add(u)
        s.commit()
        assert s.dirty == []
        assert not s.is_modified(u)
        u.fullname = "B"
        assert s.dirty == [u]
        assert s.is_modified(u)
        statements.clear()
        s.commit()
    assert [x for x in statements if x.startswith("UPDATE")] == [
        "UPDATE users SET fullname=? WHERE users.id = ?"
    ] or any("SET fullname" in x and "name=" not in x.replace("fullname=", "") for x in statements)
    assert committed_rows(url, "SELECT name, fullname FROM users") == [("a", "B")]


def test_inserts_grouped_into_one_executemany(engine: Any) -> None:
    calls: list[tuple[str, bool]] = []
    listen(
        engine,
        "before_cursor_execute",
        lambda c, cur, st, p, ctx, em: calls.append((st.split()[0], em)),
    )
    with Session(engine) as s:
        s.add_all([User(id=i, name=f"u{i}") for i in range(1, 6)])
        s.commit()
    assert calls.count(("INSERT", True)) == 1
    assert not [c for c in calls if c == ("INSERT", False)]


def test_context_manager_begin_and_sessionmaker(engine: Any, url: str) -> None:
    with Session(engine) as s, s.begin():
        s.add(User(name="x"))
    assert committed_rows(url, "SELECT name FROM users") == [("x",)]
    factory = sessionmaker(engine, expire_on_commit=False)
    with factory.begin() as s2:
        s2.add(User(name="y"))
    assert committed_rows(url, "SELECT name FROM users ORDER BY id") == [("x",), ("y",)]

    def fails() -> None:
        with factory.begin() as s3:
            s3.add(User(name="z"))
            raise RuntimeError

    with pytest.raises(RuntimeError):
        fails()
    assert len(committed_rows(url, "SELECT name FROM users")) == 2
    factory.configure(autoflush=False)
    assert factory().autoflush is False
    s4 = factory()
    u = User(name="kept")
    s4.add(u)
    s4.commit()
    assert "name" in u.__dict__  # expire_on_commit=False


def test_autobegin_false_requires_begin(engine: Any) -> None:
    s = Session(engine, autobegin=False)
    with pytest.raises(exc.InvalidRequestError, match="begin"):
        s.add(User(name="a"))
    with s.begin():
        s.add(User(name="a"))
    s.begin()
    with pytest.raises(exc.InvalidRequestError):
        s.begin()


def test_begin_nested_savepoint(engine: Any, url: str) -> None:
    with Session(engine) as s:
        s.add(User(name="outer"))
        nested = s.begin_nested()
        inner = User(name="inner")
        s.add(inner)
        nested.rollback()
        assert inspect(inner).transient
        with s.begin_nested():
            s.add(User(name="kept"))
        s.commit()
    assert committed_rows(url, "SELECT name FROM users ORDER BY id") == [("outer",), ("kept",)]


def test_failed_flush_is_atomic_and_needs_rollback(engine: Any, url: str) -> None:
    with Session(engine) as s:
        s.add(User(id=1, name="existing"))
        s.add(Address(id=1, user_id=1, email="taken@x"))
        s.commit()
    s = Session(engine)
    # five INSERT groups (distinct column sets); the third violates the unique email
    objs = [
        User(id=2, name="g1"),
        User(id=3, name="g2", fullname="G2"),
        Address(id=2, user_id=1, email="taken@x"),
        Address(user_id=1, email="new@x"),
        User(id=4, name="g5"),
    ]
    s.add_all(objs)
    with pytest.raises(exc.IntegrityError):
        s.flush()
    assert committed_rows(url, "SELECT id FROM users ORDER BY id") == [(1,)]
    # the flush's transaction is rolled back at once: its pending objects are transient
    # again (as in SQLAlchemy), yet the Session refuses work until rollback()
    assert all(inspect(o).transient for o in objs)
    assert s.new == []
    with pytest.raises(exc.PendingRollbackError):
        s.execute(select(User))
    with pytest.raises(exc.PendingRollbackError):
        s.commit()
    s.rollback()
    assert all(inspect(o).transient for o in objs)
    assert [u.name for u in s.scalars(select(User))] == ["existing"]
    s.add(User(id=5, name="after"))
    s.commit()
    assert committed_rows(url, "SELECT id FROM users ORDER BY id") == [(1,), (5,)]


def test_add_takes_back_a_deletion_not_yet_flushed(engine: Any, url: str) -> None:
    with Session(engine) as s:
        s.add_all([User(name="stays"), User(name="goes")])
        s.commit()
        stays, goes = s.scalars(select(User).order_by(User.id)).all()
        s.delete(stays)
        s.delete(goes)
        s.add(stays)
        assert s.deleted == [goes]
        s.commit()
        assert inspect(stays).persistent
        assert inspect(goes).detached
    assert committed_rows(url, "SELECT name FROM users") == [("stays",)]


def test_two_objects_with_one_identity(engine: Any) -> None:
    s = Session(engine)
    s.add_all([User(id=7, name="a"), User(id=7, name="b")])
    with pytest.raises(exc.FlushError, match="conflicts"):
        s.flush()
    s.rollback()
    kept = User(id=8, name="a")
    s.add(kept)
    s.commit()
    s.add(User(id=8, name="b"))
    with pytest.raises(exc.FlushError):
        s.flush()


def test_a_batch_of_new_objects_conflicting_with_a_persistent_one(engine: Any) -> None:
    s = Session(engine)
    s.add_all([User(id=1, name="a"), User(id=2, name="b")])
    s.commit()
    held = s.get(User, 2)
    batch = [User(id=3, name="c"), User(id=2, name="again"), User(id=4, name="d")]
    s.add_all(batch)
    with pytest.raises(exc.FlushError, match="conflicts with persistent"):
        s.flush()
    assert all(inspect(o).transient for o in batch)
    with pytest.raises(exc.PendingRollbackError):
        s.get(User, 1)
    s.rollback()
    assert inspect(held).persistent
    again = [User(id=5, name="e"), User(id=6, name="f")]
    s.add_all(again)
    s.commit()
    assert [inspect(o).identity for o in again] == [(5,), (6,)]
    assert s.get(User, 6) is again[1]


@pytest.mark.parametrize("count", [1, 3])
def test_new_objects_take_the_key_of_a_collected_object_and_are_not_dirty(
    engine: Any, count: int
) -> None:
    s = Session(engine)
    s.add(User(id=1, name="old"))
    s.commit()
    assert s.get(User, 1) is not None  # loaded, then collected: its state stays in the map
    gc.collect()
    s.connection().execute(text("DELETE FROM users WHERE id = 1"))
    fresh = [User(id=i + 1, name=f"new{i}") for i in range(count)]
    s.add_all(fresh)
    s.flush()
    assert s.dirty == []
    assert s.get(User, 1) is fresh[0]
    assert all(inspect(o).persistent and not inspect(o).modified for o in fresh)
    s.close()


def test_unmapped_instance(engine: Any) -> None:
    s = Session(engine)
    with pytest.raises(exc.UnmappedInstanceError):
        s.add(object())
    with pytest.raises(exc.UnmappedInstanceError):
        s.delete("x")


def test_make_transient_utilities(engine: Any) -> None:
    s = Session(engine)
    u = User(name="a")
    s.add(u)
    s.commit()
    uid = u.id
    make_transient(u)
    assert inspect(u).transient
    assert u.name == "a"
    v = User(id=uid, name="detached")
    make_transient_to_detached(v)
    assert inspect(v).detached
    s2 = Session(engine)
    s2.add(v)
    assert inspect(v).persistent
    assert s2.get(User, uid) is v


def test_flush_of_some_objects_iteration_and_is_modified(engine: Any, url: str) -> None:
    with Session(engine) as s:
        a, b = User(id=1, name="a"), User(id=2, name="b")
        s.add_all([a, b])
        s.flush([a])
        assert inspect(a).persistent
        assert inspect(b).pending
        assert set(s) == {a, b}
        s.commit()
        assert a.name == "a"  # loaded, so the set below can compare with it
        a.name = "a"  # set to the same value: recorded, but not a modification
        assert a in s.dirty
        assert not s.is_modified(a)
        s.reset()
        assert list(s) == []
        assert inspect(a).detached
    assert committed_rows(url, "SELECT id FROM users ORDER BY id") == [(1,), (2,)]


def test_merge_without_load_attaches_a_copy(engine: Any) -> None:
    with Session(engine) as s:
        s.add(User(id=1, name="a"))
        s.commit()
    statements: list[str] = []
    listen(engine, "before_cursor_execute", lambda c, cur, st, p, ctx, em: statements.append(st))
    detached = User(id=1, name="a")
    make_transient_to_detached(detached)
    with Session(engine) as s2:
        merged = s2.merge(detached, load=False)
        assert merged is not detached
        assert inspect(merged).persistent
        assert merged.name == "a"
        assert statements == []  # no SELECT: the values were taken as they are


@pytest.mark.parametrize(
    "modname",
    [
        "accord.orm.session",
        "accord.orm.session_transaction",
        "accord.orm.unitofwork",
        "accord.orm.persistence",
        "accord.orm.loading",
        "accord.orm.query",
    ],
)
def test_session_modules_export_sorted_documented_names(modname: str) -> None:
    import importlib

    module = importlib.import_module(modname)
    assert module.__doc__
    assert module.__all__ == sorted(module.__all__)
    for name in module.__all__:
        obj = getattr(module, name)
        assert obj.__doc__, f"{modname}.{name}"
        if isinstance(obj, type):
            for attr, value in vars(obj).items():
                if not attr.startswith("_") and callable(value):
                    assert value.__doc__, f"{modname}.{name}.{attr}"


def test_flush_from_a_second_thread_during_a_flush_is_refused(engine: Any) -> None:
    import threading

    s = Session(engine)
    errors: list[BaseException] = []

    def during_flush(session: Any, ctx: Any, objs: Any) -> None:
        def other() -> None:
            try:
                session.flush()
            except exc.InvalidRequestError as err:
                errors.append(err)

        t = threading.Thread(target=other)
        t.start()
        t.join()

    listen(s, "before_flush", during_flush)
    s.add(User(name="a"))
    s.flush()
    assert len(errors) == 1
    assert "another thread" in str(errors[0])

"""Loading objects: select() of entities and columns, get(), expiry, refresh, autoflush."""

from __future__ import annotations

import gc
from typing import TYPE_CHECKING, Any

import pytest

from accord import exc
from accord.engine import create_engine
from accord.event import listen, remove
from accord.inspection import inspect
from accord.orm import DeclarativeBase, Mapped, Session, mapped_column
from accord.sql import ForeignKey, Text, select, text

if TYPE_CHECKING:
    from pathlib import Path


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str]
    bio: Mapped[str | None] = mapped_column(Text, deferred=True)


class Address(Base):
    __tablename__ = "addresses"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    email: Mapped[str]


class Pair(Base):
    __tablename__ = "pair"

    a: Mapped[int] = mapped_column(primary_key=True)
    b: Mapped[str] = mapped_column(primary_key=True)


@pytest.fixture
def engine(tmp_path: Path) -> Any:
    eng = create_engine(f"sqlite:///{tmp_path / 'l.sqlite'}")
    Base.metadata.create_all(eng)
    with eng.begin() as conn:
        conn.execute(
            text("INSERT INTO users (id, name, bio) VALUES (1, 'ann', 'b1'), (2, 'bob', 'b2')")
        )
        conn.execute(text("INSERT INTO addresses VALUES (1, 1, 'a@x'), (2, 1, 'a2@x')"))
    yield eng
    eng.dispose()


def test_select_entities_through_the_identity_map(engine: Any) -> None:
    with Session(engine) as s:
        users = s.scalars(select(User).order_by(User.id)).all()
        assert [u.name for u in users] == ["ann", "bob"]
        assert all(inspect(u).persistent for u in users)
        assert "bio" not in users[0].__dict__  # deferred
        assert users[0].bio == "b1"
        again = s.execute(select(User).where(User.id == 1)).scalar_one()
        assert again is users[0]


def test_existing_objects_not_overwritten_unless_populate_existing(engine: Any) -> None:
    with Session(engine) as s:
        u = s.get(User, 1)
        u.name = "local"
        with s.no_autoflush:
            s.scalars(select(User)).all()
            assert u.name == "local"
            s.execute(select(User), execution_options={"populate_existing": True}).all()
        assert u.name == "ann"
        assert not inspect(u).modified


def test_columns_and_mixed_rows(engine: Any) -> None:
    with Session(engine) as s:
        assert s.execute(select(User.name, User.id).order_by(User.id)).all() == [
            ("ann", 1),
            ("bob", 2),
        ]
        rows = s.execute(
            select(User, Address.email)
            .join(Address, Address.user_id == User.id)
            .order_by(Address.id)
        ).all()
        assert [(r[0].name, r[1]) for r in rows] == [("ann", "a@x"), ("ann", "a2@x")]
        assert rows[0][0] is rows[1][0]
        assert s.scalar(select(User.name).where(User.id == 2)) == "bob"


def test_get_uses_the_identity_map(engine: Any) -> None:
    statements: list[str] = []
    listen(engine, "before_cursor_execute", lambda c, cur, st, p, ctx, em: statements.append(st))
    with Session(engine) as s:
        u = s.get(User, 1)
        n = len(statements)
        assert s.get(User, 1) is u
        assert s.get(User, (1,)) is u
        assert s.get(User, {"id": 1}) is u
        assert len(statements) == n
        assert s.get(User, 99) is None
        with pytest.raises(exc.NoResultFound):
            s.get_one(User, 99)


def test_get_miss_selects_one_row_and_behaves_like_a_query(engine: Any) -> None:
    statements: list[str] = []
    listen(engine, "before_cursor_execute", lambda c, cur, sql, *a: statements.append(sql))
    loaded: list[str] = []

    def on_load(target: Any, context: Any) -> None:
        loaded.append(target.name)

    listen(User, "load", on_load)
    try:
        _check_get_miss(engine, statements, loaded)
    finally:
        remove(User, "load", on_load)


def _check_get_miss(engine: Any, statements: list[str], loaded: list[str]) -> None:
    with Session(engine) as s:
        s.add(User(id=3, name="new"))
        bob = s.get(User, 2)  # autoflushes the pending user first, then one SELECT
        assert [sql.split()[0] for sql in statements] == ["INSERT", "SELECT"]
        assert "bio" not in statements[-1]  # deferred columns stay out
        assert bob.name == "bob"
        assert inspect(bob).persistent
        assert inspect(bob).unloaded == {"bio"}
        assert s.get(User, 2) is bob  # from the identity map now: no SQL
        assert s.get(User, 99) is None
        assert s.get(Pair, (1, "x")) is None  # composite keys bind every column
        assert len(statements) == 4
        assert loaded == ["bob"]
        seen: list[Any] = []
        listen(s, "do_orm_execute", lambda state: seen.append(state.statement))
        assert s.get(User, 1).name == "ann"  # a listener sees get()'s statement
        assert len(seen) == 1


def test_get_with_wrong_primary_key_arity(engine: Any) -> None:
    with Session(engine) as s:
        with pytest.raises(exc.InvalidRequestError, match="2 primary key"):
            s.get(Pair, 1)
        with pytest.raises(exc.InvalidRequestError, match="1 primary key"):
            s.get(User, (1, 2))


def test_expire_refresh_and_deleted_rows(engine: Any) -> None:
    with Session(engine) as s:
        u = s.get(User, 1)
        s.expire(u, ["name"])
        assert inspect(u).expired_attributes == {"name"}
        assert u.name == "ann"
        u.name = "pending change"
        s.refresh(u)  # refresh expires first: the unflushed change is discarded, not written
        assert u.name == "ann"
        assert not inspect(u).modified
        s.rollback()
        assert u.name == "ann"
        s.expire_all()
        assert "name" not in u.__dict__
        s.commit()
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM addresses"))
            conn.execute(text("DELETE FROM users WHERE id = 1"))
        with pytest.raises(exc.ObjectDeletedError):
            s.refresh(u)
        with pytest.raises(exc.ObjectDeletedError):
            u.name  # noqa: B018
        assert s.get(User, 1) is None


def test_autoflush_before_query_and_no_autoflush(engine: Any) -> None:
    with Session(engine) as s:
        s.add(User(id=3, name="new"))
        with s.no_autoflush:
            assert s.scalar(select(User.name).where(User.id == 3)) is None
        assert s.scalar(select(User.name).where(User.id == 3)) == "new"
    with Session(engine, autoflush=False) as s2:
        s2.add(User(id=4, name="n"))
        assert s2.scalar(select(User.name).where(User.id == 4)) is None


def test_identity_map_is_weak_for_unmodified_objects(engine: Any) -> None:
    with Session(engine) as s:
        s.get(User, 1)
        gc.collect()
        assert len(s.identity_map) == 0
        u = s.get(User, 2)
        u.name = "changed"
        del u
        gc.collect()
        assert s.identity_map.get(inspect(next(iter(s.dirty))).key).name == "changed"


def test_detached_object_cannot_load(engine: Any) -> None:
    s = Session(engine)
    u = s.get(User, 1)
    s.commit()
    s.close()
    with pytest.raises(exc.DetachedInstanceError):
        u.name  # noqa: B018


def test_statement_execution_options_and_legacy_populate_existing(engine: Any) -> None:
    with Session(engine) as s:
        u = s.get(User, 1)
        u.name = "local"
        with s.no_autoflush:
            s.scalars(select(User).execution_options(populate_existing=True)).all()
        assert u.name == "ann"
        u.name = "again"
        s.commit()
        with engine.begin() as conn:
            conn.execute(text("UPDATE users SET name = 'db' WHERE id = 1"))
        s.query(User).populate_existing().all()
        assert u.name == "db"

"""S3 Session on every backend: commits seen by other connections, identity map, rollback."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from accord import exc
from accord.event import listen
from accord.inspection import inspect
from accord.orm import DeclarativeBase, Mapped, Session, mapped_column
from accord.sql import String, delete, func, insert, select, update

if TYPE_CHECKING:
    from accord.engine import Engine


class _Models:
    """A fresh declarative base per test, so every test creates its own tables."""

    def __init__(self, engine: Engine) -> None:
        class Base(DeclarativeBase):
            pass

        class User(Base):
            __tablename__ = "s03_user"

            id: Mapped[int] = mapped_column(primary_key=True)
            name: Mapped[str] = mapped_column(String(40))
            age: Mapped[int | None]

        self.Base = Base
        self.User = User
        Base.metadata.create_all(engine)


@pytest.fixture
def models(accord_engine: Engine) -> _Models:
    """The mapped classes of this module, their tables created on the backend."""
    return _Models(accord_engine)


@pytest.fixture
def statements(accord_engine: Engine) -> list[str]:
    """Every SQL statement the engine sends to the driver, in order."""
    seen: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    listen(accord_engine, "before_cursor_execute", record)
    return seen


def _committed(engine: Engine, stmt: Any) -> list[tuple[Any, ...]]:
    """Rows as a fresh connection sees them: only what was committed."""
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(stmt).all()]


def test_database_generated_keys_are_committed_and_visible_elsewhere(
    accord_engine: Engine, models: _Models
) -> None:
    user = models.User
    with Session(accord_engine) as session:
        people = [user(name=f"u{i}", age=20 + i) for i in range(5)]
        session.add_all(people)
        session.flush()
        keys = [p.id for p in people]
        assert len(set(keys)) == 5
        assert all(isinstance(k, int) for k in keys)
        assert _committed(accord_engine, select(func.count()).select_from(user)) == [(0,)]
        session.commit()
    rows = _committed(accord_engine, select(user.id, user.name, user.age).order_by(user.id))
    assert rows == [(k, f"u{i}", 20 + i) for i, k in enumerate(keys)]


def test_each_object_gets_the_key_of_its_own_row(accord_engine: Engine, models: _Models) -> None:
    user = models.User
    with Session(accord_engine) as session:
        people = [user(name=f"n{i}") for i in range(30)]
        session.add_all(people)
        session.commit()
        by_key = {p.id: p.name for p in people}
    assert dict(_committed(accord_engine, select(user.id, user.name))) == by_key


def test_rollback_discards_the_transaction(accord_engine: Engine, models: _Models) -> None:
    user = models.User
    with Session(accord_engine) as session:
        ann = user(name="ann")
        session.add(ann)
        session.flush()
        session.rollback()
        assert inspect(ann).transient
        assert session.scalars(select(user)).all() == []
    assert _committed(accord_engine, select(user.id)) == []


def test_get_hits_the_identity_map_without_sql(
    accord_engine: Engine, models: _Models, statements: list[str]
) -> None:
    user = models.User
    with Session(accord_engine) as session:
        ann = user(name="ann")
        session.add(ann)
        session.commit()
        key = ann.id  # reloads the expired object
        statements.clear()
        assert session.get(user, key) is ann
        assert session.get(user, {"id": key}) is ann
        assert statements == []
        assert session.get(user, key + 1000) is None
        assert len(statements) == 1


def test_select_loads_through_the_identity_map(accord_engine: Engine, models: _Models) -> None:
    user = models.User
    with Session(accord_engine, expire_on_commit=False) as session:
        session.add_all([user(name="ann", age=1), user(name="bob", age=2)])
        session.commit()
        ann = session.scalars(select(user).where(user.name == "ann")).one()
        ann.age = 50  # a pending change is not overwritten by the next load
        with session.no_autoflush:
            again = session.scalars(select(user).order_by(user.name)).all()
        assert again[0] is ann
        assert ann.age == 50
        with session.no_autoflush:  # populate_existing overwrites the unflushed change
            fresh = session.execute(
                select(user).where(user.name == "ann").execution_options(populate_existing=True)
            ).scalar_one()
        assert fresh is ann
        assert ann.age == 1


def test_get_loads_a_row_committed_by_another_connection(
    accord_engine: Engine, models: _Models
) -> None:
    user = models.User
    with accord_engine.begin() as conn:
        conn.execute(insert(user), {"name": "zed", "age": 9})
        key = conn.execute(select(user.id)).scalar_one()
    with Session(accord_engine) as session:
        zed = session.get(user, key)
        assert zed is not None
        assert (zed.name, zed.age) == ("zed", 9)
        assert session.get_one(user, key) is zed


def test_begin_nested_rollback_keeps_the_outer_objects(
    accord_engine: Engine, models: _Models
) -> None:
    if not accord_engine.dialect.supports_savepoints:
        pytest.skip("no SAVEPOINT")
    user = models.User
    with Session(accord_engine) as session:
        outer = user(name="outer")
        session.add(outer)
        session.flush()
        nested = session.begin_nested()
        inner = user(name="inner")
        session.add(inner)
        outer.age = 77
        session.flush()
        nested.rollback()
        assert inspect(inner).transient
        assert inspect(outer).persistent
        assert outer.name == "outer"
        with session.begin_nested():
            session.add(user(name="kept"))
        session.commit()
    names = _committed(accord_engine, select(user.name, user.age).order_by(user.name))
    assert names == [("kept", None), ("outer", None)]


@pytest.mark.parametrize("mode", ["evaluate", "fetch", False])
def test_orm_update_synchronize_session(accord_engine: Engine, models: _Models, mode: Any) -> None:
    user = models.User
    with Session(accord_engine, expire_on_commit=False) as session:
        ann, bob = user(name="ann", age=30), user(name="bob", age=40)
        session.add_all([ann, bob])
        session.commit()
        result = session.execute(
            update(user).where(user.age > 35).values(age=99),
            execution_options={"synchronize_session": mode},
        )
        assert result.rowcount == 1
        if mode is False:
            assert bob.age == 40  # left as it was
            session.refresh(bob)
        assert bob.age == 99
        assert ann.age == 30
        session.commit()
    assert _committed(accord_engine, select(user.name, user.age).order_by(user.name)) == [
        ("ann", 30),
        ("bob", 99),
    ]


@pytest.mark.parametrize("mode", ["evaluate", "fetch", False])
def test_orm_delete_synchronize_session(accord_engine: Engine, models: _Models, mode: Any) -> None:
    user = models.User
    with Session(accord_engine, expire_on_commit=False) as session:
        ann, bob = user(name="ann", age=30), user(name="bob", age=40)
        session.add_all([ann, bob])
        session.commit()
        session.execute(
            delete(user).where(user.name == "bob"),
            execution_options={"synchronize_session": mode},
        )
        if mode is False:
            assert bob in session
        else:
            assert bob not in session
        assert ann in session
        session.commit()
    assert _committed(accord_engine, select(user.name)) == [("ann",)]


def test_commit_expires_and_the_next_access_reads_the_committed_row(
    accord_engine: Engine, models: _Models
) -> None:
    user = models.User
    with Session(accord_engine) as session:
        ann = user(name="ann", age=1)
        session.add(ann)
        session.commit()
        assert "name" not in ann.__dict__
        with accord_engine.begin() as conn:
            conn.execute(update(user.__table__).values(name="changed elsewhere"))
        assert ann.name == "changed elsewhere"


def test_accord_session_fixture_rolls_everything_back(
    accord_engine: Engine, models: _Models, accord_session: Session
) -> None:
    user = models.User
    kept = user(name="kept")
    accord_session.add(kept)
    accord_session.commit()  # a SAVEPOINT is released, the outer transaction goes on
    accord_session.add(user(name="later"))
    accord_session.flush()
    accord_session.rollback()  # back to the SAVEPOINT
    key = kept.id
    accord_session.expunge(kept)
    accord_session.add(user(id=key, name="same key"))
    with pytest.raises(exc.IntegrityError):
        accord_session.flush()
    # even on PostgreSQL the outer transaction is not aborted: the SAVEPOINT took the error
    accord_session.rollback()
    assert accord_session.scalars(select(user.name)).all() == ["kept"]
    assert _committed(accord_engine, select(user.id)) == []

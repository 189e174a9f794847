"""ORM INSERT through Session.execute: bulk rows of attribute keys, RETURNING objects,
upserts returning objects, from_statement() and text() (SPEC S7)."""

from __future__ import annotations

from typing import Any

import pytest

from accord import exc
from accord.dialects.sqlite import insert as sqlite_insert
from accord.engine import create_engine
from accord.event import listen
from accord.inspection import inspect
from accord.orm import DeclarativeBase, Mapped, Session, mapped_column
from accord.sql import insert, select, text


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column("user_name", unique=True)
    status: Mapped[str] = mapped_column(default="new")
    score: Mapped[int] = mapped_column(default=lambda: 7)


@pytest.fixture
def engine() -> Any:
    eng = create_engine("sqlite://")
    Base.metadata.create_all(eng)
    return eng


@pytest.fixture
def sent(engine: Any) -> list[tuple[str, Any, bool]]:
    seen: list[tuple[str, Any, bool]] = []

    def record(conn: Any, cursor: Any, stmt: str, params: Any, ctx: Any, many: bool) -> None:
        seen.append((stmt, params, many))

    listen(engine, "before_cursor_execute", record)
    return seen


def _rows(engine: Any) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        sql = text("SELECT id, user_name, status, score FROM users ORDER BY id")
        return list(conn.execute(sql))


def test_bulk_insert_attribute_keys_defaults_one_executemany(engine: Any, sent: Any) -> None:
    with Session(engine) as s:
        s.execute(insert(User), [{"id": 1, "name": "a"}, {"id": 2, "name": "b", "status": "x"}])
        s.commit()
    inserts = [x for x in sent if x[0].startswith("INSERT")]
    # the second row names one more attribute: its own statement, not a dropped value
    assert len(inserts) == 2
    assert _rows(engine) == [(1, "a", "new", 7), (2, "b", "x", 7)]


def test_bulk_insert_same_keys_is_a_single_executemany(engine: Any, sent: Any) -> None:
    with Session(engine) as s:
        s.execute(insert(User), [{"id": i, "name": f"u{i}"} for i in range(1, 6)])
        s.commit()
    inserts = [x for x in sent if x[0].startswith("INSERT")]
    assert len(inserts) == 1
    assert inserts[0][2] is True
    assert len(inserts[0][1]) == 5
    assert [r[1] for r in _rows(engine)] == ["u1", "u2", "u3", "u4", "u5"]


def test_bulk_insert_returning_objects_in_parameter_order(engine: Any) -> None:
    with Session(engine) as s:
        users = s.scalars(
            insert(User).returning(User), [{"name": "c"}, {"name": "a"}, {"name": "b"}]
        ).all()
        assert [u.name for u in users] == ["c", "a", "b"]
        assert [u.status for u in users] == ["new"] * 3
        assert all(inspect(u).persistent for u in users)
        assert s.get(User, users[1].id) is users[1]  # in the identity map, no SELECT needed
        s.commit()
    assert [r[1] for r in _rows(engine)] == ["c", "a", "b"]


def test_bulk_insert_returning_columns_gives_rows(engine: Any) -> None:
    with Session(engine) as s:
        rows = s.execute(
            insert(User).returning(User.id, User.name), [{"name": "x"}, {"name": "y"}]
        ).all()
        assert [r.name for r in rows] == ["x", "y"]
        assert rows[0].id < rows[1].id
        assert len(s.identity_map) == 0


def test_bulk_insert_returning_entity_and_column(engine: Any) -> None:
    with Session(engine) as s:
        rows = s.execute(insert(User).returning(User, User.score), [{"name": "p"}]).all()
        user, score = rows[0]
        assert isinstance(user, User)
        assert user.name == "p"
        assert score == 7


def test_single_row_values_returning_object(engine: Any) -> None:
    with Session(engine) as s:
        user = s.scalars(insert(User).values(name="solo", status="vip").returning(User)).one()
        assert (user.name, user.status, user.score) == ("solo", "vip", 7)
        assert inspect(user).key == (User, (user.id,), None)
        s.commit()
    assert _rows(engine) == [(1, "solo", "vip", 7)]


def test_returning_an_object_already_in_the_identity_map(engine: Any) -> None:
    with Session(engine) as s:
        s.add(User(id=1, name="old"))
        s.commit()
        existing = s.get(User, 1)
        assert existing is not None
        assert existing.name == "old"
        stmt = sqlite_insert(User).values(id=1, user_name="new")
        stmt = stmt.on_conflict_do_update(index_elements=["id"], set_={"user_name": "new"})
        same = s.scalars(stmt.returning(User)).one()
        assert same is existing
        assert existing.name == "old"  # not refreshed without populate_existing
        refreshed = s.scalars(
            stmt.returning(User), execution_options={"populate_existing": True}
        ).one()
        assert refreshed is existing
        assert existing.name == "new"
        assert not inspect(existing).modified


def test_upsert_returning_objects_bulk(engine: Any) -> None:
    with Session(engine) as s:
        s.execute(insert(User), [{"id": 1, "name": "a"}, {"id": 2, "name": "b"}])
        s.commit()
        stmt = sqlite_insert(User)
        stmt = stmt.on_conflict_do_update(
            index_elements=[User.id], set_={"status": stmt.excluded.status}
        )
        users = s.scalars(
            stmt.returning(User),
            [
                {"id": 2, "name": "b", "status": "upd"},
                {"id": 3, "name": "c", "status": "ins"},
            ],
            execution_options={"populate_existing": True},
        ).all()
        assert [(u.id, u.name, u.status) for u in users] == [(2, "b", "upd"), (3, "c", "ins")]
        s.commit()
    assert _rows(engine) == [(1, "a", "new", 7), (2, "b", "upd", 7), (3, "c", "ins", 7)]


def test_bulk_insert_autoflushes_first(engine: Any) -> None:
    with Session(engine) as s:
        s.add(User(id=1, name="pending"))
        with pytest.raises(exc.IntegrityError):
            s.execute(insert(User), [{"id": 1, "name": "dup"}])


def test_insert_into_an_unmapped_table_runs_as_core(engine: Any) -> None:
    from accord.sql import Column, Integer, MetaData, Table

    md = MetaData()
    plain = Table("plain", md, Column("id", Integer, primary_key=True), Column("v", Integer))
    md.create_all(engine)
    with Session(engine) as s:
        result = s.execute(insert(plain), [{"v": 1}, {"v": 2}])
        assert result.rowcount == 2
        assert s.execute(select(plain.c.v).order_by(plain.c.v)).scalars().all() == [1, 2]


def test_unknown_key_is_an_error(engine: Any) -> None:
    with Session(engine) as s, pytest.raises(exc.CompileError, match="nope"):
        s.scalars(insert(User).values(nope=1).returning(User))


def test_text_with_parameters(engine: Any) -> None:
    with Session(engine) as s:
        s.execute(
            text("INSERT INTO users (id, user_name, status, score) VALUES (:i, :n, 's', 1)"),
            {"i": 4, "n": "t"},
        )
        found = s.execute(text("SELECT user_name FROM users WHERE id = :i"), {"i": 4})
        assert found.scalar() == "t"


def test_from_statement_text_loads_objects(engine: Any) -> None:
    with Session(engine) as s:
        s.add_all([User(id=1, name="a"), User(id=2, name="b")])
        s.commit()
        a = s.get(User, 1)
        stmt = select(User).from_statement(
            text("SELECT score, status, user_name, id FROM users WHERE id >= :low ORDER BY id")
        )
        users = s.scalars(stmt, {"low": 1}).all()
        assert users[0] is a
        assert [(u.id, u.name) for u in users] == [(1, "a"), (2, "b")]
        assert inspect(users[1]).persistent


def test_from_statement_entity_and_column(engine: Any) -> None:
    with Session(engine) as s:
        s.add(User(id=1, name="a"))
        s.commit()
        stmt = select(User, User.name).from_statement(text("SELECT * FROM users"))
        rows = s.execute(stmt).all()
        assert rows[0][0].id == 1
        assert rows[0][1] == "a"


def test_from_statement_missing_column_is_named(engine: Any) -> None:
    with Session(engine) as s, pytest.raises(exc.InvalidRequestError, match="score"):
        s.scalars(select(User).from_statement(text("SELECT id, user_name, status FROM users")))


def test_multi_row_values_returning_objects(engine: Any, sent: Any) -> None:
    with Session(engine) as s:
        stmt = insert(User).values([{"name": "a"}, {"name": "b", "status": "vip"}])
        users = s.scalars(stmt.returning(User)).all()
        assert [(u.name, u.status, u.score) for u in users] == [
            ("a", "new", 7),
            ("b", "vip", 7),
        ]
        assert len([x for x in sent if x[0].startswith("INSERT")]) == 1


def test_bulk_update_by_primary_key_uses_attribute_keys(engine: Any) -> None:
    from accord.sql import update

    with Session(engine) as s:
        s.execute(insert(User), [{"id": 1, "name": "a"}, {"id": 2, "name": "b"}])
        a = s.get(User, 1)
        assert a is not None
        result = s.execute(update(User), [{"id": 1, "name": "A"}, {"id": 2, "name": "B"}])
        assert result.rowcount == 2
        assert "name" in inspect(a).expired_attributes
        assert a.name == "A"
        s.commit()
    assert [r[1] for r in _rows(engine)] == ["A", "B"]

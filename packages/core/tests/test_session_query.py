"""Legacy Query, ORM-enabled update()/delete() with synchronize_session, merge, expunge."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from accord import exc
from accord.engine import create_engine
from accord.inspection import inspect
from accord.orm import DeclarativeBase, Mapped, Session, close_all_sessions, mapped_column
from accord.sql import delete, func, select, text, update

if TYPE_CHECKING:
    from pathlib import Path


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str]
    score: Mapped[int] = mapped_column(default=0)


@pytest.fixture
def engine(tmp_path: Path) -> Any:
    eng = create_engine(f"sqlite:///{tmp_path / 'q.sqlite'}")
    Base.metadata.create_all(eng)
    with Session(eng) as s:
        s.add_all([User(id=i, name=f"u{i}", score=i * 10) for i in range(1, 6)])
        s.commit()
    yield eng
    eng.dispose()


def db_names(engine: Any) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text("SELECT id, name FROM users ORDER BY id"))]


def test_legacy_query(engine: Any) -> None:
    with Session(engine) as s:
        q = s.query(User)
        assert [u.id for u in q.order_by(User.id.desc()).all()] == [5, 4, 3, 2, 1]
        assert q.filter(User.id > 1).filter_by(name="u3").one().id == 3
        assert q.filter(User.id > 100).first() is None
        assert q.filter(User.score >= 30).count() == 3
        assert q.get(2) is s.get(User, 2)
        with pytest.raises(exc.NoResultFound):
            q.filter(User.id > 100).one()
        with pytest.raises(exc.MultipleResultsFound):
            q.one()
        assert s.query(User.name).filter(User.id == 1).all() == [("u1",)]
        with pytest.raises(exc.InvalidRequestError):
            q.filter_by(nope=1)


def test_update_evaluate_changes_objects_in_the_session(engine: Any) -> None:
    with Session(engine) as s:
        users = s.scalars(select(User).order_by(User.id)).all()
        s.execute(
            update(User).where(User.score >= 30).values(name="hi"),
            execution_options={"synchronize_session": "evaluate"},
        )
        assert [u.name for u in users] == ["u1", "u2", "hi", "hi", "hi"]
        assert not inspect(users[2]).modified
        s.commit()
    assert db_names(engine)[2:] == [(3, "hi"), (4, "hi"), (5, "hi")]


def test_update_fetch_expires_matched_and_auto_falls_back(engine: Any) -> None:
    with Session(engine) as s:
        users = s.scalars(select(User).order_by(User.id)).all()
        s.execute(
            update(User).where(User.name.like("u%")).values(score=User.score + 1),
            execution_options={"synchronize_session": "fetch"},
        )
        # the new value is computable in Python: applied to the loaded object, not expired
        assert "score" not in inspect(users[0]).expired_attributes
        assert users[0].__dict__["score"] == 11
        # LIKE can't be evaluated in Python: 'auto' fetches the matched keys instead
        s.execute(update(User).where(User.name.like("u1")).values(name="one"))
        assert users[0].name == "one"
        assert users[1].name == "u2"
        with pytest.raises(exc.InvalidRequestError, match="evaluate"):
            s.execute(
                update(User).where(User.name.like("x")).values(name="z"),
                execution_options={"synchronize_session": "evaluate"},
            )


def test_delete_removes_matched_objects_and_false_leaves_them(engine: Any) -> None:
    with Session(engine) as s:
        users = s.scalars(select(User).order_by(User.id)).all()
        s.execute(delete(User).where(User.id == 5))
        assert not inspect(users[4]).persistent
        assert users[4] not in s
        s.execute(
            delete(User).where(User.id == 4), execution_options={"synchronize_session": False}
        )
        assert inspect(users[3]).persistent  # stale, as asked
        s.commit()
        assert s.scalar(select(func.count()).select_from(User)) == 3


def test_merge_and_expunge(engine: Any) -> None:
    with Session(engine) as s:
        u = s.get(User, 1)
        detached = User(id=1, name="merged", score=10)
        merged = s.merge(detached)
        assert merged is u
        assert u.name == "merged"
        assert inspect(detached).transient
        new = s.merge(User(id=9, name="nine"))
        assert inspect(new).pending
        s.commit()
        s.expunge(u)
        assert inspect(u).detached
        s.expunge_all()
        assert len(s.identity_map) == 0
    assert db_names(engine)[0] == (1, "merged")
    assert db_names(engine)[-1] == (9, "nine")


def test_close_all_sessions(engine: Any) -> None:
    s = Session(engine)
    u = s.get(User, 1)
    close_all_sessions()
    assert inspect(u).detached


def test_bulk_update_by_primary_key(engine: Any) -> None:
    with Session(engine) as s:
        u1 = s.get(User, 1)
        result = s.execute(update(User), [{"id": 1, "name": "one"}, {"id": 2, "name": "two"}])
        assert result.rowcount == 2
        assert "name" in inspect(u1).expired_attributes
        assert u1.name == "one"
        with pytest.raises(exc.InvalidRequestError, match="primary key"):
            s.execute(update(User), [{"name": "nokey"}])
        s.commit()
    assert db_names(engine)[:3] == [(1, "one"), (2, "two"), (3, "u3")]


def test_bulk_insert_of_dicts(engine: Any) -> None:
    from accord.sql import insert

    with Session(engine) as s:
        s.execute(insert(User), [{"id": 10, "name": "ten"}, {"id": 11, "name": "eleven"}])
        assert s.get(User, 11).name == "eleven"
        s.commit()
    assert db_names(engine)[-2:] == [(10, "ten"), (11, "eleven")]

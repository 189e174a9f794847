"""The legacy bulk methods: bulk_insert_mappings, bulk_update_mappings, bulk_save_objects,
and Session.identity_key()."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from accord import exc
from accord.engine import create_engine
from accord.inspection import inspect
from accord.orm import DeclarativeBase, Mapped, Session, identity_key, mapped_column
from accord.sql import text

if TYPE_CHECKING:
    from pathlib import Path


class Base(DeclarativeBase):
    pass


class Thing(Base):
    __tablename__ = "thing"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column("thing_name")
    status: Mapped[str | None] = mapped_column(default="new")


@pytest.fixture
def url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'bulk.sqlite'}"
    engine = create_engine(url)
    Base.metadata.create_all(engine)
    engine.dispose()
    return url


def committed(url: str) -> list[tuple[Any, ...]]:
    """The rows another connection sees."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            sql = text("SELECT id, thing_name, status FROM thing ORDER BY id")
            return [tuple(r) for r in conn.execute(sql)]
    finally:
        engine.dispose()


def test_bulk_insert_and_update_mappings(url: str) -> None:
    with Session(create_engine(url)) as s:
        rows: list[dict[str, Any]] = [{"name": "a"}, {"name": "b", "status": None}]
        s.bulk_insert_mappings(Thing, rows, return_defaults=True)
        assert [r["id"] for r in rows] == [1, 2]  # the dicts get their new keys
        s.bulk_insert_mappings(inspect(Thing), [{"id": 10, "name": "c", "status": None}],
                               render_nulls=True)  # fmt: skip
        s.bulk_update_mappings(Thing, [{"id": 1, "status": "done"}, {"id": 2, "name": "B"}])
        assert s.new == []  # nothing was tracked
        s.commit()
    # status None left out (the default applied), unless render_nulls sends the NULL
    assert committed(url) == [(1, "a", "done"), (2, "B", "new"), (10, "c", None)]


def test_bulk_save_objects_inserts_new_and_updates_changed(url: str) -> None:
    engine = create_engine(url)
    with Session(engine) as s:
        s.add_all([Thing(id=1, name="one"), Thing(id=2, name="two")])
        s.commit()
        one, two = s.get(Thing, 1), s.get(Thing, 2)
        one.name = "ONE"
        fresh = [Thing(name="three"), Thing(name="four", status="x")]
        s.expunge_all()
        s.bulk_save_objects([*fresh, one, two], return_defaults=True)
        assert [t.id for t in fresh] == [3, 4]  # keys given back, as loaded values
        assert inspect(fresh[0]).transient  # not added to the Session
        assert inspect(fresh[0]).attrs["id"].history.unchanged == [3]
        s.commit()
    assert committed(url) == [(1, "ONE", "new"), (2, "two", "new"), (3, "three", "new"),
                              (4, "four", "x")]  # fmt: skip


def test_bulk_methods_refuse_unmapped_targets(url: str) -> None:
    with Session(create_engine(url)) as s:
        with pytest.raises(exc.UnmappedClassError):
            s.bulk_insert_mappings(dict, [{"x": 1}])
        with pytest.raises(exc.UnmappedInstanceError):
            s.bulk_save_objects([object()])


def test_identity_key_classmethod() -> None:
    assert Session.identity_key(Thing, 5) == identity_key(Thing, 5) == (Thing, (5,), None)
    t = Thing(id=7, name="x")
    assert Session.identity_key(instance=t) == (Thing, (7,), None)
    assert Session.identity_key(Thing, 5, identity_token="s1") == (Thing, (5,), "s1")

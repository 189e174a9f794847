"""S3 unit of work on every backend: changed-column UPDATEs, versioning, defaults, atomic flush."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from accord import exc
from accord.event import listen
from accord.inspection import inspect
from accord.orm import DeclarativeBase, Mapped, Session, mapped_column
from accord.sql import ForeignKey, Integer, String, func, select, update

if TYPE_CHECKING:
    from accord.engine import Engine


class _Models:
    """A fresh declarative base per test, so every test creates its own tables."""

    def __init__(self, engine: Engine) -> None:
        class Base(DeclarativeBase):
            pass

        class Item(Base):
            __tablename__ = "s03u_item"

            id: Mapped[int] = mapped_column(primary_key=True)
            name: Mapped[str] = mapped_column(String(40))
            qty: Mapped[int] = mapped_column(default=0)
            note: Mapped[str | None] = mapped_column(String(40))

        class Versioned(Base):
            __tablename__ = "s03u_versioned"

            id: Mapped[int] = mapped_column(primary_key=True)
            data: Mapped[str] = mapped_column(String(40))
            version: Mapped[int] = mapped_column(Integer)
            __mapper_args__ = {"version_id_col": version}

        class Lazy(Base):
            __tablename__ = "s03u_lazy"

            id: Mapped[int] = mapped_column(primary_key=True)
            status: Mapped[str] = mapped_column(String(10), server_default="new")
            # not "auto" (the default), which reads the value back wherever INSERT
            # has RETURNING
            __mapper_args__ = {"eager_defaults": False}

        class Eager(Base):
            __tablename__ = "s03u_eager"

            id: Mapped[int] = mapped_column(primary_key=True)
            status: Mapped[str] = mapped_column(String(10), server_default="new")
            __mapper_args__ = {"eager_defaults": True}

        self.Base = Base
        self.Item = Item
        self.Versioned = Versioned
        self.Lazy = Lazy
        self.Eager = Eager
        Base.metadata.create_all(engine)


@pytest.fixture
def models(accord_engine: Engine) -> _Models:
    """The mapped classes of this module, their tables created on the backend."""
    return _Models(accord_engine)


@pytest.fixture
def statements(accord_engine: Engine) -> list[tuple[str, Any]]:
    """Every statement sent to the driver with its parameters, in order."""
    seen: list[tuple[str, Any]] = []

    def record(conn: Any, cursor: Any, statement: str, parameters: Any, *args: Any) -> None:
        seen.append((statement, parameters))

    listen(accord_engine, "before_cursor_execute", record)
    return seen


def _committed(engine: Engine, stmt: Any) -> list[tuple[Any, ...]]:
    """Rows as a fresh connection sees them: only what was committed."""
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(stmt).all()]


def test_update_sets_only_the_changed_columns(
    accord_engine: Engine, models: _Models, statements: list[tuple[str, Any]]
) -> None:
    item = models.Item
    with Session(accord_engine, expire_on_commit=False) as session:
        widget = item(name="widget", qty=1, note="n")
        session.add(widget)
        session.commit()
        statements.clear()
        widget.qty = 5
        session.commit()
    updates = [s for s, _p in statements if s.lstrip().upper().startswith("UPDATE")]
    assert len(updates) == 1
    set_clause = updates[0].upper().split(" SET ", 1)[1].split(" WHERE ", 1)[0]
    assert "QTY" in set_clause
    assert "NAME" not in set_clause
    assert "NOTE" not in set_clause
    assert _committed(accord_engine, select(item.name, item.qty, item.note)) == [
        ("widget", 5, "n")
    ]


def test_unchanged_value_sends_no_update(
    accord_engine: Engine, models: _Models, statements: list[tuple[str, Any]]
) -> None:
    item = models.Item
    with Session(accord_engine, expire_on_commit=False) as session:
        widget = item(name="widget")
        session.add(widget)
        session.commit()
        statements.clear()
        widget.name = "widget"
        session.commit()
    assert not [s for s, _p in statements if s.lstrip().upper().startswith("UPDATE")]


def test_update_to_the_value_another_connection_wrote_is_not_stale(
    accord_engine: Engine, models: _Models
) -> None:
    # MySQL counts changed rows unless asked for matched rows: an UPDATE that writes the
    # value already there must still count as one row, or the flush would call it stale
    item = models.Item
    with Session(accord_engine, expire_on_commit=False) as session:
        widget = item(name="widget")
        session.add(widget)
        session.commit()
        with accord_engine.begin() as conn:
            conn.execute(update(item.__table__).values(name="same"))
        widget.name = "same"
        session.commit()
    assert _committed(accord_engine, select(item.name)) == [("same",)]


def test_delete_removes_the_row(accord_engine: Engine, models: _Models) -> None:
    item = models.Item
    with Session(accord_engine) as session:
        a, b = item(name="a"), item(name="b")
        session.add_all([a, b])
        session.commit()
        session.delete(a)
        session.flush()
        assert inspect(a).deleted
        session.commit()
        assert inspect(a).detached
    assert _committed(accord_engine, select(item.name)) == [("b",)]


def test_version_counter_and_stale_data_after_a_concurrent_change(
    accord_engine: Engine, models: _Models
) -> None:
    versioned = models.Versioned
    with Session(accord_engine, expire_on_commit=False) as session:
        v = versioned(data="a")
        session.add(v)
        session.commit()
        assert v.version == 1
        v.data = "b"
        session.commit()
        assert v.version == 2
        with accord_engine.begin() as conn:  # a second writer moves the version on
            conn.execute(update(versioned.__table__).values(version=9, data="theirs"))
        v.data = "mine"
        with pytest.raises(exc.StaleDataError):
            session.flush()
        session.rollback()
    assert _committed(accord_engine, select(versioned.data, versioned.version)) == [("theirs", 9)]


def test_versioned_delete_after_a_concurrent_change_is_stale(
    accord_engine: Engine, models: _Models
) -> None:
    versioned = models.Versioned
    with Session(accord_engine, expire_on_commit=False) as session:
        v = versioned(data="a")
        session.add(v)
        session.commit()
        with accord_engine.begin() as conn:
            conn.execute(update(versioned.__table__).values(version=5))
        session.delete(v)
        with pytest.raises(exc.StaleDataError):
            session.flush()
        session.rollback()
    assert _committed(accord_engine, select(versioned.version)) == [(5,)]


def test_server_default_is_expired_then_loaded(accord_engine: Engine, models: _Models) -> None:
    lazy = models.Lazy
    with Session(accord_engine) as session:
        row = lazy(id=1)
        session.add(row)
        session.flush()
        assert "status" in inspect(row).expired_attributes
        assert row.status == "new"


def test_eager_defaults_fetch_the_server_value_in_the_flush(
    accord_engine: Engine, models: _Models, statements: list[tuple[str, Any]]
) -> None:
    eager = models.Eager
    with Session(accord_engine) as session:
        row = eager(id=1)
        session.add(row)
        session.flush()
        statements.clear()
        assert row.status == "new"
        if accord_engine.dialect.insert_returning:
            assert statements == []  # fetched by the INSERT itself


def test_database_key_with_server_default(accord_engine: Engine, models: _Models) -> None:
    lazy = models.Lazy
    with Session(accord_engine) as session:
        rows = [lazy(), lazy(status="set")]
        session.add_all(rows)
        session.commit()
        assert [r.status for r in rows] == ["new", "set"]
        assert rows[0].id != rows[1].id


def test_many_database_keys_each_reach_their_own_object(
    accord_engine: Engine, models: _Models, statements: list[tuple[str, Any]]
) -> None:
    # more rows than one multi-row INSERT holds on any backend, the last batch partial
    item = models.Item
    made = [item(name=f"n{i}", qty=i) for i in range(2345)]
    with Session(accord_engine) as session:
        session.add_all(made)
        session.flush()
        keys = [(o.id, o.name, o.qty) for o in made]
        session.commit()
    assert len({k[0] for k in keys}) == len(made)
    assert sorted(keys) == sorted(_committed(accord_engine, select(item.id, item.name, item.qty)))
    dialect = accord_engine.dialect
    batched = dialect.insert_executemany_returning or (
        dialect.insert_returning and dialect.insert_multivalues_returning_ordered
    )
    inserts = [s for s, _p in statements if s.startswith("INSERT")]
    if batched:
        assert len(inserts) < len(made) // 2


def test_many_objects_with_given_keys_all_arrive(accord_engine: Engine, models: _Models) -> None:
    # several pages of multi-row INSERTs where the backend gets them, and a remainder
    item = models.Item
    made = [
        item(id=i + 1, name=f"n{i}", qty=i % 7, note=None if i % 3 else "x") for i in range(1234)
    ]
    expected = [(o.id, o.name, o.qty, o.note) for o in made]
    with Session(accord_engine) as session:
        session.add_all(made)
        session.commit()
        assert all(inspect(o).persistent for o in made)
        assert session.get(item, 1000) is made[999]
    got = _committed(accord_engine, select(item.id, item.name, item.qty, item.note))
    assert sorted(got) == expected


def test_sql_expression_value_is_read_back(accord_engine: Engine, models: _Models) -> None:
    item = models.Item
    with Session(accord_engine) as session:
        widget = item(name=func.upper("abc"))
        session.add(widget)
        session.flush()
        assert "name" not in widget.__dict__
        assert widget.name == "ABC"


class _Chain:
    """Five tables, each row pointing at the previous table: five INSERT groups in order."""

    def __init__(self, engine: Engine) -> None:
        class Base(DeclarativeBase):
            pass

        classes: list[Any] = []
        for i in range(5):
            attrs: dict[str, Any] = {
                "__tablename__": f"s03u_chain{i}",
                "__annotations__": {"id": Mapped[int], "label": Mapped[str]},
                "id": mapped_column(primary_key=True, autoincrement=False),
                "label": mapped_column(String(20), unique=True),
            }
            if i:
                attrs["__annotations__"]["parent_id"] = Mapped[int]
                attrs["parent_id"] = mapped_column(ForeignKey(f"s03u_chain{i - 1}.id"))
            classes.append(type(f"Chain{i}", (Base,), attrs))
        self.classes = classes
        Base.metadata.create_all(engine)

    def objects(self, duplicate_in: int | None) -> list[Any]:
        """Two rows per table; the table ``duplicate_in`` gets one label twice."""
        made = []
        for i, cls in enumerate(self.classes):
            for j in (1, 2):
                label = f"t{i}" if i == duplicate_in else f"t{i}r{j}"
                kw: dict[str, Any] = {"id": j, "label": label}
                if i:
                    kw["parent_id"] = j
                made.append(cls(**kw))
        return made


def test_failed_flush_leaves_no_rows_and_the_session_usable_after_rollback(
    accord_engine: Engine,
) -> None:
    chain = _Chain(accord_engine)
    with Session(accord_engine) as session:
        bad = chain.objects(duplicate_in=2)
        session.add_all(bad)
        with pytest.raises(exc.IntegrityError):
            session.flush()
        # the first two tables' rows were inserted, and rolled back with the flush
        for cls in chain.classes:
            assert _committed(accord_engine, select(func.count()).select_from(cls)) == [(0,)]
        # rolled back with the flush, as in SQLAlchemy: the objects are transient again
        assert all(inspect(o).transient for o in bad)
        with pytest.raises(exc.PendingRollbackError):
            session.execute(select(chain.classes[0]))
        with pytest.raises(exc.PendingRollbackError):
            session.flush()
        session.rollback()
        assert session.new == []
        session.add_all(chain.objects(duplicate_in=None))
        session.commit()
    for cls in chain.classes:
        assert _committed(accord_engine, select(func.count()).select_from(cls)) == [(2,)]


def test_failed_commit_keeps_nothing(accord_engine: Engine) -> None:
    chain = _Chain(accord_engine)
    with Session(accord_engine) as session:
        session.add_all(chain.objects(duplicate_in=2))
        with pytest.raises(exc.IntegrityError):
            session.commit()
        session.rollback()
        assert session.scalars(select(chain.classes[0])).all() == []
    for cls in chain.classes:
        assert _committed(accord_engine, select(func.count()).select_from(cls)) == [(0,)]

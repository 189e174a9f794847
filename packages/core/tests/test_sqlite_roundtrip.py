"""Every S1 type written and read back through sqlite3; executemany, RETURNING, upsert."""

from __future__ import annotations

import datetime as dt
import decimal
import enum
import uuid
from typing import TYPE_CHECKING, Any

import pytest

from accord.engine import create_engine
from accord.exc import IntegrityError, StatementError
from accord.sql import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Enum,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    SmallInteger,
    String,
    Table,
    Text,
    Time,
    Uuid,
    delete,
    insert,
    select,
    update,
)

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from accord.engine import Engine


class Color(enum.Enum):
    RED = "red"
    GREEN = "green"


metadata = MetaData()
everything = Table(
    "everything",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("big", BigInteger),
    Column("small", SmallInteger),
    Column("s", String(50)),
    Column("txt", Text),
    Column("flag", Boolean),
    Column("f", Float),
    Column("num", Numeric(12, 4)),
    Column("d", Date),
    Column("ts", DateTime),
    Column("tstz", DateTime(timezone=True)),
    Column("tm", Time),
    Column("blob", LargeBinary),
    Column("doc", JSON),
    Column("uid", Uuid),
    Column("color", Enum(Color)),
    Column("label", Enum("a", "b", name="label_enum")),
)
counters = Table(
    "counters",
    metadata,
    Column("name", String(20), primary_key=True),
    Column("n", Integer, nullable=False),
    Column("note", String(20), default="fresh"),
    Column("stamp", Integer, default=lambda ctx: 41 + 1, onupdate=lambda: 99),
)
parents = Table("parents", metadata, Column("id", Integer, primary_key=True))
children = Table(
    "children",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("parent_id", Integer, ForeignKey("parents.id")),
)

VALUES: dict[str, Any] = {
    "big": 2**62,
    "small": -7,
    "s": "héllo 'quoted'",
    "txt": "x" * 5000,
    "flag": True,
    "f": 1.5,
    "num": decimal.Decimal("12345.6789"),
    "d": dt.date(2024, 2, 29),
    "ts": dt.datetime(2024, 2, 29, 13, 14, 15, 123456),
    "tstz": dt.datetime(2024, 2, 29, 13, 14, 15, tzinfo=dt.timezone(dt.timedelta(hours=2))),
    "tm": dt.time(23, 59, 58, 1000),
    "blob": b"\x00\x01\xffbinary",
    "doc": {"a": [1, 2, {"b": None}], "c": "d"},
    "uid": uuid.UUID("12345678-1234-5678-1234-567812345678"),
    "color": Color.GREEN,
    "label": "b",
}


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    eng = create_engine(f"sqlite:///{tmp_path / 'rt.db'}")
    metadata.create_all(eng)
    yield eng
    eng.dispose()


def test_every_type_round_trips_through_a_fresh_connection(engine: Engine) -> None:
    with engine.begin() as conn:
        result = conn.execute(insert(everything), VALUES)
        pk = result.inserted_primary_key
    assert pk is not None
    with engine.connect() as conn:
        row = conn.execute(select(everything).where(everything.c.id == pk[0])).one()
    for key, expected in VALUES.items():
        got = row._mapping[key]
        if key == "tstz":
            # sqlite stores no zone: the instant is kept (read back in UTC or as given).
            assert got == expected or got.replace(tzinfo=expected.tzinfo) == expected, key
        else:
            assert got == expected, key
            assert type(got) is type(expected), key


def test_nulls_round_trip_for_every_type(engine: Engine) -> None:
    with engine.begin() as conn:
        pk = conn.execute(insert(everything), {"s": None}).inserted_primary_key
    with engine.connect() as conn:
        row = conn.execute(select(everything).where(everything.c.id == pk[0])).one()  # type: ignore[index]
    assert all(row._mapping[k] is None for k in VALUES)


def test_row_mapping_accepts_column_objects(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(insert(everything), {"s": "x", "small": 1})
        row = conn.execute(select(everything.c.s, everything.c.small)).one()
    assert row._mapping[everything.c.s] == "x"
    assert row.small == 1


def test_insert_executemany_and_rowcount(engine: Engine) -> None:
    rows = [{"name": f"c{i}", "n": i} for i in range(100)]
    with engine.begin() as conn:
        result = conn.execute(insert(counters), rows)
        assert result.rowcount == 100
        assert len(result.inserted_primary_key_rows) == 100
        assert result.inserted_primary_key_rows[3] == ("c3",)
    with engine.connect() as conn:
        got = conn.execute(select(counters.c.name, counters.c.n).order_by(counters.c.n)).all()
        assert got == [(f"c{i}", i) for i in range(100)]
        notes = conn.execute(select(counters.c.note, counters.c.stamp).distinct()).all()
        assert notes == [("fresh", 42)]


def test_executemany_applies_bind_processors(engine: Engine) -> None:
    rows: list[dict[str, Any]] = [
        {"f": 1.5, "flag": True, "num": decimal.Decimal("1.25")},
        {"f": 2.5, "flag": False, "num": decimal.Decimal("2")},
        {"f": None, "flag": None, "num": None},
    ]
    with engine.begin() as conn:
        conn.execute(insert(everything), rows)
    with engine.connect() as conn:
        got = conn.execute(
            select(everything.c.f, everything.c.flag, everything.c.num).order_by(everything.c.id)
        ).all()
    assert got == [
        (1.5, True, decimal.Decimal("1.25")),
        (2.5, False, decimal.Decimal("2")),
        (None, None, None),
    ]
    assert rows[1]["num"] == decimal.Decimal("2")  # the caller's dicts are not changed


def test_python_defaults_and_onupdate(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(insert(counters), {"name": "a", "n": 1})
        params = conn.execute(insert(counters), {"name": "b", "n": 1}).last_inserted_params()
        assert params["note"] == "fresh"
        assert params["stamp"] == 42
        conn.execute(update(counters).where(counters.c.name == "a").values(n=2))
    with engine.connect() as conn:
        rows = conn.execute(select(counters).order_by(counters.c.name)).all()
    assert [(r.name, r.n, r.note, r.stamp) for r in rows] == [
        ("a", 2, "fresh", 99),
        ("b", 1, "fresh", 42),
    ]


def test_autoincrement_primary_key_from_lastrowid(engine: Engine) -> None:
    with engine.begin() as conn:
        first = conn.execute(insert(parents), {}).inserted_primary_key
        second = conn.execute(insert(parents), {}).inserted_primary_key
        explicit = conn.execute(insert(parents), {"id": 100}).inserted_primary_key
    assert first is not None
    assert second is not None
    assert second[0] == first[0] + 1
    assert explicit == (100,)


def test_returning(engine: Engine) -> None:
    with engine.begin() as conn:
        result = conn.execute(
            insert(counters).returning(counters.c.name, counters.c.stamp), {"name": "r", "n": 5}
        )
        assert result.all() == [("r", 42)]
        assert result.inserted_primary_key == ("r",)
        upd = conn.execute(
            update(counters)
            .where(counters.c.name == "r")
            .values(n=counters.c.n + 1)
            .returning(counters.c.n)
        )
        assert upd.scalar_one() == 6
        gone = conn.execute(delete(counters).where(counters.c.name == "r").returning(counters.c.n))
        assert gone.scalars().all() == [6]


def test_update_and_delete_rowcount(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(insert(counters), [{"name": "a", "n": 1}, {"name": "b", "n": 1}])
        assert conn.execute(update(counters).values(n=3)).rowcount == 2
        assert conn.execute(delete(counters).where(counters.c.name == "a")).rowcount == 1


def test_upsert_on_conflict_do_update(engine: Engine) -> None:
    from accord.dialects.sqlite import insert as sqlite_insert

    with engine.begin() as conn:
        conn.execute(insert(counters), {"name": "u", "n": 1})
        stmt = sqlite_insert(counters).values(name="u", n=10)
        stmt = stmt.on_conflict_do_update(
            index_elements=[counters.c.name], set_={"n": counters.c.n + stmt.excluded.n}
        )
        conn.execute(stmt)
        conn.execute(
            sqlite_insert(counters).values(name="u", n=0).on_conflict_do_nothing(),
        )
    with engine.connect() as conn:
        assert conn.execute(select(counters.c.n).where(counters.c.name == "u")).scalar() == 11


def test_foreign_key_violation_is_integrity_error(engine: Engine) -> None:
    with engine.connect() as conn, pytest.raises(IntegrityError, match="FOREIGN KEY"):
        conn.execute(insert(children), {"parent_id": 12345})


def test_missing_executemany_key_is_a_clear_error(engine: Engine) -> None:
    message = "A value is required for bind parameter 'n', in parameter group 1"
    with engine.connect() as conn:
        # counters has Python-side defaults (the checked path) ...
        with pytest.raises(StatementError, match=message):
            conn.execute(insert(counters), [{"name": "a", "n": 1}, {"name": "b"}])
        # ... children has none (the caller's dicts go to the driver unchecked).
        with pytest.raises(StatementError, match="'parent_id', in parameter group 2"):
            conn.execute(
                insert(children),
                [{"id": 1, "parent_id": None}, {"id": 2, "parent_id": None}, {"id": 3}],
            )


def test_executemany_with_returning_returns_every_row_in_order(engine: Engine) -> None:
    with engine.begin() as conn:
        result = conn.execute(
            insert(parents).returning(parents.c.id), [{"id": 7}, {"id": 3}, {"id": 5}]
        )
        assert result.scalars().all() == [7, 3, 5]
        assert result.rowcount == 3
        auto = conn.execute(
            insert(counters).returning(counters.c.stamp),
            [
                {"name": "x", "n": 1},
                {"name": "y", "n": 2},
            ],
        )
        assert auto.inserted_primary_key_rows == [("x",), ("y",)]
        assert auto.all() == [(42,), (42,)]


def test_positional_paramstyle_orders_parameters(tmp_path: Path) -> None:
    eng = create_engine(f"sqlite:///{tmp_path / 'q.db'}", paramstyle="qmark")
    assert eng.dialect.positional
    metadata.create_all(eng)
    when = dt.datetime(2020, 1, 2, 3, 4, 5)
    with eng.begin() as conn:
        result = conn.execute(insert(everything), {"s": "a", "ts": when, "small": 2})
        assert "?" in result.context.statement
        conn.execute(insert(counters), [{"name": "p", "n": 1}, {"name": "q", "n": 2}])
    with eng.connect() as conn:
        row = conn.execute(
            select(everything.c.small, everything.c.s, everything.c.ts).where(
                everything.c.s == "a", everything.c.small > 1
            )
        ).one()
        assert row == (2, "a", when)
        names = conn.execute(select(counters.c.name).where(counters.c.n >= 1)).scalars()
        assert names.all() == ["p", "q"]


def test_type_descriptor_is_the_dialect_implementation_and_cached(engine: Engine) -> None:
    generic = DateTime()
    impl = engine.dialect.type_descriptor(generic)
    assert impl is engine.dialect.type_descriptor(generic)
    assert isinstance(impl, DateTime)


def test_return_defaults_fetches_server_defaults(engine: Engine) -> None:
    md = MetaData()
    stamped = Table(
        "stamped",
        md,
        Column("id", Integer, primary_key=True),
        Column("label", String(10), server_default="fresh"),
    )
    md.create_all(engine)
    with engine.begin() as conn:
        result = conn.execute(insert(stamped).return_defaults(), {})
        assert result.returned_defaults is not None
        assert result.returned_defaults._mapping["label"] == "fresh"
        assert result.inserted_primary_key == (1,)
        assert not result.returns_rows
        plain = conn.execute(insert(stamped), {})
        assert plain.returned_defaults is None
        assert [c.name for c in plain.postfetch_cols()] == ["label"]

"""Against a real PostgreSQL server (ACCORD_TEST_POSTGRESQL_URL): types, DML, transactions."""

from __future__ import annotations

import datetime as dt
import decimal
import enum
import uuid

import pytest

from accord import exc
from accord.dialects.postgresql import JSONB, TIMESTAMPTZ, UUID
from accord.dialects.postgresql import insert as pg_insert
from accord.engine import create_engine
from accord.sql import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Computed,
    Date,
    DateTime,
    Enum,
    Float,
    ForeignKey,
    Identity,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    Sequence,
    SmallInteger,
    String,
    Table,
    Text,
    Time,
    Uuid,
    delete,
    func,
    insert,
    literal,
    literal_column,
    select,
    text,
    update,
)


class Mood(enum.Enum):
    happy = "h"
    sad = "s"


@pytest.fixture
def users(metadata: MetaData) -> Table:
    return Table(
        "users",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("name", String(50), nullable=False),
        Column("email", String(100), unique=True),
    )


# -- types ----------------------------------------------------------------------------------

ROW = {
    "small": 7,
    "big": 2**40,
    "s": "héllo 'quoted' %s %(x)s",
    "txt": "long text " * 20,
    "flag": True,
    "fl": 1.5,
    "num": decimal.Decimal("12345.6789"),
    "num_float": decimal.Decimal("2.50"),
    "d": dt.date(2024, 2, 29),
    "ts": dt.datetime(2024, 2, 29, 13, 14, 15, 123456),
    "tstz": dt.datetime(
        2024, 2, 29, 13, 14, 15, 123456, tzinfo=dt.timezone(dt.timedelta(hours=5))
    ),
    "tm": dt.time(23, 59, 58, 999),
    "blob": b"\x00\xffbinary\x01",
    "js": {"a": [1, 2.5, None, "x"], "b": {"c": True}},
    "js_list": [1, "two", {"three": 3}],
    "js_str": "just a string",
    "jsb": {"k": "v", "n": 1},
    "u": uuid.UUID("12345678-1234-5678-1234-567812345678"),
    "u_str": "87654321-4321-8765-4321-876543218765",
    "pgu": uuid.UUID("aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"),
    "tz2": dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc),
    "mood": Mood.sad,
    "plain_enum": "b",
}


@pytest.fixture
def all_types(metadata: MetaData) -> Table:
    return Table(
        "all_types",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("small", SmallInteger),
        Column("big", BigInteger),
        Column("s", String(100)),
        Column("txt", Text),
        Column("flag", Boolean),
        Column("fl", Float),
        Column("num", Numeric(12, 4)),
        Column("num_float", Numeric(10, 2, asdecimal=False)),
        Column("d", Date),
        Column("ts", DateTime),
        Column("tstz", DateTime(timezone=True)),
        Column("tm", Time),
        Column("blob", LargeBinary),
        Column("js", JSON),
        Column("js_list", JSON),
        Column("js_str", JSON),
        Column("jsb", JSONB),
        Column("u", Uuid),
        Column("u_str", Uuid(as_uuid=False)),
        Column("pgu", UUID),
        Column("tz2", TIMESTAMPTZ),
        Column("mood", Enum(Mood)),
        Column("plain_enum", Enum("a", "b")),
    )


def test_every_s1_type_round_trips_through_a_fresh_connection(engine, metadata, all_types):
    metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(insert(all_types), ROW)
    engine.dispose()  # the read comes from a brand-new connection
    with engine.connect() as conn:
        row = conn.execute(select(all_types)).one()
    got = row._asdict()
    for key, value in ROW.items():
        expected = value
        if key == "num_float":
            expected = 2.5
        assert got[key] == expected, key
        assert type(got[key]) is type(expected), key
    assert got["tstz"].utcoffset() is not None
    assert got["ts"].tzinfo is None


def test_json_null_is_stored_as_json_null_unless_none_as_null(engine, metadata):
    t = Table(
        "j",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("a", JSON),
        Column("b", JSON(none_as_null=True)),
    )
    metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(insert(t), {"a": None, "b": None})
        row = conn.execute(text("SELECT a IS NULL, b IS NULL, a::text FROM j")).one()
    assert tuple(row) == (False, True, "null")


def test_json_custom_serializer_and_deserializer_are_used(pg_url, metadata):
    import json

    eng = create_engine(
        pg_url,
        json_serializer=lambda v: json.dumps({"wrapped": v}),
        json_deserializer=lambda s: ("loaded", json.loads(s)),
    )
    t = Table("jc", metadata, Column("id", Integer, primary_key=True), Column("a", JSON))
    try:
        metadata.create_all(eng)
        with eng.begin() as conn:
            conn.execute(insert(t), {"a": 1})
        with eng.connect() as conn:
            assert conn.execute(select(t.c.a)).scalar() == ("loaded", {"wrapped": 1})
    finally:
        metadata.drop_all(eng)
        eng.dispose()


# -- INSERT / RETURNING -----------------------------------------------------------------------


def test_inserted_primary_key_comes_from_returning(engine, users, metadata):
    metadata.create_all(engine)
    with engine.begin() as conn:
        first = conn.execute(insert(users), {"name": "a"})
        second = conn.execute(insert(users).values(name="b"))
    assert first.inserted_primary_key == (1,)
    assert second.inserted_primary_key == (2,)


def test_inserted_primary_key_with_identity_column(engine, metadata):
    t = Table(
        "ident",
        metadata,
        Column("id", Integer, Identity(start=100), primary_key=True),
        Column("x", Integer),
    )
    metadata.create_all(engine)
    with engine.begin() as conn:
        assert conn.execute(insert(t), {"x": 1}).inserted_primary_key == (100,)


def test_executemany_returning_gives_every_generated_key_in_order(engine, users, metadata):
    metadata.create_all(engine)
    rows = [{"name": f"n{i}"} for i in range(50)]
    with engine.begin() as conn:
        result = conn.execute(insert(users).returning(users.c.id, users.c.name), rows)
        returned = result.all()
    assert [r.name for r in returned] == [r["name"] for r in rows]
    assert [r.id for r in returned] == list(range(1, 51))


def test_executemany_return_defaults_fills_inserted_primary_key_rows(engine, users, metadata):
    metadata.create_all(engine)
    with engine.begin() as conn:
        result = conn.execute(insert(users).return_defaults(), [{"name": "a"}, {"name": "b"}])
        assert [tuple(r) for r in result.inserted_primary_key_rows] == [(1,), (2,)]


def test_executemany_without_returning_inserts_every_row(engine, users, metadata):
    metadata.create_all(engine)
    with engine.begin() as conn:
        result = conn.execute(insert(users), [{"name": f"n{i}"} for i in range(30)])
        assert result.rowcount == 30
        assert conn.execute(select(func.count()).select_from(users)).scalar() == 30


def test_multi_values_insert_returning(engine, users, metadata):
    metadata.create_all(engine)
    with engine.begin() as conn:
        ids = (
            conn.execute(
                insert(users).values([{"name": "a"}, {"name": "b"}]).returning(users.c.id)
            )
            .scalars()
            .all()
        )
    assert sorted(ids) == [1, 2]


def test_update_and_delete_returning(engine, users, metadata):
    metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(insert(users), [{"name": "a"}, {"name": "b"}, {"name": "c"}])
        updated = conn.execute(
            update(users).where(users.c.id > 1).values(name="z").returning(users.c.id)
        )
        assert sorted(updated.scalars().all()) == [2, 3]
        deleted = conn.execute(
            delete(users).where(users.c.name == "z").returning(users.c.id, users.c.name)
        )
        assert sorted(tuple(r) for r in deleted) == [(2, "z"), (3, "z")]


def test_server_default_and_computed_column_are_returned(engine, metadata):
    t = Table(
        "defaults",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("price", Integer),
        Column("doubled", Integer, Computed("price * 2")),
        Column("created", DateTime(timezone=True), server_default=func.now()),
    )
    metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(insert(t), {"price": 21})
        row = conn.execute(select(t.c.doubled, t.c.created)).one()
    assert row.doubled == 42
    assert isinstance(row.created, dt.datetime)


def test_sequence_default_generates_keys(engine, metadata):
    seq = Sequence("things_id_seq", start=1000)
    t = Table(
        "things",
        metadata,
        Column("id", Integer, seq, primary_key=True),
        Column("x", Integer),
    )
    metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(insert(t), [{"x": 1}, {"x": 2}])
        assert conn.execute(select(t.c.id).order_by(t.c.id)).scalars().all() == [1000, 1001]
        assert conn.execute(select(seq.next_value())).scalar() == 1002


def test_integrity_error_is_wrapped(engine, users, metadata):
    metadata.create_all(engine)
    with engine.connect() as conn:
        conn.execute(insert(users), {"id": 1, "name": "a"})
        with pytest.raises(exc.IntegrityError) as info:
            conn.execute(insert(users), {"id": 1, "name": "b"})
        assert info.value.orig is not None
        conn.rollback()


# -- upsert ---------------------------------------------------------------------------------


def test_on_conflict_do_update_updates_existing_row(engine, users, metadata):
    metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(insert(users), {"id": 1, "name": "old", "email": "a@x"})
        stmt = pg_insert(users).values(id=1, name="new", email="b@x")
        stmt = stmt.on_conflict_do_update(
            index_elements=[users.c.id],
            set_={"name": stmt.excluded.name, "email": stmt.excluded.email},
        )
        conn.execute(stmt)
        conn.execute(
            pg_insert(users)
            .values(id=2, name="second")
            .on_conflict_do_update(index_elements=["id"], set_={"name": "ignored"})
        )
        rows = conn.execute(select(users).order_by(users.c.id)).all()
    assert [tuple(r) for r in rows] == [(1, "new", "b@x"), (2, "second", None)]


def test_on_conflict_do_update_where_skips_unmatched_rows(engine, users, metadata):
    metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(insert(users), {"id": 1, "name": "locked"})
        stmt = pg_insert(users).values(id=1, name="changed")
        conn.execute(
            stmt.on_conflict_do_update(
                constraint="users_pkey",
                set_={"name": stmt.excluded.name},
                where=users.c.name != "locked",
            )
        )
        assert conn.execute(select(users.c.name)).scalar() == "locked"


def test_on_conflict_do_nothing_keeps_first_row(engine, users, metadata):
    metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(insert(users), {"id": 1, "name": "first"})
        result = conn.execute(
            pg_insert(users)
            .values(id=1, name="second")
            .on_conflict_do_nothing(index_elements=["id"])
        )
        assert result.rowcount == 0
        assert conn.execute(select(users.c.name)).scalar() == "first"


def test_upsert_executemany_with_cached_statement(engine, users, metadata):
    metadata.create_all(engine)
    stmt = pg_insert(users)
    stmt = stmt.on_conflict_do_update(index_elements=["id"], set_={"name": stmt.excluded.name})
    with engine.begin() as conn:
        conn.execute(stmt, [{"id": 1, "name": "a"}, {"id": 2, "name": "b"}])
        conn.execute(stmt, [{"id": 1, "name": "A"}, {"id": 3, "name": "c"}])
        rows = conn.execute(select(users.c.id, users.c.name).order_by(users.c.id)).all()
    assert [tuple(r) for r in rows] == [(1, "A"), (2, "b"), (3, "c")]


# -- DDL ------------------------------------------------------------------------------------


def test_create_all_and_drop_all_in_dependency_order(engine, metadata):
    parent = Table("parent", metadata, Column("id", Integer, primary_key=True))
    Table(
        "child",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("parent_id", Integer, ForeignKey("parent.id", ondelete="CASCADE")),
    )
    Sequence("standalone_seq", metadata=metadata)
    metadata.create_all(engine)
    metadata.create_all(engine)  # checkfirst: a second run is a no-op
    with engine.connect() as conn:
        assert engine.dialect.has_table(conn, "parent")
        assert engine.dialect.has_table(conn, "child")
        assert engine.dialect.has_sequence(conn, "standalone_seq")
        conn.execute(insert(parent), {"id": 1})
        conn.execute(text("INSERT INTO child (id, parent_id) VALUES (1, 1)"))
        conn.execute(parent.delete())
        assert conn.execute(text("SELECT count(*) FROM child")).scalar() == 0
        conn.commit()
    metadata.drop_all(engine)
    with engine.connect() as conn:
        assert not engine.dialect.has_table(conn, "parent")
        assert not engine.dialect.has_table(conn, "child")
        assert not engine.dialect.has_sequence(conn, "standalone_seq")


def test_has_table_honours_schema_and_search_path(engine):
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE SCHEMA accord_other")
        conn.exec_driver_sql("CREATE TABLE accord_other.hidden (id int)")
    with engine.connect() as conn:
        assert not engine.dialect.has_table(conn, "hidden")
        assert engine.dialect.has_table(conn, "hidden", schema="accord_other")
        conn.exec_driver_sql("SET search_path TO accord_other, public")
        assert engine.dialect.has_table(conn, "hidden")
        conn.rollback()


def test_table_in_other_schema_round_trips(engine):
    m = MetaData()
    t = Table("inschema", m, Column("id", Integer, primary_key=True), schema="accord_other")
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE SCHEMA accord_other")
    m.create_all(engine)
    with engine.begin() as conn:
        assert conn.execute(insert(t), {}).inserted_primary_key == (1,)
        assert conn.execute(select(t.c.id)).scalar() == 1


def test_connect_args_and_url_query_reach_the_server(pg_url):
    eng = create_engine(
        pg_url + "?application_name=accord-url",
        connect_args={"options": "-c search_path=pg_catalog,public"},
    )
    try:
        with eng.connect() as conn:
            assert conn.exec_driver_sql("SHOW application_name").scalar() == "accord-url"
            assert (
                conn.exec_driver_sql("SHOW search_path").scalar().replace(" ", "")
                == "pg_catalog,public"
            )
    finally:
        eng.dispose()


def test_exec_driver_sql_uses_pyformat_parameters(engine):
    with engine.connect() as conn:
        row = conn.exec_driver_sql("SELECT %(a)s::int + 1, '5%%'", {"a": 41}).one()
    assert tuple(row) == (42, "5%")


def test_integer_literals_resolve_overloaded_functions(engine):
    with engine.connect() as conn:
        assert conn.execute(select(func.generate_series(1, 3))).scalars().all() == [1, 2, 3]
        assert conn.execute(select(func.repeat("ab", 2))).scalar() == "abab"
        assert conn.execute(select(literal(2**40) + 1)).scalar() == 2**40 + 1


def test_executemany_returning_failure_is_wrapped_and_connection_recovers(engine, users, metadata):
    metadata.create_all(engine)
    with engine.connect() as conn:
        with pytest.raises(exc.IntegrityError):
            conn.execute(
                insert(users).returning(users.c.id),
                [{"id": 1, "name": "a"}, {"id": 1, "name": "dup"}],
            )
        conn.rollback()
        conn.execute(insert(users), [{"name": "b"}, {"name": "c"}])
        conn.commit()
        assert conn.execute(select(func.count()).select_from(users)).scalar() == 2


def test_percent_signs_survive_statements_without_parameters(engine, metadata):
    t = Table(
        "pct",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("label", String(20), server_default="50%"),
        Column("n", Integer),
        CheckConstraint("n % 2 = 0", name="ck_even"),
    )
    metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(insert(t), {"n": 4})
        assert conn.execute(select(text("'100%'"))).scalar() == "100%"
        assert conn.execute(text("SELECT '5%'")).scalar() == "5%"
        assert conn.exec_driver_sql("SELECT '7%'").scalar() == "7%"
        assert conn.execute(select(t.c.label, t.c.n % literal_column("3"))).one() == ("50%", 1)
        with pytest.raises(exc.IntegrityError):
            conn.execute(insert(t), {"n": 3})


def test_sequence_key_comes_back_with_explicit_returning(engine, metadata):
    t = Table(
        "seqret",
        metadata,
        Column("id", Integer, Sequence("seqret_id_seq", start=50), primary_key=True),
        Column("x", Integer),
    )
    metadata.create_all(engine)
    with engine.begin() as conn:
        result = conn.execute(insert(t).returning(t.c.id), {"x": 1})
        assert result.scalar() == 50

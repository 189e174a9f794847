"""INSERT/UPDATE/DELETE, upsert, RETURNING and DDL ordering on a real server."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from accord import exc
from accord.dialects.mysql import insert as mysql_insert
from accord.sql import (
    Column,
    ForeignKey,
    MetaData,
    Table,
    delete,
    func,
    insert,
    literal_column,
    select,
    text,
    update,
)
from accord.sql import types as T

if TYPE_CHECKING:
    from accord.engine import Engine


def _schema() -> tuple[MetaData, Table, Table, Table]:
    md = MetaData()
    users = Table(
        "users",
        md,
        Column("id", T.Integer, primary_key=True),
        Column("name", T.String(50), unique=True),
        Column("visits", T.Integer, server_default="0", nullable=False),
    )
    posts = Table(
        "posts",
        md,
        Column("id", T.Integer, primary_key=True),
        Column("user_id", T.Integer, ForeignKey("users.id", ondelete="CASCADE")),
        Column("title", T.String(100)),
    )
    comments = Table(
        "comments",
        md,
        Column("id", T.Integer, primary_key=True),
        Column("post_id", T.Integer, ForeignKey("posts.id")),
    )
    return md, users, posts, comments


@pytest.fixture
def schema(engine: Engine) -> tuple[MetaData, Table, Table, Table]:
    parts = _schema()
    parts[0].create_all(engine)
    return parts


def test_create_all_and_drop_all_follow_foreign_keys(engine: Engine) -> None:
    md, users, posts, comments = _schema()
    md.create_all(engine)
    with engine.connect() as conn:
        for t in (users, posts, comments):
            assert engine.dialect.has_table(conn, t.name)
    md.create_all(engine)  # checkfirst: nothing happens the second time
    md.drop_all(engine)
    with engine.connect() as conn:
        assert not engine.dialect.has_table(conn, "users")
        assert not engine.dialect.has_table(conn, "comments")


def test_has_table_looks_in_the_named_schema(engine: Engine, schema: Any) -> None:
    with engine.connect() as conn:
        database = conn.exec_driver_sql("SELECT DATABASE()").scalar()
        assert engine.dialect.has_table(conn, "users", schema=database)
        assert not engine.dialect.has_table(conn, "users", schema="information_schema")
    assert engine.dialect.default_schema_name == database


def test_single_insert_reports_lastrowid_as_primary_key(engine: Engine, schema: Any) -> None:
    _, users, _, _ = schema
    with engine.begin() as conn:
        first = conn.execute(insert(users), {"name": "a"})
        second = conn.execute(insert(users).values(name="b"))
    assert first.inserted_primary_key == (1,)
    assert second.inserted_primary_key == (2,)
    assert second.lastrowid == 2


def test_executemany_insert_sends_one_multirow_statement(engine: Engine, schema: Any) -> None:
    _, users, _, _ = schema
    rows = [{"name": f"user{i}"} for i in range(500)]
    seen: list[str] = []
    from accord import event

    @event.listens_for(engine, "before_cursor_execute")
    def record(conn: Any, cursor: Any, statement: str, params: Any, ctx: Any, many: bool) -> None:
        seen.append(statement)

    with engine.begin() as conn:
        result = conn.execute(insert(users), rows)
        assert result.rowcount == 500
        # PyMySQL's rewrite: lastrowid is the key of the FIRST row of the batch.
        assert result.lastrowid == 1
        before = conn.execute(select(func.count()).select_from(users)).scalar()
    assert before == 500
    assert seen[0].startswith("INSERT INTO users (name) VALUES (%(name)s)")


def test_multi_values_insert_and_returning_on_mariadb(engine: Engine, schema: Any) -> None:
    _, users, _, _ = schema  # create_all connected: the server's facts are known
    if not engine.dialect.insert_returning:
        pytest.skip("the server is not MariaDB 10.5+ (no INSERT ... RETURNING)")
    with engine.begin() as conn:
        result = conn.execute(
            insert(users)
            .values([{"name": "x"}, {"name": "y"}])
            .returning(users.c.id, users.c.name)
        )
        assert [tuple(r) for r in result] == [(1, "x"), (2, "y")]
        gone = conn.execute(delete(users).where(users.c.name == "x").returning(users.c.id))
        assert gone.scalars().all() == [1]


def test_returning_is_refused_on_mysql_servers(engine: Engine, schema: Any) -> None:
    _, users, _, _ = schema
    if getattr(engine.dialect, "is_mariadb", False):
        with engine.connect() as conn, pytest.raises(exc.CompileError, match="RETURNING"):
            conn.execute(update(users).values(visits=1).returning(users.c.id))
    else:
        with engine.connect() as conn, pytest.raises(exc.CompileError, match="RETURNING"):
            conn.execute(insert(users).values(name="z").returning(users.c.id))


def test_update_rowcount_counts_matched_rows(engine: Engine, schema: Any) -> None:
    _, users, _, _ = schema
    with engine.begin() as conn:
        conn.execute(insert(users), [{"name": "a"}, {"name": "b"}])
        # Both rows already hold 0: FOUND_ROWS makes the count "matched", not "changed".
        assert conn.execute(update(users).values(visits=0)).rowcount == 2
        assert conn.execute(delete(users).where(users.c.name == "a")).rowcount == 1


def test_on_duplicate_key_update_upserts(engine: Engine, schema: Any) -> None:
    _, users, _, _ = schema
    with engine.begin() as conn:
        conn.execute(insert(users), {"name": "u", "visits": 1})
        stmt = mysql_insert(users).values(name="u", visits=5)
        stmt = stmt.on_duplicate_key_update(visits=users.c.visits + stmt.inserted.visits)
        conn.execute(stmt)
        conn.execute(
            mysql_insert(users).values(name="new", visits=7).on_duplicate_key_update(visits=0)
        )
    with engine.connect() as conn:
        rows = conn.execute(select(users.c.name, users.c.visits).order_by(users.c.name)).all()
    assert [tuple(r) for r in rows] == [("new", 7), ("u", 6)]


def test_on_duplicate_key_update_executemany(engine: Engine, schema: Any) -> None:
    _, users, _, _ = schema
    stmt = mysql_insert(users)
    stmt = stmt.on_duplicate_key_update(visits=users.c.visits + stmt.inserted.visits)
    with engine.begin() as conn:
        conn.execute(stmt, [{"name": "a", "visits": 1}, {"name": "b", "visits": 2}])
        conn.execute(stmt, [{"name": "a", "visits": 10}, {"name": "c", "visits": 3}])
    with engine.connect() as conn:
        rows = conn.execute(select(users.c.name, users.c.visits).order_by(users.c.name)).all()
    assert [tuple(r) for r in rows] == [("a", 11), ("b", 2), ("c", 3)]


def test_percent_signs_survive_compiled_and_raw_sql(engine: Engine, schema: Any) -> None:
    _, users, _, _ = schema
    with engine.begin() as conn:
        conn.execute(insert(users), [{"name": "50% off"}, {"name": "500"}])
        assert conn.execute(select(literal_column("'a%b'"))).scalar() == "a%b"
        like = select(users.c.name).where(users.c.name.contains("%", autoescape=True))
        assert conn.execute(like).scalars().all() == ["50% off"]
        assert conn.execute(
            select(users.c.name).where(users.c.name.startswith("50"))
        ).scalars().all() in (
            ["50% off", "500"],
            ["500", "50% off"],
        )
        assert conn.execute(text("SELECT '1%' AS p, :x AS x"), {"x": 2}).one() == ("1%", 2)
        assert conn.exec_driver_sql("SELECT '5%'").scalar() == "5%"
        assert conn.exec_driver_sql("SELECT %s", ("7%",)).scalar() == "7%"


def test_integrity_error_is_wrapped(engine: Engine, schema: Any) -> None:
    _, users, posts, _ = schema
    with engine.connect() as conn:
        with pytest.raises(exc.IntegrityError) as info:
            conn.execute(insert(posts), {"user_id": 999, "title": "orphan"})
        assert info.value.orig is not None
        assert info.value.orig.args[0] == 1452
        conn.rollback()
        conn.execute(insert(users), {"name": "dup"})
        with pytest.raises(exc.IntegrityError):
            conn.execute(insert(users), {"name": "dup"})


def test_foreign_key_cascade_deletes_children(engine: Engine, schema: Any) -> None:
    _, users, posts, _ = schema
    with engine.begin() as conn:
        uid = conn.execute(insert(users), {"name": "a"}).inserted_primary_key[0]  # type: ignore[index]
        conn.execute(
            insert(posts), [{"user_id": uid, "title": "t1"}, {"user_id": uid, "title": "t2"}]
        )
        conn.execute(delete(users).where(users.c.id == uid))
        assert conn.execute(select(func.count()).select_from(posts)).scalar() == 0


def test_select_with_join_limit_offset_and_for_update(engine: Engine, schema: Any) -> None:
    _, users, posts, _ = schema
    with engine.begin() as conn:
        conn.execute(insert(users), [{"name": f"u{i}"} for i in range(5)])
        conn.execute(insert(posts), [{"user_id": i % 5 + 1, "title": f"p{i}"} for i in range(10)])
        stmt = (
            select(users.c.name, posts.c.title)
            .join(posts, posts.c.user_id == users.c.id)
            .order_by(posts.c.id)
            .limit(3)
            .offset(2)
            .with_for_update()
        )
        assert [r.title for r in conn.execute(stmt)] == ["p2", "p3", "p4"]
        only_offset = select(posts.c.title).order_by(posts.c.id).offset(8)
        assert conn.execute(only_offset).scalars().all() == ["p8", "p9"]
        upper = select(users.c.name).where(users.c.name.ilike("U1"))
        assert conn.execute(upper).scalars().all() == ["u1"]
        both = (
            select(users.c.name + "-" + posts.c.title)
            .join(posts, posts.c.user_id == users.c.id)
            .where(posts.c.title == "p0")
        )
        assert conn.execute(both).scalar() == "u0-p0"


def test_mariadb_sequences_are_created_and_used(engine: Engine) -> None:
    from accord.sql import Sequence

    md = MetaData()
    seq = Sequence("ticket_seq", start=100)
    tickets = Table(
        "tickets",
        md,
        Column("id", T.Integer, primary_key=True, autoincrement=False),
        Column("no", T.Integer, seq),
    )
    with engine.connect():
        pass
    if not engine.dialect.supports_sequences:
        pytest.skip("the server has no sequences (MySQL)")
    md.create_all(engine)
    with engine.begin() as conn:
        conn.execute(insert(tickets), {"id": 1})
        conn.execute(insert(tickets), {"id": 2})
        assert conn.execute(select(tickets.c.no).order_by(tickets.c.id)).scalars().all() == [
            100,
            101,
        ]
        assert conn.execute(select(seq.next_value())).scalar() == 102
    md.drop_all(engine)
    with engine.connect() as conn:
        assert not engine.dialect.has_sequence(conn, "ticket_seq")  # type: ignore[attr-defined]


def test_on_duplicate_key_update_with_bound_values_executemany(
    engine: Engine, schema: Any
) -> None:
    _, users, _, _ = schema
    stmt = mysql_insert(users).on_duplicate_key_update(visits=99, name=users.c.name)
    with engine.begin() as conn:
        conn.execute(insert(users), {"name": "a", "visits": 1})
        result = conn.execute(stmt, [{"name": "a", "visits": 1}, {"name": "b", "visits": 2}])
        # MySQL counts an updated duplicate as 2 affected rows, a new row as 1.
        assert result.rowcount == 3
    with engine.connect() as conn:
        rows = conn.execute(select(users.c.name, users.c.visits).order_by(users.c.name)).all()
    assert [tuple(r) for r in rows] == [("a", 99), ("b", 2)]


def test_server_defaults_with_quotes_backslashes_and_percent(engine: Engine) -> None:
    md = MetaData()
    t = Table(
        "defaults",
        md,
        Column("id", T.Integer, primary_key=True),
        Column("s", T.String(30), server_default="it's C:\\x 100%"),
        Column("made", T.DateTime, server_default=text("CURRENT_TIMESTAMP(6)")),
    )
    md.create_all(engine)
    with engine.begin() as conn:
        conn.execute(insert(t), {})
        row = conn.execute(select(t.c.s, t.c.made)).one()
    assert row.s == "it's C:\\x 100%"
    assert row.made is not None


def test_percent_in_ddl_and_in_statements_without_parameters(engine: Engine) -> None:
    from accord.sql import CheckConstraint

    md = MetaData()
    t = Table(
        "pct",
        md,
        Column("id", T.Integer, primary_key=True),
        Column("label", T.String(20), server_default="50%"),
        Column("n", T.Integer),
        CheckConstraint("n % 2 = 0", name="ck_even"),
    )
    md.create_all(engine)
    with engine.begin() as conn:
        conn.execute(insert(t), {"n": 4})
        assert conn.execute(select(t.c.label, t.c.n % literal_column("3"))).one() == ("50%", 1)
        assert conn.execute(select(literal_column("'100%'"))).scalar() == "100%"
    with engine.begin() as conn, pytest.raises(exc.DBAPIError):
        conn.execute(insert(t), {"n": 3})
    md.drop_all(engine)

"""Compiled SQL for the sqlite dialect: qmark and named styles, RETURNING, LIMIT, upsert."""

from __future__ import annotations

import pytest

from accord import exc
from accord.dialects.sqlite.base import SQLiteDialect
from accord.dialects.sqlite.dml import insert as sqlite_insert
from accord.sql import (
    Column,
    ForeignKey,
    Integer,
    MetaData,
    Sequence,
    String,
    Table,
    bindparam,
    delete,
    func,
    insert,
    select,
    text,
    true,
    update,
)
from accord.sql.compiler import IdentifierPreparer, SQLCompiler
from accord.sql.ddl_compiler import DDLCompiler, GenericTypeCompiler


class QmarkSQLite(SQLiteDialect):
    """The compile-side dialect alone, in sqlite3's qmark style."""

    paramstyle = "qmark"
    positional = True

    def __init__(self) -> None:
        self.identifier_preparer = self.preparer(self)
        self.type_compiler = self.type_compiler_cls(self)


class NamedSQLite(QmarkSQLite):
    paramstyle = "named"
    positional = False


@pytest.fixture
def qmark() -> QmarkSQLite:
    return QmarkSQLite()


@pytest.fixture
def named() -> NamedSQLite:
    return NamedSQLite()


@pytest.fixture
def users() -> Table:
    md = MetaData()
    Table("groups", md, Column("id", Integer, primary_key=True))
    return Table(
        "users",
        md,
        Column("id", Integer, primary_key=True),
        Column("name", String(50)),
        Column("group_id", ForeignKey("groups.id")),
        Column("n", Integer, default=0, onupdate=lambda: 1),
    )


def flat(compiled: object) -> str:
    return " ".join(str(compiled).split())


def test_select_qmark_positiontup_and_params(qmark: QmarkSQLite, users: Table) -> None:
    stmt = select(users.c.id).where(users.c.name == "a", users.c.id.in_([1, 2])).limit(5)
    c = stmt.compile(dialect=qmark)
    assert flat(c) == (
        "SELECT users.id FROM users WHERE users.name = ? AND users.id IN (?, ?) LIMIT ?"
    )
    assert c.positional
    assert c.positiontup == ["name_1", "id_1", "id_2", "param_1"]
    params = c.construct_params()
    assert [params[k] for k in c.positiontup] == ["a", 1, 2, 5]


def test_positiontup_follows_text_order_with_subqueries(qmark: QmarkSQLite, users: Table) -> None:
    sub = select(users.c.id).where(users.c.name == "inner").scalar_subquery()
    stmt = select(users.c.id, sub.label("x")).where(users.c.id > 3)
    c = stmt.compile(dialect=qmark)
    assert c.positiontup == ["name_1", "id_1"]


def test_named_style(named: NamedSQLite, users: Table) -> None:
    c = select(users.c.id).where(users.c.id == 3).compile(dialect=named)
    assert flat(c) == "SELECT users.id FROM users WHERE users.id = :id_1"
    assert not c.positional
    assert c.positiontup is None


def test_limit_offset_forms(qmark: QmarkSQLite, users: Table) -> None:
    base = select(users.c.id)
    assert flat(base.limit(2).offset(4).compile(dialect=qmark)).endswith("LIMIT ? OFFSET ?")
    assert flat(base.offset(4).compile(dialect=qmark)).endswith("LIMIT -1 OFFSET ?")


def test_for_update_renders_nothing(qmark: QmarkSQLite, users: Table) -> None:
    c = select(users.c.id).with_for_update(nowait=True).compile(dialect=qmark)
    assert flat(c) == "SELECT users.id FROM users"


def test_true_false_as_integers(qmark: QmarkSQLite, users: Table) -> None:
    c = select(users.c.id).where(users.c.name.is_not(None), true()).compile(dialect=qmark)
    assert flat(c) == "SELECT users.id FROM users WHERE users.name IS NOT NULL"
    assert flat(select(true()).compile(dialect=qmark)) == "SELECT 1 AS anon_1"


def test_now_is_current_timestamp(qmark: QmarkSQLite) -> None:
    assert flat(select(func.now()).compile(dialect=qmark)) == "SELECT CURRENT_TIMESTAMP AS now_1"


def test_insert_with_defaults_and_lastrowid(qmark: QmarkSQLite, users: Table) -> None:
    c = insert(users).compile(dialect=qmark, column_keys=["name"])
    assert flat(c) == "INSERT INTO users (name, n) VALUES (?, ?)"
    assert c.positiontup == ["name", "n"]
    assert c.insert_prefetch == [users.c.n]
    assert c.postfetch_lastrowid
    assert c.isinsert
    assert not c.isupdate
    params = c.construct_params({"name": "x"})
    assert params == {"name": "x"}  # prefetch values are the execution context's job


def test_insert_default_values(qmark: QmarkSQLite) -> None:
    t = Table("t", MetaData(), Column("id", Integer, primary_key=True))
    c = insert(t).compile(dialect=qmark, column_keys=[])
    assert flat(c) == "INSERT INTO t DEFAULT VALUES"


def test_executemany_compile_flag(qmark: QmarkSQLite, users: Table) -> None:
    c = insert(users).compile(dialect=qmark, column_keys=["name", "n"], for_executemany=True)
    assert c.for_executemany
    assert flat(c) == "INSERT INTO users (name, n) VALUES (?, ?)"
    assert c.insert_prefetch == []


def test_returning(qmark: QmarkSQLite, users: Table) -> None:
    c = insert(users).values(name="x").returning(users.c.id).compile(dialect=qmark)
    assert flat(c) == "INSERT INTO users (name, n) VALUES (?, ?) RETURNING id"
    assert c.effective_returning == [users.c.id]
    assert not c.postfetch_lastrowid
    c = update(users).values(name="y").returning(users.c.id, users.c.name).compile(dialect=qmark)
    assert flat(c) == "UPDATE users SET name=?, n=? RETURNING id, name"
    assert c.update_prefetch == [users.c.n]
    c = delete(users).where(users.c.id == 1).returning(users.c.id).compile(dialect=qmark)
    assert flat(c) == "DELETE FROM users WHERE users.id = ? RETURNING id"


def test_returning_unsupported_is_compile_error(users: Table) -> None:
    class Old(QmarkSQLite):
        supports_returning = insert_returning = update_returning = delete_returning = False

    with pytest.raises(exc.CompileError, match="RETURNING"):
        insert(users).returning(users.c.id).compile(dialect=Old())


def test_return_defaults_adds_generated_key(qmark: QmarkSQLite, users: Table) -> None:
    c = insert(users).return_defaults().compile(dialect=qmark, column_keys=["name"])
    assert flat(c) == "INSERT INTO users (name, n) VALUES (?, ?) RETURNING id"
    assert not c.postfetch_lastrowid


def test_executemany_returning_is_refused(qmark: QmarkSQLite, users: Table) -> None:
    with pytest.raises(exc.CompileError, match="executemany"):
        insert(users).returning(users.c.id).compile(
            dialect=qmark, column_keys=["name"], for_executemany=True
        )


def test_text_with_qmark(qmark: QmarkSQLite) -> None:
    c = text("SELECT * FROM t WHERE a = :a AND b = :b OR a = :a").compile(dialect=qmark)
    assert flat(c) == "SELECT * FROM t WHERE a = ? AND b = ? OR a = ?"
    assert c.positiontup == ["a", "b", "a"]


def test_sequence_next_value_is_refused(qmark: QmarkSQLite) -> None:
    with pytest.raises(exc.CompileError, match="sequence"):
        select(Sequence("s").next_value()).compile(dialect=qmark)


def test_reserved_words_quoted(qmark: QmarkSQLite) -> None:
    t = Table("order", MetaData(), Column("group", Integer), Column("values", Integer))
    assert flat(select(t).compile(dialect=qmark)) == (
        'SELECT "order"."group", "order"."values" FROM "order"'
    )


def test_upsert_do_update(qmark: QmarkSQLite, users: Table) -> None:
    stmt = sqlite_insert(users).values(id=1, name="a")
    stmt = stmt.on_conflict_do_update(
        index_elements=[users.c.id],
        set_={"name": stmt.excluded.name, users.c.n: users.c.n + 1},
        where=users.c.n < 10,
    )
    c = stmt.compile(dialect=qmark)
    assert flat(c) == (
        "INSERT INTO users (id, name, n) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
        "name = excluded.name, n = n + ? WHERE n < ?"
    )
    assert c.positiontup == ["id", "name", "n", "n_1", "n_2"]


def test_upsert_do_nothing(qmark: QmarkSQLite, users: Table) -> None:
    stmt = sqlite_insert(users).values(name="a").on_conflict_do_nothing(index_elements=["name"])
    assert flat(stmt.compile(dialect=qmark)) == (
        "INSERT INTO users (name, n) VALUES (?, ?) ON CONFLICT (name) DO NOTHING"
    )
    assert flat(
        sqlite_insert(users).values(name="a").on_conflict_do_nothing().compile(dialect=qmark)
    ).endswith("ON CONFLICT DO NOTHING")


def test_upsert_requires_target_and_set(users: Table) -> None:
    with pytest.raises(exc.ArgumentError):
        sqlite_insert(users).on_conflict_do_update(set_={"name": "x"})
    with pytest.raises(exc.ArgumentError):
        sqlite_insert(users).on_conflict_do_update(index_elements=["id"])


def test_upsert_cache_key_covers_the_clause(users: Table) -> None:
    a = sqlite_insert(users).values(name="a").on_conflict_do_nothing()
    b = sqlite_insert(users).values(name="b").on_conflict_do_nothing()
    c = sqlite_insert(users).values(name="b").on_conflict_do_nothing(index_elements=["name"])
    ka, kb, kc = a._generate_cache_key(), b._generate_cache_key(), c._generate_cache_key()
    assert ka == kb
    assert ka != kc


def test_dialect_class_data() -> None:
    assert SQLiteDialect.name == "sqlite"
    assert issubclass(SQLiteDialect.statement_compiler, SQLCompiler)
    assert issubclass(SQLiteDialect.ddl_compiler, DDLCompiler)
    assert issubclass(SQLiteDialect.type_compiler_cls, GenericTypeCompiler)
    assert issubclass(SQLiteDialect.preparer, IdentifierPreparer)
    assert not SQLiteDialect.supports_sequences
    assert not SQLiteDialect.supports_native_boolean


def test_bind_processors_only_where_needed(qmark: QmarkSQLite) -> None:
    from accord.sql import Boolean, Date, DateTime

    t = Table(
        "x",
        MetaData(),
        Column("d", Date),
        Column("dt", DateTime),
        Column("b", Boolean),
        Column("i", Integer),
    )
    c = insert(t).compile(dialect=qmark)
    assert set(c._bind_processors) == {"d", "dt"}
    c2 = select(t.c.i).where(t.c.i == bindparam("v")).compile(dialect=qmark)
    assert c2._bind_processors == {}

"""Compiled SQL of the PostgreSQL dialect: statements, upsert, DDL, types, quoting (no server)."""

from __future__ import annotations

import pytest

from accord import exc
from accord.dialects.postgresql import (
    BYTEA,
    DOUBLE_PRECISION,
    JSONB,
    TIMESTAMP,
    TIMESTAMPTZ,
    UUID,
    PGDialect_psycopg,
)
from accord.dialects.postgresql import insert as pg_insert
from accord.sql import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Computed,
    CreateIndex,
    CreateSequence,
    CreateTable,
    Date,
    DateTime,
    DropIndex,
    DropSequence,
    DropTable,
    Enum,
    Float,
    ForeignKey,
    Identity,
    Index,
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
    UniqueConstraint,
    Uuid,
    delete,
    func,
    insert,
    select,
    text,
    update,
)


@pytest.fixture(scope="module")
def dialect() -> PGDialect_psycopg:
    return PGDialect_psycopg()


@pytest.fixture(scope="module")
def tables() -> dict[str, Table]:
    m = MetaData()
    users = Table(
        "users",
        m,
        Column("id", Integer, primary_key=True),
        Column("name", String(50), nullable=False),
        Column("email", String(100), unique=True),
    )
    addresses = Table(
        "addresses",
        m,
        Column("id", Integer, primary_key=True),
        Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE")),
        Column("street", String(100)),
    )
    return {"users": users, "addresses": addresses}


def sql(stmt: object, dialect: PGDialect_psycopg) -> str:
    return " ".join(str(stmt.compile(dialect=dialect)).split())  # type: ignore[attr-defined]


# -- SELECT ---------------------------------------------------------------------------------


def test_select_join_uses_pyformat_binds(dialect, tables):
    u, a = tables["users"], tables["addresses"]
    stmt = select(u.c.name, a.c.street).join_from(u, a).where(u.c.id == 5)
    assert sql(stmt, dialect) == (
        "SELECT users.name, addresses.street FROM users JOIN addresses "
        "ON users.id = addresses.user_id WHERE users.id = %(id_1)s::INTEGER"
    )


def test_select_outerjoin_renders_left_outer_join(dialect, tables):
    u, a = tables["users"], tables["addresses"]
    stmt = select(u.c.id).select_from(u.outerjoin(a))
    assert "FROM users LEFT OUTER JOIN addresses ON users.id = addresses.user_id" in sql(
        stmt, dialect
    )


def test_select_limit_offset_renders_both(dialect, tables):
    u = tables["users"]
    stmt = select(u.c.id).order_by(u.c.id).limit(10).offset(20)
    assert sql(stmt, dialect).endswith(
        "ORDER BY users.id LIMIT %(param_1)s::INTEGER OFFSET %(param_2)s::INTEGER"
    )


def test_select_offset_without_limit_renders_no_limit(dialect, tables):
    u = tables["users"]
    text_ = sql(select(u.c.id).offset(3), dialect)
    assert text_.endswith("FROM users OFFSET %(param_1)s::INTEGER")
    assert "LIMIT" not in text_


def test_select_limit_values_are_bound(dialect, tables):
    compiled = select(tables["users"].c.id).limit(7).offset(2).compile(dialect=dialect)
    assert compiled.params == {"param_1": 7, "param_2": 2}


@pytest.mark.parametrize(
    ("kwargs", "suffix"),
    [
        ({}, "FOR UPDATE"),
        ({"nowait": True}, "FOR UPDATE NOWAIT"),
        ({"skip_locked": True}, "FOR UPDATE SKIP LOCKED"),
        ({"read": True}, "FOR SHARE"),
        ({"key_share": True}, "FOR NO KEY UPDATE"),
        ({"read": True, "key_share": True}, "FOR KEY SHARE"),
    ],
)
def test_select_for_update_variants_render_lock_mode(dialect, tables, kwargs, suffix):
    stmt = select(tables["users"].c.id).with_for_update(**kwargs)
    assert sql(stmt, dialect).endswith("FROM users " + suffix)


def test_select_for_update_of_names_the_table(dialect, tables):
    u, a = tables["users"], tables["addresses"]
    stmt = select(u.c.id).join_from(u, a).with_for_update(of=u, skip_locked=True)
    assert sql(stmt, dialect).endswith("FOR UPDATE OF users SKIP LOCKED")


def test_select_for_update_of_alias_uses_alias_name(dialect, tables):
    ua = tables["users"].alias("u1")
    stmt = select(ua.c.id).with_for_update(of=ua)
    assert sql(stmt, dialect).endswith("FROM users AS u1 FOR UPDATE OF u1")


def test_ilike_renders_native_ilike(dialect, tables):
    u = tables["users"]
    assert sql(select(u.c.id).where(u.c.name.ilike("a%")), dialect).endswith(
        "WHERE users.name ILIKE %(name_1)s"
    )
    assert sql(select(u.c.id).where(u.c.name.not_ilike("a%")), dialect).endswith(
        "WHERE users.name NOT ILIKE %(name_1)s"
    )


def test_modulo_operator_is_escaped_for_pyformat(dialect, tables):
    u = tables["users"]
    assert "users.id %% %(id_1)s::INTEGER = %(param_1)s::INTEGER" in sql(
        select(u.c.id).where(u.c.id % 2 == 0), dialect
    )


def test_percent_in_literal_text_is_escaped(dialect):
    assert sql(select(text("'100%'")), dialect).startswith("SELECT '100%%'")


def test_empty_in_renders_boolean_false(dialect, tables):
    u = tables["users"]
    assert sql(select(u.c.id).where(u.c.id.in_([])), dialect).endswith("WHERE false")


def test_sequence_next_value_renders_nextval(dialect):
    seq = Sequence("order_seq", schema="sales")
    assert sql(select(seq.next_value()), dialect).startswith("SELECT nextval('sales.order_seq')")


# -- INSERT / UPDATE / DELETE ------------------------------------------------------------------


def test_insert_single_row_returns_generated_key_implicitly(dialect, tables):
    compiled = insert(tables["users"]).values(name="x").compile(dialect=dialect)
    assert " ".join(str(compiled).split()) == (
        "INSERT INTO users (name) VALUES (%(name)s) RETURNING users.id"
    )


def test_insert_explicit_returning_lists_columns(dialect, tables):
    u = tables["users"]
    stmt = insert(u).values(name="x", email="e").returning(u.c.id, u.c.name)
    assert sql(stmt, dialect) == (
        "INSERT INTO users (name, email) VALUES (%(name)s, %(email)s) "
        "RETURNING users.id, users.name"
    )


def test_insert_multi_values_numbers_binds(dialect, tables):
    u = tables["users"]
    stmt = insert(u).values([{"name": "a"}, {"name": "b"}]).returning(u.c.id)
    assert sql(stmt, dialect) == (
        "INSERT INTO users (name) VALUES (%(name_m0)s), (%(name_m1)s) RETURNING users.id"
    )


def test_insert_executemany_with_returning_compiles(dialect, tables):
    u = tables["users"]
    compiled = (
        insert(u)
        .returning(u.c.id)
        .compile(dialect=dialect, column_keys=["name"], for_executemany=True)
    )
    assert "RETURNING users.id" in str(compiled)


def test_insert_sequence_column_uses_nextval(dialect):
    m = MetaData()
    t = Table("t", m, Column("id", Integer, Sequence("t_id_seq"), primary_key=True))
    t.append_column(Column("x", Integer))
    compiled = insert(t).compile(dialect=dialect, column_keys=["x"])
    assert " ".join(str(compiled).split()).startswith(
        "INSERT INTO t (id, x) VALUES (nextval('t_id_seq'), %(x)s)"
    )


def test_update_returning_renders_set_and_returning(dialect, tables):
    u = tables["users"]
    stmt = update(u).where(u.c.id == 1).values(name="z").returning(u.c.id, u.c.name)
    assert sql(stmt, dialect) == (
        "UPDATE users SET name=%(name)s WHERE users.id = %(id_1)s::INTEGER "
        "RETURNING users.id, users.name"
    )


def test_delete_returning_renders_returning(dialect, tables):
    u = tables["users"]
    stmt = delete(u).where(u.c.name == "x").returning(u.c.id)
    assert sql(stmt, dialect) == (
        "DELETE FROM users WHERE users.name = %(name_1)s RETURNING users.id"
    )


# -- upsert ---------------------------------------------------------------------------------


def test_on_conflict_do_update_with_index_elements_and_excluded(dialect, tables):
    u = tables["users"]
    stmt = pg_insert(u).values(id=1, name="a")
    stmt = stmt.on_conflict_do_update(
        index_elements=[u.c.id], set_={"name": stmt.excluded.name}, where=u.c.name != "keep"
    )
    assert sql(stmt, dialect) == (
        "INSERT INTO users (id, name) VALUES (%(id)s::INTEGER, %(name)s) ON CONFLICT (id) "
        "DO UPDATE SET name = excluded.name WHERE users.name != %(name_1)s"
    )


def test_on_conflict_do_update_with_constraint_name_binds_values(dialect, tables):
    u = tables["users"]
    stmt = (
        pg_insert(u)
        .values(id=1, name="a")
        .on_conflict_do_update(constraint="users_pkey", set_={u.c.name: "b"})
    )
    compiled = stmt.compile(dialect=dialect)
    assert " ".join(str(compiled).split()) == (
        "INSERT INTO users (id, name) VALUES (%(id)s::INTEGER, %(name)s) "
        "ON CONFLICT ON CONSTRAINT users_pkey DO UPDATE SET name = %(param_1)s"
    )
    assert compiled.params["param_1"] == "b"


def test_on_conflict_do_update_with_partial_index_renders_where(dialect, tables):
    u = tables["users"]
    stmt = (
        pg_insert(u)
        .values(name="a", email="e")
        .on_conflict_do_update(
            index_elements=["email"], index_where=u.c.name != "", set_={"name": "b"}
        )
    )
    assert "ON CONFLICT (email) WHERE name != %(name_1)s DO UPDATE SET name" in sql(stmt, dialect)


def test_on_conflict_do_update_with_unique_constraint_object_uses_columns(dialect):
    m = MetaData()
    uq = UniqueConstraint("a", "b")
    t = Table("t", m, Column("id", Integer, primary_key=True), Column("a", Integer))
    t.append_column(Column("b", Integer))
    t.append_constraint(uq)
    stmt = pg_insert(t).values(a=1, b=2).on_conflict_do_update(constraint=uq, set_={"a": 3})
    assert "ON CONFLICT (a, b) DO UPDATE SET a = %(param_1)s::INTEGER" in sql(stmt, dialect)


def test_on_conflict_do_nothing_without_target(dialect, tables):
    stmt = pg_insert(tables["users"]).values(id=1, name="a").on_conflict_do_nothing()
    assert sql(stmt, dialect).endswith("ON CONFLICT DO NOTHING RETURNING users.id") or sql(
        stmt, dialect
    ).endswith("ON CONFLICT DO NOTHING")


def test_on_conflict_do_nothing_with_index_elements(dialect, tables):
    stmt = (
        pg_insert(tables["users"]).values(name="a").on_conflict_do_nothing(index_elements=["id"])
    )
    assert "VALUES (%(name)s) ON CONFLICT (id) DO NOTHING" in sql(stmt, dialect)


def test_on_conflict_with_returning_puts_returning_last(dialect, tables):
    u = tables["users"]
    stmt = (
        pg_insert(u)
        .values(id=1, name="a")
        .on_conflict_do_update(index_elements=["id"], set_={"name": "b"})
        .returning(u.c.id)
    )
    assert sql(stmt, dialect).endswith("DO UPDATE SET name = %(param_1)s RETURNING users.id")


def test_on_conflict_do_update_without_target_is_an_error(tables):
    with pytest.raises(exc.ArgumentError, match="constraint"):
        pg_insert(tables["users"]).on_conflict_do_update(set_={"name": "x"})


def test_on_conflict_do_update_without_set_is_an_error(tables):
    with pytest.raises(exc.ArgumentError, match="set_"):
        pg_insert(tables["users"]).on_conflict_do_update(index_elements=["id"])


def test_on_conflict_do_update_with_unknown_column_is_an_error(tables):
    with pytest.raises(exc.ArgumentError, match="nope"):
        pg_insert(tables["users"]).on_conflict_do_update(index_elements=["id"], set_={"nope": 1})


def test_on_conflict_twice_is_an_error(tables):
    stmt = pg_insert(tables["users"]).on_conflict_do_nothing()
    with pytest.raises(exc.InvalidRequestError, match="already"):
        stmt.on_conflict_do_nothing()


def test_upsert_cache_key_differs_by_conflict_clause(tables):
    u = tables["users"]
    base = pg_insert(u).values(id=1, name="a")
    k1 = base.on_conflict_do_nothing()._generate_cache_key()
    k2 = base.on_conflict_do_update(
        index_elements=["id"], set_={"name": "b"}
    )._generate_cache_key()
    k3 = base._generate_cache_key()
    assert None not in (k1, k2, k3)
    assert len({k1, k2, k3}) == 3


def test_upsert_cache_key_equal_for_equal_shapes(tables):
    u = tables["users"]

    def build(value: str) -> object:
        return (
            pg_insert(u)
            .values(id=1, name="a")
            .on_conflict_do_update(index_elements=["id"], set_={"name": value})
        )

    assert build("x")._generate_cache_key() == build("y")._generate_cache_key()  # type: ignore[attr-defined]


# -- DDL ------------------------------------------------------------------------------------


def ddl(element: object, dialect: PGDialect_psycopg) -> str:
    return " ".join(str(element.compile(dialect=dialect)).split())  # type: ignore[attr-defined]


def test_create_table_integer_pk_is_serial(dialect):
    t = Table("t", MetaData(), Column("id", Integer, primary_key=True))
    assert (
        ddl(CreateTable(t), dialect) == "CREATE TABLE t ( id SERIAL NOT NULL, PRIMARY KEY (id) )"
    )


def test_create_table_bigint_and_smallint_pk_are_bigserial_smallserial(dialect):
    t1 = Table("t1", MetaData(), Column("id", BigInteger, primary_key=True))
    t2 = Table("t2", MetaData(), Column("id", SmallInteger, primary_key=True))
    assert "id BIGSERIAL NOT NULL" in ddl(CreateTable(t1), dialect)
    assert "id SMALLSERIAL NOT NULL" in ddl(CreateTable(t2), dialect)


def test_create_table_non_autoincrement_pk_is_plain_integer(dialect):
    t = Table("t", MetaData(), Column("id", Integer, primary_key=True, autoincrement=False))
    assert "id INTEGER NOT NULL" in ddl(CreateTable(t), dialect)


def test_create_table_composite_pk_is_not_serial(dialect):
    t = Table(
        "t",
        MetaData(),
        Column("a", Integer, primary_key=True),
        Column("b", Integer, primary_key=True),
    )
    text_ = ddl(CreateTable(t), dialect)
    assert "a INTEGER NOT NULL" in text_
    assert "PRIMARY KEY (a, b)" in text_


def test_create_table_identity_renders_generated_by_default(dialect):
    t = Table(
        "t", MetaData(), Column("id", Integer, Identity(start=10, increment=5), primary_key=True)
    )
    assert ddl(CreateTable(t), dialect) == (
        "CREATE TABLE t ( id INTEGER GENERATED BY DEFAULT AS IDENTITY "
        "(START WITH 10 INCREMENT BY 5), PRIMARY KEY (id) )"
    )


def test_create_table_identity_always_renders_always(dialect):
    t = Table("t", MetaData(), Column("id", BigInteger, Identity(always=True), primary_key=True))
    assert "id BIGINT GENERATED ALWAYS AS IDENTITY," in ddl(CreateTable(t), dialect)


def test_create_table_sequence_pk_is_integer_not_null(dialect):
    t = Table("t", MetaData(), Column("id", Integer, Sequence("t_seq"), primary_key=True))
    assert "id INTEGER NOT NULL" in ddl(CreateTable(t), dialect)


def test_create_and_drop_sequence_with_options(dialect):
    seq = Sequence("s", start=5, increment=2, schema="app")
    assert ddl(CreateSequence(seq), dialect) == "CREATE SEQUENCE app.s START WITH 5 INCREMENT BY 2"
    assert ddl(DropSequence(seq), dialect) == "DROP SEQUENCE app.s"


def test_create_table_computed_column_is_stored(dialect):
    t = Table(
        "t",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("price", Numeric(10, 2)),
        Column("doubled", Numeric(10, 2), Computed("price * 2")),
    )
    assert "doubled NUMERIC(10, 2) GENERATED ALWAYS AS (price * 2) STORED" in ddl(
        CreateTable(t), dialect
    )


def test_create_table_virtual_computed_column_is_an_error(dialect):
    t = Table(
        "t",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("v", Integer, Computed("id + 1", persisted=False)),
    )
    with pytest.raises(exc.CompileError, match="stored"):
        CreateTable(t).compile(dialect=dialect)


def test_create_table_types_render_postgresql_names(dialect):
    t = Table(
        "t",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("j", JSON),
        Column("jb", JSONB),
        Column("u", Uuid),
        Column("u2", UUID),
        Column("ts", DateTime),
        Column("tstz", DateTime(timezone=True)),
        Column("ts3", TIMESTAMP(precision=3)),
        Column("tz", TIMESTAMPTZ),
        Column("n", Numeric(12, 4)),
        Column("f", Float),
        Column("dp", DOUBLE_PRECISION),
        Column("b", Boolean),
        Column("bin", LargeBinary),
        Column("bin2", BYTEA),
        Column("s", String(20)),
        Column("s2", String),
        Column("txt", Text),
        Column("d", Date),
        Column("tm", Time),
        Column("e", Enum("a", "bcd")),
    )
    text_ = ddl(CreateTable(t), dialect)
    for fragment in [
        "j JSON,",
        "jb JSONB,",
        "u UUID,",
        "u2 UUID,",
        "ts TIMESTAMP WITHOUT TIME ZONE,",
        "tstz TIMESTAMP WITH TIME ZONE,",
        "ts3 TIMESTAMP(3) WITHOUT TIME ZONE,",
        "tz TIMESTAMP WITH TIME ZONE,",
        "n NUMERIC(12, 4),",
        "f FLOAT,",
        "dp DOUBLE PRECISION,",
        "b BOOLEAN,",
        "bin BYTEA,",
        "bin2 BYTEA,",
        "s VARCHAR(20),",
        "s2 VARCHAR,",
        "txt TEXT,",
        "d DATE,",
        "tm TIME WITHOUT TIME ZONE,",
        "e VARCHAR(3),",
    ]:
        assert fragment in text_, fragment


def test_create_table_server_default_and_fk_ondelete(dialect, tables):
    m = MetaData()
    Table("users", m, Column("id", Integer, primary_key=True))
    t = Table(
        "posts",
        m,
        Column("id", Integer, primary_key=True),
        Column(
            "user_id", Integer, ForeignKey("users.id", ondelete="SET NULL", onupdate="CASCADE")
        ),
        Column("created", DateTime(timezone=True), server_default=func.now()),
        Column("state", String(10), server_default="new", nullable=False),
        CheckConstraint("id > 0", name="ck_positive"),
    )
    text_ = ddl(CreateTable(t), dialect)
    assert "created TIMESTAMP WITH TIME ZONE DEFAULT now()," in text_
    assert "state VARCHAR(10) DEFAULT 'new' NOT NULL," in text_
    assert (
        "FOREIGN KEY(user_id) REFERENCES users (id) ON DELETE SET NULL ON UPDATE CASCADE" in text_
    )
    assert "CONSTRAINT ck_positive CHECK (id > 0)" in text_


def test_create_index_in_schema_leaves_index_name_unqualified(dialect):
    m = MetaData()
    t = Table("t", m, Column("id", Integer, primary_key=True), Column("x", Integer), schema="app")
    idx = Index("ix_t_x", t.c.x)
    assert ddl(CreateIndex(idx), dialect) == "CREATE INDEX ix_t_x ON app.t (x)"


def test_drop_table_renders_schema(dialect):
    t = Table("t", MetaData(), Column("id", Integer, primary_key=True), schema="app")
    assert ddl(DropTable(t), dialect) == "DROP TABLE app.t"


# -- quoting --------------------------------------------------------------------------------


def test_reserved_and_mixed_case_names_are_quoted(dialect):
    m = MetaData()
    t = Table(
        "user",
        m,
        Column("id", Integer, primary_key=True),
        Column("order", Integer),
        Column("CamelCase", String(10)),
        Column("returning", Integer),
        Column("plain_name", Integer),
    )
    text_ = sql(select(t).where(t.c.order > 1), dialect)
    assert text_ == (
        'SELECT "user".id, "user"."order", "user"."CamelCase", "user".returning, '
        '"user".plain_name FROM "user" WHERE "user"."order" > %(order_1)s::INTEGER'
    ) or text_ == (
        'SELECT "user".id, "user"."order", "user"."CamelCase", "user"."returning", '
        '"user".plain_name FROM "user" WHERE "user"."order" > %(order_1)s::INTEGER'
    )
    assert '"returning"' in ddl(CreateTable(t), dialect)


def test_postgresql_only_reserved_words_are_quoted(dialect):
    preparer = dialect.identifier_preparer
    for word in ("returning", "window", "lateral", "variadic", "concurrently"):
        assert preparer.quote(word) == f'"{word}"'
    assert preparer.quote("status") == "status"


def test_names_with_embedded_quotes_are_escaped(dialect):
    assert dialect.identifier_preparer.quote('we"ird') == '"we""ird"'


def test_text_named_binds_become_pyformat_and_percent_is_doubled(dialect):
    stmt = text("SELECT id FROM t WHERE a = :a AND b LIKE 'x%'")
    compiled = stmt.compile(dialect=dialect)
    assert str(compiled) == "SELECT id FROM t WHERE a = %(a)s AND b LIKE 'x%%'"


def test_drop_index_in_schema_qualifies_index_name(dialect):
    m = MetaData()
    t = Table("t", m, Column("id", Integer, primary_key=True), Column("x", Integer), schema="app")
    idx = Index("ix_t_x", t.c.x)
    assert ddl(DropIndex(idx), dialect) == "DROP INDEX app.ix_t_x"


def test_on_conflict_with_primary_key_object_uses_its_columns(dialect):
    t = Table("t", MetaData(), Column("a", Integer, primary_key=True), Column("b", Integer))
    stmt = (
        pg_insert(t)
        .values(a=1, b=2)
        .on_conflict_do_update(constraint=t.primary_key, set_={"b": 3})
    )
    assert sql(stmt, dialect).endswith("ON CONFLICT (a) DO UPDATE SET b = %(param_1)s::INTEGER")

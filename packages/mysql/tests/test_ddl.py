"""CREATE/DROP text on the MySQL dialect: AUTO_INCREMENT, types, constraints, indexes."""

from __future__ import annotations

from typing import Any

import pytest

from accord import exc
from accord.dialects.mysql import DATETIME, LONGBLOB, LONGTEXT, TIME, TINYINT
from accord.sql import (
    AddConstraint,
    CheckConstraint,
    Column,
    Computed,
    CreateIndex,
    CreateTable,
    DropConstraint,
    DropIndex,
    DropTable,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    MetaData,
    Table,
    UniqueConstraint,
    text,
)
from accord.sql import types as T


def ddl(element: Any, dialect: Any) -> str:
    return " ".join(element.compile(dialect=dialect).string.split())


def test_integer_primary_key_gets_auto_increment_and_innodb(mariadb: Any) -> None:
    t = Table("t", MetaData(), Column("id", T.Integer, primary_key=True))
    assert ddl(CreateTable(t), mariadb) == (
        "CREATE TABLE t ( id INTEGER NOT NULL AUTO_INCREMENT, PRIMARY KEY (id) ) ENGINE=InnoDB"
    )


def test_composite_or_non_integer_keys_get_no_auto_increment(mariadb: Any) -> None:
    md = MetaData()
    a = Table(
        "a", md, Column("x", T.Integer, primary_key=True), Column("y", T.Integer, primary_key=True)
    )
    b = Table("b", md, Column("code", T.String(5), primary_key=True))
    assert "AUTO_INCREMENT" not in ddl(CreateTable(a), mariadb)
    assert "AUTO_INCREMENT" not in ddl(CreateTable(b), mariadb)


def test_autoincrement_false_turns_it_off(mariadb: Any) -> None:
    t = Table("t", MetaData(), Column("id", T.Integer, primary_key=True, autoincrement=False))
    assert "AUTO_INCREMENT" not in ddl(CreateTable(t), mariadb)


def test_generic_types_map_to_mysql_names(mariadb: Any) -> None:
    t = Table(
        "types",
        MetaData(),
        Column("i", T.Integer),
        Column("bi", T.BigInteger),
        Column("si", T.SmallInteger),
        Column("s", T.String(30)),
        Column("tx", T.Text),
        Column("b", T.Boolean),
        Column("f", T.Float),
        Column("n", T.Numeric(12, 3)),
        Column("d", T.Date),
        Column("dt", T.DateTime),
        Column("tz", T.DateTime(timezone=True)),
        Column("tm", T.Time),
        Column("lb", T.LargeBinary),
        Column("j", T.JSON),
        Column("u", T.Uuid),
        Column("e", T.Enum("red", "it's")),
        Column("ev", T.Enum("a", "bb", native_enum=False)),
    )
    text_ = ddl(CreateTable(t), mariadb)
    for part in [
        "i INTEGER,",
        "bi BIGINT,",
        "si SMALLINT,",
        "s VARCHAR(30),",
        "tx TEXT,",
        "b BOOL,",
        "f DOUBLE,",
        "n NUMERIC(12, 3),",
        "d DATE,",
        "dt DATETIME(6),",
        "tz DATETIME(6),",
        "tm TIME(6),",
        "lb BLOB,",
        "j JSON,",
        "u CHAR(32),",
        "e ENUM('red', 'it''s'),",
        "ev VARCHAR(2)",
    ]:
        assert part in text_, part


def test_mysql_specific_types_render(mariadb: Any) -> None:
    t = Table(
        "t",
        MetaData(),
        Column("a", DATETIME(fsp=0)),
        Column("b", TIME(fsp=3)),
        Column("c", TINYINT),
        Column("d", LONGTEXT),
        Column("e", LONGBLOB),
        Column("f", T.LargeBinary(100)),
        Column("g", T.LargeBinary(1_000_000)),
        Column("h", T.Float(precision=10)),
    )
    text_ = ddl(CreateTable(t), mariadb)
    for part in ["a DATETIME,", "b TIME(3),", "c TINYINT,", "d LONGTEXT,", "e LONGBLOB,",
                 "f TINYBLOB,", "g MEDIUMBLOB,", "h FLOAT(10)"]:  # fmt: skip
        assert part in text_, part


def test_varchar_without_length_names_the_column(mariadb: Any) -> None:
    t = Table(
        "people", MetaData(), Column("id", T.Integer, primary_key=True), Column("nm", T.String)
    )
    with pytest.raises(exc.CompileError, match=r"VARCHAR requires a length.*people\.nm"):
        CreateTable(t).compile(dialect=mariadb)


def test_not_null_and_server_defaults_render(mariadb: Any) -> None:
    t = Table(
        "t",
        MetaData(),
        Column("id", T.Integer, primary_key=True),
        Column("a", T.String(10), nullable=False, server_default="it's 100%"),
        Column("b", T.DateTime, server_default=text("CURRENT_TIMESTAMP(6)")),
    )
    text_ = ddl(CreateTable(t), mariadb)
    assert "a VARCHAR(10) NOT NULL DEFAULT 'it''s 100%'," in text_
    assert "b DATETIME(6) DEFAULT CURRENT_TIMESTAMP(6)," in text_


def test_computed_columns_render_generated_always(mariadb: Any) -> None:
    t = Table(
        "t",
        MetaData(),
        Column("id", T.Integer, primary_key=True),
        Column("price", T.Integer),
        Column("twice", T.Integer, Computed("price * 2")),
        Column("kept", T.Integer, Computed("price + 1", persisted=True)),
    )
    text_ = ddl(CreateTable(t), mariadb)
    assert "twice INTEGER GENERATED ALWAYS AS (price * 2)," in text_
    assert "kept INTEGER GENERATED ALWAYS AS (price + 1) STORED," in text_


def test_foreign_keys_render_actions_without_deferrable(mariadb: Any) -> None:
    md = MetaData()
    Table("parent", md, Column("id", T.Integer, primary_key=True))
    child = Table(
        "child",
        md,
        Column("id", T.Integer, primary_key=True),
        Column(
            "parent_id",
            T.Integer,
            ForeignKey("parent.id", ondelete="CASCADE", onupdate="SET NULL"),
        ),
        Column("other_id", T.Integer),
        ForeignKeyConstraint(["other_id"], ["parent.id"], name="fk_other", deferrable=True),
    )
    text_ = ddl(CreateTable(child), mariadb)
    assert (
        "FOREIGN KEY(parent_id) REFERENCES parent (id) ON DELETE CASCADE ON UPDATE SET NULL"
        in text_
    )
    assert "CONSTRAINT fk_other FOREIGN KEY(other_id) REFERENCES parent (id)" in text_
    assert "DEFERRABLE" not in text_


def test_foreign_key_with_integer_column_keeps_no_auto_increment(mariadb: Any) -> None:
    md = MetaData()
    Table("p", md, Column("id", T.Integer, primary_key=True))
    c = Table("c", md, Column("p_id", T.Integer, ForeignKey("p.id"), primary_key=True))
    assert "AUTO_INCREMENT" not in ddl(CreateTable(c), mariadb)


def test_check_and_unique_constraints_render(mariadb: Any) -> None:
    t = Table(
        "t",
        MetaData(),
        Column("id", T.Integer, primary_key=True),
        Column("qty", T.Integer),
        Column("code", T.String(5)),
        CheckConstraint("qty >= 0", name="ck_qty"),
        CheckConstraint("code LIKE 'A%'"),
        UniqueConstraint("code", name="uq_code"),
    )
    text_ = ddl(CreateTable(t), mariadb)
    assert "CONSTRAINT ck_qty CHECK (qty >= 0)" in text_
    # DDL runs without parameters: the percent sign must stay single.
    assert "CHECK (code LIKE 'A%')" in text_
    assert "CONSTRAINT uq_code UNIQUE (code)" in text_


def test_reserved_and_mixed_case_names_are_quoted_in_ddl(mariadb: Any) -> None:
    t = Table(
        "Order",
        MetaData(),
        Column("key", T.Integer, primary_key=True),
        Column("Desc", T.String(5)),
    )
    text_ = ddl(CreateTable(t), mariadb)
    assert text_.startswith("CREATE TABLE `Order` ( `key` INTEGER NOT NULL AUTO_INCREMENT,")
    assert "`Desc` VARCHAR(5)" in text_
    assert "PRIMARY KEY (`key`)" in text_


def test_table_options_come_from_mysql_keywords(mariadb: Any) -> None:
    t = Table(
        "t",
        MetaData(),
        Column("id", T.Integer, primary_key=True),
        mysql_engine="MyISAM",
        mysql_charset="utf8mb4",
        mysql_collate="utf8mb4_bin",
    )
    text_ = ddl(CreateTable(t), mariadb)
    assert text_.endswith(") ENGINE=MyISAM DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin")


def test_unknown_table_option_is_an_error(mariadb: Any) -> None:
    t = Table("t", MetaData(), Column("id", T.Integer, primary_key=True), mysql_bogus="x")
    with pytest.raises(exc.ArgumentError, match="mysql_bogus"):
        CreateTable(t).compile(dialect=mariadb)


def test_indexes_create_and_drop_name_the_table(mariadb: Any) -> None:
    md = MetaData()
    t = Table("t", md, Column("id", T.Integer, primary_key=True), Column("a", T.Integer),
              Column("b", T.Integer), schema="other")  # fmt: skip
    ix = Index("ix_t_ab", t.c.a, t.c.b, unique=True)
    assert ddl(CreateIndex(ix), mariadb) == "CREATE UNIQUE INDEX ix_t_ab ON other.t (a, b)"
    assert ddl(DropIndex(ix), mariadb) == "DROP INDEX ix_t_ab ON other.t"


def test_drop_table_renders(mariadb: Any) -> None:
    t = Table("select", MetaData(), Column("id", T.Integer, primary_key=True))
    assert ddl(DropTable(t), mariadb) == "DROP TABLE `select`"


def test_add_and_drop_constraints_use_mysql_forms(mariadb: Any, mysql8: Any) -> None:
    md = MetaData()
    Table("p", md, Column("id", T.Integer, primary_key=True))
    fk = ForeignKeyConstraint(["p_id"], ["p.id"], name="fk_p")
    uq = UniqueConstraint("p_id", name="uq_p")
    ck = CheckConstraint("p_id > 0", name="ck_p")
    Table(
        "c", md, Column("id", T.Integer, primary_key=True), Column("p_id", T.Integer), fk, uq, ck
    )
    assert ddl(AddConstraint(fk), mariadb).startswith(
        "ALTER TABLE c ADD CONSTRAINT fk_p FOREIGN KEY(p_id) REFERENCES p (id)"
    )
    assert ddl(DropConstraint(fk), mariadb) == "ALTER TABLE c DROP FOREIGN KEY fk_p"
    assert ddl(DropConstraint(uq), mariadb) == "ALTER TABLE c DROP INDEX uq_p"
    assert ddl(DropConstraint(ck), mariadb) == "ALTER TABLE c DROP CONSTRAINT ck_p"
    assert ddl(DropConstraint(ck), mysql8) == "ALTER TABLE c DROP CHECK ck_p"


def test_string_server_default_escapes_backslash(mariadb: Any) -> None:
    t = Table("t", MetaData(), Column("id", T.Integer, primary_key=True),
              Column("p", T.String(20), server_default="C:\\temp"))  # fmt: skip
    assert "p VARCHAR(20) DEFAULT 'C:\\\\temp'" in ddl(CreateTable(t), mariadb)

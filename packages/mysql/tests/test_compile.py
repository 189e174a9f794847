"""Compiled SQL of statements on the MySQL dialect (no server needed)."""

from __future__ import annotations

from typing import Any

import pytest

from accord import exc
from accord.dialects.mysql import MySQLDialect_pymysql
from accord.dialects.mysql import insert as mysql_insert
from accord.sql import (
    Column,
    ForeignKey,
    MetaData,
    Sequence,
    Table,
    bindparam,
    cast,
    delete,
    func,
    insert,
    literal_column,
    select,
    text,
    update,
)
from accord.sql import types as T

md = MetaData()
users = Table(
    "users",
    md,
    Column("id", T.Integer, primary_key=True),
    Column("name", T.String(50), unique=True),
    Column("Nick", T.String(20)),
    Column("visits", T.Integer, server_default="0"),
)
orders = Table(
    "order",
    md,
    Column("id", T.Integer, primary_key=True),
    Column("user_id", T.Integer, ForeignKey("users.id")),
    Column("select", T.String(10)),
)


def sql(stmt: Any, dialect: MySQLDialect_pymysql) -> str:
    return " ".join(stmt.compile(dialect=dialect).string.split())


def test_select_join_where_order_limit_offset_renders_mysql_forms(mariadb: Any) -> None:
    stmt = (
        select(users.c.name, orders.c.id)
        .join(orders, orders.c.user_id == users.c.id)
        .where(users.c.name == "x")
        .order_by(users.c.id.desc())
        .limit(10)
        .offset(20)
    )
    assert sql(stmt, mariadb) == (
        "SELECT users.name, `order`.id FROM users JOIN `order` ON `order`.user_id = users.id "
        "WHERE users.name = %(name_1)s ORDER BY users.id DESC "
        "LIMIT %(param_1)s OFFSET %(param_2)s"
    )
    params = stmt.compile(dialect=mariadb).params
    assert params == {"name_1": "x", "param_1": 10, "param_2": 20}


def test_select_offset_without_limit_uses_largest_limit(mariadb: Any) -> None:
    assert sql(select(users.c.id).offset(5), mariadb) == (
        "SELECT users.id FROM users LIMIT 18446744073709551615 OFFSET %(param_1)s"
    )


def test_select_limit_only_has_no_offset(mariadb: Any) -> None:
    assert sql(select(users.c.id).limit(3), mariadb).endswith("LIMIT %(param_1)s")


def test_outer_join_renders_left_outer_join(mariadb: Any) -> None:
    stmt = select(users.c.id).outerjoin(orders, orders.c.user_id == users.c.id)
    assert "FROM users LEFT OUTER JOIN `order` ON" in sql(stmt, mariadb)


@pytest.mark.parametrize(
    ("kw", "suffix"),
    [
        ({}, "FOR UPDATE"),
        ({"nowait": True}, "FOR UPDATE NOWAIT"),
        ({"skip_locked": True}, "FOR UPDATE SKIP LOCKED"),
    ],
)
def test_for_update_variants_render(mariadb: Any, kw: dict[str, Any], suffix: str) -> None:
    assert sql(select(users.c.id).with_for_update(**kw), mariadb).endswith(suffix)


def test_for_update_read_is_lock_in_share_mode_on_mariadb(mariadb: Any) -> None:
    stmt = select(users.c.id).with_for_update(read=True)
    assert sql(stmt, mariadb).endswith("LOCK IN SHARE MODE")


def test_for_update_read_is_for_share_on_mysql8(mysql8: Any) -> None:
    stmt = select(users.c.id).with_for_update(read=True, nowait=True)
    assert sql(stmt, mysql8).endswith("FOR SHARE NOWAIT")


def test_for_update_of_is_rendered_on_mysql8_only(mysql8: Any, mariadb: Any) -> None:
    stmt = select(users.c.id).with_for_update(of=users)
    assert sql(stmt, mysql8).endswith("FOR UPDATE OF users")
    assert sql(stmt, mariadb).endswith("FOR UPDATE")


def test_ilike_renders_lower_like_lower(mariadb: Any) -> None:
    stmt = select(users.c.id).where(users.c.name.ilike("a%"))
    assert "WHERE lower(users.name) LIKE lower(%(name_1)s)" in sql(stmt, mariadb)


def test_string_concat_renders_concat_function(mariadb: Any) -> None:
    stmt = select(users.c.name + "-" + users.c.Nick)
    assert "concat(concat(users.name, %(name_1)s), users.`Nick`)" in sql(stmt, mariadb)


@pytest.mark.parametrize(
    ("method", "pattern"),
    [
        ("startswith", "LIKE concat(%(name_1)s, '%%')"),
        ("endswith", "LIKE concat('%%', %(name_1)s)"),
        ("contains", "LIKE concat('%%', %(name_1)s, '%%')"),
    ],
)
def test_like_shortcuts_use_concat_and_doubled_percent(
    mariadb: Any, method: str, pattern: str
) -> None:
    stmt = select(users.c.id).where(getattr(users.c.name, method)("a"))
    assert pattern in sql(stmt, mariadb)


def test_literal_percent_is_doubled_for_the_driver(mariadb: Any) -> None:
    stmt = select(literal_column("'50%'"), users.c.id % 2)
    assert sql(stmt, mariadb) == "SELECT '50%%', users.id %% %(id_1)s AS anon_1 FROM users"


def test_text_binds_become_pyformat_placeholders(mariadb: Any) -> None:
    stmt = text("SELECT * FROM users WHERE name = :n AND nick LIKE 'a%'")
    assert sql(stmt, mariadb) == ("SELECT * FROM users WHERE name = %(n)s AND nick LIKE 'a%%'")


def test_reserved_and_mixed_case_names_are_backquoted(mariadb: Any) -> None:
    stmt = select(orders.c["select"], users.c.Nick).where(orders.c.user_id == users.c.id)
    text_ = sql(stmt, mariadb)
    assert "`order`.`select`" in text_
    assert "users.`Nick`" in text_


def test_backquote_inside_identifier_is_doubled(mariadb: Any) -> None:
    t = Table("we`ird", MetaData(), Column("id", T.Integer, primary_key=True))
    assert sql(select(t.c.id), mariadb) == "SELECT `we``ird`.id FROM `we``ird`"


def test_insert_single_row_uses_named_placeholders(mariadb: Any) -> None:
    stmt = insert(users).values(name="a", Nick="b")
    assert sql(stmt, mariadb) == ("INSERT INTO users (name, `Nick`) VALUES (%(name)s, %(Nick)s)")


def test_insert_compiled_for_executemany_is_one_values_tuple(mariadb: Any) -> None:
    # PyMySQL rewrites an executemany of "INSERT ... VALUES (%(a)s, ...)" into one
    # multi-row INSERT only when the VALUES tuple holds nothing but placeholders.
    compiled = insert(users).compile(dialect=mariadb, column_keys=["name", "Nick"])
    assert compiled.string == "INSERT INTO users (name, `Nick`) VALUES (%(name)s, %(Nick)s)"


def test_insert_multi_values_renders_each_row(mariadb: Any) -> None:
    stmt = insert(users).values([{"name": "a"}, {"name": "b"}])
    assert sql(stmt, mariadb) == "INSERT INTO users (name) VALUES (%(name_m0)s), (%(name_m1)s)"


def test_insert_without_values_uses_empty_values_list(mariadb: Any) -> None:
    t = Table("only_id", MetaData(), Column("id", T.Integer, primary_key=True))
    compiled = insert(t).compile(dialect=mariadb, column_keys=[])
    assert compiled.string == "INSERT INTO only_id () VALUES ()"


def test_insert_autoincrement_uses_lastrowid_not_returning(mariadb: Any) -> None:
    compiled = insert(users).compile(dialect=mariadb, column_keys=["name"])
    assert "RETURNING" not in compiled.string
    assert compiled.postfetch_lastrowid


def test_insert_returning_renders_on_mariadb(mariadb: Any) -> None:
    stmt = insert(users).values(name="a").returning(users.c.id, users.c.name)
    assert sql(stmt, mariadb).startswith("INSERT INTO users (name) VALUES (%(name)s) RETURNING")


def test_insert_returning_is_refused_on_mysql(mysql8: Any) -> None:
    stmt = insert(users).values(name="a").returning(users.c.id)
    with pytest.raises(exc.CompileError, match="RETURNING"):
        stmt.compile(dialect=mysql8)


def test_insert_returning_is_refused_before_mariadb_10_5() -> None:
    old = MySQLDialect_pymysql(is_mariadb=True, server_version_info=(10, 4, 30))
    with pytest.raises(exc.CompileError, match="RETURNING"):
        insert(users).values(name="a").returning(users.c.id).compile(dialect=old)


def test_delete_returning_renders_on_mariadb(mariadb: Any) -> None:
    stmt = delete(users).where(users.c.id == 1).returning(users.c.name)
    text_ = sql(stmt, mariadb)
    assert text_.startswith("DELETE FROM users WHERE users.id = %(id_1)s RETURNING")


def test_update_returning_is_refused_even_on_mariadb(mariadb: Any) -> None:
    stmt = update(users).values(name="b").returning(users.c.id)
    with pytest.raises(exc.CompileError, match="RETURNING"):
        stmt.compile(dialect=mariadb)


def test_update_and_delete_with_where_render(mariadb: Any) -> None:
    upd = update(users).where(users.c.id == 5).values(visits=users.c.visits + 1)
    assert sql(upd, mariadb) == (
        "UPDATE users SET visits=(users.visits + %(visits_1)s) WHERE users.id = %(id_1)s"
    ) or sql(upd, mariadb) == (
        "UPDATE users SET visits=users.visits + %(visits_1)s WHERE users.id = %(id_1)s"
    )
    assert sql(delete(users).where(users.c.name == "x"), mariadb) == (
        "DELETE FROM users WHERE users.name = %(name_1)s"
    )


def test_on_duplicate_key_update_with_keywords_and_inserted(mariadb: Any) -> None:
    stmt = mysql_insert(users).values(name="a", visits=1)
    stmt = stmt.on_duplicate_key_update(visits=users.c.visits + stmt.inserted.visits)
    assert sql(stmt, mariadb) == (
        "INSERT INTO users (name, visits) VALUES (%(name)s, %(visits)s) "
        "ON DUPLICATE KEY UPDATE visits = visits + VALUES(visits)"
    )


def test_on_duplicate_key_update_with_dict_binds_values(mariadb: Any) -> None:
    stmt = mysql_insert(users).values(name="a").on_duplicate_key_update({"Nick": "n%"})
    compiled = stmt.compile(dialect=mariadb)
    assert compiled.string.endswith("ON DUPLICATE KEY UPDATE `Nick` = %(param_1)s")
    assert compiled.params["param_1"] == "n%"


def test_on_duplicate_key_update_with_list_of_tuples_keeps_order(mariadb: Any) -> None:
    stmt = mysql_insert(users).values(name="a", Nick="b", visits=1)
    stmt = stmt.on_duplicate_key_update([(users.c.visits, 7), ("Nick", stmt.inserted["Nick"])])
    assert sql(stmt, mariadb).endswith(
        "ON DUPLICATE KEY UPDATE visits = %(param_1)s, `Nick` = VALUES(`Nick`)"
    )


def test_on_duplicate_key_update_statements_are_cached_by_shape(mariadb: Any) -> None:
    a = mysql_insert(users).values(name="a").on_duplicate_key_update(visits=1)
    b = mysql_insert(users).values(name="b").on_duplicate_key_update(visits=2)
    c = mysql_insert(users).values(name="b").on_duplicate_key_update(Nick="x")
    key_a, key_b, key_c = (s._generate_cache_key() for s in (a, b, c))
    assert key_a == key_b
    assert key_a != key_c
    plain = insert(users).values(name="a")
    assert plain._generate_cache_key() != key_a


def test_on_duplicate_key_update_rejects_unknown_column() -> None:
    with pytest.raises(exc.ArgumentError, match="nope"):
        mysql_insert(users).on_duplicate_key_update(nope=1)


def test_on_duplicate_key_update_needs_a_column() -> None:
    with pytest.raises(exc.ArgumentError, match="at least one"):
        mysql_insert(users).on_duplicate_key_update()


def test_inserted_unknown_column_is_attribute_error() -> None:
    with pytest.raises(AttributeError, match="nope"):
        _ = mysql_insert(users).inserted.nope


def test_on_duplicate_key_update_with_returning_orders_clauses(mariadb: Any) -> None:
    stmt = mysql_insert(users).values(name="a").on_duplicate_key_update(visits=0)
    text_ = sql(stmt.returning(users.c.id), mariadb)
    assert text_.index("ON DUPLICATE KEY UPDATE") < text_.index("RETURNING")


def test_cast_uses_mysql_target_names(mariadb: Any) -> None:
    assert sql(select(cast(users.c.name, T.Integer)), mariadb) == (
        "SELECT CAST(users.name AS SIGNED) AS name FROM users"
    ) or "CAST(users.name AS SIGNED)" in sql(select(cast(users.c.name, T.Integer)), mariadb)
    assert "CAST(users.id AS CHAR)" in sql(select(cast(users.c.id, T.String())), mariadb)
    assert "AS DECIMAL(10, 2)" in sql(select(cast(users.c.id, T.Numeric(10, 2))), mariadb)


def test_true_and_false_render_as_numbers(mariadb: Any) -> None:
    from accord.sql import false, true

    stmt = select(users.c.id).where(users.c.name.is_(None) | true())
    assert sql(stmt, mariadb).endswith("WHERE (users.name IS NULL OR 1)")
    assert sql(select(false()), mariadb).startswith("SELECT 0")


def test_functions_render_by_name(mariadb: Any) -> None:
    assert sql(select(func.count(users.c.id)), mariadb).startswith("SELECT count(users.id)")
    assert "now()" in sql(select(func.now()), mariadb)


def test_bindparam_in_where_is_pyformat(mariadb: Any) -> None:
    stmt = select(users.c.id).where(users.c.name == bindparam("who"))
    assert sql(stmt, mariadb).endswith("WHERE users.name = %(who)s")


def test_sequence_next_value_is_nextval_on_mariadb(mariadb: Any, mysql8: Any) -> None:
    seq = Sequence("user_seq")
    assert sql(select(seq.next_value()), mariadb).startswith("SELECT nextval(user_seq)")
    with pytest.raises(exc.CompileError, match="sequences"):
        select(seq.next_value()).compile(dialect=mysql8)


def test_literal_binds_escape_backslash_and_quote(mariadb: Any) -> None:
    stmt = select(users.c.id).where(users.c.name == "a\\'b")
    compiled = stmt.compile(dialect=mariadb, compile_kwargs={"literal_binds": True})
    assert compiled.string.endswith("WHERE users.name = 'a\\\\''b'")


def test_executemany_insert_matches_pymysqls_multirow_rewrite(mariadb: Any) -> None:
    import pymysql.cursors

    compiled = insert(users).compile(dialect=mariadb, column_keys=["name", "visits"])
    match = pymysql.cursors.RE_INSERT_VALUES.match(compiled.string)
    assert match is not None
    assert match.group(2) == "(%(name)s, %(visits)s)"
    stmt = mysql_insert(users)
    upsert = stmt.on_duplicate_key_update(visits=users.c.visits + stmt.inserted.visits)
    compiled = upsert.compile(dialect=mariadb, column_keys=["name", "visits"])
    assert pymysql.cursors.RE_INSERT_VALUES.match(compiled.string) is not None


def test_is_true_and_is_false_use_the_keywords(mariadb: Any) -> None:
    from accord.sql import Boolean, column, table

    flags = table("flags", column("on", Boolean))
    rendered = sql(select(flags).where(flags.c.on.is_(False), flags.c.on.is_not(True)), mariadb)
    assert rendered.endswith("WHERE flags.`on` IS false AND flags.`on` IS NOT true")

"""Compiled SQL of every statement form the engine and the ORM emit, for Oracle."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from accord import exc
from accord.sql import (
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    Sequence,
    String,
    Table,
    and_,
    bindparam,
    case,
    cast,
    delete,
    exists,
    false,
    func,
    insert,
    literal,
    not_,
    or_,
    select,
    text,
    true,
    update,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from accord.dialects.oracle import OracleDialect_oracledb

metadata = MetaData()
users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(50)),
    Column("active", Boolean),
)
addresses = Table(
    "addresses",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id")),
    Column("email", String(100)),
)
odd = Table(
    "Odd",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("date", DateTime),
    Column("level", Integer),
    Column("_hidden", Integer),
    Column("2nd", Integer),
    Column("CamelCase", Integer),
)
seq_table = Table(
    "seq_table",
    metadata,
    Column("id", Integer, Sequence("seq_table_id_seq"), primary_key=True),
    Column("data", String(20)),
)
composite = Table(
    "composite",
    metadata,
    Column("a", Integer, primary_key=True, autoincrement=False),
    Column("b", Integer, primary_key=True, autoincrement=False),
    Column("v", String(10)),
)


def params(stmt: Any, dialect: OracleDialect_oracledb, **kw: Any) -> dict[str, Any]:
    return stmt.compile(dialect=dialect, **kw).construct_params(kw.get("p"))  # type: ignore[no-any-return]


# -- SELECT ---------------------------------------------------------------------------------


def test_select_where_order_uses_named_binds(sql: Callable[..., str]) -> None:
    stmt = select(users.c.id, users.c.name).where(users.c.id == 5).order_by(users.c.name)
    assert sql(stmt) == (
        "SELECT users.id, users.name FROM users WHERE users.id = :id_1 ORDER BY users.name"
    )


def test_select_join_and_outerjoin_render_ansi_joins(sql: Callable[..., str]) -> None:
    stmt = select(users.c.name, addresses.c.email).select_from(
        users.join(addresses, addresses.c.user_id == users.c.id)
    )
    assert "FROM users JOIN addresses ON addresses.user_id = users.id" in sql(stmt)
    stmt = select(users.c.name).select_from(users.outerjoin(addresses))
    assert "FROM users LEFT OUTER JOIN addresses ON users.id = addresses.user_id" in sql(stmt)


def test_select_limit_renders_fetch_first(sql: Callable[..., str]) -> None:
    stmt = select(users.c.id).order_by(users.c.id).limit(10)
    assert sql(stmt).endswith("ORDER BY users.id FETCH FIRST :param_1 ROWS ONLY")


def test_select_offset_renders_offset_rows(sql: Callable[..., str]) -> None:
    stmt = select(users.c.id).order_by(users.c.id).offset(20)
    assert sql(stmt).endswith("ORDER BY users.id OFFSET :param_1 ROWS")


def test_select_limit_and_offset_put_offset_first(
    sql: Callable[..., str], dialect: OracleDialect_oracledb
) -> None:
    stmt = select(users.c.id).order_by(users.c.id).limit(10).offset(20)
    assert sql(stmt).endswith("OFFSET :param_1 ROWS FETCH FIRST :param_2 ROWS ONLY")
    assert stmt.compile(dialect=dialect).construct_params() == {"param_1": 20, "param_2": 10}


def test_select_group_by_having_distinct(sql: Callable[..., str]) -> None:
    stmt = (
        select(addresses.c.user_id, func.count(addresses.c.id))
        .group_by(addresses.c.user_id)
        .having(func.count(addresses.c.id) > 1)
        .distinct()
    )
    assert sql(stmt) == (
        "SELECT DISTINCT addresses.user_id, count(addresses.id) AS count_1 FROM addresses "
        "GROUP BY addresses.user_id HAVING count(addresses.id) > :count_1"
    )


def test_select_without_from_uses_dual(sql: Callable[..., str]) -> None:
    assert sql(select(literal(1))) == "SELECT :param_1 AS anon_1 FROM DUAL"
    assert sql(select(func.now())) == "SELECT CURRENT_TIMESTAMP AS now_1 FROM DUAL"


def test_table_alias_has_no_as(sql: Callable[..., str]) -> None:
    u = users.alias("u")
    assert sql(select(u.c.id).where(u.c.id == 1)) == "SELECT u.id FROM users u WHERE u.id = :id_1"


def test_subquery_alias_has_no_as(sql: Callable[..., str]) -> None:
    sub = select(users.c.id).where(users.c.active == true()).subquery()
    assert sql(select(sub.c.id)) == (
        "SELECT anon_1.id FROM (SELECT users.id AS id FROM users WHERE users.active = 1) anon_1"
    ) or sql(select(sub.c.id)) == (
        "SELECT anon_1.id FROM (SELECT users.id FROM users WHERE users.active = 1) anon_1"
    )


def test_column_labels_keep_as(sql: Callable[..., str]) -> None:
    assert sql(select(users.c.name.label("n"))) == "SELECT users.name AS n FROM users"


def test_for_update_variants(sql: Callable[..., str]) -> None:
    base = select(users.c.id)
    assert sql(base.with_for_update()).endswith("FROM users FOR UPDATE")
    assert sql(base.with_for_update(nowait=True)).endswith("FOR UPDATE NOWAIT")
    assert sql(base.with_for_update(skip_locked=True)).endswith("FOR UPDATE SKIP LOCKED")


def test_for_update_read_still_locks_for_update(sql: Callable[..., str]) -> None:
    assert sql(select(users.c.id).with_for_update(read=True)).endswith("FOR UPDATE")


def test_for_update_of_names_columns(sql: Callable[..., str]) -> None:
    stmt = select(users.c.id).with_for_update(of=users.c.name)
    assert sql(stmt).endswith("FOR UPDATE OF users.name")
    stmt = select(users.c.id).with_for_update(of=users)
    assert sql(stmt).endswith("FOR UPDATE OF users.id")


# -- operators ------------------------------------------------------------------------------


def test_modulo_renders_mod(sql: Callable[..., str]) -> None:
    stmt = select(users.c.id).where(users.c.id % 2 == 0)
    assert sql(stmt).endswith("WHERE MOD(users.id, :id_1) = :param_1")


def test_string_concat_renders_double_bar(sql: Callable[..., str]) -> None:
    assert sql(select(users.c.name + "x")) == "SELECT users.name || :name_1 AS anon_1 FROM users"


def test_ilike_renders_lower_like(sql: Callable[..., str]) -> None:
    stmt = select(users.c.id).where(users.c.name.ilike("a%"))
    assert sql(stmt).endswith("WHERE LOWER(users.name) LIKE LOWER(:name_1)")
    stmt = select(users.c.id).where(users.c.name.not_ilike("a%"))
    assert sql(stmt).endswith("WHERE LOWER(users.name) NOT LIKE LOWER(:name_1)")


def test_in_and_empty_in(sql: Callable[..., str]) -> None:
    stmt = select(users.c.id).where(users.c.id.in_([1, 2]))
    assert "users.id IN (" in sql(stmt)
    assert sql(select(users.c.id).where(users.c.id.in_([]))).endswith("WHERE 1 != 1")


def test_true_false_render_as_numbers(sql: Callable[..., str]) -> None:
    stmt = select(users.c.id).where(users.c.active == true())
    assert sql(stmt).endswith("WHERE users.active = 1")
    stmt = select(users.c.id).where(users.c.active == false())
    assert sql(stmt).endswith("WHERE users.active = 0")


def test_boolean_comparison_in_select_list_becomes_case(sql: Callable[..., str]) -> None:
    assert sql(select(users.c.id == 5)) == (
        "SELECT CASE WHEN users.id = :id_1 THEN 1 ELSE 0 END AS anon_1 FROM users"
    )


def test_boolean_and_or_not_exists_in_select_list_become_case(sql: Callable[..., str]) -> None:
    text_ = sql(select(and_(users.c.id > 1, users.c.id < 5)))
    assert text_.startswith("SELECT CASE WHEN users.id > :id_1 AND users.id < :id_2 THEN 1 ELSE 0")
    text_ = sql(select(or_(users.c.id == 1, users.c.name == "a")))
    assert text_.startswith("SELECT CASE WHEN users.id = :id_1 OR users.name = :name_1 THEN 1")
    text_ = sql(select(not_(users.c.name.like("a%"))))
    assert "CASE WHEN users.name NOT LIKE :name_1 THEN 1 ELSE 0 END" in text_
    text_ = sql(select(exists(select(addresses.c.id).where(addresses.c.user_id == 1))))
    assert text_.startswith("SELECT CASE WHEN EXISTS (SELECT addresses.id FROM addresses")
    assert text_.endswith("THEN 1 ELSE 0 END AS anon_1 FROM DUAL")


def test_boolean_inside_case_or_function_stays_a_predicate(sql: Callable[..., str]) -> None:
    stmt = select(case((users.c.id == 1, "one"), else_="other"))
    assert sql(stmt).startswith("SELECT CASE WHEN users.id = :id_1 THEN :param_1 ELSE :param_2")
    stmt = select(func.count(users.c.id).label("n")).where(users.c.id == 1)
    assert sql(stmt) == "SELECT count(users.id) AS n FROM users WHERE users.id = :id_1"


def test_boolean_column_in_select_list_is_plain(sql: Callable[..., str]) -> None:
    assert sql(select(users.c.active)) == "SELECT users.active FROM users"


def test_arithmetic_in_select_list_is_plain(sql: Callable[..., str]) -> None:
    assert sql(select(users.c.id + 1)) == "SELECT users.id + :id_1 AS anon_1 FROM users"


def test_scalar_subquery_in_select_list(sql: Callable[..., str]) -> None:
    sub = select(func.count(addresses.c.id)).where(addresses.c.user_id == users.c.id)
    stmt = select(users.c.id, sub.scalar_subquery())
    assert "(SELECT count(addresses.id) AS count_1 FROM addresses WHERE" in sql(stmt)


# -- quoting and bind names -----------------------------------------------------------------


def test_reserved_mixed_case_and_odd_names_are_quoted(sql: Callable[..., str]) -> None:
    stmt = select(odd)
    assert sql(stmt) == (
        'SELECT "Odd".id, "Odd"."date", "Odd"."level", "Odd"."_hidden", "Odd"."2nd", '
        '"Odd"."CamelCase" FROM "Odd"'
    )


def test_lower_case_names_are_not_quoted(sql: Callable[..., str]) -> None:
    assert sql(select(users.c.name)) == "SELECT users.name FROM users"


def test_bind_names_that_are_reserved_words_are_renamed(
    sql: Callable[..., str], dialect: OracleDialect_oracledb
) -> None:
    stmt = insert(odd)
    keys = ["id", "date", "level", "_hidden", "2nd", "CamelCase"]
    compiled = stmt.compile(dialect=dialect, column_keys=keys)
    assert str(compiled) == (
        'INSERT INTO "Odd" (id, "date", "level", "_hidden", "2nd", "CamelCase") '
        "VALUES (:id, :date_, :level_, :hidden, :p2nd, :CamelCase)"
    )
    values = dict(zip(keys, range(6), strict=True))
    assert compiled.construct_params(values) == {
        "id": 0,
        "date_": 1,
        "level_": 2,
        "hidden": 3,
        "p2nd": 4,
        "CamelCase": 5,
    }
    assert compiled.escaped_bind_names["date"] == "date_"


def test_bindparam_named_like_reserved_word_is_renamed(dialect: OracleDialect_oracledb) -> None:
    stmt = select(users.c.id).where(users.c.id == bindparam("uid"))
    compiled = stmt.compile(dialect=dialect)
    assert str(compiled).endswith("WHERE users.id = :uid_")
    assert compiled.construct_params({"uid": 4}) == {"uid_": 4}


def test_renamed_bind_does_not_collide_with_an_existing_name(
    dialect: OracleDialect_oracledb,
) -> None:
    stmt = select(users.c.id).where(users.c.id == bindparam("_a"), users.c.name == bindparam("a"))
    compiled = stmt.compile(dialect=dialect)
    assert str(compiled).endswith("WHERE users.id = :a_1 AND users.name = :a")
    assert compiled.construct_params({"_a": 1, "a": "x"}) == {"a_1": 1, "a": "x"}


def test_text_binds_are_named(dialect: OracleDialect_oracledb) -> None:
    compiled = text("SELECT :x FROM DUAL").compile(dialect=dialect)
    assert str(compiled) == "SELECT :x FROM DUAL"


# -- INSERT ---------------------------------------------------------------------------------


def test_insert_single_row_returns_identity_key_into_out_bind(
    sql: Callable[..., str], dialect: OracleDialect_oracledb
) -> None:
    compiled = insert(users).compile(dialect=dialect, column_keys=["name"])
    assert (
        str(compiled) == "INSERT INTO users (name) VALUES (:name) RETURNING users.id INTO :out_1"
    )
    assert getattr(compiled, "returning_binds", None) is not None
    assert [name for name, _ in getattr(compiled, "returning_binds", ())] == ["out_1"]
    assert compiled.construct_params({"name": "a"}) == {"name": "a"}


def test_insert_with_key_given_has_no_returning(dialect: OracleDialect_oracledb) -> None:
    compiled = insert(users).compile(dialect=dialect, column_keys=["id", "name"])
    assert str(compiled) == "INSERT INTO users (id, name) VALUES (:id, :name)"
    assert getattr(compiled, "returning_binds", None) is None


def test_insert_executemany_shape_has_no_implicit_returning(
    dialect: OracleDialect_oracledb,
) -> None:
    compiled = insert(users).compile(dialect=dialect, column_keys=["name"], for_executemany=True)
    assert str(compiled) == "INSERT INTO users (name) VALUES (:name)"


def test_insert_explicit_returning_executemany(dialect: OracleDialect_oracledb) -> None:
    compiled = (
        insert(users)
        .returning(users.c.id, users.c.name)
        .compile(dialect=dialect, column_keys=["name"], for_executemany=True)
    )
    assert str(compiled) == (
        "INSERT INTO users (name) VALUES (:name) RETURNING users.id, users.name "
        "INTO :out_1, :out_2"
    )


def test_insert_with_sequence_uses_nextval(dialect: OracleDialect_oracledb) -> None:
    compiled = insert(seq_table).compile(dialect=dialect, column_keys=["data"])
    assert str(compiled) == (
        "INSERT INTO seq_table (id, data) VALUES (seq_table_id_seq.nextval, :data) "
        "RETURNING seq_table.id INTO :out_1"
    )


def test_insert_composite_key_no_returning(dialect: OracleDialect_oracledb) -> None:
    compiled = insert(composite).compile(dialect=dialect, column_keys=["a", "b", "v"])
    assert str(compiled) == "INSERT INTO composite (a, b, v) VALUES (:a, :b, :v)"


def test_insert_without_values_uses_default_keyword(sql: Callable[..., str]) -> None:
    assert sql(insert(users), column_keys=[]) == (
        "INSERT INTO users (id) VALUES (DEFAULT) RETURNING users.id INTO :out_1"
    )


def test_insert_from_select(sql: Callable[..., str]) -> None:
    stmt = insert(addresses).from_select(["email"], select(users.c.name))
    assert sql(stmt) == "INSERT INTO addresses (email) SELECT users.name FROM users"


def test_out_bind_name_avoids_user_bind_names(dialect: OracleDialect_oracledb) -> None:
    stmt = (
        update(users)
        .where(users.c.id == bindparam("out_1"))
        .values(name="x")
        .returning(users.c.id)
    )
    assert str(stmt.compile(dialect=dialect)).endswith("RETURNING users.id INTO :out_2")


# -- UPDATE / DELETE ------------------------------------------------------------------------


def test_update_where(sql: Callable[..., str]) -> None:
    stmt = update(users).where(users.c.id == 5).values(name="b")
    assert sql(stmt) == "UPDATE users SET name=:name WHERE users.id = :id_1"


def test_update_returning_into(sql: Callable[..., str]) -> None:
    stmt = update(users).where(users.c.id == 5).values(name="b").returning(users.c.id)
    assert sql(stmt) == (
        "UPDATE users SET name=:name WHERE users.id = :id_1 RETURNING users.id INTO :out_1"
    )


def test_update_by_primary_key_executemany_shape(dialect: OracleDialect_oracledb) -> None:
    stmt = update(users).where(users.c.id == bindparam("b_id"))
    compiled = stmt.compile(dialect=dialect, column_keys=["b_id", "name"], for_executemany=True)
    assert str(compiled) == "UPDATE users SET name=:name WHERE users.id = :b_id"


def test_delete_where(sql: Callable[..., str]) -> None:
    assert sql(delete(users).where(users.c.id == 1)) == (
        "DELETE FROM users WHERE users.id = :id_1"
    )


def test_delete_returning_into(sql: Callable[..., str]) -> None:
    stmt = delete(users).where(users.c.name.is_(None)).returning(users.c.id, users.c.name)
    assert sql(stmt) == (
        "DELETE FROM users WHERE users.name IS NULL RETURNING users.id, users.name "
        "INTO :out_1, :out_2"
    )


def test_returning_binds_carry_column_types(dialect: OracleDialect_oracledb) -> None:
    compiled = delete(users).returning(users.c.id, users.c.active).compile(dialect=dialect)
    assert getattr(compiled, "returning_binds", None) is not None
    types = [type(t).__name__ for _, t in getattr(compiled, "returning_binds", ())]
    assert types == ["Integer", "Boolean"]


def test_literal_binds_render_inline(sql: Callable[..., str]) -> None:
    stmt = select(users.c.id).where(users.c.name == "o'k")
    assert sql(stmt, compile_kwargs={"literal_binds": True}).endswith("WHERE users.name = 'o''k'")


def test_missing_value_names_the_bind(dialect: OracleDialect_oracledb) -> None:
    compiled = insert(users).compile(dialect=dialect, column_keys=["name"])
    with pytest.raises(exc.InvalidRequestError, match="name"):
        compiled.construct_params({})


def test_insert_from_select_with_returning_is_an_error(dialect: OracleDialect_oracledb) -> None:
    stmt = insert(addresses).from_select(["email"], select(users.c.name)).returning(addresses.c.id)
    with pytest.raises(exc.CompileError, match=r"INSERT \.\.\. SELECT"):
        stmt.compile(dialect=dialect)


def test_labelled_comparison_in_select_list_becomes_case(sql: Callable[..., str]) -> None:
    assert sql(select((users.c.id == 5).label("is_five"))) == (
        "SELECT CASE WHEN users.id = :id_1 THEN 1 ELSE 0 END AS is_five FROM users"
    )


def test_sequence_next_value_in_select(sql: Callable[..., str]) -> None:
    assert sql(select(Sequence("s1").next_value())) == (
        "SELECT s1.nextval AS next_value_1 FROM DUAL"
    )


@pytest.mark.parametrize(
    ("expr", "predicate"),
    [
        (
            not_(and_(users.c.id > 1, users.c.id < 3)),
            "NOT (users.id > :id_1 AND users.id < :id_2)",
        ),
        (users.c.id.between(1, 3), "users.id BETWEEN :id_1 AND :id_2"),
        (users.c.id.in_([1, 2]), "users.id IN (:id_1, :id_2)"),
        (users.c.name.is_(None), "users.name IS NULL"),
    ],
)
def test_predicates_in_select_list_become_case(
    sql: Callable[..., str], expr: Any, predicate: str
) -> None:
    assert sql(select(expr)) == (
        f"SELECT CASE WHEN {predicate} THEN 1 ELSE 0 END AS anon_1 FROM users"
    )


# -- bare booleans in conditions ------------------------------------------------------------


def test_bare_boolean_column_in_where_is_compared_to_one(sql: Callable[..., str]) -> None:
    assert sql(select(users.c.id).where(users.c.active)) == (
        "SELECT users.id FROM users WHERE users.active = 1"
    )


def test_negated_bare_boolean_is_compared_to_zero(sql: Callable[..., str]) -> None:
    assert sql(select(users.c.id).where(~users.c.active)) == (
        "SELECT users.id FROM users WHERE users.active = 0"
    )
    assert sql(select(users.c.id).where(not_(users.c.active))) == (
        "SELECT users.id FROM users WHERE users.active = 0"
    )


@pytest.mark.parametrize(
    ("expr", "predicate"),
    [
        (users.c.active.is_(True), "users.active = 1"),
        (users.c.active.is_(False), "users.active = 0"),
        (users.c.active.is_not(True), "users.active <> 1"),
        (users.c.active.is_not(False), "users.active <> 0"),
        (users.c.active.is_(None), "users.active IS NULL"),
    ],
)
def test_is_true_and_is_false_compare_the_stored_number(
    sql: Callable[..., str], expr: Any, predicate: str
) -> None:
    # Oracle before 23ai has no IS TRUE: a boolean is stored as 0/1
    assert sql(select(users.c.id).where(expr)) == f"SELECT users.id FROM users WHERE {predicate}"


def test_bare_booleans_inside_and_or_not(sql: Callable[..., str]) -> None:
    stmt = select(users.c.id).where(and_(users.c.active, users.c.id > 1))
    assert sql(stmt).endswith("WHERE users.active = 1 AND users.id > :id_1")
    stmt = select(users.c.id).where(users.c.active & (users.c.name == "a"))
    assert sql(stmt).endswith("WHERE users.active = 1 AND users.name = :name_1")
    stmt = select(users.c.id).where(or_(users.c.id == 1, ~users.c.active))
    assert sql(stmt).endswith("WHERE (users.id = :id_1 OR users.active = 0)")
    stmt = select(users.c.id).where(~and_(users.c.active, users.c.id > 1))
    assert sql(stmt).endswith("WHERE NOT (users.active = 1 AND users.id > :id_1)")


def test_bare_boolean_in_having(sql: Callable[..., str]) -> None:
    stmt = select(users.c.name).group_by(users.c.name).having(func.max(users.c.active))
    assert sql(stmt) == (
        "SELECT users.name FROM users GROUP BY users.name HAVING max(users.active) = 1"
    )


def test_bare_boolean_in_join_onclause(sql: Callable[..., str]) -> None:
    stmt = select(users.c.name).select_from(
        users.join(addresses, and_(addresses.c.user_id == users.c.id, users.c.active))
    )
    assert sql(stmt).endswith(
        "FROM users JOIN addresses ON addresses.user_id = users.id AND users.active = 1"
    )


def test_bare_boolean_in_case_when(sql: Callable[..., str]) -> None:
    stmt = select(case((users.c.active, "y"), else_="n"))
    assert sql(stmt) == (
        "SELECT CASE WHEN users.active = 1 THEN :param_1 ELSE :param_2 END AS anon_1 FROM users"
    )


def test_bare_boolean_in_update_and_delete_where(sql: Callable[..., str]) -> None:
    stmt = update(users).where(users.c.active).values(name="b")
    assert sql(stmt) == "UPDATE users SET name=:name WHERE users.active = 1"
    assert sql(delete(users).where(~users.c.active)) == "DELETE FROM users WHERE users.active = 0"


def test_boolean_function_and_cast_are_compared(sql: Callable[..., str]) -> None:
    stmt = select(users.c.id).where(func.is_ok(users.c.id, type_=Boolean))
    assert sql(stmt).endswith("WHERE is_ok(users.id) = 1")
    stmt = select(users.c.id).where(~func.is_ok(users.c.id, type_=Boolean))
    assert sql(stmt).endswith("WHERE is_ok(users.id) = 0")
    stmt = select(users.c.id).where(cast(users.c.id, Boolean))
    assert sql(stmt).endswith("WHERE CAST(users.id AS SMALLINT) = 1")


def test_boolean_valued_custom_operator_is_parenthesised(sql: Callable[..., str]) -> None:
    stmt = select(users.c.id).where(users.c.active.op("&&")(users.c.active))
    assert sql(stmt).endswith("WHERE (users.active && users.active) = 1")
    stmt = select(users.c.id).where(users.c.id.op("<=>", is_comparison=True)(1))
    assert sql(stmt).endswith("WHERE users.id <=> :id_1")


def test_predicates_in_conditions_are_not_compared(sql: Callable[..., str]) -> None:
    stmt = select(users.c.id).where(users.c.active == True)  # noqa: E712
    assert sql(stmt).endswith("WHERE users.active = :active_1")
    sub = select(addresses.c.id).where(addresses.c.user_id == users.c.id)
    assert sql(select(users.c.id).where(exists(sub))).endswith(
        "WHERE EXISTS (SELECT addresses.id FROM addresses WHERE addresses.user_id = users.id)"
    )
    assert sql(select(users.c.id).where(~exists(sub))).endswith(
        "WHERE NOT (EXISTS (SELECT addresses.id FROM addresses "
        "WHERE addresses.user_id = users.id))"
    )
    assert sql(select(users.c.id).where(text("active = 1"))).endswith("WHERE active = 1")


def test_true_and_false_conditions_are_comparisons(sql: Callable[..., str]) -> None:
    assert sql(select(users.c.id).where(false())).endswith("WHERE 1 = 0")
    assert sql(select(users.c.id).where(or_(users.c.active, true()))).endswith(
        "WHERE (users.active = 1 OR 1 = 1)"
    )


def test_negated_bare_boolean_in_select_list(sql: Callable[..., str]) -> None:
    assert sql(select(~users.c.active)) == (
        "SELECT CASE WHEN users.active = 0 THEN 1 ELSE 0 END AS anon_1 FROM users"
    )
    assert sql(select(and_(users.c.active, users.c.id > 1))).startswith(
        "SELECT CASE WHEN users.active = 1 AND users.id > :id_1 THEN 1 ELSE 0 END"
    )


def test_insert_from_select_with_bare_boolean_drops_implicit_returning(
    sql: Callable[..., str],
) -> None:
    stmt = insert(users).from_select(
        ["name"], select(addresses.c.email).where(exists().where(users.c.active))
    )
    assert sql(stmt) == (
        "INSERT INTO users (name) SELECT addresses.email FROM addresses "
        "WHERE EXISTS (SELECT * FROM users WHERE users.active = 1)"
    )

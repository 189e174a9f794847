"""Compiled SQL text of every expression and statement construct, default string dialect."""

from __future__ import annotations

from typing import Any

import pytest

from accord import exc
from accord.sql import (
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    and_,
    asc,
    between,
    bindparam,
    case,
    cast,
    column,
    delete,
    desc,
    distinct,
    exists,
    false,
    func,
    insert,
    literal,
    literal_column,
    not_,
    null,
    or_,
    outerjoin,
    select,
    table,
    text,
    true,
    tuple_,
    update,
)


@pytest.fixture
def md() -> MetaData:
    return MetaData()


@pytest.fixture
def users(md: MetaData) -> Table:
    return Table(
        "users",
        md,
        Column("id", Integer, primary_key=True),
        Column("name", String(50)),
        Column("age", Integer),
        Column("created", DateTime, default=lambda: None),
    )


@pytest.fixture
def addresses(md: MetaData, users: Table) -> Table:
    return Table(
        "addresses",
        md,
        Column("id", Integer, primary_key=True),
        Column("user_id", ForeignKey("users.id")),
        Column("email", String(100)),
    )


def sql(stmt: object) -> str:
    return " ".join(str(stmt).split())


# -- operators ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("build", "expected"),
    [
        (lambda c: c == 5, "users.age = :age_1"),
        (lambda c: c != 5, "users.age != :age_1"),
        (lambda c: c < 5, "users.age < :age_1"),
        (lambda c: c <= 5, "users.age <= :age_1"),
        (lambda c: c > 5, "users.age > :age_1"),
        (lambda c: c >= 5, "users.age >= :age_1"),
        (lambda c: c + 5, "users.age + :age_1"),
        (lambda c: c - 5, "users.age - :age_1"),
        (lambda c: c * 5, "users.age * :age_1"),
        (lambda c: c / 5, "users.age / :age_1"),
        (lambda c: c % 5, "users.age % :age_1"),
        (lambda c: 5 - c, ":age_1 - users.age"),
        (lambda c: -c, "-users.age"),
        (lambda c: c == None, "users.age IS NULL"),  # noqa: E711
        (lambda c: c != None, "users.age IS NOT NULL"),  # noqa: E711
        (lambda c: c.is_(None), "users.age IS NULL"),
        (lambda c: c.is_not(None), "users.age IS NOT NULL"),
        (lambda c: c.in_([1, 2]), "users.age IN (:age_1, :age_2)"),
        (lambda c: c.not_in([1, 2]), "users.age NOT IN (:age_1, :age_2)"),
        (lambda c: c.in_([]), "1 != 1"),
        (lambda c: c.not_in([]), "1 = 1"),
        (lambda c: c.between(1, 9), "users.age BETWEEN :age_1 AND :age_2"),
        (lambda c: between(c, 1, 9), "users.age BETWEEN :age_1 AND :age_2"),
        (lambda c: ~c.between(1, 9), "users.age NOT BETWEEN :age_1 AND :age_2"),
        (lambda c: (c > 1) & (c < 9), "users.age > :age_1 AND users.age < :age_2"),
        (lambda c: (c > 1) | (c < 9), "users.age > :age_1 OR users.age < :age_2"),
        (lambda c: ~(c > 1), "users.age <= :age_1"),
        (lambda c: ~(c == 1), "users.age != :age_1"),
        (lambda c: c.asc(), "users.age ASC"),
        (lambda c: c.desc(), "users.age DESC"),
        (lambda c: asc(c), "users.age ASC"),
        (lambda c: desc(c).nulls_last(), "users.age DESC NULLS LAST"),
        (lambda c: c.distinct(), "DISTINCT users.age"),
        (lambda c: distinct(c), "DISTINCT users.age"),
        (lambda c: c.label("years"), "users.age"),
        (lambda c: cast(c, String(10)), "CAST(users.age AS VARCHAR(10))"),
        (lambda c: c.cast(Numeric(10, 2)), "CAST(users.age AS NUMERIC(10, 2))"),
        (lambda c: (c + 1) * 2, "(users.age + :age_1) * :param_1"),
        (lambda c: c + (1 * c), "users.age + :age_1 * users.age"),
        (lambda c: c.op("&")(3), "users.age & :age_1"),
        (lambda c: c.collate("nocase"), "users.age COLLATE nocase"),
    ],
)
def test_operator_renders_with_bound_values(users: Table, build: Any, expected: str) -> None:
    assert sql(build(users.c.age)) == expected


@pytest.mark.parametrize(
    ("build", "expected"),
    [
        (lambda c: c.like("a%"), "users.name LIKE :name_1"),
        (lambda c: c.not_like("a%"), "users.name NOT LIKE :name_1"),
        (lambda c: c.like("a/%", escape="/"), "users.name LIKE :name_1 ESCAPE '/'"),
        (lambda c: c.ilike("a%"), "lower(users.name) LIKE lower(:name_1)"),
        (lambda c: c.not_ilike("a%"), "lower(users.name) NOT LIKE lower(:name_1)"),
        (lambda c: c.startswith("a"), "users.name LIKE :name_1 || '%'"),
        (lambda c: c.endswith("a"), "users.name LIKE '%' || :name_1"),
        (lambda c: c.contains("a"), "users.name LIKE '%' || :name_1 || '%'"),
        (lambda c: ~c.contains("a"), "users.name NOT LIKE '%' || :name_1 || '%'"),
        (lambda c: c.concat("x"), "users.name || :name_1"),
        (lambda c: c + "x", "users.name || :name_1"),
        (
            lambda c: c.contains("5%", autoescape=True),
            "users.name LIKE '%' || :name_1 || '%' ESCAPE '/'",
        ),
    ],
)
def test_string_operator_renders(users: Table, build: Any, expected: str) -> None:
    assert sql(build(users.c.name)) == expected


def test_autoescape_escapes_the_value(users: Table) -> None:
    compiled = users.c.name.contains("5%_", autoescape=True).compile()
    assert compiled.construct_params() == {"name_1": "5/%/_"}


def test_conjunctions_group_by_precedence(users: Table) -> None:
    c = users.c
    expr = and_(c.id == 1, or_(c.name == "a", c.name == "b"))
    assert sql(expr) == "users.id = :id_1 AND (users.name = :name_1 OR users.name = :name_2)"
    expr = or_(c.id == 1, and_(c.name == "a", c.age == 2))
    assert sql(expr) == "users.id = :id_1 OR users.name = :name_1 AND users.age = :age_1"
    assert sql(not_(or_(c.id == 1, c.id == 2))) == "NOT (users.id = :id_1 OR users.id = :id_2)"
    assert sql(and_(c.id == 1, and_(c.id == 2, c.id == 3))) == (
        "users.id = :id_1 AND users.id = :id_2 AND users.id = :id_3"
    )


def test_constants_render(users: Table) -> None:
    assert sql(null()) == "NULL"
    assert sql(true()) == "true"
    assert sql(false()) == "false"
    assert sql(and_(true(), users.c.id == 1)) == "users.id = :id_1"
    assert sql(select(literal(5))) == "SELECT :param_1 AS anon_1"
    assert sql(select(literal_column("1 + 1"))) == "SELECT 1 + 1"


def test_case_renders_searched_and_simple_forms(users: Table) -> None:
    c = users.c
    expr = case((c.age < 18, "minor"), (c.age < 65, "adult"), else_="senior")
    assert sql(expr) == (
        "CASE WHEN users.age < :age_1 THEN :param_1 WHEN users.age < :age_2 "
        "THEN :param_2 ELSE :param_3 END"
    )
    expr = case({"a": 1, "b": 2}, value=c.name)
    assert sql(expr) == "CASE users.name WHEN :name_1 THEN :param_1 WHEN :name_2 THEN :param_2 END"


def test_functions_render_generically_and_with_types(users: Table) -> None:
    c = users.c
    assert sql(func.count()) == "count(*)"
    assert sql(func.count(c.id)) == "count(users.id)"
    assert sql(func.coalesce(c.name, "x")) == "coalesce(users.name, :coalesce_1)"
    assert sql(func.lower(c.name)) == "lower(users.name)"
    assert sql(func.my_function(c.id, 5)) == "my_function(users.id, :my_function_1)"
    assert sql(func.pkg.fn(c.id)) == "pkg.fn(users.id)"
    assert sql(func.current_timestamp()) == "CURRENT_TIMESTAMP"
    assert sql(func.now()) == "now()"
    assert isinstance(func.count(c.id).type, Integer)
    assert isinstance(func.max(c.name).type, String)
    assert isinstance(func.now().type, DateTime)
    assert sql(func.count(c.id.distinct())) == "count(DISTINCT users.id)"
    assert sql(func.row_number().over(partition_by=c.name, order_by=c.id)) == (
        "row_number() OVER (PARTITION BY users.name ORDER BY users.id)"
    )


def test_tuple_in(users: Table) -> None:
    expr = tuple_(users.c.id, users.c.name).in_([(1, "a"), (2, "b")])
    assert sql(expr) == ("(users.id, users.name) IN ((:id_1, :name_1), (:id_2, :name_2))")


def test_bindparam_named_and_typed(users: Table) -> None:
    stmt = select(users.c.id).where(users.c.name == bindparam("n"))
    compiled = stmt.compile()
    assert sql(compiled) == "SELECT users.id FROM users WHERE users.name = :n"
    with pytest.raises(exc.InvalidRequestError, match="'n'"):
        compiled.construct_params()
    assert compiled.construct_params({"n": "x"}) == {"n": "x"}
    assert isinstance(compiled.binds["n"].type, String)


# -- text() ------------------------------------------------------------------------------


def test_text_binds_colons_and_escapes() -> None:
    t = text("SELECT * FROM t WHERE a = :a AND b = :b AND c = '\\:x' AND d::int = 1")
    compiled = t.compile()
    assert compiled.string == "SELECT * FROM t WHERE a = :a AND b = :b AND c = ':x' AND d::int = 1"
    assert set(compiled.binds) == {"a", "b"}
    assert compiled.is_text


def test_text_bindparams_supplies_values_and_types() -> None:
    t = text("SELECT :x + :y").bindparams(x=1, y=2)
    assert t.compile().construct_params() == {"x": 1, "y": 2}
    t2 = text("SELECT :x").bindparams(bindparam("x", type_=Integer))
    assert isinstance(t2.compile().binds["x"].type, Integer)
    with pytest.raises(exc.ArgumentError, match="'z'"):
        text("SELECT :x").bindparams(z=1)


def test_text_columns_gives_result_columns() -> None:
    t = text("SELECT id, name FROM users").columns(column("id", Integer), name=String)
    compiled = t.compile()
    assert [r.keyname for r in compiled._result_columns] == ["id", "name"]
    assert isinstance(compiled._result_columns[0].type, Integer)
    assert sql(select(t.subquery("s").c.id)) == (
        "SELECT s.id FROM (SELECT id, name FROM users) AS s"
    )


def test_text_in_where_and_order_by(users: Table) -> None:
    stmt = select(users.c.id).where(text("age > :a")).order_by(text("name"))
    assert sql(stmt) == "SELECT users.id FROM users WHERE age > :a ORDER BY name"
    assert sql(select(users.c.id).order_by("name")) == "SELECT users.id FROM users ORDER BY name"


# -- SELECT ------------------------------------------------------------------------------


def test_select_table_expands_columns(users: Table) -> None:
    assert sql(select(users)) == "SELECT users.id, users.name, users.age, users.created FROM users"


def test_select_full_clause_order(users: Table) -> None:
    stmt = (
        select(users.c.name, func.count(users.c.id).label("n"))
        .where(users.c.age > 18)
        .group_by(users.c.name)
        .having(func.count(users.c.id) > 1)
        .order_by(desc("n"), users.c.name)
        .limit(10)
        .offset(20)
        .distinct()
    )
    assert sql(stmt) == (
        "SELECT DISTINCT users.name, count(users.id) AS n FROM users WHERE users.age > :age_1 "
        "GROUP BY users.name HAVING count(users.id) > :count_1 ORDER BY n DESC, users.name "
        "LIMIT :param_1 OFFSET :param_2"
    )
    assert stmt.compile().construct_params() == {
        "age_1": 18,
        "count_1": 1,
        "param_1": 10,
        "param_2": 20,
    }


def test_label_referenced_in_order_by(users: Table) -> None:
    lbl = func.count(users.c.id).label("total")
    stmt = select(users.c.name, lbl).group_by(users.c.name).order_by(lbl.desc())
    assert sql(stmt).endswith("ORDER BY total DESC")


def test_offset_without_limit(users: Table) -> None:
    assert (
        sql(select(users.c.id).offset(5)) == "SELECT users.id FROM users LIMIT -1 OFFSET :param_1"
    )


def test_limit_none_removes(users: Table) -> None:
    assert sql(select(users.c.id).limit(3).limit(None)) == "SELECT users.id FROM users"


def test_with_for_update_variants(users: Table) -> None:
    base = select(users.c.id)
    assert sql(base.with_for_update()) == "SELECT users.id FROM users FOR UPDATE"
    assert sql(base.with_for_update(nowait=True)) == "SELECT users.id FROM users FOR UPDATE NOWAIT"
    assert sql(base.with_for_update(read=True)) == "SELECT users.id FROM users FOR SHARE"
    assert sql(base.with_for_update(skip_locked=True)).endswith("FOR UPDATE SKIP LOCKED")


def test_where_called_twice_ands(users: Table) -> None:
    stmt = select(users.c.id).where(users.c.id > 1).where(users.c.id < 5)
    assert sql(stmt) == "SELECT users.id FROM users WHERE users.id > :id_1 AND users.id < :id_2"


def test_generative_methods_do_not_mutate(users: Table) -> None:
    base = select(users.c.id)
    base.where(users.c.id == 1)
    base.order_by(users.c.id)
    assert sql(base) == "SELECT users.id FROM users"


def test_duplicate_names_are_disambiguated(users: Table, addresses: Table) -> None:
    stmt = select(users.c.id, addresses.c.id)
    assert sql(stmt) == "SELECT users.id, addresses.id AS id_1 FROM users, addresses"
    rc = stmt.compile()._result_columns
    assert [r.keyname for r in rc] == ["id", "id_1"]
    assert rc[1].objects[0] is addresses.c.id


def test_anonymous_expression_labels(users: Table) -> None:
    stmt = select(users.c.age + 1, func.count(users.c.id), func.count(users.c.age))
    assert sql(stmt) == (
        "SELECT users.age + :age_1 AS anon_1, count(users.id) AS count_1, "
        "count(users.age) AS count_2 FROM users"
    )


def test_join_infers_onclause_from_foreign_key(users: Table, addresses: Table) -> None:
    stmt = select(users.c.name, addresses.c.email).join(addresses)
    assert sql(stmt) == (
        "SELECT users.name, addresses.email FROM users "
        "JOIN addresses ON users.id = addresses.user_id"
    )


def test_join_variants(users: Table, addresses: Table) -> None:
    on = users.c.id == addresses.c.user_id
    assert sql(select(users.c.id).outerjoin(addresses, on)) == (
        "SELECT users.id FROM users LEFT OUTER JOIN addresses ON users.id = addresses.user_id"
    )
    assert sql(select(users.c.id).join(addresses, on, full=True)) == (
        "SELECT users.id FROM users FULL OUTER JOIN addresses ON users.id = addresses.user_id"
    )
    assert sql(select(addresses.c.email).join_from(users, addresses)) == (
        "SELECT addresses.email FROM users JOIN addresses ON users.id = addresses.user_id"
    )
    j = outerjoin(users, addresses)
    assert sql(select(users.c.id).select_from(j)) == (
        "SELECT users.id FROM users LEFT OUTER JOIN addresses ON users.id = addresses.user_id"
    )
    assert sql(users.join(addresses).select()) == (
        "SELECT users.id, users.name, users.age, users.created, addresses.id AS id_1, "
        "addresses.user_id, addresses.email FROM users JOIN addresses "
        "ON users.id = addresses.user_id"
    )


def test_join_without_relationship_fails(md: MetaData, users: Table) -> None:
    other = Table("other", md, Column("id", Integer, primary_key=True))
    with pytest.raises(exc.ArgumentError, match="foreign key"):
        str(select(users.c.id).join(other))


def test_chained_joins(md: MetaData, users: Table, addresses: Table) -> None:
    tags = Table(
        "tags",
        md,
        Column("id", Integer, primary_key=True),
        Column("address_id", ForeignKey("addresses.id")),
    )
    stmt = select(users.c.id).join(addresses).join(tags)
    assert sql(stmt) == (
        "SELECT users.id FROM users JOIN addresses ON users.id = addresses.user_id "
        "JOIN tags ON addresses.id = tags.address_id"
    )


def test_alias_and_self_join(md: MetaData) -> None:
    node = Table(
        "node",
        md,
        Column("id", Integer, primary_key=True),
        Column("parent_id", ForeignKey("node.id")),
    )
    parent = node.alias("parent")
    stmt = select(node.c.id, parent.c.id).join(parent, node.c.parent_id == parent.c.id)
    assert sql(stmt) == (
        "SELECT node.id, parent.id AS id_1 FROM node JOIN node AS parent "
        "ON node.parent_id = parent.id"
    )
    anon = node.alias()
    assert sql(select(anon.c.id)) == "SELECT node_1.id FROM node AS node_1".replace(
        "node_1", "anon_1"
    )


def test_subquery_in_from(users: Table, addresses: Table) -> None:
    counts = (
        select(addresses.c.user_id, func.count(addresses.c.id).label("n"))
        .group_by(addresses.c.user_id)
        .subquery("counts")
    )
    stmt = select(users.c.name, counts.c.n).join(counts, users.c.id == counts.c.user_id)
    assert sql(stmt) == (
        "SELECT users.name, counts.n FROM users JOIN (SELECT addresses.user_id AS user_id, "
        "count(addresses.id) AS n FROM addresses GROUP BY addresses.user_id) AS counts "
        "ON users.id = counts.user_id"
    ).replace("addresses.user_id AS user_id", "addresses.user_id")


def test_anonymous_subquery_names(users: Table) -> None:
    sub = select(users.c.id).where(users.c.age > 5).subquery()
    stmt = select(sub.c.id)
    assert sql(stmt) == (
        "SELECT anon_1.id FROM (SELECT users.id FROM users WHERE users.age > :age_1) AS anon_1"
    )


def test_scalar_subquery_correlates(users: Table, addresses: Table) -> None:
    n = (
        select(func.count(addresses.c.id))
        .where(addresses.c.user_id == users.c.id)
        .scalar_subquery()
    )
    stmt = select(users.c.name, n.label("n"))
    assert sql(stmt) == (
        "SELECT users.name, (SELECT count(addresses.id) AS count_1 FROM addresses "
        "WHERE addresses.user_id = users.id) AS n FROM users"
    )


def test_exists_forms(users: Table, addresses: Table) -> None:
    e = exists().where(addresses.c.user_id == users.c.id)
    assert sql(select(users.c.id).where(e)) == (
        "SELECT users.id FROM users WHERE EXISTS (SELECT * FROM addresses "
        "WHERE addresses.user_id = users.id)"
    )
    assert sql(select(users.c.id).where(~e)) == (
        "SELECT users.id FROM users WHERE NOT (EXISTS (SELECT * FROM addresses "
        "WHERE addresses.user_id = users.id))"
    )
    sub = select(addresses.c.id).where(addresses.c.user_id == users.c.id).exists()
    assert sql(select(users.c.id).where(sub)) == (
        "SELECT users.id FROM users WHERE EXISTS (SELECT addresses.id FROM addresses "
        "WHERE addresses.user_id = users.id)"
    )


def test_in_subquery(users: Table, addresses: Table) -> None:
    stmt = select(users.c.id).where(users.c.id.in_(select(addresses.c.user_id)))
    assert sql(stmt) == (
        "SELECT users.id FROM users WHERE users.id IN (SELECT addresses.user_id FROM addresses)"
    )


def test_lightweight_table_and_column() -> None:
    t = table("t", column("a"), column("b"))
    assert sql(select(t.c.a).where(t.c.b == 1)) == "SELECT t.a FROM t WHERE t.b = :b_1"


def test_quoting_of_reserved_and_mixed_case(md: MetaData) -> None:
    t = Table(
        "User",
        md,
        Column("select", Integer),
        Column("camelCase", Integer),
        Column("plain", Integer),
        Column("with space", Integer),
    )
    assert sql(select(t)) == (
        'SELECT "User"."select", "User"."camelCase", "User".plain, "User"."with space" FROM "User"'
    )


def test_schema_qualified_table() -> None:
    t = Table("t", MetaData(), Column("id", Integer), schema="s")
    assert sql(select(t)) == "SELECT s.t.id FROM s.t"


def test_filter_by(users: Table) -> None:
    assert sql(select(users.c.id).filter_by(name="x")) == (
        "SELECT users.id FROM users WHERE users.name = :name_1"
    )


def test_string_in_select_is_refused() -> None:
    with pytest.raises(exc.ArgumentError, match="text"):
        select("id")


def test_literal_binds_renders_values(users: Table) -> None:
    stmt = select(users.c.id).where(users.c.name == "o'k", users.c.age.in_([1, 2]))
    compiled = stmt.compile(compile_kwargs={"literal_binds": True})
    assert sql(compiled) == (
        "SELECT users.id FROM users WHERE users.name = 'o''k' AND users.age IN (1, 2)"
    )
    assert compiled.construct_params() == {}


def test_values_are_never_interpolated(users: Table) -> None:
    stmt = select(users.c.id).where(users.c.name == "Robert'); DROP TABLE users;--")
    assert "DROP" not in str(stmt)


def test_booleans_in_where(users: Table, md: MetaData) -> None:
    t = Table("flags", md, Column("on", Boolean))
    assert sql(select(t).where(t.c.on)) == 'SELECT flags."on" FROM flags WHERE flags."on"'
    assert sql(select(t).where(t.c.on.is_(True))) == (
        'SELECT flags."on" FROM flags WHERE flags."on" IS true'
    )


def test_equality_truth_value_compares_identity(users: Table) -> None:
    assert bool(users.c.id == users.c.id)
    assert not bool(users.c.id == users.c.name)
    assert users.c.id in [users.c.name, users.c.id]
    with pytest.raises(TypeError):
        bool(users.c.id > 5)


# -- DML ---------------------------------------------------------------------------------


def test_insert_forms(users: Table) -> None:
    assert sql(insert(users)) == (
        "INSERT INTO users (id, name, age, created) VALUES (:id, :name, :age, :created)"
    )
    assert sql(insert(users).values(name="x")) == (
        "INSERT INTO users (name, created) VALUES (:name, :created)"
    )
    assert sql(insert(users).values({users.c.name: "x", "age": 3})) == (
        "INSERT INTO users (name, age, created) VALUES (:name, :age, :created)"
    )
    assert sql(insert(users).values(name=func.lower("X"))) == (
        "INSERT INTO users (name, created) VALUES (lower(:lower_1), :created)"
    )


def test_insert_multi_values(users: Table) -> None:
    stmt = insert(users).values([{"name": "a", "age": 1}, {"name": "b", "age": 2}])
    compiled = stmt.compile()
    assert sql(compiled) == (
        "INSERT INTO users (name, age, created) VALUES (:name_m0, :age_m0, :created_m0), "
        "(:name_m1, :age_m1, :created_m1)"
    )
    params = compiled.construct_params()
    assert params["name_m1"] == "b"
    assert params["age_m0"] == 1


def test_insert_from_select(users: Table, md: MetaData) -> None:
    archive = Table("archive", md, Column("id", Integer), Column("name", String))
    stmt = insert(archive).from_select(["id", "name"], select(users.c.id, users.c.name))
    assert sql(stmt) == ("INSERT INTO archive (id, name) SELECT users.id, users.name FROM users")


def test_insert_from_select_is_not_an_in_target(users: Table, md: MetaData) -> None:
    # Insert.select is a property (the source SELECT), not a subquery's select() method.
    archive = Table("archive", md, Column("id", Integer))
    stmt = insert(archive).from_select(["id"], select(users.c.id))
    with pytest.raises(exc.ArgumentError, match="IN expects"):
        users.c.id.in_(stmt)


def test_insert_returning(users: Table) -> None:
    stmt = insert(users).values(name="x").returning(users.c.id, users.c.name)
    compiled = stmt.compile()
    assert sql(compiled) == (
        "INSERT INTO users (name, created) VALUES (:name, :created) RETURNING users.id, users.name"
    )
    assert [c.keyname for c in compiled._result_columns] == ["id", "name"]
    assert compiled.effective_returning == [users.c.id, users.c.name]
    assert not compiled.postfetch_lastrowid


def test_update_forms(users: Table) -> None:
    stmt = update(users).where(users.c.id == 5).values(name="x", age=users.c.age + 1)
    assert sql(stmt) == (
        "UPDATE users SET name=:name, age=(users.age + :age_1) WHERE users.id = :id_1"
    )
    stmt = update(users).values(name="y").returning(users.c.id)
    assert sql(stmt) == "UPDATE users SET name=:name RETURNING users.id"


def test_update_column_keys_decide_set_clause(users: Table) -> None:
    stmt = update(users).where(users.c.id == bindparam("b_id"))
    compiled = stmt.compile(column_keys=["name", "b_id"])
    assert sql(compiled) == "UPDATE users SET name=:name WHERE users.id = :b_id"
    assert compiled.construct_params({"name": "n", "b_id": 3}) == {"name": "n", "b_id": 3}


def test_update_bindparam_named_like_column_is_refused(users: Table) -> None:
    stmt = update(users).where(users.c.name == bindparam("name")).values(name="x")
    with pytest.raises(exc.CompileError, match="reserved"):
        stmt.compile()


def test_delete_forms(users: Table) -> None:
    assert sql(delete(users)) == "DELETE FROM users"
    stmt = delete(users).where(users.c.id == 1).returning(users.c.name)
    assert sql(stmt) == "DELETE FROM users WHERE users.id = :id_1 RETURNING users.name"


def test_unconsumed_column_names(users: Table) -> None:
    with pytest.raises(exc.CompileError, match="Unconsumed column names: nope"):
        insert(users).compile(column_keys=["name", "nope"])
    with pytest.raises(exc.CompileError, match="nope"):
        insert(users).values(nope=1)


def test_ambiguous_join_requires_onclause(md: MetaData, users: Table) -> None:
    msg = Table(
        "msg",
        md,
        Column("id", Integer, primary_key=True),
        Column("sender_id", ForeignKey("users.id")),
        Column("recipient_id", ForeignKey("users.id")),
    )
    with pytest.raises(exc.ArgumentError, match="more than one foreign key"):
        str(select(users.c.id).join(msg))
    stmt = select(users.c.id).join(msg, msg.c.sender_id == users.c.id)
    assert sql(stmt) == "SELECT users.id FROM users JOIN msg ON msg.sender_id = users.id"


def test_composite_foreign_key_join(md: MetaData) -> None:
    from accord.sql import ForeignKeyConstraint

    a = Table(
        "a", md, Column("x", Integer, primary_key=True), Column("y", Integer, primary_key=True)
    )
    b = Table(
        "b",
        md,
        Column("id", Integer, primary_key=True),
        Column("ax", Integer),
        Column("ay", Integer),
        ForeignKeyConstraint(["ax", "ay"], ["a.x", "a.y"]),
    )
    assert sql(select(a.c.x).join(b)) == "SELECT a.x FROM a JOIN b ON a.x = b.ax AND a.y = b.ay"


def test_generated_columns_are_never_written(md: MetaData) -> None:
    from accord.sql import Computed

    t = Table(
        "g",
        md,
        Column("id", Integer, primary_key=True),
        Column("a", Integer),
        Column("b", Integer, Computed("a * 2")),
    )
    assert sql(insert(t)) == "INSERT INTO g (id, a) VALUES (:id, :a)"
    assert sql(update(t)) == "UPDATE g SET id=:id, a=:a"
    compiled = insert(t).compile(column_keys=["a"])
    assert compiled.postfetch == [t.c.b]


@pytest.mark.parametrize(
    ("style", "expected", "positional"),
    [
        ("named", "users.name LIKE '%' || :name_1 AND users.id % :id_1 = :n", False),
        ("pyformat", "users.name LIKE '%%' || %(name_1)s AND users.id %% %(id_1)s = %(n)s", False),
        ("qmark", "users.name LIKE '%' || ? AND users.id % ? = ?", True),
        ("format", "users.name LIKE '%%' || %s AND users.id %% %s = %s", True),
        ("numeric", "users.name LIKE '%' || :1 AND users.id % :2 = :3", True),
        ("numeric_dollar", "users.name LIKE '%' || $1 AND users.id % $2 = $3", True),
    ],
)
def test_paramstyles(users: Table, style: str, expected: str, positional: bool) -> None:
    import copy

    from accord.sql.strdialect import default_dialect

    dialect = copy.copy(default_dialect())
    dialect.paramstyle = style
    dialect.positional = positional
    stmt = select(users.c.id).where(users.c.name.endswith("x"), users.c.id % 2 == bindparam("n"))
    compiled = stmt.compile(dialect=dialect)
    assert sql(compiled).split("WHERE ")[1] == expected
    assert compiled.positional is positional
    if positional:
        assert compiled.positiontup == ["name_1", "id_1", "n"]


def test_bind_names_that_are_not_identifiers_are_escaped(users: Table) -> None:
    compiled = select(users.c.id).where(users.c.name == bindparam("a name")).compile()
    assert sql(compiled).endswith("users.name = :a_name")
    assert compiled.escaped_bind_names == {"a name": "a_name"}
    assert compiled.construct_params({"a name": "v"}) == {"a_name": "v"}


def test_update_ordered_values(users: Table) -> None:
    stmt = update(users).ordered_values((users.c.age, 1), (users.c.name, "x"))
    assert sql(stmt) == "UPDATE users SET age=:age, name=:name"
    assert sql(update(users).values(age=1, name="x")) == "UPDATE users SET name=:name, age=:age"


def test_sequence_and_sql_defaults_on_keys_are_returned(md: MetaData) -> None:
    from accord.sql import Sequence
    from accord.sql.strdialect import default_dialect

    t = Table(
        "s", md, Column("id", Integer, Sequence("s_id"), primary_key=True), Column("x", Integer)
    )
    compiled = insert(t).return_defaults().compile(column_keys=["x"])
    assert sql(compiled) == "INSERT INTO s (id, x) VALUES (nextval('s_id'), :x) RETURNING s.id"

    class Implicit(type(default_dialect())):  # type: ignore[misc]
        implicit_returning = True

    compiled = insert(t).compile(dialect=Implicit(), column_keys=["x"])
    assert sql(compiled).endswith("RETURNING s.id")
    assert compiled.implicit_returning == [t.c.id]
    u = Table("u", md, Column("id", String, primary_key=True, default=func.gen_id()))
    compiled = insert(u).compile(dialect=Implicit(), column_keys=[])
    assert sql(compiled) == "INSERT INTO u (id) VALUES (gen_id()) RETURNING u.id"
    assert compiled.postfetch == []


def test_compound_selects(users: Table, addresses: Table) -> None:
    from accord.sql import except_, intersect, union, union_all

    a = select(users.c.id).where(users.c.age > 1)
    b = select(addresses.c.user_id)
    assert sql(union(a, b)) == (
        "SELECT users.id FROM users WHERE users.age > :age_1 UNION "
        "SELECT addresses.user_id FROM addresses"
    )
    assert " UNION ALL " in sql(a.union_all(b))
    assert " INTERSECT " in sql(intersect(a, b))
    assert " EXCEPT " in sql(except_(a, b))
    stmt = union_all(a, b).order_by(users.c.id).limit(2)
    assert sql(stmt).endswith("ORDER BY id LIMIT :param_1")
    compiled = stmt.compile()
    assert [r.keyname for r in compiled._result_columns] == ["id"]
    assert union(a.limit(1), b).compile().string.startswith("(SELECT")
    with pytest.raises(exc.ArgumentError, match="identical numbers of columns"):
        union(a, select(users.c.id, users.c.name))
    assert (
        union(a, b)._generate_cache_key()
        == union(select(users.c.id).where(users.c.age > 9), b)._generate_cache_key()
    )

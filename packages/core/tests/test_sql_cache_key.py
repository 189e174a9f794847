"""Cache keys: equal for equal shapes with different values, different for other shapes."""

from __future__ import annotations

import time
from typing import Any

import pytest

from accord.dialects.sqlite.base import SQLiteDialect
from accord.sql import (
    Column,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    and_,
    bindparam,
    case,
    cast,
    delete,
    exists,
    func,
    insert,
    literal,
    or_,
    select,
    text,
    update,
)


class Sqlite(SQLiteDialect):
    paramstyle = "qmark"
    positional = True

    def __init__(self) -> None:
        self.identifier_preparer = self.preparer(self)
        self.type_compiler = self.type_compiler_cls(self)


md = MetaData()
users = Table(
    "users",
    md,
    Column("id", Integer, primary_key=True),
    Column("name", String(20)),
    Column("age", Integer),
)
addresses = Table(
    "addresses",
    md,
    Column("id", Integer, primary_key=True),
    Column("user_id", ForeignKey("users.id")),
    Column("email", String),
)


def key(stmt: Any) -> Any:
    ck = stmt._generate_cache_key()
    assert ck is not None
    return ck


SAME_SHAPE = [
    lambda v: select(users).where(users.c.id == v),
    lambda v: select(users.c.name).where(users.c.id.in_([v, v + 1])).limit(v).offset(v),
    lambda v: select(users.c.name).where(
        and_(users.c.age > v, or_(users.c.id == v, users.c.name == str(v)))
    ),
    lambda v: (
        select(func.count(users.c.id))
        .where(users.c.name.like(f"{v}%"))
        .group_by(users.c.age)
        .having(func.count() > v)
    ),
    lambda v: select(users.c.id).join(addresses).where(addresses.c.email.contains(str(v))),
    lambda v: select(case((users.c.age < v, "young"), else_="old")),
    lambda v: select(cast(users.c.age + v, String)),
    lambda v: select(users.c.id).where(
        exists().where(addresses.c.user_id == users.c.id, addresses.c.id > v)
    ),
    lambda v: select(users.c.id).where(
        users.c.id.in_(select(addresses.c.user_id).where(addresses.c.id > v))
    ),
    lambda v: select(select(users.c.id).where(users.c.age > v).subquery().c.id),
    lambda v: insert(users).values(name=str(v), age=v),
    lambda v: insert(users).values([{"name": str(v)}, {"name": str(v + 1)}]),
    lambda v: update(users).where(users.c.id == v).values(age=users.c.age + v),
    lambda v: delete(users).where(users.c.id == v).returning(users.c.id),
    lambda v: text("SELECT :x").bindparams(x=v),
    lambda v: select(literal(v)),
]


@pytest.mark.parametrize("build", SAME_SHAPE)
def test_same_shape_different_values_share_a_key(build: Any) -> None:
    a, b = key(build(1)), key(build(2))
    assert a == b
    assert hash(a) == hash(b)
    assert len(a.bindparams) == len(b.bindparams)
    assert [p.value for p in a.bindparams] != [p.value for p in b.bindparams]


DIFFERENT = [
    select(users.c.id),
    select(users.c.name),
    select(users.c.id).where(users.c.id == 1),
    select(users.c.id).where(users.c.id > 1),
    select(users.c.id).where(users.c.name == "x"),
    select(users.c.id).where(users.c.id.in_([1, 2])),
    select(users.c.id).where(users.c.id.in_([1, 2, 3])),
    select(users.c.id).limit(1),
    select(users.c.id).offset(1),
    select(users.c.id).order_by(users.c.id),
    select(users.c.id).order_by(users.c.id.desc()),
    select(users.c.id).distinct(),
    select(users.c.id).with_for_update(),
    select(users.c.id).join(addresses),
    select(users.c.id).outerjoin(addresses),
    select(users.c.id).where(users.c.name == bindparam("n")),
    select(users.c.id).where(users.c.name == bindparam("m")),
    select(users.c.id.label("a")),
    select(users.c.id.label("b")),
    select(func.count(users.c.id)),
    select(func.max(users.c.id)),
    insert(users),
    insert(users).values(name="x"),
    insert(users).values(age=1),
    insert(users).values(name="x").returning(users.c.id),
    update(users).values(name="x"),
    delete(users),
    text("SELECT 1"),
    text("SELECT 2"),
]


def test_different_shapes_have_different_keys() -> None:
    keys = [key(s) for s in DIFFERENT]
    for i, a in enumerate(keys):
        for j, b in enumerate(keys):
            if i != j:
                assert a != b, (DIFFERENT[i], DIFFERENT[j])


def test_same_named_table_in_other_metadata_is_a_different_key() -> None:
    other = Table("users", MetaData(), Column("id", Integer, primary_key=True))
    assert key(select(users.c.id)) != key(select(other.c.id))


def test_anonymous_aliases_number_by_position() -> None:
    a1, a2 = users.alias(), users.alias()
    b1, b2 = users.alias(), users.alias()
    assert key(select(a1.c.id, a2.c.id)) == key(select(b1.c.id, b2.c.id))
    assert key(select(a1.c.id, a2.c.id)) != key(select(a1.c.id, a1.c.id))


def test_key_is_memoized_on_the_statement() -> None:
    stmt = select(users).where(users.c.id == 1)
    assert stmt._generate_cache_key() is stmt._generate_cache_key()
    assert stmt.where(users.c.id == 2)._generate_cache_key() is not stmt._generate_cache_key()


def test_extracted_parameters_feed_a_cached_compile() -> None:
    dialect = Sqlite()
    first = select(users.c.name).where(users.c.id == 1, users.c.age.in_([10, 20])).limit(3)
    second = select(users.c.name).where(users.c.id == 7, users.c.age.in_([70, 80])).limit(9)
    k1, k2 = key(first), key(second)
    assert k1 == k2
    compiled = first.compile(dialect=dialect, cache_key=k1)
    params = compiled.construct_params(extracted_parameters=k2.bindparams)
    assert compiled.positiontup is not None
    assert [params[n] for n in compiled.positiontup] == [7, 70, 80, 9]
    # params given by name still win over extracted values
    params = compiled.construct_params({"id_1": 99}, extracted_parameters=k2.bindparams)
    assert params["id_1"] == 99


def test_extracted_parameters_for_dml() -> None:
    dialect = Sqlite()
    a = update(users).where(users.c.id == 1).values(name="a")
    b = update(users).where(users.c.id == 2).values(name="b")
    compiled = a.compile(dialect=dialect)
    params = compiled.construct_params(extracted_parameters=key(b).bindparams)
    assert params == {"name": "b", "id_1": 2}
    mv1 = insert(users).values([{"name": "x"}, {"name": "y"}])
    mv2 = insert(users).values([{"name": "p"}, {"name": "q"}])
    compiled = mv1.compile(dialect=dialect)
    params = compiled.construct_params(extracted_parameters=key(mv2).bindparams)
    assert compiled.positiontup is not None
    assert [params[n] for n in compiled.positiontup] == ["p", "q"]


def test_uncacheable_element_gives_none() -> None:
    from accord.sql.elements import ColumnElement

    class Custom(ColumnElement):
        __visit_name__ = "custom"

    assert select(Custom()).where(users.c.id == 1)._generate_cache_key() is None


def test_cache_key_is_much_cheaper_than_compiling() -> None:
    dialect = Sqlite()

    def build() -> Any:
        return (
            select(users.c.id, users.c.name, func.count(addresses.c.id))
            .join(addresses)
            .where(users.c.age > 5, users.c.name.like("a%"))
            .group_by(users.c.id, users.c.name)
            .order_by(users.c.name)
            .limit(10)
        )

    def best(fn: Any) -> float:
        # Best of several runs over fresh statements: keys and compiles are not memoized.
        times = []
        for _ in range(5):
            stmts = [build() for _ in range(200)]
            t0 = time.perf_counter()
            for s in stmts:
                fn(s)
            times.append(time.perf_counter() - t0)
        return min(times)

    t_key = best(lambda s: s._generate_cache_key())
    t_compile = best(lambda s: s.compile(dialect=dialect))
    assert t_key * 3 < t_compile, (t_key, t_compile)

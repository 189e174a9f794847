"""Every construct's sqlite SQL is accepted by sqlite itself (executed on a real database)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from accord.dialects.sqlite.dml import insert as sqlite_insert
from accord.engine import create_engine
from accord.sql import (
    Boolean,
    Column,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    and_,
    between,
    bindparam,
    case,
    cast,
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
    select,
    text,
    true,
    tuple_,
    union,
    union_all,
    update,
)

if TYPE_CHECKING:
    from collections.abc import Iterator

md = MetaData()
users = Table(
    "users",
    md,
    Column("id", Integer, primary_key=True),
    Column("name", String(30), nullable=False),
    Column("age", Integer),
    Column("active", Boolean, default=True),
)
addresses = Table(
    "addresses",
    md,
    Column("id", Integer, primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE")),
    Column("email", String(50), unique=True),
)


@pytest.fixture(scope="module")
def conn() -> Iterator[Any]:
    engine = create_engine("sqlite://")
    md.create_all(engine)
    with engine.connect() as c:
        c.execute(
            insert(users),
            [
                {"name": "ann", "age": 30, "active": True},
                {"name": "bob", "age": 17, "active": False},
                {"name": "cy", "age": None, "active": True},
            ],
        )
        c.execute(
            insert(addresses).values(
                [
                    {"user_id": 1, "email": "a@x"},
                    {"user_id": 1, "email": "a2@x"},
                    {"user_id": 2, "email": "b@x"},
                ]
            )
        )
        yield c


u, a = users.c, addresses.c

QUERIES: list[tuple[str, Any, Any]] = [
    ("eq", select(u.name).where(u.id == 1), ["ann"]),
    (
        "ne/lt/le/gt/ge",
        select(u.id)
        .where(u.id != 1, u.age < 40, u.age <= 30, u.age > 1, u.age >= 17)
        .order_by(u.id),
        [2],
    ),
    ("arith", select(u.age + 1 - 2 * 3 / 1 % 7).where(u.id == 1), [25.0]),
    (
        "and/or/not",
        select(u.id).where(or_(and_(u.id == 1, u.age == 30), not_(u.id != 3))).order_by(u.id),
        [1, 3],
    ),
    ("& | ~", select(u.id).where((u.id == 1) | ~(u.id != 2)).order_by(u.id), [1, 2]),
    ("like", select(u.name).where(u.name.like("a%")), ["ann"]),
    ("ilike", select(u.name).where(u.name.ilike("A%")), ["ann"]),
    ("in", select(u.id).where(u.id.in_([2, 3])).order_by(u.id), [2, 3]),
    ("not_in", select(u.id).where(u.id.not_in([2, 3])), [1]),
    ("empty in", select(u.id).where(u.id.in_([])), []),
    ("between", select(u.id).where(between(u.age, 16, 20)), [2]),
    ("is null", select(u.id).where(u.age.is_(None)), [3]),
    ("is not", select(u.id).where(u.age.is_not(None)).order_by(u.id), [1, 2]),
    ("startswith", select(u.name).where(u.name.startswith("b")), ["bob"]),
    ("endswith", select(u.name).where(u.name.endswith("y")), ["cy"]),
    ("contains", select(u.name).where(u.name.contains("o")), ["bob"]),
    ("autoescape", select(u.name).where(u.name.contains("%", autoescape=True)), []),
    ("concat", select(u.name.concat("!")).where(u.id == 1), ["ann!"]),
    ("asc/desc", select(u.name).order_by(desc(u.age), u.name.asc()).limit(1), ["ann"]),
    ("label", select(u.name.label("n")).where(u.id == 2), ["bob"]),
    ("cast", select(cast(u.age, String)).where(u.id == 1), ["30"]),
    ("distinct", select(distinct(a.user_id)).order_by(a.user_id), [1, 2]),
    ("func.count", select(func.count()).select_from(addresses), [3]),
    ("func generic", select(func.upper(u.name)).where(u.id == 1), ["ANN"]),
    ("func.coalesce", select(func.coalesce(u.age, -1)).where(u.id == 3), [-1]),
    ("func.now", select(func.now().is_not(None)), [1]),
    ("case", select(case((u.age < 18, "minor"), else_="adult")).where(u.id == 2), ["minor"]),
    ("literal", select(literal(5) + 1), [6]),
    ("literal_column", select(literal_column("2 * 3")), [6]),
    ("bindparam", select(u.name).where(u.id == bindparam("i", 3)), ["cy"]),
    ("null/true/false", select(u.id).where(or_(u.age == null(), false()), true()), []),
    ("boolean col", select(u.name).where(u.active.is_(False)), ["bob"]),
    (
        "exists",
        select(u.name).where(exists().where(a.user_id == u.id)).order_by(u.id),
        ["ann", "bob"],
    ),
    ("~exists", select(u.name).where(~exists().where(a.user_id == u.id)), ["cy"]),
    (
        "in subquery",
        select(u.name).where(u.id.in_(select(a.user_id).where(a.email == "b@x"))),
        ["bob"],
    ),
    (
        "scalar subquery",
        select(select(func.count(a.id)).where(a.user_id == u.id).scalar_subquery()).where(
            u.id == 1
        ),
        [2],
    ),
    ("join", select(a.email).join_from(users, addresses).where(u.name == "bob"), ["b@x"]),
    ("outerjoin", select(func.count()).select_from(users.outerjoin(addresses)), [4]),
    ("group/having", select(a.user_id).group_by(a.user_id).having(func.count() > 1), [1]),
    ("limit/offset", select(u.id).order_by(u.id).limit(1).offset(1), [2]),
    ("offset only", select(u.id).order_by(u.id).offset(2), [3]),
    ("for update", select(u.id).where(u.id == 1).with_for_update(), [1]),
    ("subquery", select(select(u.id.label("x")).where(u.age > 20).subquery().c.x), [1]),
    ("alias", select(users.alias("p").c.name).order_by(desc("name")).limit(1), ["cy"]),
    ("tuple in", select(u.id).where(tuple_(u.id, u.name).in_([(1, "ann"), (2, "zz")])), [1]),
    ("text", text("SELECT name FROM users WHERE id = :i").bindparams(i=2), ["bob"]),
    ("text columns", text("SELECT id FROM users WHERE id = 3").columns(u.id), [3]),
    ("union", union(select(u.id).where(u.id == 1), select(a.user_id)).order_by(u.id), [1, 2]),
    (
        "union_all",
        union_all(select(u.id).where(u.id == 1), select(a.user_id)).order_by(u.id).limit(2),
        [1, 1],
    ),
    ("window", select(func.row_number().over(order_by=u.id)).order_by(u.id), [1, 2, 3]),
]


@pytest.mark.parametrize(("label", "stmt", "expected"), QUERIES, ids=[q[0] for q in QUERIES])
def test_query_runs_on_sqlite(conn: Any, label: str, stmt: Any, expected: list[Any]) -> None:
    assert conn.execute(stmt).scalars().all() == expected


def test_dml_runs_on_sqlite(conn: Any) -> None:
    with conn.begin_nested():
        r = conn.execute(insert(users).values(name="dee", age=1).returning(u.id, u.active))
        new_id, active = r.one()
        assert active is True
        assert (
            conn.execute(
                update(users).where(u.id == new_id).values(age=u.age + 1).returning(u.age)
            ).scalar_one()
            == 2
        )
        stmt = sqlite_insert(users).values(id=new_id, name="dee2")
        conn.execute(
            stmt.on_conflict_do_update(index_elements=[u.id], set_={"name": stmt.excluded.name})
        )
        assert conn.execute(select(u.name).where(u.id == new_id)).scalar() == "dee2"
        conn.execute(sqlite_insert(users).values(id=new_id, name="x").on_conflict_do_nothing())
        assert (
            conn.execute(delete(users).where(u.id == new_id).returning(u.name)).scalar() == "dee2"
        )
        conn.execute(
            insert(addresses).from_select(
                ["user_id", "email"], select(u.id, u.name + "@y").where(u.id == 3)
            )
        )
        assert conn.execute(select(a.email).where(a.user_id == 3)).scalar() == "cy@y"

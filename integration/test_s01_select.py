"""S1 queries on every backend: quoting, paging, operators, joins, grouping, errors."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from accord.exc import DBAPIError, IntegrityError
from accord.sql import (
    Column,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    and_,
    case,
    exists,
    func,
    insert,
    literal,
    or_,
    select,
    text,
    union_all,
)

if TYPE_CHECKING:
    from collections.abc import Iterator

    from accord.engine import Connection, Engine

metadata = MetaData()
# Reserved words and mixed case must be quoted by every dialect.
author = Table(
    "Order",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("select", String(40)),
    Column("MixedCase", String(40)),
)
book = Table(
    "book",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("author_id", Integer, ForeignKey("Order.id")),
    Column("title", String(60)),
    Column("pages", Integer),
)


@pytest.fixture
def conn(accord_engine: Engine) -> Iterator[Connection]:
    """A connection on a database holding three authors and their books."""
    metadata.create_all(accord_engine)
    with accord_engine.begin() as setup:
        setup.execute(
            insert(author),
            [
                {"id": 1, "select": "Ada", "MixedCase": "x"},
                {"id": 2, "select": "Grace", "MixedCase": "y"},
                {"id": 3, "select": "Edsger", "MixedCase": None},
            ],
        )
        setup.execute(
            insert(book),
            [
                {"id": 1, "author_id": 1, "title": "Notes", "pages": 40},
                {"id": 2, "author_id": 2, "title": "Compilers", "pages": 300},
                {"id": 3, "author_id": 2, "title": "COBOL 100% Guide", "pages": 500},
                {"id": 4, "author_id": None, "title": "Anonymous", "pages": 10},
            ],
        )
    with accord_engine.connect() as connection:
        yield connection


def test_reserved_and_mixed_case_names_are_quoted(conn: Connection) -> None:
    rows = conn.execute(
        select(author.c.select, author.c.MixedCase).order_by(author.c.id.desc())
    ).all()
    assert [tuple(r) for r in rows] == [("Edsger", None), ("Grace", "y"), ("Ada", "x")]


def test_limit_and_offset_page_through_rows(conn: Connection) -> None:
    query = select(book.c.id).order_by(book.c.id)
    assert conn.execute(query.limit(2)).scalars().all() == [1, 2]
    assert conn.execute(query.limit(2).offset(2)).scalars().all() == [3, 4]
    assert conn.execute(query.offset(3)).scalars().all() == [4]


def test_string_operators_escape_wildcards_and_ignore_case(conn: Connection) -> None:
    title = book.c.title
    assert conn.execute(select(book.c.id).where(title.contains("100%"))).scalars().all() == [3]
    assert conn.execute(select(book.c.id).where(title.ilike("cobol%"))).scalars().all() == [3]
    assert conn.execute(select(book.c.id).where(title.startswith("Comp"))).scalars().all() == [2]
    assert conn.execute(select(book.c.id).where(title.endswith("tes"))).scalars().all() == [1]


def test_in_between_null_and_boolean_logic(conn: Connection) -> None:
    def ids(where: object) -> list[int]:
        return list(conn.execute(select(book.c.id).where(where).order_by(book.c.id)).scalars())

    assert ids(book.c.id.in_([2, 4, 9])) == [2, 4]
    assert ids(book.c.id.not_in([2, 4])) == [1, 3]
    assert ids(book.c.id.in_([])) == []
    assert ids(book.c.pages.between(40, 300)) == [1, 2]
    assert ids(book.c.author_id.is_(None)) == [4]
    assert ids(or_(book.c.pages > 400, and_(book.c.author_id == 1, ~(book.c.pages < 10)))) == [
        1,
        3,
    ]


def test_joins_grouping_and_having(conn: Connection) -> None:
    pages = func.sum(book.c.pages).label("pages")
    rows = conn.execute(
        select(author.c.select, func.count(book.c.id).label("n"), pages)
        .select_from(author.outerjoin(book))
        .group_by(author.c.select)
        .having(func.count(book.c.id) >= 1)
        .order_by(author.c.select)
    ).all()
    assert [(r.select, r.n, r.pages) for r in rows] == [("Ada", 1, 40), ("Grace", 2, 800)]


def test_subqueries_exists_case_and_union(conn: Connection) -> None:
    prolific = select(book.c.author_id).where(book.c.pages > 100).subquery()
    names = conn.execute(
        select(author.c.select).where(author.c.id.in_(select(prolific.c.author_id)))
    ).scalars()
    assert list(names) == ["Grace"]
    has_books = exists().where(book.c.author_id == author.c.id)
    lonely = conn.execute(select(author.c.select).where(~has_books)).scalars().all()
    assert lonely == ["Edsger"]
    size = case((book.c.pages > 100, "long"), else_="short")
    sizes = conn.execute(select(size).order_by(book.c.id)).scalars().all()
    assert sizes == ["short", "long", "long", "short"]
    both = union_all(
        select(author.c.id.label("n")).where(author.c.id < 2),
        select(book.c.id.label("n")).where(book.c.id > 3),
    )
    assert sorted(conn.execute(both).scalars()) == [1, 4]


def test_scalar_subquery_and_literals(conn: Connection) -> None:
    top = select(func.max(book.c.pages)).scalar_subquery()
    title = conn.execute(select(book.c.title).where(book.c.pages == top)).scalar_one()
    assert title == "COBOL 100% Guide"
    assert conn.execute(select(literal(7) + 3)).scalar_one() == 10


def test_text_with_named_parameters(conn: Connection) -> None:
    statement = text("SELECT title FROM book WHERE pages > :low ORDER BY id")
    assert conn.execute(statement, {"low": 100}).scalars().all() == [
        "Compilers",
        "COBOL 100% Guide",
    ]


def test_errors_are_wrapped_with_statement_and_parameters(conn: Connection) -> None:
    with pytest.raises(IntegrityError) as caught:
        conn.execute(insert(book), {"id": 1, "title": "dup", "pages": 1})
    assert caught.value.orig is not None
    assert "book" in str(caught.value.statement)
    conn.rollback()
    # The class follows the driver's (sqlite3 and PyMySQL say OperationalError).
    with pytest.raises(DBAPIError, match="nope"):
        conn.execute(text("SELECT nope FROM book"))
    conn.rollback()
    # The connection is still usable after both errors.
    assert conn.execute(select(func.count()).select_from(book)).scalar_one() == 4


@pytest.mark.backend("postgresql", "mysql", "oracle")
def test_select_for_update_locks_rows(conn: Connection) -> None:
    conn.begin()
    row = conn.execute(select(book.c.id).where(book.c.id == 1).with_for_update()).scalar_one()
    assert row == 1
    conn.rollback()

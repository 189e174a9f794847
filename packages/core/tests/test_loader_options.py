"""Column loader options (defer, undefer, undefer_group, load_only), option values and
their cache keys, session.get(options=), Query.options()."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from accord import exc
from accord.engine import create_engine
from accord.event import listen
from accord.inspection import inspect
from accord.orm import (
    DeclarativeBase,
    Load,
    Mapped,
    Session,
    defer,
    load_only,
    mapped_column,
    undefer,
    undefer_group,
    with_loader_criteria,
)
from accord.sql import Text, select, text

if TYPE_CHECKING:
    from pathlib import Path


class Base(DeclarativeBase):
    pass


class Doc(Base):
    __tablename__ = "docs"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str]
    author: Mapped[str]
    body: Mapped[str | None] = mapped_column(Text, deferred=True)
    summary: Mapped[str | None] = mapped_column(deferred=True, deferred_group="extra")
    notes: Mapped[str | None] = mapped_column(deferred=True, deferred_group="extra")
    secret: Mapped[str | None] = mapped_column(deferred_raiseload=True)


class Tag(Base):
    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(primary_key=True)
    label: Mapped[str]


@pytest.fixture
def engine(tmp_path: Path) -> Any:
    eng = create_engine(f"sqlite:///{tmp_path / 'o.sqlite'}")
    Base.metadata.create_all(eng)
    with eng.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO docs (id, title, author, body, summary, notes, secret) VALUES "
                "(1, 't1', 'ann', 'b1', 's1', 'n1', 'x1'), "
                "(2, 't2', 'bob', 'b2', 's2', 'n2', 'x2')"
            )
        )
        conn.execute(text("INSERT INTO tags (id, label) VALUES (1, 'red'), (2, 'blue')"))
    yield eng
    eng.dispose()


@pytest.fixture
def sql(engine: Any) -> list[str]:
    """Every SELECT the engine sends to the driver."""
    seen: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    listen(engine, "before_cursor_execute", record)
    return seen


def _selected(statement: str) -> str:
    return statement.split("FROM")[0]


def test_defer_leaves_the_column_out_and_loads_it_on_access(engine: Any, sql: list[str]) -> None:
    with Session(engine) as s:
        doc = s.scalars(select(Doc).where(Doc.id == 1).options(defer(Doc.author))).one()
        assert "author" not in _selected(sql[-1])
        assert "author" in inspect(doc).unloaded
        assert doc.title == "t1"
        count = len(sql)
        assert doc.author == "ann"
        assert len(sql) == count + 1
        assert "author" in _selected(sql[-1])
        assert "title" not in _selected(sql[-1])


def test_defer_raiseload_raises_on_access_naming_the_attribute(engine: Any) -> None:
    with Session(engine) as s:
        doc = s.scalars(select(Doc).options(defer(Doc.author, raiseload=True))).first()
        with pytest.raises(exc.InvalidRequestError, match=r"'Doc.author' is not available"):
            _ = doc.author
        # a later plain load of the same row fills the attribute in
        s.scalars(select(Doc)).all()
        assert doc.author == "ann"


def test_mapped_deferred_raiseload_raises_until_undeferred(engine: Any) -> None:
    with Session(engine) as s:
        doc = s.get(Doc, 1)
        with pytest.raises(exc.InvalidRequestError, match=r"Doc\.secret"):
            _ = doc.secret
        other = s.scalars(select(Doc).where(Doc.id == 2).options(undefer(Doc.secret))).one()
        assert other.__dict__["secret"] == "x2"


def test_undefer_loads_a_deferred_column_in_the_same_select(engine: Any, sql: list[str]) -> None:
    with Session(engine) as s:
        docs = s.scalars(select(Doc).order_by(Doc.id).options(undefer(Doc.body))).all()
        assert len(sql) == 1
        assert [d.__dict__["body"] for d in docs] == ["b1", "b2"]
        assert [d.body for d in docs] == ["b1", "b2"]
        assert len(sql) == 1


def test_undefer_fills_an_object_already_in_the_identity_map(engine: Any) -> None:
    with Session(engine) as s:
        doc = s.get(Doc, 1)
        assert "body" in inspect(doc).unloaded
        again = s.scalars(select(Doc).where(Doc.id == 1).options(undefer(Doc.body))).one()
        assert again is doc
        assert doc.__dict__["body"] == "b1"
        assert not inspect(doc).modified


def test_undefer_group_loads_every_column_of_the_group(engine: Any, sql: list[str]) -> None:
    with Session(engine) as s:
        doc = s.scalars(select(Doc).options(undefer_group("extra"))).first()
        assert {"summary", "notes"} <= set(doc.__dict__)
        assert "body" not in doc.__dict__
        assert "summary" in _selected(sql[0])
        assert "notes" in _selected(sql[0])


def test_deferred_group_loads_together_on_access(engine: Any, sql: list[str]) -> None:
    with Session(engine) as s:
        doc = s.get(Doc, 1)
        assert doc.summary == "s1"
        assert "notes" in doc.__dict__  # same group, same SELECT
        assert len(sql) == 2


def test_load_only_selects_only_those_columns_and_the_key(engine: Any, sql: list[str]) -> None:
    with Session(engine) as s:
        doc = s.scalars(select(Doc).where(Doc.id == 2).options(load_only(Doc.title))).one()
        cols = _selected(sql[0])
        assert "docs.id" in cols
        assert "docs.title" in cols
        assert "author" not in cols
        assert "body" not in cols
        assert inspect(doc).unloaded >= {"author", "body", "summary"}
        assert doc.author == "bob"  # loads on access
        assert len(sql) == 2


def test_load_only_raiseload_makes_the_other_columns_raise(engine: Any) -> None:
    with Session(engine) as s:
        doc = s.scalars(select(Doc).options(load_only(Doc.title, raiseload=True))).first()
        assert doc.title == "t1"
        with pytest.raises(exc.InvalidRequestError, match=r"'Doc\.author' is not available"):
            _ = doc.author


def test_load_only_with_undefer_of_a_deferred_column(engine: Any) -> None:
    with Session(engine) as s:
        doc = s.scalars(
            select(Doc).options(load_only(Doc.title), undefer(Doc.body)).where(Doc.id == 1)
        ).one()
        assert set(doc.__dict__) >= {"id", "title", "body"}
        assert "author" not in doc.__dict__


def test_options_chained_on_load_apply_to_that_entity(engine: Any) -> None:
    with Session(engine) as s:
        doc, tag = s.execute(
            select(Doc, Tag)
            .where(Doc.id == 1, Tag.id == 2)
            .options(Load(Doc).defer(Doc.title).undefer(Doc.body), load_only(Tag.id))
        ).one()
        assert "title" not in doc.__dict__
        assert doc.__dict__["body"] == "b1"
        assert "label" not in tag.__dict__
        assert tag.label == "blue"


def test_option_for_an_entity_not_in_the_statement_raises(engine: Any) -> None:
    with Session(engine) as s, pytest.raises(exc.ArgumentError, match="does not apply"):
        s.execute(select(Tag).options(defer(Doc.title)))


def test_option_on_a_column_only_select_raises(engine: Any) -> None:
    with Session(engine) as s, pytest.raises(exc.ArgumentError, match="need an entity"):
        s.execute(select(Doc.title).options(defer(Doc.author)))


def test_column_option_on_a_non_column_and_string_attributes_are_refused() -> None:
    with pytest.raises(exc.ArgumentError, match="not strings"):
        defer("title")
    with pytest.raises(exc.ArgumentError, match="at least one"):
        load_only()
    with pytest.raises(exc.ArgumentError, match="does not apply"):
        Load(Tag).defer(Doc.title)


def test_unknown_option_objects_are_refused(engine: Any) -> None:
    with Session(engine) as s, pytest.raises(exc.ArgumentError, match="Unknown statement option"):
        s.execute(select(Doc).options(object()))


def test_options_take_part_in_the_statement_cache_key() -> None:
    base = select(Doc)
    k_plain = base._generate_cache_key()
    k_defer = base.options(defer(Doc.title))._generate_cache_key()
    k_defer2 = base.options(defer(Doc.title))._generate_cache_key()
    k_other = base.options(defer(Doc.author))._generate_cache_key()
    k_raise = base.options(defer(Doc.title, raiseload=True))._generate_cache_key()
    assert k_defer == k_defer2
    assert len({k_plain, k_defer, k_other, k_raise}) == 4
    crit1 = base.options(with_loader_criteria(Doc, Doc.author == "a"))._generate_cache_key()
    crit2 = base.options(with_loader_criteria(Doc, Doc.author == "b"))._generate_cache_key()
    crit3 = base.options(with_loader_criteria(Doc, Doc.title == "a"))._generate_cache_key()
    assert crit1 == crit2  # same shape, other value
    assert crit1 != crit3
    assert hash(k_defer) == hash(k_defer2)


def test_same_options_reuse_the_compiled_sql(engine: Any) -> None:
    with Session(engine) as s:
        for i in (1, 2):
            s.execute(select(Doc).where(Doc.id == i).options(load_only(Doc.title))).all()
        cache = engine._compiled_cache
        size = len(cache)
        s.execute(select(Doc).where(Doc.id == 1).options(load_only(Doc.title))).all()
        assert len(cache) == size


def test_get_with_options(engine: Any, sql: list[str]) -> None:
    with Session(engine) as s:
        doc = s.get(Doc, 1, options=[undefer(Doc.body), defer(Doc.author)])
        assert doc.__dict__["body"] == "b1"
        assert "author" not in doc.__dict__
        assert "author" not in _selected(sql[-1])


def test_query_options_and_yield_per(engine: Any) -> None:
    with Session(engine) as s:
        docs = s.query(Doc).options(load_only(Doc.title)).order_by(Doc.id).all()
        assert [d.title for d in docs] == ["t1", "t2"]
        assert "author" not in docs[0].__dict__
        assert [d.id for d in s.query(Doc).order_by(Doc.id).yield_per(1)] == [1, 2]


def test_expired_deferred_by_option_column_reloads_after_commit(engine: Any) -> None:
    with Session(engine) as s:
        doc = s.scalars(select(Doc).where(Doc.id == 1).options(defer(Doc.author))).one()
        doc.title = "new"
        s.commit()
        assert doc.author == "ann"
        assert doc.title == "new"


def test_defer_wildcard_keeps_only_the_primary_key(engine: Any, sql: list[str]) -> None:
    with Session(engine) as s:
        doc = s.scalars(select(Doc).where(Doc.id == 1).options(defer("*"))).one()
        assert _selected(sql[0]).strip() == "SELECT docs.id"
        assert doc.title == "t1"


def test_query_get_applies_the_query_options(engine: Any, sql: list[str]) -> None:
    with Session(engine) as s:
        doc = s.query(Doc).options(load_only(Doc.title)).get(2)
        assert "author" not in _selected(sql[-1])
        assert set(doc.__dict__) >= {"id", "title"}
        assert "author" not in doc.__dict__

"""Relationship loader strategies: selectin, immediate, lazy/raise/noload options, option
propagation to lazy loads, mapper-level lazy="selectin"; statement counts and values."""

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
    defaultload,
    defer,
    immediateload,
    joinedload,
    lazyload,
    load_only,
    mapped_column,
    noload,
    raiseload,
    relationship,
    selectinload,
    subqueryload,
    with_loader_criteria,
)
from accord.sql import Column, ForeignKey, Table, select, text

if TYPE_CHECKING:
    from pathlib import Path


class Base(DeclarativeBase):
    pass


class Parent(Base):
    __tablename__ = "parents"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str]
    children: Mapped[list[Child]] = relationship(back_populates="parent", order_by="Child.id")


child_tags = Table(
    "child_tags",
    Base.metadata,
    Column("child_id", ForeignKey("children.id"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id"), primary_key=True),
)


class Child(Base):
    __tablename__ = "children"

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("parents.id"))
    name: Mapped[str]
    note: Mapped[str | None]
    parent: Mapped[Parent | None] = relationship(back_populates="children")
    tags: Mapped[list[Tag]] = relationship(secondary=child_tags, order_by="Tag.id")


class Tag(Base):
    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(primary_key=True)
    label: Mapped[str]


class Shelf(Base):
    __tablename__ = "shelves"

    id: Mapped[int] = mapped_column(primary_key=True)
    books: Mapped[list[Book]] = relationship(lazy="selectin", order_by="Book.id")


class Book(Base):
    __tablename__ = "books"

    id: Mapped[int] = mapped_column(primary_key=True)
    shelf_id: Mapped[int] = mapped_column(ForeignKey("shelves.id"))
    title: Mapped[str]


@pytest.fixture
def engine(tmp_path: Path) -> Any:
    eng = create_engine(f"sqlite:///{tmp_path / 'e.sqlite'}")
    Base.metadata.create_all(eng)
    with eng.begin() as conn:
        conn.execute(text("INSERT INTO parents (id, name) VALUES (1, 'p1'), (2, 'p2'), (3, 'p3')"))
        conn.execute(
            text(
                "INSERT INTO children (id, parent_id, name, note) VALUES "
                "(1, 1, 'c1', 'n1'), (2, 1, 'c2', 'n2'), (3, 2, 'c3', 'n3'), (4, NULL, 'c4', NULL)"
            )
        )
        conn.execute(text("INSERT INTO tags (id, label) VALUES (1, 'red'), (2, 'blue')"))
        conn.execute(text("INSERT INTO child_tags VALUES (1, 1), (1, 2), (3, 2)"))
        conn.execute(text("INSERT INTO shelves (id) VALUES (1), (2)"))
        conn.execute(text("INSERT INTO books VALUES (1, 1, 'b1'), (2, 1, 'b2'), (3, 2, 'b3')"))
    yield eng
    eng.dispose()


@pytest.fixture
def sql(engine: Any) -> list[str]:
    """Every statement the engine sends to the driver."""
    seen: list[str] = []
    listen(engine, "before_cursor_execute", lambda c, cur, st, *a: seen.append(st))
    return seen


def _names(objs: Any) -> list[str]:
    return [o.name for o in objs]


def test_selectinload_one_to_many_in_one_extra_statement(engine: Any, sql: list[str]) -> None:
    with Session(engine) as s:
        parents = s.scalars(
            select(Parent).order_by(Parent.id).options(selectinload(Parent.children))
        ).all()
        assert len(sql) == 2
        assert " IN (" in sql[1]
        assert [_names(p.children) for p in parents] == [["c1", "c2"], ["c3"], []]
        assert len(sql) == 2
        assert inspect(parents[0]).attrs.children.history.unchanged == parents[0].children


def test_selectinload_many_to_one_reuses_objects_in_the_identity_map(
    engine: Any, sql: list[str]
) -> None:
    with Session(engine) as s:
        p1 = s.get(Parent, 1)
        count = len(sql)
        children = s.scalars(
            select(Child).where(Child.parent_id == 1).options(selectinload(Child.parent))
        ).all()
        assert len(sql) == count + 1  # the parent came from the identity map
        assert all(c.parent is p1 for c in children)
        others = s.scalars(select(Child).options(selectinload(Child.parent))).all()
        by_name = {c.name: c.parent for c in others}
        assert by_name["c3"].name == "p2"
        assert by_name["c4"] is None
        assert "parents.id IN" in sql[-1]


def test_selectinload_many_to_many_through_secondary(engine: Any, sql: list[str]) -> None:
    with Session(engine) as s:
        children = s.scalars(
            select(Child).order_by(Child.id).options(selectinload(Child.tags))
        ).all()
        assert len(sql) == 2
        assert [[t.label for t in c.tags] for c in children] == [
            ["red", "blue"],
            [],
            ["blue"],
            [],
        ]
        assert children[0].tags[1] is children[2].tags[0]  # one object per row


def test_chained_selectinload_two_levels(engine: Any, sql: list[str]) -> None:
    with Session(engine) as s:
        parents = s.scalars(
            select(Parent)
            .order_by(Parent.id)
            .options(selectinload(Parent.children).selectinload(Child.tags))
        ).all()
        assert len(sql) == 3
        assert [t.label for t in parents[0].children[0].tags] == ["red", "blue"]
        assert len(sql) == 3


def test_mapper_level_lazy_selectin_loads_without_options(engine: Any, sql: list[str]) -> None:
    with Session(engine) as s:
        shelves = s.scalars(select(Shelf).order_by(Shelf.id)).all()
        assert len(sql) == 2
        assert [[b.title for b in sh.books] for sh in shelves] == [["b1", "b2"], ["b3"]]
        assert len(sql) == 2
    with Session(engine) as s:
        sql.clear()
        shelf = s.scalars(select(Shelf).where(Shelf.id == 2).options(lazyload(Shelf.books))).one()
        assert len(sql) == 1
        assert [b.title for b in shelf.books] == ["b3"]
        assert len(sql) == 2


def test_selectin_batches_parent_keys_in_lists_of_500(tmp_path: Path) -> None:
    eng = create_engine(f"sqlite:///{tmp_path / 'big.sqlite'}")
    Base.metadata.create_all(eng)
    with Session(eng) as s:
        for i in range(1, 1201):
            p = Parent(id=i, name=f"p{i}")
            p.children = [Child(id=i * 10 + k, parent_id=i, name=f"c{i}.{k}") for k in range(3)]
            s.add(p)
        s.commit()
    seen: list[str] = []
    listen(eng, "before_cursor_execute", lambda c, cur, st, *a: seen.append(st))
    with Session(eng) as s:
        parents = s.scalars(select(Parent).options(selectinload(Parent.children))).all()
        assert len(seen) == 1 + 3  # 1,200 parents: IN lists of 500, 500 and 200
        assert all(len(p.children) == 3 for p in parents)
        assert len(seen) == 4
    eng.dispose()


def test_subqueryload_and_immediateload_fill_the_collections(engine: Any, sql: list[str]) -> None:
    with Session(engine) as s:
        parents = s.scalars(
            select(Parent).order_by(Parent.id).options(subqueryload(Parent.children))
        ).all()
        assert [len(p.children) for p in parents] == [2, 1, 0]
    with Session(engine) as s:
        sql.clear()
        parents = s.scalars(
            select(Parent).order_by(Parent.id).options(immediateload(Parent.children))
        ).all()
        assert len(sql) == 1 + 3  # one SELECT per parent, right away
        assert [len(p.children) for p in parents] == [2, 1, 0]
        assert len(sql) == 4


def test_raiseload_option_raises_on_access(engine: Any) -> None:
    with Session(engine) as s:
        p = s.scalars(select(Parent).where(Parent.id == 1).options(raiseload(Parent.children)))
        parent = p.one()
        with pytest.raises(exc.InvalidRequestError, match=r"Parent\.children' is not available"):
            _ = parent.children


def test_raiseload_sql_only_allows_identity_map_hits(engine: Any) -> None:
    with Session(engine) as s:
        p1 = s.get(Parent, 1)
        children = s.scalars(
            select(Child).order_by(Child.id).options(raiseload(Child.parent, sql_only=True))
        ).all()
        assert children[0].parent is p1  # from the identity map, no SQL needed
        with pytest.raises(exc.InvalidRequestError, match="raise_on_sql"):
            _ = children[2].parent


def test_raiseload_wildcard_with_one_explicit_eager_load(engine: Any, sql: list[str]) -> None:
    with Session(engine) as s:
        child = s.scalars(
            select(Child)
            .where(Child.id == 1)
            .options(selectinload(Child.tags), Load(Child).raiseload("*"))
        ).one()
        assert len(child.tags) == 2
        with pytest.raises(exc.InvalidRequestError, match=r"Child\.parent"):
            _ = child.parent
        shelf = s.scalars(select(Shelf).where(Shelf.id == 1).options(raiseload("*"))).one()
        with pytest.raises(exc.InvalidRequestError, match="books"):
            _ = shelf.books  # the wildcard beats the mapped lazy="selectin"


def test_noload_leaves_the_collection_empty(engine: Any, sql: list[str]) -> None:
    with Session(engine) as s:
        parent = s.scalars(select(Parent).where(Parent.id == 1).options(noload(Parent.children)))
        p = parent.one()
        count = len(sql)
        assert p.children == []
        assert len(sql) == count


def test_options_below_a_lazy_load_apply_when_it_runs(engine: Any, sql: list[str]) -> None:
    with Session(engine) as s:
        parent = s.scalars(
            select(Parent)
            .where(Parent.id == 1)
            .options(defaultload(Parent.children).defer(Child.note))
        ).one()
        children = parent.children  # lazy load, with the deferred column left out
        assert "note" not in sql[-1].split("FROM")[0]
        assert "note" not in children[0].__dict__
        assert children[0].note == "n1"


def test_column_options_on_the_eagerly_loaded_entity(engine: Any, sql: list[str]) -> None:
    with Session(engine) as s:
        parents = s.scalars(
            select(Parent)
            .order_by(Parent.id)
            .options(selectinload(Parent.children).load_only(Child.name))
        ).all()
        assert "note" not in sql[1].split("FROM")[0]
        assert "note" not in parents[0].children[0].__dict__


def test_selectin_does_not_replace_a_loaded_collection_unless_populate_existing(
    engine: Any,
) -> None:
    with Session(engine) as s:
        p = s.get(Parent, 1)
        kids = p.children
        kids.pop()
        with s.no_autoflush:
            s.scalars(select(Parent).options(selectinload(Parent.children))).all()
            assert p.children is kids
            assert len(p.children) == 1
            s.scalars(
                select(Parent).options(selectinload(Parent.children)),
                execution_options={"populate_existing": True},
            ).all()
            assert len(p.children) == 2


def test_loader_criteria_reach_eager_and_lazy_relationship_loads(engine: Any) -> None:
    opt = with_loader_criteria(Child, Child.name != "c2")
    with Session(engine) as s:
        parents = s.scalars(
            select(Parent).order_by(Parent.id).options(selectinload(Parent.children), opt)
        ).all()
        assert _names(parents[0].children) == ["c1"]
    with Session(engine) as s:
        parent = s.scalars(select(Parent).where(Parent.id == 1).options(opt)).one()
        assert _names(parent.children) == ["c1"]  # the lazy load carries the criteria


def test_option_paths_must_follow_the_relationships() -> None:
    with pytest.raises(exc.ArgumentError, match="does not apply to Child"):
        selectinload(Parent.children).selectinload(Parent.children)
    with pytest.raises(exc.ArgumentError, match="not a relationship"):
        selectinload(Parent.name)
    with pytest.raises(exc.ArgumentError, match="not a column attribute"):
        defer(Parent.children)
    with pytest.raises(exc.ArgumentError, match="not a column attribute"):
        load_only(Parent.children)


# -- joined eager loading ------------------------------------------------------------------


def test_joinedload_collection_in_one_statement_needs_unique(engine: Any, sql: list[str]) -> None:

    stmt = select(Parent).order_by(Parent.id).options(joinedload(Parent.children))
    with Session(engine) as s:
        with pytest.raises(exc.InvalidRequestError, match=r"unique\(\) method must be invoked"):
            s.scalars(stmt).all()
        sql.clear()
        parents = s.scalars(stmt).unique().all()
        assert len(sql) == 1
        assert "LEFT OUTER JOIN children AS" in sql[0]
        assert [_names(p.children) for p in parents] == [["c1", "c2"], ["c3"], []]
        assert len(sql) == 1
        rows = s.execute(stmt).unique().all()
        assert [r[0].name for r in rows] == ["p1", "p2", "p3"]


def test_joinedload_many_to_one_needs_no_unique(engine: Any, sql: list[str]) -> None:

    with Session(engine) as s:
        children = s.scalars(
            select(Child).order_by(Child.id).options(joinedload(Child.parent))
        ).all()
        assert len(sql) == 1
        assert [c.parent.name if c.parent else None for c in children] == [
            "p1",
            "p1",
            "p2",
            None,
        ]
        assert children[0].parent is children[1].parent
        inner = s.scalars(
            select(Child).order_by(Child.id).options(joinedload(Child.parent, innerjoin=True))
        ).all()
        assert "JOIN parents AS" in sql[-1]
        assert "LEFT OUTER" not in sql[-1]
        assert [c.name for c in inner] == ["c1", "c2", "c3"]


def test_joinedload_many_to_many_and_nested(engine: Any, sql: list[str]) -> None:

    with Session(engine) as s:
        parents = (
            s.scalars(
                select(Parent)
                .order_by(Parent.id)
                .options(joinedload(Parent.children).joinedload(Child.tags))
            )
            .unique()
            .all()
        )
        assert len(sql) == 1
        assert [[t.label for t in c.tags] for c in parents[0].children] == [["red", "blue"], []]
        assert [t.label for t in parents[1].children[0].tags] == ["blue"]
        assert len(sql) == 1


def test_joinedload_then_selectinload_below(engine: Any, sql: list[str]) -> None:

    with Session(engine) as s:
        parents = (
            s.scalars(
                select(Parent)
                .order_by(Parent.id)
                .options(joinedload(Parent.children).selectinload(Child.tags))
            )
            .unique()
            .all()
        )
        assert len(sql) == 2
        assert [t.label for t in parents[0].children[0].tags] == ["red", "blue"]


def test_joinedload_with_criteria_in_the_on_clause(engine: Any) -> None:

    with Session(engine) as s:
        parents = (
            s.scalars(
                select(Parent)
                .order_by(Parent.id)
                .options(
                    joinedload(Parent.children), with_loader_criteria(Child, Child.name != "c1")
                )
            )
            .unique()
            .all()
        )
        assert [_names(p.children) for p in parents] == [["c2"], ["c3"], []]


def test_joinedload_collection_with_limit_limits_parents(engine: Any, sql: list[str]) -> None:
    with Session(engine) as s:
        parents = (
            s.scalars(
                select(Parent)
                .where(Parent.id < 3)
                .order_by(Parent.id.desc())
                .limit(2)
                .options(joinedload(Parent.children))
            )
            .unique()
            .all()
        )
        assert [p.name for p in parents] == ["p2", "p1"]
        assert [_names(p.children) for p in parents] == [["c3"], ["c1", "c2"]]
        assert len(sql) == 1
        assert "LIMIT" in sql[0]
        assert "LEFT OUTER JOIN" in sql[0]
        second = s.scalars(
            select(Parent).order_by(Parent.id).offset(1).options(joinedload(Parent.children))
        ).unique()
        assert [p.name for p in second] == ["p2", "p3"]


def test_joinedload_refuses_yield_per_on_collections(engine: Any) -> None:
    with Session(engine) as s:
        with pytest.raises(exc.InvalidRequestError, match="yield_per"):
            s.scalars(
                select(Parent).options(joinedload(Parent.children)),
                execution_options={"yield_per": 10},
            )
        first = s.scalars(select(Child).limit(1).options(joinedload(Child.parent))).first()
        assert first is not None


def test_mapper_level_lazy_joined(tmp_path: Path) -> None:
    class JBase(DeclarativeBase):
        pass

    class Author(JBase):
        __tablename__ = "authors"
        id: Mapped[int] = mapped_column(primary_key=True)
        posts: Mapped[list[Post]] = relationship(lazy="joined", order_by="Post.id")

    class Post(JBase):
        __tablename__ = "posts"
        id: Mapped[int] = mapped_column(primary_key=True)
        author_id: Mapped[int] = mapped_column(ForeignKey("authors.id"))

    eng = create_engine(f"sqlite:///{tmp_path / 'j.sqlite'}")
    JBase.metadata.create_all(eng)
    with eng.begin() as conn:
        conn.execute(text("INSERT INTO authors VALUES (1), (2)"))
        conn.execute(text("INSERT INTO posts VALUES (1, 1), (2, 1), (3, 2)"))
    with Session(eng) as s:
        authors = s.scalars(select(Author).order_by(Author.id)).unique().all()
        assert [[p.id for p in a.posts] for a in authors] == [[1, 2], [3]]
        one = s.get(Author, 2, populate_existing=True)
        assert [p.id for p in one.posts] == [3]
    eng.dispose()


def test_legacy_query_and_lazy_loads_return_joined_rows_once(engine: Any) -> None:

    with Session(engine) as s:
        parents = s.query(Parent).options(joinedload(Parent.children)).order_by(Parent.id).all()
        assert [p.name for p in parents] == ["p1", "p2", "p3"]
        child = s.scalars(select(Child).where(Child.id == 1).options(lazyload(Child.parent))).one()
        assert child.parent is parents[0]


def test_yield_per_runs_selectin_per_partition(engine: Any, sql: list[str]) -> None:
    with Session(engine) as s:
        result = s.scalars(
            select(Parent)
            .order_by(Parent.id)
            .options(selectinload(Parent.children))
            .execution_options(yield_per=2)
        )
        parts = list(result.partitions())
        assert [[len(p.children) for p in part] for part in parts] == [[2, 1], [0]]
        assert len(sql) == 1 + 2  # the parents, and one IN list per partition


def test_identity_token_carries_to_relationship_loads(engine: Any) -> None:
    opts = {"identity_token": "east"}
    with Session(engine) as s:
        parent = s.scalars(
            select(Parent).where(Parent.id == 1).options(selectinload(Parent.children)),
            execution_options=opts,
        ).one()
        assert {inspect(c).key[2] for c in parent.children} == {"east"}
        child = s.scalars(select(Child).where(Child.id == 3), execution_options=opts).one()
        assert inspect(child.parent).key == (Parent, (2,), "east")  # lazy load
        plain = s.get(Child, 1)
        assert plain is not parent.children[0]
        assert inspect(plain.parent).key == (Parent, (1,), None)


def test_three_level_chain_mixing_strategies(engine: Any, sql: list[str]) -> None:
    from accord.orm import Load

    with Session(engine) as s:
        parents = s.scalars(
            select(Parent)
            .order_by(Parent.id)
            .options(
                Load(Parent)
                .selectinload(Parent.children)
                .joinedload(Child.tags)
                .load_only(Tag.label)
            )
        ).all()
        assert len(sql) == 2  # the parents; the children joined to their tags
        tags = parents[0].children[0].tags
        assert [t.label for t in tags] == ["red", "blue"]
        assert len(sql) == 2
        assert "LEFT OUTER JOIN child_tags" in sql[1]


def test_load_options_method_applies_below_the_path(engine: Any, sql: list[str]) -> None:
    with Session(engine) as s:
        parents = s.scalars(
            select(Parent)
            .order_by(Parent.id)
            .options(
                selectinload(Parent.children).options(
                    load_only(Child.name), selectinload(Child.tags)
                )
            )
        ).all()
        assert len(sql) == 3
        child = parents[0].children[0]
        assert "note" not in child.__dict__
        assert [t.label for t in child.tags] == ["red", "blue"]
        assert len(sql) == 3
    with pytest.raises(exc.ArgumentError, match="does not apply below Child"):
        selectinload(Parent.children).options(load_only(Parent.name))

"""SQL along relationships: joins, aliased(), any/has/contains, == / != against objects and
None, with_parent; the rows they select."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from accord import exc
from accord.engine import create_engine
from accord.inspection import inspect
from accord.orm import (
    DeclarativeBase,
    Load,
    Mapped,
    Session,
    aliased,
    contains_eager,
    mapped_column,
    relationship,
    selectinload,
    with_loader_criteria,
    with_parent,
)
from accord.sql import Column, ForeignKey, Table, func, select, text

if TYPE_CHECKING:
    from pathlib import Path


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str]
    addresses: Mapped[list[Address]] = relationship(back_populates="user", order_by="Address.id")
    groups: Mapped[list[Group]] = relationship(secondary="memberships", order_by="Group.id")


class Address(Base):
    __tablename__ = "addresses"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    email: Mapped[str]
    user: Mapped[User | None] = relationship(back_populates="addresses")


memberships = Table(
    "memberships",
    Base.metadata,
    Column("user_id", ForeignKey("users.id"), primary_key=True),
    Column("group_id", ForeignKey("groups.id"), primary_key=True),
)


class Group(Base):
    __tablename__ = "groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str]


class Node(Base):
    __tablename__ = "nodes"

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("nodes.id"))
    name: Mapped[str]
    children: Mapped[list[Node]] = relationship(back_populates="parent", order_by="Node.id")
    parent: Mapped[Node | None] = relationship(back_populates="children", remote_side="Node.id")


@pytest.fixture
def session(tmp_path: Path) -> Any:
    eng = create_engine(f"sqlite:///{tmp_path / 'q.sqlite'}")
    Base.metadata.create_all(eng)
    with eng.begin() as conn:
        conn.execute(text("INSERT INTO users VALUES (1, 'ann'), (2, 'bob'), (3, 'cy')"))
        conn.execute(
            text(
                "INSERT INTO addresses VALUES (1, 1, 'a@x'), (2, 1, 'a@y'), (3, 2, 'b@x'), "
                "(4, NULL, 'nobody@x')"
            )
        )
        conn.execute(text("INSERT INTO groups VALUES (1, 'admins'), (2, 'staff')"))
        conn.execute(text("INSERT INTO memberships VALUES (1, 1), (1, 2), (2, 2)"))
        conn.execute(
            text(
                "INSERT INTO nodes VALUES (1, NULL, 'root'), (2, 1, 'a'), (3, 1, 'b'), "
                "(4, 2, 'a1')"
            )
        )
    with Session(eng) as s:
        yield s
    eng.dispose()


def _ids(objs: Any) -> list[int]:
    return sorted(o.id for o in objs)


def test_join_along_a_relationship(session: Session) -> None:
    rows = session.execute(
        select(User.name, Address.email).join(User.addresses).order_by(Address.id)
    ).all()
    assert [tuple(r) for r in rows] == [("ann", "a@x"), ("ann", "a@y"), ("bob", "b@x")]
    users = session.scalars(
        select(User).join(Address, User.addresses).where(Address.email == "b@x")
    ).all()
    assert [u.name for u in users] == ["bob"]


def test_outerjoin_along_a_relationship(session: Session) -> None:
    rows = session.execute(
        select(User.name, func.count(Address.id))
        .outerjoin(User.addresses)
        .group_by(User.name)
        .order_by(User.name)
    ).all()
    assert [tuple(r) for r in rows] == [("ann", 2), ("bob", 1), ("cy", 0)]


def test_join_many_to_many_through_secondary(session: Session) -> None:
    names = session.scalars(
        select(User.name).join(User.groups).where(Group.title == "staff").order_by(User.name)
    ).all()
    assert names == ["ann", "bob"]


def test_join_to_aliased_targets(session: Session) -> None:
    a1 = aliased(Address)
    a2 = aliased(Address)
    users = session.scalars(
        select(User)
        .join(User.addresses.of_type(a1))
        .join(a2, User.addresses)
        .where(a1.email == "a@x", a2.email == "a@y")
    ).all()
    assert [u.name for u in users] == ["ann"]
    parent = aliased(Node)
    rows = session.execute(
        select(Node.name, parent.name).join(Node.parent.of_type(parent)).order_by(Node.id)
    ).all()
    assert [tuple(r) for r in rows] == [("a", "root"), ("b", "root"), ("a1", "a")]


def test_select_an_aliased_entity(session: Session) -> None:
    ua = aliased(User, name="u2")
    users = session.scalars(select(ua).where(ua.name != "cy").order_by(ua.id)).all()
    assert [u.name for u in users] == ["ann", "bob"]
    assert users[0] is session.get(User, 1)
    assert inspect(ua).mapper is inspect(User)


def test_any_and_has(session: Session) -> None:
    assert _ids(session.scalars(select(User).where(User.addresses.any()))) == [1, 2]
    assert _ids(
        session.scalars(select(User).where(User.addresses.any(Address.email.like("%y"))))
    ) == [1]
    assert _ids(session.scalars(select(User).where(~User.addresses.any()))) == [3]
    assert _ids(session.scalars(select(User).where(User.addresses.any(email="b@x")))) == [2]
    assert _ids(session.scalars(select(Address).where(Address.user.has(User.name == "ann")))) == [
        1,
        2,
    ]
    assert _ids(session.scalars(select(User).where(User.groups.any(Group.title == "admins")))) == [
        1
    ]
    with pytest.raises(exc.InvalidRequestError, match=r"use any\(\)"):
        User.addresses.has()
    with pytest.raises(exc.InvalidRequestError, match=r"use has\(\)"):
        Address.user.any()


def test_any_on_a_self_referential_relationship(session: Session) -> None:
    with_kids = session.scalars(select(Node).where(Node.children.any(Node.name == "a1")))
    assert [n.name for n in with_kids] == ["a"]
    has_parent = session.scalars(select(Node.name).where(Node.parent.has(Node.name == "root")))
    assert sorted(has_parent) == ["a", "b"]


def test_compare_to_an_object_and_to_none(session: Session) -> None:
    ann = session.get(User, 1)
    assert _ids(session.scalars(select(Address).where(Address.user == ann))) == [1, 2]
    assert _ids(session.scalars(select(Address).where(Address.user != ann))) == [3, 4]
    assert _ids(session.scalars(select(Address).where(Address.user == None))) == [4]  # noqa: E711
    assert _ids(session.scalars(select(Address).where(Address.user != None))) == [1, 2, 3]  # noqa: E711
    assert _ids(session.scalars(select(User).where(User.addresses == None))) == [3]  # noqa: E711
    with pytest.raises(exc.InvalidRequestError, match="use contains"):
        _ = User.addresses == session.get(Address, 1)


def test_contains(session: Session) -> None:
    a3 = session.get(Address, 3)
    staff = session.get(Group, 2)
    assert _ids(session.scalars(select(User).where(User.addresses.contains(a3)))) == [2]
    assert _ids(session.scalars(select(User).where(User.groups.contains(staff)))) == [1, 2]


def test_with_parent(session: Session) -> None:
    ann = session.get(User, 1)
    assert _ids(session.scalars(select(Address).where(with_parent(ann, User.addresses)))) == [1, 2]
    assert _ids(session.scalars(select(Group).where(with_parent(ann, User.groups)))) == [1, 2]
    root = session.get(Node, 1)
    assert _ids(session.scalars(select(Node).where(with_parent(root, Node.children)))) == [2, 3]
    a = session.get(Node, 2)
    assert _ids(session.scalars(select(Node).where(with_parent(a, Node.parent)))) == [1]


def test_contains_eager_from_an_explicit_join(session: Session) -> None:
    users = (
        session.scalars(
            select(User)
            .join(User.addresses)
            .where(Address.email.like("a@%"))
            .options(contains_eager(User.addresses))
        )
        .unique()
        .all()
    )
    assert [u.name for u in users] == ["ann"]
    assert [a.email for a in users[0].addresses] == ["a@x", "a@y"]


def test_contains_eager_with_an_alias_and_a_filtered_collection(session: Session) -> None:
    aa = aliased(Address)
    users = (
        session.scalars(
            select(User)
            .join(User.addresses.of_type(aa))
            .where(aa.email.like("%x"))
            .order_by(User.id)
            .options(contains_eager(User.addresses, alias=aa))
        )
        .unique()
        .all()
    )
    assert [[a.email for a in u.addresses] for u in users] == [["a@x"], ["b@x"]]


def test_loader_options_on_an_aliased_entity(session: Session) -> None:
    ua = aliased(User)
    users = session.scalars(
        select(ua).order_by(ua.id).options(Load(ua).selectinload(ua.addresses))
    ).all()
    assert [len(u.addresses) for u in users] == [2, 1, 0]
    with pytest.raises(exc.ArgumentError, match="does not apply"):
        session.scalars(select(ua).options(selectinload(User.addresses))).all()


def test_loader_criteria_with_include_aliases(session: Session) -> None:
    ua = aliased(User)
    hide_ann = with_loader_criteria(User, lambda cls: cls.name != "ann", include_aliases=True)
    assert _ids(session.scalars(select(ua).options(hide_ann))) == [2, 3]
    plain = with_loader_criteria(User, User.name != "ann")
    assert _ids(session.scalars(select(ua).options(plain))) == [1, 2, 3]


def test_selectinload_recursion_depth_on_a_tree(session: Session) -> None:
    seen: list[str] = []
    from accord.event import listen

    listen(session.get_bind(), "before_cursor_execute", lambda c, cur, st, *a: seen.append(st))
    roots = session.scalars(
        select(Node)
        .where(Node.parent_id.is_(None))
        .options(selectinload(Node.children, recursion_depth=2))
    ).all()
    assert len(seen) == 3  # the root, its children, their children
    assert [c.name for c in roots[0].children] == ["a", "b"]
    assert [c.name for c in roots[0].children[0].children] == ["a1"]
    assert len(seen) == 3
    one_level = session.scalars(
        select(Node).where(Node.id == 2).options(selectinload(Node.children)),
        execution_options={"populate_existing": True},
    ).one()
    assert [c.name for c in one_level.children] == ["a1"]


def test_joined_and_contains_eager_on_a_self_referential_tree(session: Session) -> None:
    from accord.orm import joinedload

    roots = (
        session.scalars(
            select(Node)
            .where(Node.parent_id.is_(None))
            .options(joinedload(Node.children).joinedload(Node.children))
        )
        .unique()
        .all()
    )
    assert [(c.name, [g.name for g in c.children]) for c in roots[0].children] == [
        ("a", ["a1"]),
        ("b", []),
    ]
    kids = session.scalars(
        select(Node).where(Node.id > 1).order_by(Node.id).options(joinedload(Node.parent))
    ).all()
    assert [(k.name, k.parent.name) for k in kids] == [("a", "root"), ("b", "root"), ("a1", "a")]
    pa = aliased(Node)
    under_root = session.scalars(
        select(Node)
        .join(Node.parent.of_type(pa))
        .where(pa.name == "root")
        .order_by(Node.id)
        .options(contains_eager(Node.parent, alias=pa))
    ).all()
    assert [(n.name, n.parent.name) for n in under_root] == [("a", "root"), ("b", "root")]

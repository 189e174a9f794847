"""relationship(): configuration, directions, Python-side sync, events and lazy loading."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from accord import exc
from accord.engine import create_engine
from accord.event import listen
from accord.inspection import inspect
from accord.orm import (
    DeclarativeBase,
    Mapped,
    RelationshipDirection,
    Session,
    WriteOnlyCollection,
    backref,
    configure_mappers,
    mapped_column,
    registry,
    relationship,
)
from accord.sql import Column, ForeignKey, Integer, String, Table

if TYPE_CHECKING:
    from pathlib import Path


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str]
    addresses: Mapped[list[Address]] = relationship(back_populates="user", order_by="Address.id")
    tags: Mapped[set[Tag]] = relationship(secondary="user_tags", back_populates="users")
    notes: Mapped[list[Note]] = relationship(lazy="raise")
    quiet: Mapped[list[Note]] = relationship(lazy="noload", viewonly=True)
    log: Mapped[list[Note]] = relationship(lazy="write_only", viewonly=True)


class Address(Base):
    __tablename__ = "addresses"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str]
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    user: Mapped[User | None] = relationship(back_populates="addresses")


user_tags = Table(
    "user_tags",
    Base.metadata,
    Column("user_id", ForeignKey("users.id"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id"), primary_key=True),
)


class Tag(Base):
    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(primary_key=True)
    label: Mapped[str]
    users: Mapped[list[User]] = relationship(secondary=user_tags, back_populates="tags")


class Note(Base):
    __tablename__ = "notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    text: Mapped[str] = mapped_column(default="")
    author = relationship(User, backref="authored", lazy="raise_on_sql")


class Node(Base):
    __tablename__ = "nodes"

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("nodes.id"))
    children: Mapped[list[Node]] = relationship(
        backref=backref("parent", remote_side=lambda: Node.id)
    )


@pytest.fixture
def engine(tmp_path: Path) -> Any:
    eng = create_engine(f"sqlite:///{tmp_path / 'r.sqlite'}")
    Base.metadata.create_all(eng)
    with eng.begin() as conn:
        conn.execute(User.__table__.insert(), [{"id": 1, "name": "ann"}, {"id": 2, "name": "bob"}])
        conn.execute(
            Address.__table__.insert(),
            [
                {"id": 10, "email": "a1", "user_id": 1},
                {"id": 11, "email": "a2", "user_id": 1},
                {"id": 12, "email": "b1", "user_id": 2},
            ],
        )
        conn.execute(Tag.__table__.insert(), [{"id": 5, "label": "x"}, {"id": 6, "label": "y"}])
        conn.execute(
            user_tags.insert(), [{"user_id": 1, "tag_id": 5}, {"user_id": 1, "tag_id": 6}]
        )
        conn.execute(Note.__table__.insert(), [{"id": 7, "user_id": 1, "text": "n"}])
    yield eng
    eng.dispose()


def _count_statements(engine: Any) -> list[str]:
    seen: list[str] = []
    listen(engine, "before_cursor_execute", lambda *a: seen.append(a[2]))
    return seen


# -- configuration -----------------------------------------------------------------------


def test_directions_and_column_pairs() -> None:
    configure_mappers()
    addresses = User.addresses.property
    assert addresses.direction is RelationshipDirection.ONETOMANY
    assert addresses.synchronize_pairs == [(User.__table__.c.id, Address.__table__.c.user_id)]
    assert addresses.local_columns == {User.__table__.c.id}
    assert addresses.remote_side == {Address.__table__.c.user_id}
    assert addresses.uselist
    assert addresses.collection_class is list
    assert addresses.mapper is inspect(Address)
    assert addresses.entity is Address
    user = Address.user.property
    assert user.direction is RelationshipDirection.MANYTOONE
    assert user.uselist is False
    assert user._reverse_property == {addresses}
    tags = User.tags.property
    assert tags.direction is RelationshipDirection.MANYTOMANY
    assert tags.secondary is user_tags
    assert tags.collection_class is set
    assert tags.secondary_synchronize_pairs == [(Tag.__table__.c.id, user_tags.c.tag_id)]
    assert set(inspect(User).relationships) >= {"addresses", "tags", "notes", "authored"}
    assert Node.parent.property.direction is RelationshipDirection.MANYTOONE
    assert Node.children.property.direction is RelationshipDirection.ONETOMANY
    cascade = addresses.cascade
    assert cascade.save_update
    assert cascade.merge
    assert not cascade.delete


def test_cascade_strings() -> None:
    from accord.orm import CascadeOptions

    c = CascadeOptions("all, delete-orphan")
    assert c.save_update
    assert c.delete
    assert c.delete_orphan
    assert c.expunge
    assert c.refresh_expire
    with pytest.raises(exc.ArgumentError, match="'delet'"):
        relationship("X", cascade="save-update, delet")
    with pytest.raises(exc.ArgumentError, match=r"delete-orphan.*requires 'delete'"):
        relationship("X", cascade="save-update, delete-orphan")


def _fresh_base() -> Any:
    class B(DeclarativeBase):
        pass

    return B


def test_ambiguous_foreign_keys_name_both_paths() -> None:
    B = _fresh_base()

    class Addr(B):
        __tablename__ = "addr"
        id: Mapped[int] = mapped_column(primary_key=True)

    class Customer(B):
        __tablename__ = "customer"
        id: Mapped[int] = mapped_column(primary_key=True)
        billing_id: Mapped[int] = mapped_column(ForeignKey("addr.id"))
        shipping_id: Mapped[int] = mapped_column(ForeignKey("addr.id"))
        billing: Mapped[Addr] = relationship()

    with pytest.raises(exc.ArgumentError, match=r"billing_id.*shipping_id.*foreign_keys"):
        configure_mappers()

    class Customer2(B):
        __tablename__ = "customer2"
        id: Mapped[int] = mapped_column(primary_key=True)
        billing_id: Mapped[int] = mapped_column(ForeignKey("addr.id"))
        shipping_id: Mapped[int] = mapped_column(ForeignKey("addr.id"))
        billing: Mapped[Addr] = relationship(foreign_keys=[billing_id])
        shipping: Mapped[Addr] = relationship(foreign_keys="Customer2.shipping_id")

    configure_mappers()
    assert Customer2.billing.property.synchronize_pairs[0][1] is Customer2.__table__.c.billing_id
    assert Customer2.shipping.property.direction is RelationshipDirection.MANYTOONE
    # the broken mapper raises again when its relationship is used
    with pytest.raises(exc.ArgumentError, match="multiple foreign key paths"):
        Customer().billing  # noqa: B018


def test_no_foreign_key_and_unknown_class() -> None:
    B = _fresh_base()

    class P(B):
        __tablename__ = "p"
        id: Mapped[int] = mapped_column(primary_key=True)
        qs: Mapped[list[Q]] = relationship()

    class Q(B):
        __tablename__ = "q"
        id: Mapped[int] = mapped_column(primary_key=True)

    with pytest.raises(exc.ArgumentError, match="no foreign keys linking"):
        configure_mappers()

    class R(B):
        __tablename__ = "r"
        id: Mapped[int] = mapped_column(primary_key=True)
        nope: Mapped[list[Missing]] = relationship()  # type: ignore[name-defined]  # noqa: F821

    with pytest.raises(exc.InvalidRequestError, match="'Missing'"):
        configure_mappers()


def test_imperative_mapping_with_string_secondary_and_lambda() -> None:
    reg = registry()
    parent = Table("ip", reg.metadata, Column("id", Integer, primary_key=True))
    child = Table(
        "ic",
        reg.metadata,
        Column("id", Integer, primary_key=True),
        Column("pid", ForeignKey("ip.id")),
        Column("name", String(10)),
    )

    class IP:
        pass

    class IC:
        pass

    reg.map_imperatively(
        IP, parent, properties={"kids": relationship(lambda: IC, order_by=child.c.name)}
    )
    reg.map_imperatively(IC, child, properties={"mom": relationship(IP)})
    reg.configure()
    kids = inspect(IP).relationships["kids"]
    assert kids.direction is RelationshipDirection.ONETOMANY
    assert kids.order_by == [child.c.name]
    assert inspect(IC).relationships["mom"].direction is RelationshipDirection.MANYTOONE


# -- Python-side behaviour ---------------------------------------------------------------


def test_back_populates_both_ways_without_loops() -> None:
    u = User(name="u")
    a = Address(email="e")
    u.addresses.append(a)
    assert a.user is u
    assert u.addresses == [a]
    b = Address(email="f")
    b.user = u
    assert u.addresses == [a, b]
    u.addresses.remove(a)
    assert a.user is None
    b.user = None
    assert u.addresses == []
    u2 = User(name="v")
    a.user = u2
    a.user = u
    assert u2.addresses == []
    assert u.addresses == [a]
    hist = inspect(u).attrs.addresses.history
    assert hist.added == [a]
    assert not hist.deleted


def test_many_to_many_set_and_backref() -> None:
    u = User(name="u")
    t = Tag(label="t")
    u.tags.add(t)
    assert t.users == [u]
    t.users.remove(u)
    assert u.tags == set()
    u.tags |= {t}
    assert t.users == [u]
    u.tags.discard(t)
    assert t.users == []


def test_self_referential_backref() -> None:
    root = Node()
    kid = Node()
    kid.parent = root
    assert root.children == [kid]
    root.children.pop()
    assert kid.parent is None


def test_collection_operations_history() -> None:
    u = User(name="u")
    a, b, c = Address(email="a"), Address(email="b"), Address(email="c")
    u.addresses.extend([a, b])
    u.addresses[0] = c
    assert a.user is None
    assert c.user is u
    u.addresses.insert(0, a)
    del u.addresses[1]
    assert u.addresses == [a, b]
    u.addresses = [b]
    assert a.user is None
    assert b.user is u
    u.addresses.clear()
    assert b.user is None
    assert inspect(u).attrs.addresses.history.added == []


def test_wrong_class_error_names_relationship_and_classes() -> None:
    u = User(name="u")
    with pytest.raises(exc.InvalidRequestError, match=r"User\.addresses.*Address.*'Tag'"):
        u.addresses.append(Tag(label="x"))
    with pytest.raises(exc.InvalidRequestError, match=r"Address\.user.*User.*'Tag'"):
        Address().user = Tag()


def test_attribute_events_in_order_with_retval() -> None:
    B = _fresh_base()

    class P(B):
        __tablename__ = "ep"
        id: Mapped[int] = mapped_column(primary_key=True)
        kids: Mapped[list[K]] = relationship(back_populates="mom")

    class K(B):
        __tablename__ = "ek"
        id: Mapped[int] = mapped_column(primary_key=True)
        pid: Mapped[int | None] = mapped_column(ForeignKey("ep.id"))
        mom: Mapped[P | None] = relationship(back_populates="kids")

    configure_mappers()
    seen: list[tuple[str, Any]] = []
    swapped = K()
    listen(P.kids, "append", lambda t, v, i: seen.append(("append", v)))
    listen(P.kids, "remove", lambda t, v, i: seen.append(("remove", v)))
    listen(K.mom, "set", lambda t, v, o, i: seen.append(("set", v)))
    listen(P.kids, "append", lambda t, v, i: swapped if v is not swapped else v, retval=True)
    p, k = P(), K()
    p.kids.append(k)
    assert p.kids == [swapped]
    assert swapped.mom is p
    p.kids.remove(swapped)
    assert seen == [("append", k), ("set", p), ("remove", swapped), ("set", None)]


# -- loading -----------------------------------------------------------------------------


def test_lazy_select_one_to_many_and_many_to_many(engine: Any) -> None:
    with Session(engine) as s:
        u = s.get(User, 1)
        assert [a.email for a in u.addresses] == ["a1", "a2"]
        assert {t.label for t in u.tags} == {"x", "y"}
        assert inspect(u).attrs.addresses.history.unchanged == u.addresses
        tag = s.get(Tag, 5)
        assert tag.users == [u]


def test_many_to_one_uses_identity_map_without_sql(engine: Any) -> None:
    with Session(engine) as s:
        u = s.get(User, 1)
        a = s.get(Address, 10)
        statements = _count_statements(engine)
        assert a.user is u
        assert statements == []
        b = s.get(Address, 12)
        assert b.user.name == "bob"
        assert len(statements) == 2  # the get of Address 12, then the user's SELECT


def test_lazy_raise_noload_and_write_only(engine: Any) -> None:
    with Session(engine) as s:
        u = s.get(User, 1)
        with pytest.raises(exc.InvalidRequestError, match=r"User\.notes.*lazy='raise'"):
            u.notes  # noqa: B018
        assert u.quiet == []
        note = s.get(Note, 7)
        s.expunge(u)
        with pytest.raises(exc.InvalidRequestError, match=r"Note\.author.*raise_on_sql"):
            note.author  # noqa: B018
        log = s.get(User, 2).log
        assert isinstance(log, WriteOnlyCollection)
        user1 = s.get(User, 1)
        assert [n.id for n in s.scalars(user1.log.select())] == [7]
        with pytest.raises(TypeError, match="can't be iterated"):
            list(log)


def test_expire_drops_loaded_relationships(engine: Any) -> None:
    with Session(engine) as s:
        u = s.get(User, 1)
        assert len(u.addresses) == 2
        s.expire(u)
        assert "addresses" not in inspect(u).dict
        assert len(u.addresses) == 2
        s.commit()
        assert "addresses" not in inspect(u).dict
        with engine.begin() as conn:
            table = Address.__table__
            conn.execute(table.update().where(table.c.id == 12).values(user_id=1))
        assert [a.id for a in u.addresses] == [10, 11, 12]


def test_detached_lazy_load_raises(engine: Any) -> None:
    with Session(engine) as s:
        u = s.get(User, 1)
    with pytest.raises(exc.DetachedInstanceError, match="addresses"):
        u.addresses  # noqa: B018


def test_init_collection_and_set_committed_value() -> None:
    from accord.orm import init_collection, set_committed_value

    u = User(name="u")
    coll = init_collection(u, "addresses")
    assert coll == []
    assert u.addresses is coll
    a = Address(email="a")
    set_committed_value(u, "addresses", [a])
    assert u.addresses == [a]
    assert inspect(u).attrs.addresses.history.unchanged == [a]
    assert a.user is None  # stored as loaded: no backref, no events


def test_session_dirty_and_is_modified_for_relationship_changes(engine: Any) -> None:
    with Session(engine) as s:
        u = s.get(User, 1)
        assert not s.is_modified(u)
        u.addresses.append(Address(email="new"))
        assert u in s.dirty
        assert s.is_modified(u)


def test_target_as_mapper_and_init_scalar_event() -> None:
    B = _fresh_base()

    class T(B):
        __tablename__ = "mt"
        id: Mapped[int] = mapped_column(primary_key=True)

    class S(B):
        __tablename__ = "ms"
        id: Mapped[int] = mapped_column(primary_key=True)
        t_id: Mapped[int | None] = mapped_column(ForeignKey("mt.id"))
        t = relationship(inspect(T))

    configure_mappers()
    assert S.t.property.entity is T
    fallback = T()
    listen(S.t, "init_scalar", lambda target, value, dict_: fallback, retval=True)
    assert S().t is fallback


def test_mapper_cascade_iterator() -> None:
    u = User(name="u")
    a = Address(email="a")
    u.addresses.append(a)
    reached = list(inspect(User).cascade_iterator("save-update", inspect(u)))
    assert [(obj, m.class_) for obj, m, _s, _d in reached] == [(a, Address)]
    assert list(inspect(User).cascade_iterator("delete", inspect(u))) == []


def test_single_parent_and_self_referential_many_to_many() -> None:
    B = _fresh_base()
    friendship = Table(
        "friendship",
        B.metadata,
        Column("a_id", ForeignKey("person.id"), primary_key=True),
        Column("b_id", ForeignKey("person.id"), primary_key=True),
    )

    class Person(B):
        __tablename__ = "person"
        id: Mapped[int] = mapped_column(primary_key=True)
        friends: Mapped[list[Person]] = relationship(
            secondary=friendship,
            primaryjoin=lambda: Person.id == friendship.c.a_id,
            secondaryjoin=lambda: Person.id == friendship.c.b_id,
        )

    class Owner(B):
        __tablename__ = "owner"
        id: Mapped[int] = mapped_column(primary_key=True)
        person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
        person: Mapped[Person | None] = relationship(
            cascade="all, delete-orphan", single_parent=True
        )

    configure_mappers()
    friends = Person.friends.property
    assert friends.direction is RelationshipDirection.MANYTOMANY
    assert friends.synchronize_pairs == [(Person.__table__.c.id, friendship.c.a_id)]
    assert friends.secondary_synchronize_pairs == [(Person.__table__.c.id, friendship.c.b_id)]
    p = Person()
    first = Owner(person=p)
    with pytest.raises(exc.InvalidRequestError, match=r"single parent.*single_parent=True"):
        Owner(person=p)
    first.person = None
    assert Owner(person=p).person is p


def test_explicit_uselist_false_and_collection_class_set() -> None:
    B = _fresh_base()

    class Owner(B):
        __tablename__ = "uo"
        id: Mapped[int] = mapped_column(primary_key=True)
        badge = relationship("Badge", uselist=False, back_populates="owner")
        pets = relationship("Pet", collection_class=set)

    class Badge(B):
        __tablename__ = "ub"
        id: Mapped[int] = mapped_column(primary_key=True)
        owner_id: Mapped[int | None] = mapped_column(ForeignKey("uo.id"))
        owner = relationship(Owner, back_populates="badge")

    class Pet(B):
        __tablename__ = "up"
        id: Mapped[int] = mapped_column(primary_key=True)
        owner_id: Mapped[int | None] = mapped_column(ForeignKey("uo.id"))

    configure_mappers()
    badge = Owner.badge.property
    assert badge.direction is RelationshipDirection.ONETOMANY
    assert badge.uselist is False
    assert Owner.pets.property.collection_class is set
    o, b = Owner(), Badge()
    assert o.badge is None
    assert isinstance(o.pets, set)
    o.badge = b
    assert b.owner is o
    b2 = Badge()
    o.badge = b2  # replacing the one object: the old one lets go of the owner
    assert b2.owner is o
    assert b.owner is None
    assert inspect(o).attrs.badge.history.added == [b2]
    o.pets = [Pet(), Pet()]  # any iterable is taken, stored as the collection class
    assert isinstance(o.pets, set)
    assert len(o.pets) == 2


def test_bad_relationship_arguments_and_values_are_named() -> None:
    with pytest.raises(exc.ArgumentError, match=r"cascade= takes a comma-separated string"):
        relationship("X", cascade=5)  # type: ignore[arg-type]
    with pytest.raises(exc.ArgumentError, match=r"passive_deletes='sometimes'"):
        relationship("X", passive_deletes="sometimes")
    with pytest.raises(exc.ArgumentError, match=r"lazy='eager'.*selectin"):
        relationship("X", lazy="eager")
    u = User(name="u")
    with pytest.raises(exc.InvalidRequestError, match=r"User\.addresses can't be set to 5"):
        u.addresses = 5  # type: ignore[assignment]
    with pytest.raises(exc.InvalidRequestError, match=r"User\.addresses can't be set to None"):
        u.addresses = None  # type: ignore[assignment]
    with pytest.raises(exc.InvalidRequestError, match=r"Address\.user accepts User.*'list'"):
        Address().user = [u]  # type: ignore[assignment]
    with pytest.raises(exc.InvalidRequestError, match=r"User\.tags accepts Tag.*'Address'"):
        u.tags = {Address(email="x")}  # type: ignore[arg-type]
    assert u.addresses == []
    assert u.tags == set()


def test_set_event_retval_replaces_the_related_object_and_remove_fires_on_del() -> None:
    B = _fresh_base()

    class Team(B):
        __tablename__ = "st"
        id: Mapped[int] = mapped_column(primary_key=True)
        name: Mapped[str] = mapped_column(default="")
        members: Mapped[list[Member]] = relationship(back_populates="team")

    class Member(B):
        __tablename__ = "sm"
        id: Mapped[int] = mapped_column(primary_key=True)
        team_id: Mapped[int | None] = mapped_column(ForeignKey("st.id"))
        team: Mapped[Team | None] = relationship(back_populates="members")

    configure_mappers()
    house = Team(name="house")
    seen: list[tuple[str, Any, Any]] = []

    def redirect(target: Any, value: Any, old: Any, initiator: Any) -> Any:
        return house if value is not None and value.name == "stand-in" else value

    listen(Member.team, "set", redirect, retval=True)
    listen(Member.team, "set", lambda t, v, o, i: seen.append(("set", v, o)))
    listen(Member.team, "remove", lambda t, v, i: seen.append(("remove", v, None)))
    listen(Team.members, "append", lambda t, v, i: seen.append(("append", t, v)))
    m = Member()
    m.team = Team(name="stand-in")
    assert m.team is house
    assert house.members == [m]
    del m.team
    assert m.team is None
    assert house.members == []
    assert [(e, v) for e, v, _o in seen] == [("set", house), ("append", house), ("remove", house)]
    assert seen[1][2] is m


def test_order_by_descending_and_on_two_columns_in_every_loader(tmp_path: Path) -> None:
    from accord.orm import joinedload, selectinload
    from accord.sql import select

    B = _fresh_base()

    class Shelf(B):
        __tablename__ = "oshelf"
        id: Mapped[int] = mapped_column(primary_key=True)
        by_title: Mapped[list[Volume]] = relationship(
            order_by=lambda: Volume.title.desc(), viewonly=True
        )
        by_rank: Mapped[list[Volume]] = relationship(
            order_by=lambda: [Volume.rank, Volume.title.desc()], viewonly=True
        )

    class Volume(B):
        __tablename__ = "ovol"
        id: Mapped[int] = mapped_column(primary_key=True)
        title: Mapped[str]
        rank: Mapped[int]
        shelf_id: Mapped[int] = mapped_column(ForeignKey("oshelf.id"))

    eng = create_engine(f"sqlite:///{tmp_path / 'o.sqlite'}")
    B.metadata.create_all(eng)
    with eng.begin() as conn:
        conn.execute(Shelf.__table__.insert(), [{"id": 1}])
        conn.execute(
            Volume.__table__.insert(),
            [
                {"id": 1, "title": "b", "rank": 2, "shelf_id": 1},
                {"id": 2, "title": "a", "rank": 1, "shelf_id": 1},
                {"id": 3, "title": "c", "rank": 1, "shelf_id": 1},
            ],
        )
    expected = (["c", "b", "a"], ["c", "a", "b"])
    for option in (None, selectinload, joinedload):
        with Session(eng) as s:
            stmt = select(Shelf)
            if option is not None:
                stmt = stmt.options(option(Shelf.by_title), option(Shelf.by_rank))
            shelf = s.scalars(stmt).unique().one()
            got = ([v.title for v in shelf.by_title], [v.title for v in shelf.by_rank])
            assert got == expected, option
    eng.dispose()


def test_viewonly_relationship_changes_are_not_flushed(tmp_path: Path) -> None:
    B = _fresh_base()

    class Box(B):
        __tablename__ = "vbox"
        id: Mapped[int] = mapped_column(primary_key=True)
        things: Mapped[list[Thing]] = relationship(back_populates="box")
        view: Mapped[list[Thing]] = relationship(viewonly=True, order_by=lambda: Thing.id)

    class Thing(B):
        __tablename__ = "vthing"
        id: Mapped[int] = mapped_column(primary_key=True)
        box_id: Mapped[int | None] = mapped_column(ForeignKey("vbox.id"))
        box: Mapped[Box | None] = relationship(back_populates="things")

    eng = create_engine(f"sqlite:///{tmp_path / 'v.sqlite'}")
    B.metadata.create_all(eng)
    with Session(eng) as s:
        box = Box(things=[Thing()])
        s.add(box)
        s.commit()
        assert [t.id for t in box.view] == [1]
        loose = Thing()
        box.view.append(loose)
        assert loose not in s  # no save-update cascade through a viewonly relationship
        assert loose.box is None  # and no backref
        s.add(loose)
        box.view.remove(box.view[0])
        s.commit()
        assert loose.box_id is None
        assert [t.id for t in box.view] == [1]  # reloaded from the rows: unchanged
    with eng.connect() as conn:
        rows = conn.execute(Thing.__table__.select().order_by(Thing.__table__.c.id)).all()
        assert [tuple(r) for r in rows] == [(1, 1), (2, None)]
    eng.dispose()


def test_identity_map_answers_backref_self_referential_and_plain_primaryjoin_many_to_ones(
    tmp_path: Path,
) -> None:
    from accord.sql import and_, select

    B = _fresh_base()

    class Dept(B):
        __tablename__ = "idept"
        id: Mapped[int] = mapped_column(primary_key=True)
        open: Mapped[bool] = mapped_column(default=True)
        staff: Mapped[list[Worker]] = relationship(backref="dept")  # many-to-one made here

    class Worker(B):
        __tablename__ = "iworker"
        id: Mapped[int] = mapped_column(primary_key=True)
        dept_id: Mapped[int | None] = mapped_column(ForeignKey("idept.id"))
        mentor_id: Mapped[int | None] = mapped_column(ForeignKey("iworker.id"))
        trainees: Mapped[list[Worker]] = relationship(
            backref=backref("mentor", remote_side=lambda: Worker.id)
        )
        home: Mapped[Dept | None] = relationship(
            primaryjoin="Dept.id == Worker.dept_id", viewonly=True
        )
        open_dept: Mapped[Dept | None] = relationship(
            primaryjoin=lambda: and_(Dept.id == Worker.dept_id, Dept.open.is_(True)),
            viewonly=True,
        )

    eng = create_engine(f"sqlite:///{tmp_path / 'im.sqlite'}")
    B.metadata.create_all(eng)
    with Session(eng) as s:
        boss = Worker()
        s.add(Dept(open=False, staff=[boss, Worker(mentor=boss)]))
        s.commit()
    with Session(eng) as s:
        dept = s.get(Dept, 1)
        boss, trainee = s.scalars(select(Worker).order_by(Worker.id)).all()
        statements = _count_statements(eng)
        assert trainee.dept is dept  # made by backref=
        assert trainee.mentor is boss  # self-referential, remote_side=
        assert trainee.home is dept  # primaryjoin= of foreign key = primary key only
        assert statements == []
        assert trainee.open_dept is None  # other criteria in the join: it must ask the database
        assert len(statements) == 1
    eng.dispose()

"""Declarative and imperative mapping: the Table produced, DDL, SELECT compilation, errors."""

# Optional[X] is spelled out on purpose: it is one of the annotation forms under test.
# ruff: noqa: UP045

from __future__ import annotations

import datetime  # noqa: TC003 -- Mapped[...] annotations are evaluated when mapping
import decimal
import enum
import re
import uuid  # noqa: TC003 -- Mapped[...] annotations are evaluated when mapping
from typing import Annotated, Any, Literal, Optional

import pytest

from accord import exc
from accord.engine import create_engine
from accord.inspection import inspect
from accord.orm import (
    DeclarativeBase,
    InstrumentedAttribute,
    Mapped,
    Mapper,
    column_property,
    declared_attr,
    deferred,
    mapped_column,
    registry,
)
from accord.sql import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    CreateTable,
    Date,
    DateTime,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
    func,
    select,
)


def _ddl(table: Any) -> str:
    # one line, single spaces: easier to compare than the pretty-printed form
    return re.sub(r"\s+", " ", str(CreateTable(table).compile())).strip()


class Status(enum.Enum):
    active = "A"
    banned = "B"


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50), index=True)
    fullname: Mapped[Optional[str]]
    email: Mapped[str | None] = mapped_column(unique=True)
    created: Mapped[datetime.datetime] = mapped_column(server_default=func.now())
    birthday: Mapped[datetime.date | None]
    balance: Mapped[decimal.Decimal] = mapped_column(default=decimal.Decimal("0"))
    active: Mapped[bool] = mapped_column(default=True)
    score: Mapped[float] = mapped_column(insert_default=1.5, onupdate=2.5)
    avatar: Mapped[Optional[bytes]]
    token: Mapped[uuid.UUID]
    status: Mapped[Status]


class Address(Base):
    __tablename__ = "addresses"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    email_address: Mapped[str] = mapped_column("email", String(100))
    notes: Mapped[Optional[str]] = mapped_column(Text, nullable=False)


# -- the Table ---------------------------------------------------------------------------


def test_declarative_class_gets_table_mapper_and_shared_metadata() -> None:
    table = User.__table__
    assert isinstance(table, Table)
    assert table.name == "users"
    assert table.metadata is Base.metadata is Base.registry.metadata
    assert isinstance(User.__mapper__, Mapper)
    assert inspect(User) is User.__mapper__
    assert set(Base.registry.mappers) == {User.__mapper__, Address.__mapper__}


def test_column_order_names_and_types_follow_the_annotations() -> None:
    cols = {c.name: c for c in User.__table__.c}
    assert list(cols) == [
        "id",
        "name",
        "fullname",
        "email",
        "created",
        "birthday",
        "balance",
        "active",
        "score",
        "avatar",
        "token",
        "status",
    ]
    expected = {
        "id": Integer,
        "name": String,
        "fullname": String,
        "created": DateTime,
        "birthday": Date,
        "balance": Numeric,
        "active": Boolean,
        "score": Float,
        "avatar": LargeBinary,
        "token": Uuid,
        "status": Enum,
    }
    for name, type_cls in expected.items():
        assert isinstance(cols[name].type, type_cls), name
    assert cols["name"].type.length == 50
    assert cols["status"].type.enum_class is Status


def test_nullability_comes_from_optional_unless_given() -> None:
    c = User.__table__.c
    assert c.id.nullable is False
    assert c.name.nullable is False
    assert c.fullname.nullable is True  # Optional[str]
    assert c.email.nullable is True  # str | None
    assert c.birthday.nullable is True
    assert c.token.nullable is False
    # explicit nullable= wins over the annotation
    assert Address.__table__.c.notes.nullable is False


def test_primary_key_foreign_key_defaults_index_unique() -> None:
    t = User.__table__
    assert [c.name for c in t.primary_key.columns] == ["id"]
    assert User.__mapper__.primary_key == (t.c.id,)
    assert t.c.balance.default.arg == decimal.Decimal("0")
    assert t.c.active.default.arg is True
    assert t.c.score.default.arg == 1.5  # insert_default
    assert t.c.score.onupdate.arg == 2.5
    assert t.c.created.server_default is not None
    assert [list(ix.columns) for ix in t.indexes] == [[t.c.name]]
    fk = next(iter(Address.__table__.c.user_id.foreign_keys))
    assert fk.column is t.c.id
    assert fk.ondelete == "CASCADE"


def test_column_name_differs_from_attribute_key() -> None:
    # mapped_column("email", ...) on attribute email_address: column named email
    col = Address.__table__.c.email
    assert col.name == "email"
    assert Address.__mapper__.columns["email_address"] is col
    assert Address.__mapper__.get_property_by_column(col).key == "email_address"
    assert str(select(Address.email_address)) == "SELECT addresses.email \nFROM addresses"


def test_create_table_ddl() -> None:
    assert _ddl(Address.__table__) == (
        "CREATE TABLE addresses ( id INTEGER NOT NULL, user_id INTEGER NOT NULL, "
        "email VARCHAR(100) NOT NULL, notes TEXT NOT NULL, PRIMARY KEY (id), "
        "FOREIGN KEY(user_id) REFERENCES users (id) ON DELETE CASCADE )"
    )
    ddl = _ddl(User.__table__)
    assert "name VARCHAR(50) NOT NULL" in ddl
    assert "fullname VARCHAR," in ddl
    assert "email VARCHAR," in ddl
    assert re.search(r"created DATETIME DEFAULT .+ NOT NULL", ddl)
    assert "UNIQUE (email)" in ddl


def test_create_all_on_sqlite_creates_the_tables() -> None:
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    with engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'table' ORDER BY name"
        ).all()
        cols = conn.exec_driver_sql("PRAGMA table_info(addresses)").all()
        fks = conn.exec_driver_sql("PRAGMA foreign_key_list(addresses)").all()
    assert [r[0] for r in rows] == ["addresses", "users"]
    # (cid, name, type, notnull, dflt_value, pk)
    assert [(c[1], c[2], c[3], c[5]) for c in cols] == [
        ("id", "INTEGER", 1, 1),
        ("user_id", "INTEGER", 1, 0),
        ("email", "VARCHAR(100)", 1, 0),
        ("notes", "TEXT", 1, 0),
    ]
    assert [(f[2], f[3], f[4]) for f in fks] == [("users", "user_id", "id")]
    engine.dispose()


# -- SQL expressions through mapped attributes -------------------------------------------


def test_select_entity_where_attribute() -> None:
    stmt = select(Address).where(Address.user_id == 5)
    assert str(stmt) == (
        "SELECT addresses.id, addresses.user_id, addresses.email, addresses.notes \n"
        "FROM addresses \nWHERE addresses.user_id = :user_id_1"
    )
    stmt = select(User.id).where(User.name == "x")
    assert str(stmt) == "SELECT users.id \nFROM users \nWHERE users.name = :name_1"
    assert stmt.compile().construct_params() == {"name_1": "x"}


def test_attribute_operators_delegate_to_the_column() -> None:
    assert isinstance(User.name, InstrumentedAttribute)
    assert str(User.id.in_([1, 2])) == "users.id IN (:id_1, :id_2)"
    assert str(User.name.like("a%")) == "users.name LIKE :name_1"
    assert str(User.id > 3) == "users.id > :id_1"
    assert str((User.id == 1) & (User.name != "b")) == (
        "users.id = :id_1 AND users.name != :name_1"
    )
    assert str(User.fullname.is_(None)) == "users.fullname IS NULL"
    assert str(User.id.desc()) == "users.id DESC"
    assert str(User.id + 1) == "users.id + :id_1"
    assert User.name.__clause_element__() is User.__table__.c.name
    assert User.name.expression is User.__table__.c.name
    assert User.name.property is User.__mapper__.attrs["name"]
    assert User.name.class_ is User
    assert User.name.key == "name"
    with pytest.raises(AttributeError, match="no_such_thing"):
        User.name.no_such_thing  # noqa: B018


def test_select_with_order_by_and_join_condition() -> None:
    stmt = (
        select(User.name, Address.email_address)
        .join(Address, Address.user_id == User.id)
        .order_by(User.name)
    )
    assert str(stmt) == (
        "SELECT users.name, addresses.email \nFROM users JOIN addresses ON "
        "addresses.user_id = users.id ORDER BY users.name"
    )


# -- mapper introspection ----------------------------------------------------------------


def test_mapper_attrs_columns_and_identity_helpers() -> None:
    m = inspect(Address)
    assert list(m.attrs.keys()) == ["id", "user_id", "email_address", "notes"]
    assert m.attrs.user_id.columns == [Address.__table__.c.user_id]
    assert m.c.user_id is Address.__table__.c.user_id
    assert m.columns is m.c
    assert list(m.column_attrs) == list(m.attrs)
    assert m.local_table is m.persist_selectable is Address.__table__
    assert m.class_ is Address
    assert m.entity is Address
    assert m.mapper is m
    assert m.identity_key_from_primary_key((7,)) == (Address, (7,), None)
    assert m.identity_key_from_row({Address.__table__.c.id: 9}) == (Address, (9,), None)
    a = Address(id=3, user_id=1)
    assert m.identity_key_from_instance(a) == (Address, (3,), None)
    assert m.primary_key_from_instance(a) == [3]
    assert m.version_id_col is None
    assert m.eager_defaults == "auto"


def test_version_id_col_and_eager_defaults_from_mapper_args() -> None:
    class VBase(DeclarativeBase):
        pass

    class Doc(VBase):
        __tablename__ = "doc"
        id: Mapped[int] = mapped_column(primary_key=True)
        version_id: Mapped[int] = mapped_column(nullable=False)
        __mapper_args__ = {"version_id_col": version_id, "eager_defaults": True}

    m = inspect(Doc)
    assert m.version_id_col is Doc.__table__.c.version_id
    assert m.version_id_generator(None) == 1
    assert m.version_id_generator(1) == 2
    assert m.eager_defaults is True

    class Doc2(VBase):
        __tablename__ = "doc2"
        id: Mapped[int] = mapped_column(primary_key=True)
        rev: Mapped[str] = mapped_column()
        __mapper_args__ = {"version_id_col": rev, "version_id_generator": False}

    assert inspect(Doc2).version_id_generator is False


def test_type_annotation_map_overrides_and_extends() -> None:
    class TBase(DeclarativeBase):
        type_annotation_map = {
            int: BigInteger,
            str: String(30),
            dict[str, Any]: JSON,
        }

    class Thing(TBase):
        __tablename__ = "thing"
        id: Mapped[int] = mapped_column(primary_key=True)
        label: Mapped[str]
        data: Mapped[dict[str, Any]]
        small: Mapped[int] = mapped_column(Integer)  # an explicit type wins

    c = Thing.__table__.c
    assert isinstance(c.id.type, BigInteger)
    assert isinstance(c.label.type, String)
    assert c.label.type.length == 30
    assert isinstance(c.data.type, JSON)
    assert type(c.small.type) is Integer


def test_dict_annotation_without_map_entry_is_an_error() -> None:
    class EBase(DeclarativeBase):
        pass

    with pytest.raises(exc.ArgumentError, match="Could not find a SQL type"):

        class Bad(EBase):
            __tablename__ = "bad"
            id: Mapped[int] = mapped_column(primary_key=True)
            data: Mapped[dict[str, Any]]


# Annotated templates must be module-level names: annotations are evaluated in the module.
intpk = Annotated[int, mapped_column(primary_key=True)]
str30 = Annotated[str, mapped_column(String(30))]


def test_annotated_mapped_column_template() -> None:
    class ABase(DeclarativeBase):
        pass

    class A(ABase):
        __tablename__ = "a"
        id: Mapped[intpk]
        name: Mapped[str30]
        other: Mapped[Optional[str30]]

    c = A.__table__.c
    assert c.id.primary_key
    assert c.name.type.length == 30
    assert c.name.nullable is False
    assert c.other.nullable is True
    assert c.name is not c.other


def test_table_args_tuple_with_dict_and_mixins() -> None:
    class MBase(DeclarativeBase):
        pass

    class HasId:
        id: Mapped[int] = mapped_column(primary_key=True)
        created: Mapped[Optional[datetime.datetime]]

    class Tablenamed:
        @declared_attr.directive
        def __tablename__(cls) -> str:
            return cls.__name__.lower()

    class Widget(HasId, Tablenamed, MBase):
        code: Mapped[str] = mapped_column(String(10))
        __table_args__ = (
            UniqueConstraint("code", name="uq_widget_code"),
            Index("ix_widget_code", "code"),
            {"sqlite_autoincrement": True},
        )

    class Gadget(HasId, Tablenamed, MBase):
        pass

    assert Widget.__table__.name == "widget"
    assert Gadget.__table__.name == "gadget"
    # main class columns first, then the mixin's
    assert [c.name for c in Widget.__table__.c] == ["code", "id", "created"]
    # each class gets its own copy of a mixin column
    assert Widget.__table__.c.id is not Gadget.__table__.c.id
    assert "uq_widget_code" in _ddl(Widget.__table__)


def test_sort_order_reorders_columns() -> None:
    class SBase(DeclarativeBase):
        pass

    class Common:
        id: Mapped[int] = mapped_column(primary_key=True, sort_order=-1)

    class S(Common, SBase):
        __tablename__ = "s"
        name: Mapped[str]

    assert [c.name for c in S.__table__.c] == ["id", "name"]


def test_declarative_with_explicit_table() -> None:
    class XBase(DeclarativeBase):
        pass

    t = Table("x", XBase.metadata, Column("id", Integer, primary_key=True), Column("v", String))

    class X(XBase):
        __table__ = t

    assert inspect(X).local_table is t
    assert list(inspect(X).attrs.keys()) == ["id", "v"]
    assert X(v="a").v == "a"


def test_deferred_and_column_property() -> None:
    class DBase(DeclarativeBase):
        pass

    class Person(DBase):
        __tablename__ = "person"
        id: Mapped[int] = mapped_column(primary_key=True)
        first: Mapped[str] = mapped_column()
        last: Mapped[str] = mapped_column()
        bio: Mapped[Optional[str]] = mapped_column(Text, deferred=True)
        photo = deferred(Column(LargeBinary), group="media")
        fullname = column_property(first + " " + last)

    m = inspect(Person)
    assert m.attrs.bio.deferred
    assert m.attrs.photo.deferred
    assert m.attrs.photo.group == "media"
    assert m._deferred_keys == {"bio", "photo"}
    assert Person.__table__.c.photo.name == "photo"
    assert "fullname" not in Person.__table__.c
    assert m.attrs.fullname._is_sql_expression
    assert str(select(Person.fullname)) == (
        "SELECT person.first || :param_1 || person.last AS fullname \nFROM person"
    )
    assert str(select(Person.id).where(Person.fullname == "a b")) == (
        "SELECT person.id \nFROM person \nWHERE person.first || :param_1 || person.last = "
        ":fullname_1"
    )


# -- imperative mapping ------------------------------------------------------------------


def test_map_imperatively() -> None:
    reg = registry()
    t = Table(
        "account",
        reg.metadata,
        Column("id", Integer, primary_key=True),
        Column("owner", String(20), nullable=False),
        Column("kind", String(10), server_default="basic"),
    )

    class Account:
        def __init__(self, owner: str) -> None:
            self.owner = owner

    m = reg.map_imperatively(Account, t, properties={"secret": deferred(t.c.kind)})
    assert inspect(Account) is m
    assert reg.mappers == frozenset({m})
    assert list(m.attrs.keys()) == ["secret", "id", "owner"]
    acct = Account("ann")  # the class keeps its own constructor
    assert acct.owner == "ann"
    assert inspect(acct).transient
    assert str(select(Account).where(Account.owner == "x")) == (
        "SELECT account.id, account.owner, account.kind \nFROM account \n"
        "WHERE account.owner = :owner_1"
    )
    assert "kind VARCHAR(10) DEFAULT 'basic'" in _ddl(t)


def test_map_imperatively_with_explicit_primary_key() -> None:
    reg = registry()
    t = Table("nopk", reg.metadata, Column("a", Integer), Column("b", Integer))

    class NoPk:
        pass

    m = reg.map_imperatively(NoPk, t, primary_key=[t.c.a, t.c.b])
    assert m.primary_key == (t.c.a, t.c.b)


# -- bad input -----------------------------------------------------------------------------


def test_unknown_constructor_keyword_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="'nmae' is an invalid keyword argument for User"):
        User(nmae="x")


def test_class_without_primary_key_is_an_argument_error() -> None:
    class PBase(DeclarativeBase):
        pass

    with pytest.raises(exc.ArgumentError, match="could not assemble any primary key"):

        class NoKey(PBase):
            __tablename__ = "nokey"
            name: Mapped[str]

    reg = registry()
    t = Table("nokey2", reg.metadata, Column("a", Integer))

    class NoKey2:
        pass

    with pytest.raises(exc.ArgumentError, match="'nokey2'"):
        reg.map_imperatively(NoKey2, t)


def test_class_without_tablename_is_an_error_unless_abstract() -> None:
    class QBase(DeclarativeBase):
        pass

    with pytest.raises(exc.InvalidRequestError, match="__tablename__"):

        class Nameless(QBase):
            id: Mapped[int] = mapped_column(primary_key=True)

    class Abstract(QBase):
        __abstract__ = True
        id: Mapped[int] = mapped_column(primary_key=True)

    class Concrete(Abstract):
        __tablename__ = "concrete"

    assert inspect(Abstract, raiseerr=False) is None
    assert [c.name for c in Concrete.__table__.c] == ["id"]


def test_mapped_column_without_type_or_annotation() -> None:
    class RBase(DeclarativeBase):
        pass

    with pytest.raises(exc.ArgumentError, match="needs a SQL type"):

        class Untyped(RBase):
            __tablename__ = "untyped"
            id = mapped_column(Integer, primary_key=True)
            x = mapped_column()


def test_unknown_mapper_args_and_double_mapping() -> None:
    class UBase(DeclarativeBase):
        pass

    with pytest.raises(exc.ArgumentError, match="Unknown __mapper_args__"):

        class Odd(UBase):
            __tablename__ = "odd"
            id: Mapped[int] = mapped_column(primary_key=True)
            __mapper_args__ = {"no_such_option": 1}

    with pytest.raises(exc.ArgumentError, match="already has a mapper"):
        UBase.registry.map_imperatively(User, User.__table__)


def test_inspect_of_unmapped_class_and_instance() -> None:
    class Plain:
        pass

    with pytest.raises(exc.NoInspectionAvailable):
        inspect(Plain)
    with pytest.raises(exc.NoInspectionAvailable):
        inspect(Plain())
    assert inspect(Plain, raiseerr=False) is None


# -- other ways to map ---------------------------------------------------------------------


def test_registry_mapped_decorator_and_legacy_declarative_base() -> None:
    reg = registry()

    @reg.mapped
    class Tag:
        __tablename__ = "tag"
        id: Mapped[int] = mapped_column(primary_key=True)
        label: Mapped[str]

    assert inspect(Tag).local_table is reg.metadata.tables["tag"]
    assert Tag.__table__.c.label.nullable is False

    from accord.orm import declarative_base

    LegacyBase = declarative_base()

    class Legacy(LegacyBase):
        __tablename__ = "legacy"
        id = Column(Integer, primary_key=True)
        code = Column("code_col", String(5))

    m = inspect(Legacy)
    assert list(m.attrs.keys()) == ["id", "code"]
    assert m.c.code.name == "code_col"
    assert Legacy(code="a").code == "a"
    with pytest.raises(TypeError, match="'nope' is an invalid keyword argument for Legacy"):
        Legacy(nope=1)


def test_imperative_include_exclude_and_prefix() -> None:
    reg = registry()
    t = Table(
        "wide",
        reg.metadata,
        Column("id", Integer, primary_key=True),
        Column("a", Integer),
        Column("b", Integer),
        Column("secret", String),
    )

    class Wide:
        pass

    class Narrow:
        pass

    class Prefixed:
        pass

    m = reg.map_imperatively(Wide, t, exclude_properties=["secret"])
    assert list(m.attrs.keys()) == ["id", "a", "b"]
    assert not hasattr(Wide, "secret")
    m2 = reg.map_imperatively(Narrow, t, include_properties=["id", "a"])
    assert list(m2.attrs.keys()) == ["id", "a"]
    m3 = reg.map_imperatively(Prefixed, t, column_prefix="_")
    assert list(m3.attrs.keys()) == ["_id", "_a", "_b", "_secret"]
    # two attributes over one column list
    assert m3.c._a is t.c.a


def test_mapped_column_in_annotation_without_mapped_is_refused() -> None:
    class NBase(DeclarativeBase):
        pass

    with pytest.raises(exc.ArgumentError, match="annotate it as Mapped"):

        class Plain(NBase):
            __tablename__ = "plain"
            id: int = mapped_column(Integer, primary_key=True)

    class Allowed(NBase):
        __tablename__ = "allowed"
        __allow_unmapped__ = True
        id: int = mapped_column(Integer, primary_key=True)
        note: str = "not mapped"  # a plain annotated class attribute stays as it is

    assert list(inspect(Allowed).attrs.keys()) == ["id"]
    assert Allowed.note == "not mapped"


def test_literal_and_enum_annotations() -> None:
    class LBase(DeclarativeBase):
        pass

    class L(LBase):
        __tablename__ = "lit"
        id: Mapped[int] = mapped_column(primary_key=True)
        kind: Mapped[Literal["a", "bb"]]
        status: Mapped[Optional[Status]]

    c = L.__table__.c
    assert isinstance(c.kind.type, Enum)
    assert c.kind.type.enums == ("a", "bb")
    assert c.status.type.enum_class is Status
    assert c.status.nullable is True


def test_mapped_column_positional_name_type_and_key() -> None:
    class KBase(DeclarativeBase):
        pass

    class Parent(KBase):
        __tablename__ = "parent"
        id: Mapped[int] = mapped_column(primary_key=True)

    class Child(KBase):
        __tablename__ = "child"
        id: Mapped[int] = mapped_column(primary_key=True)
        parent_id: Mapped[int | None] = mapped_column(
            "parent_ref", Integer, ForeignKey("parent.id"), key="pref"
        )

    t = Child.__table__
    col = t.c.pref
    assert col.name == "parent_ref"
    assert col.nullable is True
    assert next(iter(col.foreign_keys)).column is Parent.__table__.c.id
    assert inspect(Child).c.parent_id is col
    assert str(select(Child.id).where(Child.parent_id == 3)) == (
        "SELECT child.id \nFROM child \nWHERE child.parent_ref = :pref_1"
    )


def test_registry_dispose_unmaps_classes() -> None:
    reg = registry()
    t = Table("gone", reg.metadata, Column("id", Integer, primary_key=True))

    class Gone:
        pass

    reg.map_imperatively(Gone, t)
    assert inspect(Gone, raiseerr=False) is not None
    reg.dispose()
    assert inspect(Gone, raiseerr=False) is None
    assert not hasattr(Gone, "id")
    assert reg.mappers == frozenset()


def test_dml_and_functions_accept_mapped_classes_and_attributes() -> None:
    from accord.sql import cast, delete, insert, update

    assert str(insert(Address).values(user_id=1)) == (
        "INSERT INTO addresses (user_id) VALUES (:user_id)"
    )
    assert str(update(Address).where(Address.id == 1).values({Address.notes: "n"})) == (
        "UPDATE addresses SET notes=:notes WHERE addresses.id = :id_1"
    )
    assert str(delete(Address).where(Address.user_id.in_([1]))) == (
        "DELETE FROM addresses WHERE addresses.user_id IN (:user_id_1)"
    )
    assert str(select(func.count(User.id), cast(User.id, String))).startswith(
        "SELECT count(users.id) AS count_1, CAST(users.id AS VARCHAR)"
    )

"""Schema objects: tables in MetaData, columns, keys, defaults, foreign-key resolution."""

from __future__ import annotations

import importlib
from typing import Any

import pytest

from accord import exc
from accord.sql import (
    Column,
    ColumnDefault,
    Computed,
    DefaultClause,
    ForeignKey,
    Identity,
    Index,
    Integer,
    MetaData,
    Sequence,
    String,
    Table,
    UniqueConstraint,
    func,
    select,
    text,
)


def test_table_registers_in_metadata_and_is_unique() -> None:
    md = MetaData()
    t = Table("t", md, Column("id", Integer, primary_key=True))
    assert md.tables["t"] is t
    assert "t" in md
    assert Table("t", md) is t
    with pytest.raises(exc.InvalidRequestError, match="already defined"):
        Table("t", md, Column("x", Integer))
    t2 = Table("t", md, Column("x", Integer), extend_existing=True)
    assert t2 is t
    assert t.c.keys() == ["id", "x"]
    assert Table("t", md, Column("y", Integer), keep_existing=True) is t
    assert "y" not in t.c


def test_schema_and_metadata_schema() -> None:
    md = MetaData(schema="s")
    t = Table("t", md, Column("id", Integer))
    assert t.schema == "s"
    assert t.fullname == "s.t"
    assert md.tables["s.t"] is t


def test_column_attributes_and_keys() -> None:
    md = MetaData()
    t = Table(
        "t",
        md,
        Column("id", Integer, primary_key=True),
        Column("user name", String(10), key="name", nullable=False, comment="c"),
        Column("n", Integer, unique=True, index=True),
    )
    assert t.c.name.name == "user name"
    assert t.c["name"] is t.c.name
    assert t.c[0] is t.c.id
    assert len(t.c) == 3
    assert not t.c.id.nullable
    assert not t.c.name.nullable
    assert t.c.n.nullable
    assert list(t.primary_key.columns) == [t.c.id]
    assert t.c.id.primary_key
    assert t.autoincrement_column is t.c.id
    assert any(isinstance(c, UniqueConstraint) for c in t.constraints)
    assert {i.name for i in t.indexes} == {"ix_t_n"}
    assert t.c.name.comment == "c"
    with pytest.raises(AttributeError):
        t.c.nope  # noqa: B018


def test_column_without_name_is_refused_in_table() -> None:
    with pytest.raises(exc.ArgumentError, match="non-blank name"):
        Table("t", MetaData(), Column(Integer))


def test_unknown_column_argument_is_refused() -> None:
    with pytest.raises(exc.ArgumentError, match="bogus"):
        Column("x", Integer, bogus=True)


def test_autoincrement_rules() -> None:
    md = MetaData()
    composite = Table(
        "c", md, Column("a", Integer, primary_key=True), Column("b", Integer, primary_key=True)
    )
    assert composite.autoincrement_column is None
    text_key = Table("s", md, Column("k", String, primary_key=True))
    assert text_key.autoincrement_column is None
    off = Table("o", md, Column("id", Integer, primary_key=True, autoincrement=False))
    assert off.autoincrement_column is None
    with_default = Table("d", md, Column("id", Integer, primary_key=True, default=5))
    assert with_default.autoincrement_column is None
    ident = Table("i", md, Column("id", Integer, Identity(), primary_key=True))
    assert ident.autoincrement_column is ident.c.id


def test_python_defaults_are_normalised() -> None:
    scalar = Column("a", Integer, default=5)
    assert isinstance(scalar.default, ColumnDefault)
    assert scalar.default.is_scalar
    assert scalar.default.arg == 5

    no_arg = Column("b", Integer, default=lambda: 7)
    assert no_arg.default.is_callable
    assert no_arg.default.arg(object()) == 7

    seen: list[Any] = []

    def record(ctx: Any) -> int:
        seen.append(ctx)
        return 8

    one_arg = Column("c", Integer, default=record)
    ctx = object()
    assert one_arg.default.arg(ctx) == 8
    assert seen == [ctx]

    clause = Column("d", Integer, default=func.now())
    assert clause.default.is_clause_element

    upd = Column("e", Integer, onupdate=lambda: 1)
    assert upd.onupdate.for_update
    assert upd.onupdate.is_callable
    assert upd.default is None

    with pytest.raises(exc.ArgumentError, match="zero or one argument"):
        Column("f", Integer, default=lambda a, b: 1)


def test_server_defaults() -> None:
    a = Column("a", Integer, server_default="1")
    assert isinstance(a.server_default, DefaultClause)
    assert a.server_default.arg == "1"
    b = Column("b", Integer, server_default=text("2"), server_onupdate=text("3"))
    assert b.server_onupdate.for_update
    c = Column("c", Integer, Computed("a + b"))
    assert c.computed is not None
    assert c.server_default is c.computed
    d = Column("d", Integer, Identity(always=True))
    assert d.identity is not None
    assert d.identity.always
    with pytest.raises(exc.ArgumentError, match="server_default"):
        Column("e", Integer, server_default=5)


def test_sequence_attaches_to_metadata() -> None:
    md = MetaData()
    seq = Sequence("s_id")
    Table("t", md, Column("id", Integer, seq, primary_key=True))
    assert md._sequences["s_id"] is seq
    assert seq.metadata is md


def test_foreign_key_resolution() -> None:
    md = MetaData()
    parent = Table("parent", md, Column("id", Integer, primary_key=True))
    child = Table("child", md, Column("pid", ForeignKey("parent.id", ondelete="CASCADE")))
    (fk,) = child.c.pid.foreign_keys
    assert fk.column is parent.c.id
    assert fk.parent is child.c.pid
    assert fk.ondelete == "CASCADE"
    assert fk.references(parent)
    assert child.c.pid.references(parent.c.id)
    assert isinstance(child.c.pid.type, Integer)
    assert fk.constraint is not None
    assert fk.constraint.referred_table is parent
    assert child.foreign_keys == {fk}


def test_foreign_key_to_a_column_object() -> None:
    md = MetaData()
    parent = Table("parent", md, Column("id", Integer, primary_key=True))
    child = Table("child", md, Column("pid", Integer, ForeignKey(parent.c.id)))
    (fk,) = child.c.pid.foreign_keys
    assert fk.column is parent.c.id
    assert fk.target_fullname == "parent.id"


def test_foreign_key_errors_name_the_problem() -> None:
    md = MetaData()
    child = Table("child", md, Column("pid", Integer, ForeignKey("nowhere.id")))
    (fk,) = child.c.pid.foreign_keys
    with pytest.raises(exc.NoReferencedTableError, match="nowhere") as info:
        fk.column  # noqa: B018
    assert info.value.table_name == "nowhere"
    Table("parent", md, Column("id", Integer))
    child2 = Table("child2", md, Column("pid", Integer, ForeignKey("parent.missing")))
    (fk2,) = child2.c.pid.foreign_keys
    with pytest.raises(exc.NoReferencedColumnError, match="missing"):
        fk2.column  # noqa: B018
    with pytest.raises(exc.ArgumentError):
        ForeignKey(5)


def test_index_on_column_names_and_expressions() -> None:
    md = MetaData()
    t = Table("t", md, Column("a", Integer), Column("b", String), Index("ix_ab", "a", "b"))
    (ix,) = t.indexes
    assert list(ix.columns) == [t.c.a, t.c.b]
    with pytest.raises(exc.ArgumentError, match="zzz"):
        Table("u", md, Column("a", Integer), Index("ix_bad", "zzz"))


def test_unique_constraint_unknown_column() -> None:
    with pytest.raises(exc.ArgumentError, match="nope"):
        Table("t", MetaData(), Column("a", Integer), UniqueConstraint("nope"))


def test_to_metadata_copies_table() -> None:
    md = MetaData()
    Table("p", md, Column("id", Integer, primary_key=True))
    t = Table("t", md, Column("id", Integer, primary_key=True), Column("p_id", ForeignKey("p.id")))
    md2 = MetaData()
    Table("p", md2, Column("id", Integer, primary_key=True))
    t2 = t.to_metadata(md2)
    assert t2 is not t
    assert md2.tables["t"] is t2
    assert t2.c.id.primary_key
    (fk,) = t2.c.p_id.foreign_keys
    assert fk.column is md2.tables["p"].c.id


def test_metadata_remove_and_clear() -> None:
    md = MetaData()
    t = Table("t", md, Column("id", Integer))
    md.remove(t)
    assert "t" not in md
    Table("u", md, Column("id", Integer))
    md.clear()
    assert md.tables == {}


def test_table_columns_select_and_dml_shortcuts() -> None:
    t = Table("t", MetaData(), Column("id", Integer, primary_key=True))
    assert " ".join(str(t.select()).split()) == "SELECT t.id FROM t"
    assert str(t.insert()) == "INSERT INTO t (id) VALUES (:id)"
    assert str(t.delete()) == "DELETE FROM t"
    assert str(select(t.c.id.label("x"))).startswith("SELECT t.id AS x")


@pytest.mark.parametrize(
    "module",
    [
        "accord.sql",
        "accord.sql.schema",
        "accord.sql.types",
        "accord.sql.elements",
        "accord.sql.expressions",
        "accord.sql.selectable",
        "accord.sql.fromclause",
        "accord.sql.dml",
        "accord.sql.functions",
        "accord.sql.compiler",
        "accord.sql.ddl",
        "accord.sql.visitors",
        "accord.sql.compound",
        "accord.sql.textual",
        "accord.sql.constraints",
        "accord.sql.defaults",
        "accord.sql.type_api",
        "accord.sql.preparer",
        "accord.sql.strdialect",
        "accord.sql.coercions",
        "accord.sql.operators",
        "accord.sql.cache_key",
        "accord.sql.crud",
        "accord.sql.ddl_compiler",
        "accord.util",
        "accord.dialects.sqlite.base",
        "accord.dialects.sqlite.dml",
    ],
)
def test_all_is_sorted_and_resolvable(module: str) -> None:
    mod = importlib.import_module(module)
    names = list(mod.__all__)
    assert names == sorted(names)
    for name in names:
        assert hasattr(mod, name), name


def test_public_names_have_docstrings() -> None:
    import accord.sql as sql

    missing = [
        n
        for n in sql.__all__
        if callable(getattr(sql, n)) and not (getattr(sql, n).__doc__ or "").strip()
    ]
    assert missing == []


def test_untyped_foreign_key_column_takes_target_type_early() -> None:
    from accord.sql import Uuid, insert

    md = MetaData()
    child = Table("child", md, Column("owner", ForeignKey("owner.key")))
    assert child.c.owner.type.__class__.__name__ == "NullType"
    Table("owner", md, Column("key", Uuid, primary_key=True))
    assert isinstance(child.c.owner.type, Uuid)
    compiled = insert(child).compile(column_keys=["owner"])
    assert isinstance(compiled.binds["owner"].type, Uuid)
    later = Table("later", md, Column("ref", ForeignKey("owner.key")))
    assert isinstance(later.c.ref.type, Uuid)

"""Relationship workloads: parents with children inserted through cascade, loaded back with
selectinload, on embedded sqlite (issue 4's must-show: 1,000 parents x 10 children)."""

from __future__ import annotations

import sqlite3
from functools import partial
from types import SimpleNamespace
from typing import Any

from workloads_core import Workload

PARENTS = 1_000
CHILDREN = 10  # per parent
BATCH = 500  # parent keys per IN list, as the ORMs send them

_DDL = (
    "CREATE TABLE parent (id INTEGER PRIMARY KEY, name VARCHAR(50))",
    "CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent(id), "
    "name VARCHAR(50), qty INTEGER)",
)

# -- raw sqlite3: the same work by hand --------------------------------------------------------


def raw_setup(_n: int) -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:")
    for ddl in _DDL:
        conn.execute(ddl)
    return conn


def raw_run(conn: sqlite3.Connection) -> None:
    parents = [(i, f"parent {i}") for i in range(1, PARENTS + 1)]
    children = [(p, f"child {p}.{k}", k) for p in range(1, PARENTS + 1) for k in range(CHILDREN)]
    conn.executemany("INSERT INTO parent (id, name) VALUES (?, ?)", parents)
    conn.executemany("INSERT INTO child (parent_id, name, qty) VALUES (?, ?, ?)", children)
    conn.commit()
    rows = conn.execute("SELECT id, name FROM parent").fetchall()
    ids = [r[0] for r in rows]
    by_parent: dict[int, list[tuple[Any, ...]]] = {i: [] for i in ids}
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        marks = ", ".join("?" * len(chunk))
        for row in conn.execute(
            f"SELECT id, parent_id, name, qty FROM child WHERE parent_id IN ({marks})", chunk
        ):
            by_parent[row[1]].append(row)
    assert sum(len(v) for v in by_parent.values()) == PARENTS * CHILDREN


# -- accord and SQLAlchemy: one body, the library's names passed in ---------------------------


def _api(lib: str) -> SimpleNamespace:
    if lib == "accord":
        from accord import engine, orm, sql

        return SimpleNamespace(
            create_engine=engine.create_engine,
            DeclarativeBase=orm.DeclarativeBase,
            mapped_column=orm.mapped_column,
            relationship=orm.relationship,
            selectinload=orm.selectinload,
            Session=orm.Session,
            Integer=sql.Integer,
            String=sql.String,
            ForeignKey=sql.ForeignKey,
            select=sql.select,
        )
    import sqlalchemy as sa
    from sqlalchemy import orm as sa_orm

    return SimpleNamespace(
        create_engine=sa.create_engine,
        DeclarativeBase=sa_orm.DeclarativeBase,
        mapped_column=sa_orm.mapped_column,
        relationship=sa_orm.relationship,
        selectinload=sa_orm.selectinload,
        Session=sa_orm.Session,
        Integer=sa.Integer,
        String=sa.String,
        ForeignKey=sa.ForeignKey,
        select=sa.select,
    )


def orm_setup(lib: str, _n: int) -> tuple[Any, ...]:
    api = _api(lib)

    class Base(api.DeclarativeBase):
        pass

    class Parent(Base):
        __tablename__ = "parent"

        id = api.mapped_column(api.Integer, primary_key=True)
        name = api.mapped_column(api.String(50))
        children = api.relationship("Child", back_populates="parent")

    class Child(Base):
        __tablename__ = "child"

        id = api.mapped_column(api.Integer, primary_key=True)
        parent_id = api.mapped_column(api.Integer, api.ForeignKey("parent.id"))
        name = api.mapped_column(api.String(50))
        qty = api.mapped_column(api.Integer)
        parent = api.relationship("Parent", back_populates="children")

    engine = api.create_engine("sqlite://")
    Base.metadata.create_all(engine)
    return api, engine, Parent, Child


def orm_run(fixture: tuple[Any, ...]) -> None:
    api, engine, parent_cls, child_cls = fixture
    with api.Session(engine) as session:
        for p in range(1, PARENTS + 1):
            parent = parent_cls(name=f"parent {p}")
            parent.children = [child_cls(name=f"child {p}.{k}", qty=k) for k in range(CHILDREN)]
            session.add(parent)  # the children follow through the save-update cascade
        session.commit()
    with api.Session(engine) as session:
        stmt = api.select(parent_cls).options(api.selectinload(parent_cls.children))
        loaded = session.scalars(stmt).all()
        assert sum(len(p.children) for p in loaded) == PARENTS * CHILDREN


def raw_load_setup(n: int) -> sqlite3.Connection:
    conn = raw_setup(n)
    _fill(conn)
    return conn


def _fill(conn: Any) -> None:
    parents = [(i, f"parent {i}") for i in range(1, PARENTS + 1)]
    children = [(p, f"child {p}.{k}", k) for p in range(1, PARENTS + 1) for k in range(CHILDREN)]
    conn.executemany("INSERT INTO parent (id, name) VALUES (?, ?)", parents)
    conn.executemany("INSERT INTO child (parent_id, name, qty) VALUES (?, ?, ?)", children)
    conn.commit()


def raw_load_run(conn: sqlite3.Connection) -> None:
    rows = conn.execute("SELECT id, name FROM parent").fetchall()
    ids = [r[0] for r in rows]
    by_parent: dict[int, list[tuple[Any, ...]]] = {i: [] for i in ids}
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        marks = ", ".join("?" * len(chunk))
        for row in conn.execute(
            f"SELECT id, parent_id, name, qty FROM child WHERE parent_id IN ({marks})", chunk
        ):
            by_parent[row[1]].append(row)
    assert sum(len(v) for v in by_parent.values()) == PARENTS * CHILDREN


def orm_load_setup(lib: str, n: int) -> tuple[Any, ...]:
    fixture = orm_setup(lib, n)
    raw = fixture[1].raw_connection()
    try:
        _fill(raw)
    finally:
        raw.close()
    return fixture


def orm_load_run(fixture: tuple[Any, ...]) -> None:
    api, engine, parent_cls, _child_cls = fixture
    with api.Session(engine) as session:
        stmt = api.select(parent_cls).options(api.selectinload(parent_cls.children))
        loaded = session.scalars(stmt).all()
        assert sum(len(p.children) for p in loaded) == PARENTS * CHILDREN


WORKLOADS: list[Workload] = [
    Workload(
        "orm_cascade_selectin_1000x10",
        raw_setup,
        raw_run,
        partial(orm_setup, "accord"),
        orm_run,
        partial(orm_setup, "sqlalchemy"),
        orm_run,
    ),
    Workload(
        "orm_selectin_load_1000x10",
        raw_load_setup,
        raw_load_run,
        partial(orm_load_setup, "accord"),
        orm_load_run,
        partial(orm_load_setup, "sqlalchemy"),
        orm_load_run,
    ),
]

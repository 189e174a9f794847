"""ORM workloads: flushing and loading many objects, identity-map get(), on embedded sqlite."""

from __future__ import annotations

import sqlite3
from typing import Any

from workloads_core import DDL, Workload, _raw_db, _rows

GETS = 10_000

# -- raw sqlite3 -----------------------------------------------------------------------------


def _rows_with_ids(n: int) -> list[dict[str, Any]]:
    return [{"id": i + 1, **r} for i, r in enumerate(_rows(n))]


def raw_flush_setup(n: int) -> tuple[sqlite3.Connection, list[dict[str, Any]]]:
    conn = sqlite3.connect(":memory:", isolation_level=None)
    conn.execute(DDL)
    return conn, _rows_with_ids(n)


def raw_flush_run(fixture: tuple[sqlite3.Connection, list[dict[str, Any]]]) -> None:
    conn, rows = fixture
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO item (id, name, qty, price) VALUES (:id, :name, :qty, :price)", rows
    )
    conn.execute("COMMIT")


def raw_flush_auto_setup(n: int) -> tuple[sqlite3.Connection, list[dict[str, Any]]]:
    conn = sqlite3.connect(":memory:", isolation_level=None)
    conn.execute(DDL)
    return conn, _rows(n)


def raw_flush_auto_run(fixture: tuple[sqlite3.Connection, list[dict[str, Any]]]) -> None:
    # the same rows, with their generated keys read back one by one (what the ORM needs)
    conn, rows = fixture
    conn.execute("BEGIN")
    ids = []
    for r in rows:
        cur = conn.execute("INSERT INTO item (name, qty, price) VALUES (:name, :qty, :price)", r)
        ids.append(cur.lastrowid)
    conn.execute("COMMIT")


def raw_load_run(conn: sqlite3.Connection) -> None:
    rows = conn.execute("SELECT item.id, item.name, item.qty, item.price FROM item").fetchall()
    for row in rows:
        row[1]


def raw_get_setup(n: int) -> sqlite3.Connection:
    return _raw_db(GETS, filled=True)


def raw_get_run(conn: sqlite3.Connection) -> None:
    # what the identity map saves: one primary-key SELECT per lookup
    for i in range(1, GETS + 1):
        conn.execute("SELECT id, name, qty, price FROM item WHERE id = ?", (i,)).fetchone()


# -- accord ----------------------------------------------------------------------------------


def _accord_model() -> tuple[Any, Any]:
    from accord.engine import create_engine
    from accord.orm import DeclarativeBase, mapped_column
    from accord.sql import Float, Integer, String

    class Base(DeclarativeBase):
        pass

    class Item(Base):
        __tablename__ = "item"

        id = mapped_column(Integer, primary_key=True)
        name = mapped_column(String(50))
        qty = mapped_column(Integer)
        price = mapped_column(Float)

    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    return engine, Item


def accord_flush_setup(n: int, ids: bool = True) -> tuple[Any, list[Any]]:
    engine, item = _accord_model()
    rows = _rows_with_ids(n) if ids else _rows(n)
    return engine, [item(**r) for r in rows]


def accord_flush_run(fixture: tuple[Any, list[Any]]) -> None:
    from accord.orm import Session

    engine, objects = fixture
    with Session(engine) as session:
        session.add_all(objects)
        session.commit()


def accord_load_setup(n: int) -> tuple[Any, Any]:
    from accord.sql import insert

    engine, item = _accord_model()
    with engine.begin() as conn:
        conn.execute(insert(item.__table__), _rows(n))
    return engine, item


def accord_load_run(fixture: tuple[Any, Any]) -> None:
    from accord.orm import Session
    from accord.sql import select

    engine, item = fixture
    with Session(engine) as session:
        for obj in session.scalars(select(item)).all():
            _ = obj.name


def accord_get_setup(n: int) -> tuple[Any, Any, list[Any]]:
    from accord.orm import Session
    from accord.sql import select

    engine, item = accord_load_setup(GETS)
    session = Session(engine)
    held = session.scalars(select(item)).all()  # loaded once; get() finds them in the map
    return session, item, held


def accord_get_run(fixture: tuple[Any, Any, list[Any]]) -> None:
    session, item, _held = fixture
    get = session.get
    for i in range(1, GETS + 1):
        get(item, i)


# -- SQLAlchemy (optional) -------------------------------------------------------------------


def _sa_model() -> tuple[Any, Any]:
    from sqlalchemy import Float, Integer, String
    from sqlalchemy.orm import DeclarativeBase, mapped_column

    class Base(DeclarativeBase):
        pass

    class Item(Base):
        __tablename__ = "item"

        id = mapped_column(Integer, primary_key=True)
        name = mapped_column(String(50))
        qty = mapped_column(Integer)
        price = mapped_column(Float)

    from sqlalchemy import create_engine

    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    return engine, Item


def sa_flush_setup(n: int, ids: bool = True) -> tuple[Any, list[Any]]:
    engine, item = _sa_model()
    rows = _rows_with_ids(n) if ids else _rows(n)
    return engine, [item(**r) for r in rows]


def sa_flush_run(fixture: tuple[Any, list[Any]]) -> None:
    from sqlalchemy.orm import Session

    engine, objects = fixture
    with Session(engine) as session:
        session.add_all(objects)
        session.commit()


def sa_load_setup(n: int) -> tuple[Any, Any]:
    import sqlalchemy as sa

    engine, item = _sa_model()
    with engine.begin() as conn:
        conn.execute(sa.insert(item.__table__), _rows(n))
    return engine, item


def sa_load_run(fixture: tuple[Any, Any]) -> None:
    import sqlalchemy as sa
    from sqlalchemy.orm import Session

    engine, item = fixture
    with Session(engine) as session:
        for obj in session.scalars(sa.select(item)).all():
            _ = obj.name


def sa_get_setup(n: int) -> tuple[Any, Any, list[Any]]:
    import sqlalchemy as sa
    from sqlalchemy.orm import Session

    engine, item = sa_load_setup(GETS)
    session = Session(engine)
    held = session.scalars(sa.select(item)).all()
    return session, item, held


def sa_get_run(fixture: tuple[Any, Any, list[Any]]) -> None:
    session, item, _held = fixture
    get = session.get
    for i in range(1, GETS + 1):
        get(item, i)


WORKLOADS: list[Workload] = [
    Workload(
        "orm_flush_objects",
        raw_flush_setup,
        raw_flush_run,
        accord_flush_setup,
        accord_flush_run,
        sa_flush_setup,
        sa_flush_run,
        goal=2.0,
    ),
    Workload(
        "orm_flush_objects_db_keys",
        raw_flush_auto_setup,
        raw_flush_auto_run,
        lambda n: accord_flush_setup(n, ids=False),
        accord_flush_run,
        lambda n: sa_flush_setup(n, ids=False),
        sa_flush_run,
    ),
    Workload(
        "orm_load_objects",
        lambda n: _raw_db(n, filled=True),
        raw_load_run,
        accord_load_setup,
        accord_load_run,
        sa_load_setup,
        sa_load_run,
        goal=2.5,
    ),
    Workload(
        "orm_get_identity_map_10k",
        raw_get_setup,
        raw_get_run,
        accord_get_setup,
        accord_get_run,
        sa_get_setup,
        sa_get_run,
    ),
]

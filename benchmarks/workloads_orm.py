"""ORM workloads: flushing and loading many objects, identity-map get(), on embedded sqlite."""

from __future__ import annotations

import sqlite3
from functools import partial
from types import SimpleNamespace
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


# -- accord and SQLAlchemy: one workload body, run against either library -------------------
# accord follows SQLAlchemy's public names, so the same code drives both and the
# comparison cannot drift apart.


def _api(lib: str) -> SimpleNamespace:
    """The names a workload uses, from ``accord`` or from ``sqlalchemy``."""
    if lib == "accord":
        from accord import engine, orm, sql

        return SimpleNamespace(
            create_engine=engine.create_engine,
            DeclarativeBase=orm.DeclarativeBase,
            mapped_column=orm.mapped_column,
            Session=orm.Session,
            Integer=sql.Integer,
            String=sql.String,
            Float=sql.Float,
            select=sql.select,
            insert=sql.insert,
        )
    import sqlalchemy as sa
    from sqlalchemy import orm as sa_orm

    return SimpleNamespace(
        create_engine=sa.create_engine,
        DeclarativeBase=sa_orm.DeclarativeBase,
        mapped_column=sa_orm.mapped_column,
        Session=sa_orm.Session,
        Integer=sa.Integer,
        String=sa.String,
        Float=sa.Float,
        select=sa.select,
        insert=sa.insert,
    )


def _model(api: SimpleNamespace) -> tuple[Any, Any]:
    class Base(api.DeclarativeBase):
        pass

    class Item(Base):
        __tablename__ = "item"

        id = api.mapped_column(api.Integer, primary_key=True)
        name = api.mapped_column(api.String(50))
        qty = api.mapped_column(api.Integer)
        price = api.mapped_column(api.Float)

    engine = api.create_engine("sqlite://")
    Base.metadata.create_all(engine)
    return engine, Item


def flush_setup(lib: str, n: int, ids: bool = True) -> tuple[Any, Any, list[Any]]:
    api = _api(lib)
    engine, item = _model(api)
    rows = _rows_with_ids(n) if ids else _rows(n)
    return api, engine, [item(**r) for r in rows]


def flush_run(fixture: tuple[Any, Any, list[Any]]) -> None:
    api, engine, objects = fixture
    with api.Session(engine) as session:
        session.add_all(objects)
        session.commit()


def load_setup(lib: str, n: int) -> tuple[Any, Any, Any]:
    api = _api(lib)
    engine, item = _model(api)
    with engine.begin() as conn:
        conn.execute(api.insert(item.__table__), _rows(n))
    return api, engine, item


def load_run(fixture: tuple[Any, Any, Any]) -> None:
    api, engine, item = fixture
    with api.Session(engine) as session:
        for obj in session.scalars(api.select(item)).all():
            _ = obj.name


def get_setup(lib: str, n: int) -> tuple[Any, Any, list[Any]]:
    api, engine, item = load_setup(lib, GETS)
    session = api.Session(engine)
    held = session.scalars(api.select(item)).all()  # loaded once; get() finds them in the map
    return session, item, held


def get_run(fixture: tuple[Any, Any, list[Any]]) -> None:
    session, item, _held = fixture
    get = session.get
    for i in range(1, GETS + 1):
        get(item, i)


# -- request-sized work: a fresh Session per unit, as a web request does ----------------------

REQUESTS = 2_000


def raw_request_setup(n: int) -> sqlite3.Connection:
    return _raw_db(1_000, filled=True)


def raw_request_run(conn: sqlite3.Connection) -> None:
    # per request: read one row by key, change it, insert one row, each in a transaction
    for i in range(REQUESTS):
        key = i % 1_000 + 1
        conn.execute("BEGIN")
        name, qty = conn.execute("SELECT name, qty FROM item WHERE id = ?", (key,)).fetchone()
        conn.execute("UPDATE item SET qty = ? WHERE id = ?", (qty + 1, key))
        conn.execute(
            "INSERT INTO item (name, qty, price) VALUES (?, ?, ?)", (name + " copy", 1, 1.0)
        )
        conn.execute("COMMIT")


def request_setup(lib: str, n: int) -> tuple[Any, Any, Any]:
    return load_setup(lib, 1_000)


def request_run(fixture: tuple[Any, Any, Any]) -> None:
    api, engine, item = fixture
    for i in range(REQUESTS):
        with api.Session(engine) as session:
            obj = session.get(item, i % 1_000 + 1)
            obj.qty += 1
            session.add(item(name=obj.name + " copy", qty=1, price=1.0))
            session.commit()


WORKLOADS: list[Workload] = [
    Workload(
        "orm_flush_objects",
        raw_flush_setup,
        raw_flush_run,
        partial(flush_setup, "accord"),
        flush_run,
        partial(flush_setup, "sqlalchemy"),
        flush_run,
        goal=2.0,
    ),
    Workload(
        "orm_flush_objects_db_keys",
        raw_flush_auto_setup,
        raw_flush_auto_run,
        partial(flush_setup, "accord", ids=False),
        flush_run,
        partial(flush_setup, "sqlalchemy", ids=False),
        flush_run,
    ),
    Workload(
        "orm_load_objects",
        lambda n: _raw_db(n, filled=True),
        raw_load_run,
        partial(load_setup, "accord"),
        load_run,
        partial(load_setup, "sqlalchemy"),
        load_run,
        goal=2.5,
    ),
    Workload(
        "orm_get_identity_map_10k",
        raw_get_setup,
        raw_get_run,
        partial(get_setup, "accord"),
        get_run,
        partial(get_setup, "sqlalchemy"),
        get_run,
    ),
    Workload(
        "orm_requests_2k",
        raw_request_setup,
        raw_request_run,
        partial(request_setup, "accord"),
        request_run,
        partial(request_setup, "sqlalchemy"),
        request_run,
    ),
]

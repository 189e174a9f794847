"""A tour of accord on embedded sqlite: SQL layer, engine, Session, transactions, sharding.

Run it with ``scripts/demo``: each chapter prints what one part of accord does.
"""

from __future__ import annotations

import datetime as dt
import decimal
import logging
import sqlite3
import tempfile
import uuid
from pathlib import Path

from accord import exc
from accord.dialects.sqlite import insert as sqlite_insert
from accord.engine import create_engine, make_url
from accord.event import listen, listens_for, remove
from accord.inspection import inspect
from accord.orm import (
    DeclarativeBase,
    Mapped,
    ORMExecuteState,
    Session,
    joinedload,
    mapped_column,
    relationship,
    selectinload,
    with_loader_criteria,
)
from accord.sharding import HashChooser, ShardedSession
from accord.sql import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Uuid,
    and_,
    func,
    insert,
    select,
    text,
    update,
)


class Base(DeclarativeBase):
    """The declarative base of the tour's mapped classes."""


class Person(Base):
    """A mapped class: one row of ``person`` per object."""

    __tablename__ = "person"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str]
    email: Mapped[str | None]


class Author(Base):
    """One side of a one-to-many: an author's books are a list."""

    __tablename__ = "author"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str]
    books: Mapped[list[Book]] = relationship(
        back_populates="author", cascade="all, delete-orphan", order_by="Book.id"
    )


class Book(Base):
    """The many-to-one side: ``book.author`` is one object."""

    __tablename__ = "book"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str]
    author_id: Mapped[int | None] = mapped_column(ForeignKey("author.id"))
    author: Mapped[Author | None] = relationship(back_populates="books")


def chapter(title: str) -> None:
    """Print a chapter heading."""
    print(f"\n== {title} " + "=" * max(0, 70 - len(title)))


def main() -> None:
    """Walk through schema, statements, the engine, transactions and errors."""
    chapter("1. URLs never show passwords")
    url = make_url("postgresql+psycopg://scott:tiger@db.example.com:5432/shop")
    print("str(url): ", url)
    print("repr(url):", repr(url))

    chapter("2. Schema")
    metadata = MetaData()
    customer = Table(
        "customer",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("name", String(50), nullable=False),
        Column("vip", Boolean, default=False),
        Column("since", Date),
        Column("token", Uuid, default=uuid.uuid4),
    )
    order = Table(
        "order",  # a reserved word: quoted wherever it is rendered
        metadata,
        Column("id", Integer, primary_key=True),
        Column("customer_id", ForeignKey("customer.id", ondelete="CASCADE"), nullable=False),
        Column("total", Numeric(10, 2)),
        Column("placed_at", DateTime, server_default=func.current_timestamp()),
        Column("details", JSON),
    )
    engine = create_engine("sqlite://")
    logging.basicConfig(format="   sql| %(message)s")
    metadata.create_all(engine)  # customer before "order": foreign-key order
    print("tables created in order:", [t.name for t in metadata.sorted_tables])

    chapter("3. Statements compile to SQL with bound parameters")
    stmt = (
        select(customer.c.name, func.count(order.c.id).label("orders"))
        .join(order, order.c.customer_id == customer.c.id)
        .where(and_(customer.c.vip.is_(True), order.c.total > decimal.Decimal("10")))
        .group_by(customer.c.name)
        .order_by(customer.c.name)
    )
    print(stmt.compile(dialect=engine.dialect))

    chapter("4. Executing: executemany, RETURNING, typed values")
    with engine.begin() as conn:
        conn.execute(
            insert(customer),
            [
                {"name": "Ada", "vip": True, "since": dt.date(2020, 1, 5)},
                {"name": "Grace", "vip": False, "since": dt.date(2021, 7, 1)},
            ],
        )
        result = conn.execute(
            insert(order).returning(order.c.id, order.c.placed_at),
            {"customer_id": 1, "total": decimal.Decimal("19.99"), "details": {"gift": True}},
        )
        new_id, placed_at = result.one()
        print(f"new order id={new_id}, placed_at is a {type(placed_at).__name__}")
        conn.execute(
            insert(order), {"customer_id": 2, "total": decimal.Decimal("5.00"), "details": []}
        )
    with engine.connect() as conn:
        for row in conn.execute(select(customer).order_by(customer.c.id)):
            print(f"  {row.id} {row.name:<6} vip={row.vip!s:<5} since={row.since!r}")
        print("  grouped:", conn.execute(stmt).all())
        print("  total as", type(conn.scalar(select(order.c.total).limit(1))).__name__)

    chapter("5. Upsert (sqlite ON CONFLICT)")
    with engine.begin() as conn:
        upsert = sqlite_insert(customer).values(id=1, name="Ada Lovelace")
        upsert = upsert.on_conflict_do_update(
            index_elements=[customer.c.id], set_={"name": upsert.excluded.name}
        )
        conn.execute(upsert)
        print(
            "  customer 1 is now:", conn.scalar(select(customer.c.name).where(customer.c.id == 1))
        )

    chapter("6. SAVEPOINT: roll back the inner part, keep the outer")
    with engine.connect() as conn:
        conn.execute(update(customer).where(customer.c.id == 2).values(vip=True))
        savepoint = conn.begin_nested()
        conn.execute(insert(customer).values(name="Temporary"))
        savepoint.rollback()
        conn.commit()
        names = conn.execute(select(customer.c.name).order_by(customer.c.id)).scalars().all()
        print("  customers:", names)

    chapter("7. Errors say what went wrong")
    try:
        with engine.begin() as conn:
            conn.execute(insert(order).values(customer_id=999, total=1))
    except exc.IntegrityError as err:
        print("  IntegrityError:", str(err.orig))
    try:
        create_engine("mssql://scott:tiger@localhost/db")
    except exc.NoSuchModuleError as err:
        print("  NoSuchModuleError:", err)
    with engine.connect() as conn:
        print("  raw text():", conn.execute(text("select :x + 1"), {"x": 41}).scalar())

    chapter("8. The Session: an object through its five states")
    orm_engine = create_engine("sqlite://")
    Base.metadata.create_all(orm_engine)
    ada = Person(name="Ada")
    print("  new object:", inspect(ada).status.name)
    with Session(orm_engine) as session:
        session.add(ada)
        print("  after add():", inspect(ada).status.name, "- session.new:", len(session.new))
        session.flush()
        print("  after flush():", inspect(ada).status.name, "- id", ada.id)
        session.commit()
        print("  after commit(): expired", sorted(inspect(ada).expired_attributes))
        ada.email = "ada@example.com"
        print("  changed:", inspect(ada).attrs.email.history.added, "dirty:", len(session.dirty))
        found = session.scalars(select(Person).where(Person.name == "Ada")).one()
        print("  query returns the same object:", found is ada, "(autoflushed first)")
        print("  get() from the identity map:", session.get(Person, ada.id) is ada)
        session.delete(ada)
        session.flush()
        print("  after delete() + flush():", inspect(ada).status.name)
        session.commit()
        print("  after commit():", inspect(ada).status.name)
    try:
        with Session(orm_engine) as session:
            session.add_all([Person(id=1, name="x"), Person(id=1, name="y")])
            session.flush()
    except exc.FlushError as err:
        print("  FlushError:", str(err).split(" conflicts")[0], "conflicts ...")

    chapter("9. Relationships: foreign keys, backrefs, lazy loads, cascades")
    dune = Book(title="Dune")
    herbert = Author(name="Herbert", books=[dune])
    print("  back_populates keeps both sides in step:", dune.author is herbert)
    with Session(orm_engine) as session:
        session.add(herbert)  # save-update cascade: the book comes along
        print("  pending after add():", sorted(type(o).__name__ for o in session.new))
        session.commit()
        with orm_engine.connect() as conn:
            row = conn.execute(select(Book.__table__)).one()
            print("  book row written with the author's new key:", tuple(row))
        statements: list[str] = []
        listen(orm_engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
        titles = [b.title for b in herbert.books]  # expired by commit: reloaded, then lazy
        print("  lazy load:", titles, "-", len(statements), "SELECTs (author row, books)")
        statements.clear()
        same = dune.author is herbert  # a many-to-one on a key the identity map holds
        print("  book.author from the identity map:", same, "-", len(statements), "SELECTs")
        try:
            dune.author = Person(name="not an author")  # type: ignore[assignment]
        except exc.InvalidRequestError as err:
            print("  InvalidRequestError:", err)
        herbert.books.append(Book(title="Children of Dune"))
        herbert.books.remove(dune)  # delete-orphan: the book is deleted at flush
        session.commit()
        with orm_engine.connect() as conn:
            print("  books now:", conn.execute(select(Book.title)).scalars().all())

    chapter("10. Loading: eager strategies, column options, global criteria")
    with Session(orm_engine) as session:
        session.add_all(
            [Author(name=f"author {i}", books=[Book(title=f"b{i}.{k}") for k in range(3)])
             for i in range(4)]
        )  # fmt: skip
        session.commit()
    sent: list[str] = []
    listen(orm_engine, "before_cursor_execute", lambda *args: sent.append(args[2]))
    with Session(orm_engine) as session:
        authors = session.scalars(select(Author).options(selectinload(Author.books))).all()
        total = sum(len(a.books) for a in authors)
        print(f"  selectinload: {len(authors)} authors, {total} books in {len(sent)} SELECTs")
    with Session(orm_engine) as session:
        sent.clear()
        stmt = select(Author).options(joinedload(Author.books).load_only(Book.title))
        authors = session.scalars(stmt).unique().all()  # joined collections need unique()
        print(f"  joinedload: {len(authors)} authors in {len(sent)} SELECT (LEFT OUTER JOIN)")
        print("  load_only(Book.title) left out:", sorted(inspect(authors[0].books[0]).unloaded))
        with_many = select(Author.name).where(Author.books.any(Book.title.like("b1.%")))
        print("  Author.books.any(...):", session.scalars(with_many).all())

    @listens_for(Session, "do_orm_execute")
    def only_some(state: ORMExecuteState) -> None:
        if state.is_select and not state.is_column_load and not state.is_relationship_load:
            hide = with_loader_criteria(Book, lambda cls: cls.title.not_like("b2.%"))
            state.statement = state.statement.options(hide)

    with Session(orm_engine) as session:
        titles = session.scalars(select(Book.title).order_by(Book.id)).all()
        print("  do_orm_execute + with_loader_criteria hides b2.*:", titles[-6:])
    remove(Session, "do_orm_execute", only_some)

    chapter("11. Session transactions: a SAVEPOINT undoes exactly its own objects")
    events: list[str] = []
    recorders = {
        name: (lambda *args, name=name: events.append(name))
        for name in ("after_begin", "after_commit", "after_rollback", "after_soft_rollback")
    }
    for name, recorder in recorders.items():
        listen(Session, name, recorder)
    with Session(orm_engine) as session:
        kept = Person(name="kept")
        session.add(kept)
        savepoint = session.begin_nested()  # flushes "kept", then SAVEPOINT
        print("  nested:", savepoint.nested, "- origin:", savepoint.origin.name)
        undone = Person(name="undone")
        session.add(undone)
        kept.name = "kept, renamed inside"
        session.flush()
        savepoint.rollback()  # ROLLBACK TO SAVEPOINT
        print("  inside the SAVEPOINT: new object now", inspect(undone).status.name)
        print("  changed object expired, reloads as:", repr(kept.name))
        session.commit()
    with orm_engine.connect() as conn:
        names = conn.execute(select(Person.name).where(Person.name.like("kept%")))
        print("  committed:", names.scalars().all())
    print("  transaction events:", events)
    for name, recorder in recorders.items():
        remove(Session, name, recorder)

    chapter("12. Sharding: one Session over several databases (accord-sharding)")
    sharding_tour()


def sharding_tour() -> None:
    """Rows of one table spread over two sqlite files by a hash of their key."""
    with tempfile.TemporaryDirectory() as folder:
        paths = {sid: Path(folder) / f"{sid}.sqlite" for sid in ("east", "west")}
        engines = {sid: create_engine(f"sqlite:///{path}") for sid, path in paths.items()}
        for engine in engines.values():
            Base.metadata.create_all(engine)
        chooser = HashChooser(list(engines), key="id")
        session = ShardedSession(shards=engines, chooser=chooser)
        session.add_all([Person(id=i, name=f"person {i}") for i in range(1, 9)])
        session.commit()
        for sid, path in paths.items():
            with sqlite3.connect(path) as raw:  # each file holds only its own rows
                ids = [r[0] for r in raw.execute("SELECT id FROM person ORDER BY id")]
            print(f"  rows on {sid}: {ids}")
        top = session.scalars(select(Person).order_by(Person.id.desc()).limit(3)).all()
        print("  ORDER BY id DESC LIMIT 3 across both shards:", [p.id for p in top])
        person = session.get(Person, 5)
        print("  get(Person, 5) found it on:", inspect(person).identity_token)
        session.close()
        for engine in engines.values():
            engine.dispose()


if __name__ == "__main__":
    main()

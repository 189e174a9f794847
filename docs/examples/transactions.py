"""Transactions tour (docs/transactions.md): savepoints, events, binds, two-phase, joining."""

from __future__ import annotations

from pathlib import Path

from accord import exc
from accord.engine import create_engine
from accord.event import listen
from accord.inspection import inspect
from accord.orm import DeclarativeBase, Mapped, Session, mapped_column
from accord.sql import select


class Base(DeclarativeBase):
    pass


class Item(Base):
    __tablename__ = "item"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(unique=True)


class Audit(Base):
    __tablename__ = "audit"

    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str]


def main() -> None:
    main_db = create_engine(f"sqlite:///{Path('main.db').resolve()}")
    audit_db = create_engine(f"sqlite:///{Path('audit.db').resolve()}")
    for engine in (main_db, audit_db):
        Base.metadata.create_all(engine)

    # 1. a SAVEPOINT rollback undoes only what changed inside it
    with Session(main_db) as s:
        s.add_all([Item(id=1, name="kept"), Item(id=2, name="changed")])
        s.commit()
        kept, changed = s.scalars(select(Item).order_by(Item.id)).all()
        savepoint = s.begin_nested()
        changed.name = "oops"
        new = Item(id=3, name="new")
        s.add(new)
        s.flush()
        savepoint.rollback()
        print("1. new object:", "transient" if inspect(new).transient else "?")
        print("   untouched object still loaded:", "name" in kept.__dict__)
        print("   changed object reloads:", changed.name)
        s.commit()

    # 2. skipping a duplicate without losing the transaction
    with Session(main_db) as s, s.begin():
        for i, name in [(4, "fresh"), (5, "kept"), (6, "also fresh")]:
            try:
                with s.begin_nested():
                    s.add(Item(id=i, name=name))
            except exc.IntegrityError:
                print(f"2. skipped duplicate {name!r}")
    with Session(main_db) as s:
        print("   names:", s.scalars(select(Item.name).order_by(Item.id)).all())

    # 3. transaction events, in order
    log: list[str] = []
    s = Session(main_db)
    for name in ("after_transaction_create", "after_begin", "before_commit", "after_commit"):
        listen(s, name, lambda *a, name=name: log.append(name))
    with s.begin():
        s.add(Item(id=7, name="seven"))
    s.close()
    print("3. events:", ", ".join(log))

    # 4. one Session, two databases, one commit
    with Session(binds={Item: main_db, Audit: audit_db}) as s:
        s.add_all([Item(id=8, name="eight"), Audit(id=1, text="added eight")])
        s.commit()
    with audit_db.connect() as conn:
        print("4. audit rows in audit.db:", conn.execute(select(Audit.text)).scalars().all())

    # 5. two-phase commit needs a backend that has it: refused before any write
    with Session(main_db, twophase=True) as s:
        s.add(Item(id=9, name="nine"))
        try:
            s.commit()
        except exc.InvalidRequestError as err:
            print("5.", str(err).split(";")[0])
        s.rollback()

    # 6. the test-suite recipe: a Session joined to an outer transaction that is rolled back
    connection = main_db.connect()
    outer = connection.begin()
    s = Session(bind=connection, join_transaction_mode="create_savepoint")
    s.add(Item(id=10, name="ten"))
    s.commit()  # releases the Session's SAVEPOINT; the outer transaction goes on
    s.add(Item(id=10, name="ten again"))
    try:
        s.commit()
    except exc.IntegrityError:
        s.rollback()  # back to the Session's SAVEPOINT: "ten" is still there
    print(
        "6. inside the outer transaction:", s.scalars(select(Item.id).where(Item.id >= 10)).all()
    )
    s.close()
    outer.rollback()
    connection.close()
    with Session(main_db) as s:
        print(
            "   after the outer rollback:", s.scalars(select(Item.id).where(Item.id >= 10)).all()
        )

    for engine in (main_db, audit_db):
        engine.dispose()


if __name__ == "__main__":
    main()

"""S2 relationships on every backend: foreign keys written by flush, lazy loads, many-to-many,
self-referential trees, post_update cycles, write-only collections."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from accord import exc
from accord.event import listen
from accord.inspection import inspect
from accord.orm import DeclarativeBase, Mapped, Session, backref, mapped_column, relationship
from accord.sql import Column, ForeignKey, Integer, String, Table, func, select

if TYPE_CHECKING:
    from accord.engine import Engine


class _Models:
    """A fresh declarative base per test, so every test creates its own tables."""

    def __init__(self, engine: Engine) -> None:
        class Base(DeclarativeBase):
            pass

        class Author(Base):
            __tablename__ = "s02_author"

            id: Mapped[int] = mapped_column(primary_key=True)
            name: Mapped[str] = mapped_column(String(40))
            books: Mapped[list[Book]] = relationship(back_populates="author", order_by="Book.id")
            genres: Mapped[set[Genre]] = relationship(secondary="s02_author_genre")
            journal: Mapped[list[Entry]] = relationship(lazy="write_only")

        class Book(Base):
            __tablename__ = "s02_book"

            id: Mapped[int] = mapped_column(primary_key=True)
            title: Mapped[str] = mapped_column(String(40))
            author_id: Mapped[int | None] = mapped_column(ForeignKey("s02_author.id"))
            author: Mapped[Author | None] = relationship(back_populates="books")

        class Genre(Base):
            __tablename__ = "s02_genre"

            id: Mapped[int] = mapped_column(primary_key=True)
            name: Mapped[str] = mapped_column(String(40))

        Table(
            "s02_author_genre",
            Base.metadata,
            Column("author_id", Integer, ForeignKey("s02_author.id"), primary_key=True),
            Column("genre_id", Integer, ForeignKey("s02_genre.id"), primary_key=True),
        )

        class Entry(Base):
            __tablename__ = "s02_entry"

            id: Mapped[int] = mapped_column(primary_key=True)
            text: Mapped[str] = mapped_column(String(40))
            author_id: Mapped[int | None] = mapped_column(ForeignKey("s02_author.id"))

        class Category(Base):
            __tablename__ = "s02_category"

            id: Mapped[int] = mapped_column(primary_key=True)
            name: Mapped[str] = mapped_column(String(40))
            parent_id: Mapped[int | None] = mapped_column(ForeignKey("s02_category.id"))
            children: Mapped[list[Category]] = relationship(
                cascade="all, delete-orphan",
                order_by="Category.id",
                backref=backref("parent", remote_side=lambda: Category.id),
            )

        class Team(Base):
            __tablename__ = "s02_team"

            id: Mapped[int] = mapped_column(primary_key=True)
            captain_id: Mapped[int | None] = mapped_column(
                ForeignKey("s02_player.id", use_alter=True, name="s02_fk_captain")
            )
            players: Mapped[list[Player]] = relationship(
                primaryjoin="Team.id == Player.team_id", back_populates="team"
            )
            captain: Mapped[Player | None] = relationship(
                primaryjoin="Team.captain_id == Player.id", post_update=True
            )

        class Player(Base):
            __tablename__ = "s02_player"

            id: Mapped[int] = mapped_column(primary_key=True)
            team_id: Mapped[int | None] = mapped_column(ForeignKey("s02_team.id"))
            team: Mapped[Team | None] = relationship(
                primaryjoin="Team.id == Player.team_id", back_populates="players"
            )

        self.Base = Base
        self.Author, self.Book, self.Genre, self.Entry = Author, Book, Genre, Entry
        self.Category, self.Team, self.Player = Category, Team, Player
        self.author_genre = Base.metadata.tables["s02_author_genre"]
        Base.metadata.create_all(engine)


@pytest.fixture
def m(accord_engine: Engine) -> _Models:
    """The mapped classes, their tables created on the backend."""
    return _Models(accord_engine)


def _rows(engine: Engine, table: Any) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(table).order_by(*table.primary_key))]


def test_one_to_many_and_many_to_one_write_foreign_keys(accord_engine: Engine, m: _Models) -> None:
    with Session(accord_engine) as s:
        a = m.Author(name="Le Guin", books=[m.Book(title="Lathe"), m.Book(title="Dispossessed")])
        s.add(a)
        s.add(m.Book(title="Earthsea", author=a))
        s.commit()
        aid = a.id
    books = _rows(accord_engine, m.Book.__table__)
    assert [(b[1], b[2]) for b in books] == [
        ("Lathe", aid),
        ("Dispossessed", aid),
        ("Earthsea", aid),
    ]


def test_lazy_loads_and_identity_map_many_to_one(accord_engine: Engine, m: _Models) -> None:
    with Session(accord_engine) as s:
        s.add(m.Author(name="Herbert", books=[m.Book(title="Dune"), m.Book(title="Children")]))
        s.commit()
    with Session(accord_engine) as s:
        author = s.scalars(select(m.Author)).one()
        assert [b.title for b in author.books] == ["Dune", "Children"]
        seen: list[str] = []
        listen(accord_engine, "before_cursor_execute", lambda *a: seen.append(a[2]))
        assert all(b.author is author for b in author.books)
        assert seen == []


def test_de_association_and_parent_delete_null_foreign_keys(
    accord_engine: Engine, m: _Models
) -> None:
    with Session(accord_engine) as s:
        a = m.Author(name="A", books=[m.Book(title="x"), m.Book(title="y")])
        s.add(a)
        s.commit()
        a.books.pop(0)
        s.commit()
        assert [b[2] for b in _rows(accord_engine, m.Book.__table__)] == [None, a.id]
        s.delete(a)
        s.commit()
    assert [b[2] for b in _rows(accord_engine, m.Book.__table__)] == [None, None]
    assert _rows(accord_engine, m.Author.__table__) == []


def test_many_to_many_rows(accord_engine: Engine, m: _Models) -> None:
    with Session(accord_engine) as s:
        sf, fan, poe = m.Genre(name="sf"), m.Genre(name="fantasy"), m.Genre(name="poetry")
        a = m.Author(name="A", genres={sf, fan})
        s.add_all([a, poe])
        s.commit()
        assert len(_rows(accord_engine, m.author_genre)) == 2
        a.genres.discard(sf)
        a.genres.add(poe)
        s.commit()
        assert {g.name for g in a.genres} == {"fantasy", "poetry"}
        ids = sorted((a.id, g.id) for g in a.genres)
        assert _rows(accord_engine, m.author_genre) == ids
        s.delete(a)
        s.commit()
    assert _rows(accord_engine, m.author_genre) == []
    assert len(_rows(accord_engine, m.Genre.__table__)) == 3


def test_self_referential_tree(accord_engine: Engine, m: _Models) -> None:
    with Session(accord_engine) as s:
        root = m.Category(name="root")
        child = m.Category(name="child", parent=root)
        m.Category(name="leaf", parent=child)
        s.add(root)
        s.commit()
        rows = {r[1]: r for r in _rows(accord_engine, m.Category.__table__)}
        assert rows["child"][2] == rows["root"][0]
        assert rows["leaf"][2] == rows["child"][0]
        assert [c.name for c in root.children[0].children] == ["leaf"]
        s.delete(root)
        s.commit()
    assert _rows(accord_engine, m.Category.__table__) == []


def test_post_update_cycle(accord_engine: Engine, m: _Models) -> None:
    with Session(accord_engine) as s:
        team = m.Team()
        captain = m.Player(team=team)
        team.captain = captain
        s.add(team)
        s.commit()
        tid, pid = team.id, captain.id
        assert _rows(accord_engine, m.Team.__table__) == [(tid, pid)]
        assert _rows(accord_engine, m.Player.__table__) == [(pid, tid)]
        s.delete(captain)
        s.delete(team)
        s.commit()
    assert _rows(accord_engine, m.Team.__table__) == []


def test_write_only_collection(accord_engine: Engine, m: _Models) -> None:
    with Session(accord_engine) as s:
        a = m.Author(name="A")
        a.journal.add_all([m.Entry(text="one"), m.Entry(text="two")])
        s.add(a)
        s.commit()
        assert [e.text for e in s.scalars(a.journal.select().order_by(m.Entry.id))] == [
            "one",
            "two",
        ]
        aid = a.id
    assert [r[2] for r in _rows(accord_engine, m.Entry.__table__)] == [aid, aid]


def test_failed_flush_with_related_rows_leaves_nothing(accord_engine: Engine, m: _Models) -> None:
    with Session(accord_engine) as s:
        s.add(m.Book(id=1, title="taken"))
        s.commit()
        author = m.Author(name="new", books=[m.Book(title="fine"), m.Book(id=1, title="dup")])
        s.add(author)
        with pytest.raises(exc.IntegrityError):
            s.commit()
        s.rollback()
        assert inspect(author).transient
        assert all(inspect(b).transient for b in author.books)
    assert _rows(accord_engine, m.Author.__table__) == []
    assert [b[1] for b in _rows(accord_engine, m.Book.__table__)] == ["taken"]


class _More:
    """One-to-one, two foreign key paths to one table, ordered and set collections,
    viewonly, key-only rows, lazy='raise' / 'noload' (tables of their own)."""

    def __init__(self, engine: Engine) -> None:
        class Base(DeclarativeBase):
            pass

        class Place(Base):
            __tablename__ = "s02x_place"

            id: Mapped[int] = mapped_column(primary_key=True)
            name: Mapped[str] = mapped_column(String(20))

        class Trip(Base):
            __tablename__ = "s02x_trip"

            id: Mapped[int] = mapped_column(primary_key=True)
            origin_id: Mapped[int | None] = mapped_column(ForeignKey("s02x_place.id"))
            dest_id: Mapped[int | None] = mapped_column(ForeignKey("s02x_place.id"))
            origin: Mapped[Place | None] = relationship(foreign_keys=[origin_id])
            dest: Mapped[Place | None] = relationship(foreign_keys="Trip.dest_id")
            ticket = relationship(
                "Ticket", uselist=False, cascade="all, delete-orphan", back_populates="trip"
            )
            stops = relationship(
                "Stop",
                order_by=lambda: [Stop.day.desc(), Stop.name],
                cascade="all, delete-orphan",
            )
            stop_set = relationship("Stop", collection_class=set, viewonly=True)
            stamps: Mapped[list[Stamp]] = relationship(
                secondary="s02x_trip_stamp", order_by="Stamp.id"
            )
            secret: Mapped[list[Stop]] = relationship(lazy="raise", viewonly=True)
            quiet: Mapped[list[Stop]] = relationship(lazy="noload", viewonly=True)

        class Ticket(Base):
            __tablename__ = "s02x_ticket"

            id: Mapped[int] = mapped_column(primary_key=True)
            code: Mapped[str] = mapped_column(String(20))
            trip_id: Mapped[int | None] = mapped_column(ForeignKey("s02x_trip.id"))
            trip = relationship(Trip, back_populates="ticket")

        class Stop(Base):
            __tablename__ = "s02x_stop"

            id: Mapped[int] = mapped_column(primary_key=True)
            name: Mapped[str] = mapped_column(String(20))
            day: Mapped[int]
            trip_id: Mapped[int | None] = mapped_column(ForeignKey("s02x_trip.id"))

        class Stamp(Base):
            """Nothing but a database-generated key."""

            __tablename__ = "s02x_stamp"

            id: Mapped[int] = mapped_column(primary_key=True)

        Table(
            "s02x_trip_stamp",
            Base.metadata,
            Column("trip_id", Integer, ForeignKey("s02x_trip.id"), primary_key=True),
            Column("stamp_id", Integer, ForeignKey("s02x_stamp.id"), primary_key=True),
        )
        self.Place, self.Trip, self.Ticket, self.Stop, self.Stamp = (
            Place,
            Trip,
            Ticket,
            Stop,
            Stamp,
        )
        self.trip_stamp = Base.metadata.tables["s02x_trip_stamp"]
        Base.metadata.create_all(engine)


@pytest.fixture
def more(accord_engine: Engine) -> _More:
    """The models of `_More`, their tables created on the backend."""
    return _More(accord_engine)


def test_one_to_one_replacement_deletes_the_orphan(accord_engine: Engine, more: _More) -> None:
    with Session(accord_engine) as s:
        trip = more.Trip(ticket=more.Ticket(code="first"))
        s.add(trip)
        s.commit()
        assert more.Trip.ticket.property.uselist is False
        old = trip.ticket
        trip.ticket = more.Ticket(code="second")
        assert old.trip is None
        s.commit()
        assert inspect(old).was_deleted
        tid = trip.id
    assert [r[1:] for r in _rows(accord_engine, more.Ticket.__table__)] == [("second", tid)]
    with Session(accord_engine) as s:
        assert s.get(more.Trip, tid).ticket.code == "second"


def test_foreign_keys_choose_the_column_per_relationship(
    accord_engine: Engine, more: _More
) -> None:
    with Session(accord_engine) as s:
        s.add(more.Trip(origin=more.Place(name="here"), dest=more.Place(name="there")))
        s.commit()
    trip_row = _rows(accord_engine, more.Trip.__table__)[0]
    places = {r[0]: r[1] for r in _rows(accord_engine, more.Place.__table__)}
    assert (places[trip_row[1]], places[trip_row[2]]) == ("here", "there")
    with Session(accord_engine) as s:
        trip = s.scalars(select(more.Trip)).one()
        assert (trip.origin.name, trip.dest.name) == ("here", "there")
        trip.origin = trip.dest
        s.commit()
    trip_row = _rows(accord_engine, more.Trip.__table__)[0]
    assert places[trip_row[1]] == places[trip_row[2]] == "there"


def test_order_by_and_set_collections_in_every_loader(accord_engine: Engine, more: _More) -> None:
    from accord.orm import joinedload, selectinload

    Trip, Stop = more.Trip, more.Stop
    with Session(accord_engine) as s:
        s.add(
            Trip(
                stops=[
                    Stop(name="b", day=1),
                    Stop(name="a", day=1),
                    Stop(name="c", day=2),
                ]
            )
        )
        s.commit()
    for option in (None, selectinload, joinedload):
        with Session(accord_engine) as s:
            stmt = select(Trip)
            if option is not None:
                stmt = stmt.options(option(Trip.stops), option(Trip.stop_set))
            trip = s.scalars(stmt).unique().one()
            assert [x.name for x in trip.stops] == ["c", "a", "b"], option
            assert isinstance(trip.stop_set, set)
            assert {x.name for x in trip.stop_set} == {"a", "b", "c"}
            assert trip.stop_set == set(trip.stops)  # one object per row


def test_viewonly_and_lazy_raise_and_noload(accord_engine: Engine, more: _More) -> None:
    with Session(accord_engine) as s:
        trip = more.Trip(stops=[more.Stop(name="a", day=1)])
        s.add(trip)
        s.commit()
        extra = more.Stop(name="x", day=9)
        trip.stop_set.add(extra)  # viewonly: no cascade, no foreign key written
        assert extra not in s
        s.add(extra)
        s.commit()
        with pytest.raises(exc.InvalidRequestError, match=r"Trip\.secret.*lazy='raise'"):
            trip.secret  # noqa: B018
        assert trip.quiet == []
    assert sorted(r[3] is None for r in _rows(accord_engine, more.Stop.__table__)) == [
        False,
        True,
    ]


def test_many_rows_of_a_key_only_table_and_association_rows(
    accord_engine: Engine, more: _More
) -> None:
    with Session(accord_engine) as s:
        trip = more.Trip(stamps=[more.Stamp() for _ in range(3)])
        s.add_all([trip, more.Stamp(), more.Stamp()])
        s.commit()
        ids = sorted(x.id for x in trip.stamps)
        tid = trip.id
    assert len(_rows(accord_engine, more.Stamp.__table__)) == 5
    assert _rows(accord_engine, more.trip_stamp) == [(tid, i) for i in ids]


def test_identity_map_answers_backref_and_primaryjoin_many_to_ones(
    accord_engine: Engine, m: _Models
) -> None:
    with Session(accord_engine) as s:
        root = m.Category(name="root", children=[m.Category(name="kid")])
        team = m.Team(players=[m.Player()])
        s.add_all([root, team])
        s.commit()
    with Session(accord_engine) as s:
        root, kid = s.scalars(select(m.Category).order_by(m.Category.id)).all()
        team = s.scalars(select(m.Team)).one()
        player = s.scalars(select(m.Player)).one()
        seen: list[str] = []
        listen(accord_engine, "before_cursor_execute", lambda *a: seen.append(a[2]))
        assert kid.parent is root  # backref=backref("parent", remote_side=...)
        assert player.team is team  # primaryjoin="Team.id == Player.team_id"
        assert seen == []


def test_thousand_parents_by_cascade_then_selectinload_in_bounded_statements(
    accord_engine: Engine, m: _Models
) -> None:
    from accord.orm import selectinload

    seen: list[str] = []
    listen(accord_engine, "before_cursor_execute", lambda *a: seen.append(a[2]))
    with Session(accord_engine) as s:
        s.add_all(
            [
                m.Author(name=f"a{i}", books=[m.Book(title=f"b{i}.{k}") for k in range(10)])
                for i in range(1000)
            ]
        )
        s.commit()
    inserts = [st for st in seen if st.lstrip().upper().startswith("INSERT")]
    # batched, not one per row: multi-row VALUES pages (sqlite shows an engine listener its
    # 100-bind named pages), executemany with RETURNING (PostgreSQL), or multi-row pages
    assert 2 <= len(inserts) <= 11_000 // 40
    with accord_engine.connect() as conn:
        per_author = conn.execute(
            select(m.Book.author_id, func.count())
            .group_by(m.Book.author_id)
            .order_by(m.Book.author_id)
        ).all()
    assert len(per_author) == 1000
    assert {n for _a, n in per_author} == {10}
    with Session(accord_engine) as s:
        seen.clear()
        authors = s.scalars(select(m.Author).options(selectinload(m.Author.books))).all()
        assert len(authors) == 1000
        assert len(seen) == 3  # the authors, then two IN lists of 500 keys
        assert sum(len(a.books) for a in authors) == 10_000
        assert all(b.author is a for a in authors for b in a.books)
        assert len(seen) == 3


def test_has_contains_and_comparisons_along_relationships(
    accord_engine: Engine, m: _Models
) -> None:
    with Session(accord_engine) as s:
        sf, poetry = m.Genre(name="sf"), m.Genre(name="poetry")
        le_guin = m.Author(name="Le Guin", books=[m.Book(title="Lathe")], genres={sf, poetry})
        herbert = m.Author(name="Herbert", books=[m.Book(title="Dune")], genres={sf})
        s.add_all([le_guin, herbert, m.Book(title="Anonymous")])
        s.commit()
        lathe = le_guin.books[0]

        def titles(crit: Any) -> list[str]:
            return list(s.scalars(select(m.Book.title).where(crit).order_by(m.Book.title)))

        def names(crit: Any) -> list[str]:
            return list(s.scalars(select(m.Author.name).where(crit).order_by(m.Author.name)))

        assert titles(m.Book.author.has(m.Author.name == "Herbert")) == ["Dune"]
        assert titles(m.Book.author == le_guin) == ["Lathe"]
        assert titles(m.Book.author != le_guin) == ["Anonymous", "Dune"]  # NULL included
        assert titles(m.Book.author == None) == ["Anonymous"]  # noqa: E711
        assert names(m.Author.books.contains(lathe)) == ["Le Guin"]
        assert names(m.Author.genres.contains(poetry)) == ["Le Guin"]
        assert names(m.Author.genres.any(m.Genre.name == "sf")) == ["Herbert", "Le Guin"]
        assert names(~m.Author.books.any()) == []
        joined = s.scalars(
            select(m.Author.name)
            .join(m.Author.genres)
            .where(m.Genre.name == "poetry")
            .order_by(m.Author.name)
        ).all()
        assert joined == ["Le Guin"]
        with pytest.raises(exc.InvalidRequestError, match=r"use contains\(\)"):
            select(m.Author).where(m.Author.books == lathe)

"""query_property(): ``Thing.query`` is a legacy Query in the scoped session's current Session."""

from __future__ import annotations

import threading
from typing import Any, ClassVar

import pytest

from accord.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker
from accord.scoping import QueryPropertyDescriptor, query_property, scoped_session

Scoped: scoped_session[Session] = scoped_session(sessionmaker())


class Base(DeclarativeBase):
    query: ClassVar[Any] = Scoped.query_property()


class Thing(Base):
    __tablename__ = "thing"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str]


@pytest.fixture(autouse=True)
def bound(engine: Any) -> Any:
    Base.metadata.create_all(engine)
    Scoped.configure(bind=engine)
    yield
    Scoped.remove()


def test_query_property_filters_through_the_current_session() -> None:
    Scoped.add_all([Thing(name="x"), Thing(name="y")])
    Scoped.commit()
    found = Thing.query.filter_by(name="x").all()
    assert [t.name for t in found] == ["x"]
    assert found[0] in Scoped()
    assert Thing.query.session is Scoped()
    assert Thing.query.count() == 2


def test_query_property_sees_pending_objects_through_autoflush() -> None:
    Scoped.add(Thing(name="pending"))
    assert Thing.query.filter_by(name="pending").one().name == "pending"


def test_query_property_on_an_instance_and_in_another_thread() -> None:
    thing = Thing(name="z")
    Scoped.add(thing)
    Scoped.commit()
    assert thing.query.get(thing.id) is thing
    seen: list[Any] = []

    def other_thread() -> None:
        seen.append(Thing.query.session)
        Scoped.remove()

    t = threading.Thread(target=other_thread)
    t.start()
    t.join()
    assert seen[0] is not Scoped()


def test_query_property_with_a_query_class() -> None:
    made: list[tuple[Any, Any]] = []

    class MyQuery:
        def __init__(self, entities: Any, session: Any) -> None:
            made.append((entities, session))

    class Other(Base):
        __tablename__ = "other"
        id: Mapped[int] = mapped_column(primary_key=True)
        q: ClassVar[Any] = Scoped.query_property(MyQuery)
        fn_q: ClassVar[Any] = query_property(Scoped)

    assert isinstance(Other.q, MyQuery)
    assert made == [((Other,), Scoped())]
    assert Other.fn_q.session is Scoped()
    assert isinstance(Other.__dict__["q"], QueryPropertyDescriptor)

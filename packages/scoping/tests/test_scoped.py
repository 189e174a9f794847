"""scoped_session: one Session per thread or task, __call__, remove(), configure(), events."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from accord import exc
from accord.event import listen
from accord.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker
from accord.scoping import ContextVarRegistry, ScopedRegistry, ThreadLocalRegistry, scoped_session
from accord.sql import select, text


class Base(DeclarativeBase):
    pass


class Thing(Base):
    __tablename__ = "thing"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str]


@pytest.fixture
def scoped(engine: Any) -> Any:
    Base.metadata.create_all(engine)
    s: scoped_session[Session] = scoped_session(sessionmaker(engine))
    yield s
    s.remove()


def test_default_registry_is_thread_local(scoped: Any) -> None:
    assert isinstance(scoped.registry, ThreadLocalRegistry)
    assert scoped() is scoped()
    assert isinstance(scoped(), Session)


def test_isolation_across_16_threads(scoped: Any) -> None:
    barrier = threading.Barrier(16)

    def request(i: int) -> tuple[int, list[str], bool, bool]:
        thing = Thing(name=f"t{i}")
        scoped.add(thing)  # pending in this thread's Session only
        barrier.wait()  # every thread has added its object before any looks
        names = [t.name for t in scoped.new]
        mine = thing in scoped
        session = scoped()
        barrier.wait()  # every Session is still alive: hash keys are not reused
        key = session.hash_key
        scoped.remove()
        return key, names, mine, thing in session

    with ThreadPoolExecutor(16) as pool:
        results = list(pool.map(request, range(16)))
    assert len({key for key, _, _, _ in results}) == 16
    for i, (_, names, mine, after_remove) in enumerate(results):
        assert names == [f"t{i}"]
        assert mine
        assert not after_remove  # remove() closed it: the pending object was expunged
    assert scoped.new == []  # the main thread's Session saw none of them


def test_isolation_across_100_asyncio_tasks(engine: Any) -> None:
    Base.metadata.create_all(engine)
    scoped: scoped_session[Session] = scoped_session(
        sessionmaker(engine), registry=ContextVarRegistry
    )

    async def request(i: int) -> tuple[int, list[str], int]:
        session = scoped()
        scoped.add(Thing(name=f"t{i}"))
        await asyncio.sleep(0)  # the other 99 tasks add theirs meanwhile
        names = [t.name for t in scoped.new]
        assert scoped() is session
        key = session.hash_key
        await asyncio.sleep(0)
        scoped.remove()
        return key, names, len(session.new)

    async def main() -> list[tuple[int, list[str], int]]:
        return await asyncio.gather(*(request(i) for i in range(100)))

    results = asyncio.run(main())
    assert len({key for key, _, _ in results}) == 100
    assert [names for _, names, _ in results] == [[f"t{i}"] for i in range(100)]
    assert all(left == 0 for _, _, left in results)
    assert engine.pool.checkedout() == 0


def test_custom_scopefunc(engine: Any) -> None:
    current = ["request-1"]
    scoped: scoped_session[Session] = scoped_session(
        sessionmaker(engine), scopefunc=lambda: current[0]
    )
    assert type(scoped.registry) is ScopedRegistry
    first = scoped()
    current[0] = "request-2"
    second = scoped()
    assert first is not second
    current[0] = "request-1"
    assert scoped() is first
    scoped.remove()
    assert scoped() is not first
    assert set(scoped.registry.registry) == {"request-1", "request-2"}


def test_registry_instance_or_class_and_not_with_scopefunc(engine: Any) -> None:
    factory = sessionmaker(engine)
    reg: ContextVarRegistry[Session] = ContextVarRegistry(factory)
    assert scoped_session(factory, registry=reg).registry is reg
    assert isinstance(
        scoped_session(factory, registry=ContextVarRegistry).registry, ContextVarRegistry
    )
    with pytest.raises(exc.ArgumentError, match="not both"):
        scoped_session(factory, scopefunc=lambda: 1, registry=reg)


def test_remove_closes_and_returns_the_connection(scoped: Any, engine: Any) -> None:
    session = scoped()
    scoped.add(Thing(name="x"))
    scoped.flush()  # the Session now holds a connection in a transaction
    assert engine.pool.checkedout() == 1
    scoped.remove()
    assert engine.pool.checkedout() == 0
    assert not scoped.registry.has()
    assert not session.in_transaction()
    assert scoped() is not session
    assert scoped.execute(select(Thing)).all() == []  # the flush was rolled back
    scoped.remove()
    scoped.remove()  # nothing to remove: no error, no Session made
    assert not scoped.registry.has()


def test_call_with_arguments_makes_the_session_once(scoped: Any) -> None:
    session = scoped(autoflush=False, info={"request": 1})
    assert session.autoflush is False
    assert scoped.info == {"request": 1}
    assert scoped() is session
    with pytest.raises(exc.InvalidRequestError, match="already present"):
        scoped(autoflush=True)
    scoped.remove()
    assert scoped().autoflush is True


def test_configure_changes_later_sessions_and_warns_if_one_exists(scoped: Any) -> None:
    scoped.configure(expire_on_commit=False)
    assert scoped().expire_on_commit is False
    with pytest.warns(UserWarning, match="already present"):
        scoped.configure(expire_on_commit=True)
    assert scoped().expire_on_commit is False  # the existing Session is unchanged
    scoped.remove()
    assert scoped().expire_on_commit is True


def test_configure_needs_a_sessionmaker(engine: Any) -> None:
    scoped: scoped_session[Session] = scoped_session(lambda **kw: Session(engine, **kw))
    with pytest.raises(exc.InvalidRequestError, match="sessionmaker"):
        scoped.configure(autoflush=False)


def test_proxied_attributes_read_and_write_the_current_session(scoped: Any) -> None:
    scoped.autoflush = False
    assert scoped().autoflush is False
    assert scoped.bind is scoped().bind
    assert scoped.identity_map is scoped().identity_map
    with scoped.no_autoflush as session:
        assert session is scoped()
    thing = Thing(name="a")
    scoped.add(thing)
    assert list(scoped) == [thing]
    scoped.commit()
    assert scoped.scalar(text("select count(*) from thing")) == 1
    assert scoped.get(Thing, thing.id) is thing


def test_events_on_a_scoped_session_reach_its_factorys_sessions(engine: Any) -> None:
    Base.metadata.create_all(engine)
    scoped: scoped_session[Session] = scoped_session(sessionmaker(engine))
    other = sessionmaker(engine)
    flushed: list[Session] = []
    listen(scoped, "before_flush", lambda session, ctx, objs: flushed.append(session))
    scoped.add(Thing(name="a"))
    scoped.commit()  # (each commits: sqlite allows one writer at a time)
    with other() as unrelated:
        unrelated.add(Thing(name="b"))
        unrelated.commit()

    def in_thread() -> Session:
        scoped.add(Thing(name="c"))
        scoped.commit()
        session = scoped()
        scoped.remove()
        return session

    # a Session the factory makes for another scope (thread) gets the listener too
    with ThreadPoolExecutor(1) as pool:
        thread_session = pool.submit(in_thread).result()
    assert flushed == [scoped(), thread_session]
    scoped.remove()


def test_events_on_a_scoped_session_of_a_session_class(engine: Any) -> None:
    class MySession(Session):
        pass

    scoped: scoped_session[MySession] = scoped_session(lambda: MySession(engine))
    with pytest.raises(exc.ArgumentError, match="scoped_session"):
        listen(scoped, "before_flush", lambda *a: None)
    by_class = scoped_session(MySession)
    seen: list[Any] = []
    listen(by_class, "after_begin", lambda *a: seen.append(a[0]))
    with MySession(engine) as s:
        s.connection()
    assert len(seen) == 1

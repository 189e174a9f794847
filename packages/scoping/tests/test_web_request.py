"""The web-request pattern: a WSGI app using a scoped session, removed after each request."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs
from wsgiref.util import setup_testing_defaults

import pytest

from accord.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker
from accord.scoping import scoped_session
from accord.sql import func, select

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable


class Base(DeclarativeBase):
    pass


class Visit(Base):
    __tablename__ = "visit"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str]


def make_app(Scoped: scoped_session[Session]) -> Callable[..., Iterable[bytes]]:
    """A tiny WSGI app: records a visit; commits it only when asked to."""

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        query = parse_qs(environ["QUERY_STRING"])
        leftovers = len(Scoped.new) + len(Scoped.identity_map)  # 0 unless a Session leaked
        Scoped.add(Visit(name=query["name"][0]))
        count = Scoped.scalar(select(func.count()).select_from(Visit))  # autoflush: a connection
        if "commit" in query:
            Scoped.commit()
        if "fail" in query:
            raise RuntimeError("the view failed")
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [f"{Scoped().hash_key} {leftovers} {count}".encode()]

    return app


class RemoveSessionMiddleware:
    """Ends every request with ``Scoped.remove()``, whether the app returned or raised."""

    def __init__(self, app: Callable[..., Iterable[bytes]], Scoped: scoped_session[Any]) -> None:
        self.app = app
        self.Scoped = Scoped

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        try:
            return list(self.app(environ, start_response))
        finally:
            self.Scoped.remove()


def call(app: Callable[..., Iterable[bytes]], query: str) -> tuple[int, int, int]:
    environ: dict[str, Any] = {"QUERY_STRING": query}
    setup_testing_defaults(environ)
    body = b"".join(app(environ, lambda status, headers: None))
    key, leftovers, count = body.split()
    return int(key), int(leftovers), int(count)


@pytest.fixture
def scoped(engine: Any) -> Any:
    Base.metadata.create_all(engine)
    s: scoped_session[Session] = scoped_session(sessionmaker(engine))
    yield s
    s.remove()


def test_no_session_leaks_between_requests(scoped: Any, engine: Any) -> None:
    app = RemoveSessionMiddleware(make_app(scoped), scoped)
    keys = set()
    for i in range(40):
        query = f"name=v{i}" + ("&commit=1" if i % 2 == 0 else "")
        key, leftovers, count = call(app, query)
        keys.add(key)
        assert leftovers == 0
        # the uncommitted visits of earlier requests were rolled back by remove()
        assert count == (i + 1) // 2 + 1  # committed visits so far, plus its own
        assert engine.pool.checkedout() == 0
    assert len(keys) == 40  # a new Session for every request
    assert not scoped.registry.has()
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Visit)) == 20


def test_a_failing_request_still_returns_its_connection(scoped: Any, engine: Any) -> None:
    app = RemoveSessionMiddleware(make_app(scoped), scoped)
    with pytest.raises(RuntimeError, match="failed"):
        call(app, "name=boom&fail=1")
    assert engine.pool.checkedout() == 0
    assert call(app, "name=ok")[1:] == (0, 1)


def test_threaded_server_returns_every_connection(scoped: Any, engine: Any) -> None:
    # as a threaded WSGI server would: requests on 8 worker threads, read-only ones
    # (sqlite takes one writer at a time)
    app = RemoveSessionMiddleware(make_app(scoped), scoped)
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda i: call(app, f"name=r{i}"), range(64)))
    assert all(leftovers == 0 and count == 1 for _, leftovers, count in results)
    assert engine.pool.checkedout() == 0
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Visit)) == 0


def test_without_remove_the_session_and_its_connection_stay(scoped: Any, engine: Any) -> None:
    # the counter-example: the same app without the middleware keeps one Session around
    app = make_app(scoped)
    first = call(app, "name=a")
    second = call(app, "name=b")
    assert second[0] == first[0]
    # the first request's row is still in the Session's open transaction (its flushed,
    # unmodified object itself is held weakly, so it need not be in the identity map)
    assert second[2] == 2
    assert engine.pool.checkedout() == 1
    scoped.remove()
    assert engine.pool.checkedout() == 0

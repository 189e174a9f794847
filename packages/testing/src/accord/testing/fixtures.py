"""The accord fixtures: a backend per parameter, its engine, connections, Session, cleanup.

``accord_session`` joins a Session to ``accord_connection_in_transaction`` (an outer
transaction rolled back after each test) through SAVEPOINTs of its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pytest

from accord.engine import URL, Connection, Engine, create_engine, make_url
from accord.orm import Session
from accord.testing import containers, provision
from accord.testing.backends import BackendTarget, connect_args_for, find_backend
from accord.testing.plugin import TARGETS_KEY, required_backends
from accord.testing.requirements import capabilities_of, missing_capabilities

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

__all__ = [
    "Backend",
    "accord_backend",
    "accord_clean_tables",
    "accord_connection",
    "accord_connection_in_transaction",
    "accord_engine",
    "accord_requirements",
    "accord_session",
    "shared_temp_dir",
]


@dataclass(frozen=True)
class Backend:
    """A reachable backend as a test sees it: the worker's database and its capabilities."""

    name: str
    url: URL
    entry_url: URL
    source: str
    worker: str
    capabilities: frozenset[str] = field(default_factory=frozenset)

    def has(self, *capabilities: str) -> bool:
        """True when the backend has every one of ``capabilities``."""
        return not missing_capabilities(self.capabilities, capabilities)

    def new_xid(self) -> str:
        """A two-phase xid unique in the run that this worker's cleanup recognises."""
        return provision.new_xid(self.worker)

    def create_engine(self, **kwargs: object) -> Engine:
        """A new engine on the worker's database (``create_engine`` keywords allowed)."""
        if "connect_args" not in kwargs:
            kwargs["connect_args"] = connect_args_for(self.url.render_as_string(False))
        return create_engine(self.url, **kwargs)


def shared_temp_dir(tmp_path_factory: pytest.TempPathFactory, config: pytest.Config) -> Path:
    """The temp folder every process of the run sees (xdist workers share its parent)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if hasattr(config, "workerinput") else base


def _targets(config: pytest.Config) -> dict[str, BackendTarget]:
    return config.stash.setdefault(TARGETS_KEY, {})


@pytest.fixture(scope="session")
def accord_backend(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Backend]:
    """One reachable backend (the plugin parametrises this over ``--accord-backends``)."""
    name = getattr(request, "param", None)
    if not isinstance(name, str):
        pytest.fail("accord_backend is parametrised by the accord plugin only", pytrace=False)
    config = request.config
    shared = shared_temp_dir(tmp_path_factory, config)
    targets = _targets(config)
    if name not in targets:
        targets[name] = find_backend(name, shared)
    target = targets[name]
    if target.url is None:
        if name in required_backends(config):
            pytest.fail(f"--accord-require={name}: {target.reason}", pytrace=False)
        pytest.skip(f"{name}: {target.reason}")
    worker = provision.worker_id()
    url = provision.provision_database(target.url, tmp_path_factory.getbasetemp(), worker)
    try:
        engine = create_engine(url)
        try:
            with engine.connect() as conn:
                capabilities = capabilities_of(conn)
        finally:
            engine.dispose()
        yield Backend(name, url, make_url(target.url), target.source, worker, capabilities)
    finally:
        try:
            provision.drop_database(target.url, url, worker)
        finally:
            if target.source == "container":
                containers.release(name, shared)
                del targets[name]


@pytest.fixture(autouse=True)
def accord_requirements(request: pytest.FixtureRequest) -> None:
    """Skip a backend test whose ``requires(...)`` capabilities the backend lacks."""
    marks = list(request.node.iter_markers("requires"))
    if not marks or "accord_backend" not in request.fixturenames:
        return
    needed = [str(name) for mark in marks for name in mark.args]
    backend: Backend = request.getfixturevalue("accord_backend")
    try:
        lacking = missing_capabilities(backend.capabilities, needed)
    except ValueError as err:
        pytest.fail(str(err), pytrace=False)
    if lacking:
        pytest.skip(f"{backend.name} lacks {', '.join(lacking)}")


@pytest.fixture
def accord_engine(accord_backend: Backend) -> Iterator[Engine]:
    """An engine on the worker's database of the current backend, disposed afterwards."""
    engine = accord_backend.create_engine()
    try:
        yield engine
    finally:
        engine.dispose()


@pytest.fixture
def accord_connection(accord_engine: Engine) -> Iterator[Connection]:
    """A connection of ``accord_engine``, closed (rolling back what is open) afterwards."""
    with accord_engine.connect() as conn:
        yield conn


@pytest.fixture
def accord_connection_in_transaction(accord_engine: Engine) -> Iterator[Connection]:
    """A connection inside an outer transaction that is rolled back after the test.

    Nothing the test writes is ever committed, so no cleanup is needed; a Session bound
    to this connection (``accord_session``) will use savepoints inside it.
    """
    conn = accord_engine.connect()
    transaction = conn.begin()
    try:
        yield conn
    finally:
        if transaction.is_active:
            transaction.rollback()
        conn.close()


@pytest.fixture
def accord_session(accord_connection_in_transaction: Connection) -> Iterator[Session]:
    """A Session on ``accord_connection_in_transaction`` whose transactions are SAVEPOINTs.

    ``commit()`` releases a SAVEPOINT and ``rollback()`` (also after a failed flush)
    returns to one, so the outer transaction stays usable; it is rolled back after the
    test, taking everything the Session wrote with it.  Backends without SAVEPOINT get
    the connection as a plain bind: nothing is committed either, but ``rollback()``
    then ends the outer transaction.
    """
    conn = accord_connection_in_transaction
    mode = "create_savepoint" if conn.dialect.supports_savepoints else "rollback_only"
    session = Session(conn, join_transaction_mode=mode)
    try:
        yield session
    finally:
        session.close()


@pytest.fixture
def accord_clean_tables(accord_backend: Backend) -> Iterator[None]:
    """After the test, drop every table, view, sequence and prepared xid it left behind."""
    yield
    provision.clean_database(accord_backend.url, accord_backend.worker)

"""S11 sharding against several real databases at once: two PostgreSQL databases, MariaDB and a
sqlite file as shards of one ShardedSession; and each backend with a second database of its own."""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, Any

import pytest

from accord.engine import create_engine
from accord.event import listen
from accord.inspection import inspect
from accord.orm import DeclarativeBase, Mapped, mapped_column
from accord.sharding import CommitMode, HashChooser, LookupChooser, ShardedSession, set_shard_id
from accord.sql import String, select
from accord.testing import provision
from accord.testing.backends import backend_url, connect_args_for
from accord.testing.plugin import required_backends

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from accord.engine import Engine
    from accord.testing import Backend


class _Base(DeclarativeBase):
    pass


class Account(_Base):
    __tablename__ = "s11_account"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    region: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(40))
    balance: Mapped[int]


SHARDS = ("pg_a", "pg_b", "maria", "lite")


@pytest.fixture
def mixed(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, Engine]]:
    """Four shards: two PostgreSQL databases, one MariaDB database, one sqlite file.

    The server databases are made for this worker and run (``provision.database_name``
    with a ``_s11*`` suffix) and dropped afterwards, after rolling back any two-phase
    branch a failed test left prepared.
    """
    urls = {name: backend_url(name) for name in ("postgresql", "mysql")}
    missing = [name for name, url in urls.items() if url is None]
    if missing:
        message = f"needs {' and '.join(missing)} (ACCORD_TEST_*_URL)"
        if set(missing) & set(required_backends(request.config)):
            pytest.fail(message)
        pytest.skip(message)
    worker = provision.worker_id()
    made: list[tuple[str, Any, str]] = []
    engines: dict[str, Engine] = {}
    began: dict[str, list[str]] = {}
    try:
        for shard, backend, suffix in (
            ("pg_a", "postgresql", "s11a"),
            ("pg_b", "postgresql", "s11b"),
            ("maria", "mysql", "s11c"),
        ):
            entry = urls[backend]
            assert entry is not None
            url = provision.provision_database(entry, tmp_path, f"{worker}_{suffix}")
            made.append((entry, url, f"{worker}_{suffix}"))
            engines[shard] = create_engine(
                url, connect_args=connect_args_for(url.render_as_string(False))
            )
        engines["lite"] = create_engine(f"sqlite:///{tmp_path / 's11_lite.db'}")
        for shard, engine in engines.items():
            _Base.metadata.create_all(engine)
            began[shard] = []
            listen(engine, "begin_twophase", lambda c, xid, s=shard: began[s].append(str(xid)))
        yield engines
    finally:
        for shard, engine in engines.items():
            if engine.dialect.supports_two_phase and began.get(shard):
                with engine.connect() as conn:
                    left = [x for x in conn.recover_twophase() if str(x) in began[shard]]
                    conn.rollback()
                    for xid in left:
                        conn.rollback_prepared(xid, recover=True)
            engine.dispose()
        for entry, url, name in made:
            provision.drop_database(entry, url, name)


def _read(engine: Engine, sql: str = "select id, name from s11_account order by id") -> list[Any]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.exec_driver_sql(sql).all()]


def _session(engines: dict[str, Engine], **kw: Any) -> ShardedSession:
    chooser = LookupChooser({s: s for s in engines}, key="region")
    return ShardedSession(shards=engines, chooser=chooser, **kw)


def _seed(s: ShardedSession) -> None:
    s.add_all(
        [
            Account(id=1, region="pg_a", name="ada", balance=40),
            Account(id=1, region="pg_b", name="bob", balance=10),
            Account(id=1, region="maria", name="cyd", balance=30),
            Account(id=1, region="lite", name="dan", balance=20),
            Account(id=2, region="maria", name="eve", balance=50),
            Account(id=2, region="pg_a", name="fay", balance=0),
        ]
    )
    s.commit()


def test_rows_land_on_their_shards_and_one_key_gives_one_object_per_shard(mixed) -> None:
    with _session(mixed) as s:
        _seed(s)
        assert _read(mixed["pg_a"]) == [(1, "ada"), (2, "fay")]
        assert _read(mixed["pg_b"]) == [(1, "bob")]
        assert _read(mixed["maria"]) == [(1, "cyd"), (2, "eve")]
        assert _read(mixed["lite"]) == [(1, "dan")]
        s.close()
        found = {s.get(Account, 1, identity_token=shard) for shard in SHARDS}
        assert len(found) == 4
        assert sorted(inspect(a).key for a in found) == sorted(
            (Account, (1,), shard) for shard in SHARDS
        )
        maria = s.get(Account, 1, identity_token="maria")
        maria.name = "cyd2"
        s.commit()
        assert _read(mixed["maria"]) == [(1, "cyd2"), (2, "eve")]
        assert _read(mixed["pg_a"])[0] == (1, "ada")


def test_queries_merge_order_and_limit_across_postgresql_mariadb_and_sqlite(mixed) -> None:
    with _session(mixed) as s:
        _seed(s)
        stmt = select(Account.name).order_by(Account.balance.desc())
        assert s.scalars(stmt).all() == ["eve", "ada", "cyd", "dan", "bob", "fay"]
        assert s.scalars(stmt.limit(3).offset(1)).all() == ["ada", "cyd", "dan"]
        objs = s.scalars(select(Account).order_by(Account.balance).limit(2)).all()
        assert [(a.name, s.shard_of(a)) for a in objs] == [("fay", "pg_a"), ("bob", "pg_b")]
        narrowed = select(Account).where(Account.region.in_(["maria", "lite"]))
        assert sorted(a.name for a in s.scalars(narrowed)) == ["cyd", "dan", "eve"]
        pinned = select(Account.name).options(set_shard_id("pg_b"))
        assert s.scalars(pinned).all() == ["bob"]


def test_fan_out_runs_every_shard_at_once(mixed) -> None:
    intervals: list[tuple[int, float, float]] = []
    lock = threading.Lock()

    def slow(conn: Any, cursor: Any, statement: str, *rest: Any) -> None:
        if "s11_account" in statement and statement.lstrip().upper().startswith("SELECT"):
            start = time.monotonic()
            time.sleep(0.3)
            with lock:
                intervals.append((threading.get_ident(), start, time.monotonic()))

    with _session(mixed) as s:
        _seed(s)
        for engine in mixed.values():
            listen(engine, "before_cursor_execute", slow)
        assert len(s.scalars(select(Account)).all()) == 6
    assert len(intervals) == 4
    assert len({ident for ident, _s, _e in intervals}) == 4
    assert max(start for _i, start, _e in intervals) < min(end for _i, _s, end in intervals)


def _server_shards(mixed: dict[str, Engine]) -> dict[str, Engine]:
    return {k: v for k, v in mixed.items() if k != "lite"}


def test_two_phase_commit_across_postgresql_and_mariadb(mixed) -> None:
    servers = _server_shards(mixed)
    log: list[tuple[str, str]] = []
    for shard, engine in servers.items():
        for event in ("prepare_twophase", "commit_twophase"):
            listen(engine, event, lambda *a, e=event, n=shard: log.append((e, n)))
    with _session(servers, twophase="auto") as s:
        assert s.commit_mode is CommitMode.TWO_PHASE
        s.add_all(
            [
                Account(id=i, region=shard, name=shard, balance=i)
                for i, shard in enumerate(servers, 1)
            ]
        )
        s.commit()
    prepared = [n for e, n in log if e == "prepare_twophase"]
    committed = [n for e, n in log if e == "commit_twophase"]
    assert sorted(prepared) == sorted(servers)
    assert sorted(committed) == sorted(servers)
    assert log.index(("commit_twophase", committed[0])) > log.index(
        ("prepare_twophase", prepared[-1])
    )
    for i, shard in enumerate(servers, 1):
        assert _read(mixed[shard]) == [(i, shard)]


def test_two_phase_failed_prepare_commits_nothing_on_any_shard(mixed) -> None:
    servers = _server_shards(mixed)

    def refuse(conn: Any, xid: Any) -> None:
        raise RuntimeError("pg_b refuses to prepare")

    listen(servers["pg_b"], "prepare_twophase", refuse)
    with _session(servers, twophase=True) as s:
        accounts = [Account(id=7, region=shard, name="x", balance=1) for shard in servers]
        s.add_all(accounts)
        s.flush()
        with pytest.raises(RuntimeError, match="refuses to prepare"):
            s.commit()
        assert all(inspect(a).transient for a in accounts)
    for shard in servers:
        assert _read(mixed[shard]) == []
        with mixed[shard].connect() as conn:
            assert conn.recover_twophase() == [] or mixed[shard].dialect.name != "postgresql"
            conn.rollback()


def test_with_a_sqlite_shard_the_commit_is_ordered(mixed) -> None:
    with _session(mixed, twophase="auto") as s:
        assert s.commit_mode is CommitMode.ORDERED
        _seed(s)
    assert _read(mixed["lite"]) == [(1, "dan")]


# -- each backend: its worker database, a second database of its own, and a sqlite file --


@pytest.fixture
def own_shards(
    accord_backend: Backend, accord_engine: Engine, second_engine: Engine, tmp_path: Path
) -> Iterator[dict[str, Engine]]:
    """Three shards around one backend: two of its databases and a sqlite file."""
    lite = create_engine(f"sqlite:///{tmp_path / 's11_own.db'}")
    engines = {"one": accord_engine, "two": second_engine, "lite": lite}
    for engine in engines.values():
        _Base.metadata.create_all(engine)
    yield engines
    lite.dispose()


def test_hash_sharded_rows_round_trip_on_each_backend(own_shards) -> None:
    chooser = HashChooser(list(own_shards), key="id")
    with ShardedSession(shards=own_shards, chooser=chooser) as s:
        s.add_all(
            [Account(id=i, region="-", name=f"n{i:02d}", balance=i % 7) for i in range(1, 31)]
        )
        s.commit()
        for shard, engine in own_shards.items():
            ids = [r[0] for r in _read(engine)]
            assert ids
            assert all(chooser.shard_for_value(i) == shard for i in ids)
        s.close()
        assert s.get(Account, 17).name == "n17"
        stmt = select(Account.id).order_by(Account.balance.desc(), Account.id).limit(5)
        assert s.scalars(stmt).all() == [6, 13, 20, 27, 5]

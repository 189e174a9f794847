"""Coordinated commit across engines: the mode chosen from dialect flags, and what each does."""

from __future__ import annotations

from typing import Any

import pytest

from accord import exc
from accord.engine import create_engine
from accord.event import listen
from accord.orm import Session
from accord.sharding import CommitMode, CoordinatedSession, choose_commit_mode, commit_mode


class _TwoPhase:
    """Stands in for an engine whose dialect has two-phase commit."""

    class dialect:  # an attribute in real engines
        name = "fake"
        supports_two_phase = True


def _parent_row(engine: Any) -> None:
    # the orders table's foreign key wants its customer in the same sqlite database
    with engine.begin() as conn:
        conn.exec_driver_sql("insert into customer (id, region, name) values (1, 'x', 'x')")


def test_auto_mode_is_two_phase_only_when_every_dialect_supports_it(engines) -> None:
    sqlite = engines["eu"]
    assert choose_commit_mode([_TwoPhase(), _TwoPhase()]) is CommitMode.TWO_PHASE
    assert choose_commit_mode([_TwoPhase(), sqlite]) is CommitMode.ORDERED
    assert choose_commit_mode([sqlite], twophase=False) is CommitMode.ORDERED
    assert choose_commit_mode([_TwoPhase()], twophase=True) is CommitMode.TWO_PHASE


def test_insisting_on_two_phase_names_the_dialect_without_it(engines) -> None:
    with pytest.raises(exc.ArgumentError, match="sqlite"):
        choose_commit_mode([_TwoPhase(), engines["eu"]], twophase=True)
    with pytest.raises(exc.ArgumentError, match="True, False or 'auto'"):
        choose_commit_mode([engines["eu"]], twophase="yes")


def test_coordinated_session_states_its_mode(engines, models) -> None:
    s = CoordinatedSession(binds={models.Customer: engines["eu"], models.Order: engines["us"]})
    assert s.commit_mode is CommitMode.ORDERED
    assert commit_mode(s) is CommitMode.ORDERED
    assert not s.twophase
    assert "commit_mode=ordered" in repr(s)
    s.close()
    assert commit_mode(Session(twophase=True)) is CommitMode.TWO_PHASE


def test_ordered_commit_keeps_earlier_databases_committed_when_a_later_one_fails(
    engines, models, rows
) -> None:
    def refuse(conn: Any) -> None:
        raise RuntimeError("us refuses to commit")

    _parent_row(engines["us"])
    listen(engines["us"], "commit", refuse)
    s = CoordinatedSession(binds={models.Customer: engines["eu"], models.Order: engines["us"]})
    c = models.Customer(id=1, region="eu", name="a")
    s.add(c)
    s.flush()  # eu joins the transaction first, so it commits first
    s.add(models.Order(id=1, total=3, customer_id=1))
    with pytest.raises(RuntimeError, match="refuses"):
        s.commit()
    s.close()
    assert rows("eu", "select id from customer") == [(1,)]
    assert rows("us", "select id from orders") == []


def test_ordered_commit_commits_every_database(engines, models, rows) -> None:
    _parent_row(engines["eu"])
    order: list[str] = []
    for name in ("eu", "us"):
        listen(engines[name], "commit", lambda conn, n=name: order.append(n))
    with CoordinatedSession(
        binds={models.Customer: engines["us"], models.Order: engines["eu"]}
    ) as s:
        s.add(models.Customer(id=1, region="us", name="a"))
        s.flush()
        s.add(models.Order(id=5, total=3, customer_id=1))
        s.commit()
    assert order == ["us", "eu"]
    assert rows("us", "select id from customer") == [(1,)]
    assert rows("eu", "select id from orders") == [(5,)]


def test_sharded_session_mode_follows_its_shards(engines) -> None:
    from accord.sharding import ShardedSession

    s = ShardedSession(shards=engines, shard_chooser=lambda *a, **k: "eu", twophase="auto")
    assert s.commit_mode is CommitMode.ORDERED
    with pytest.raises(exc.ArgumentError, match="twophase=True"):
        ShardedSession(shards=engines, shard_chooser=lambda *a, **k: "eu", twophase=True)
    assert create_engine("sqlite://").dialect.supports_two_phase is False

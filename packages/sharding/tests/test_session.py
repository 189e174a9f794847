"""ShardedSession on three sqlite files: placement, identity tokens, routing, fan-out, errors."""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, Any

import pytest

from accord import exc
from accord.event import listen
from accord.inspection import inspect
from accord.orm import selectinload
from accord.sharding import HashChooser, ShardedDMLResult, ShardedSession, set_shard_id
from accord.sql import delete, desc, func, insert, nulls_last, select, text, update

if TYPE_CHECKING:
    from types import SimpleNamespace


def _seed(session: ShardedSession, models: SimpleNamespace) -> None:
    C = models.Customer
    session.add_all(
        [
            C(id=1, region="eu", name="ada", score=30),
            C(id=2, region="eu", name="bea", score=10),
            C(id=1, region="us", name="cyd", score=50),
            C(id=3, region="us", name="dan", score=20),
            C(id=4, region="asia", name="eve", score=40),
        ]
    )
    session.commit()


def test_new_objects_are_written_to_the_shard_the_chooser_names(session, models, rows) -> None:
    _seed(session, models)
    assert rows("eu", "select id, name from customer order by id") == [(1, "ada"), (2, "bea")]
    assert rows("us", "select id, name from customer order by id") == [(1, "cyd"), (3, "dan")]
    assert rows("asia", "select id, name from customer") == [(4, "eve")]


def test_same_primary_key_on_two_shards_gives_two_objects(session, models) -> None:
    _seed(session, models)
    session.close()
    eu = session.get(models.Customer, 1, identity_token="eu")
    us = session.get(models.Customer, 1, identity_token="us")
    assert eu is not us
    assert (eu.name, us.name) == ("ada", "cyd")
    assert inspect(eu).key == (models.Customer, (1,), "eu")
    assert inspect(us).key == (models.Customer, (1,), "us")
    assert inspect(eu).identity_token == "eu"
    assert session.shard_of(us) == "us"


def test_flushed_objects_get_their_shard_as_identity_token(session, models) -> None:
    c = models.Customer(id=9, region="asia", name="fay")
    session.add(c)
    session.flush()
    assert inspect(c).key == (models.Customer, (9,), "asia")
    assert session.get(models.Customer, 9, identity_token="asia") is c


def test_updates_and_deletes_go_back_to_the_objects_shard(session, models, rows) -> None:
    _seed(session, models)
    session.close()
    us = session.get(models.Customer, 1, identity_token="us")
    us.name = "cyd2"
    session.delete(session.get(models.Customer, 2, identity_token="eu"))
    session.commit()
    assert rows("us", "select name from customer where id = 1") == [("cyd2",)]
    assert rows("eu", "select id, name from customer") == [(1, "ada")]


def test_expired_attributes_load_from_the_objects_shard(session, models, engines) -> None:
    _seed(session, models)
    us = session.get(models.Customer, 1, identity_token="us")
    eu = session.get(models.Customer, 1, identity_token="eu")
    session.commit()  # expires both; sqlite files: let the writes below take their locks
    for shard, name in (("us", "changed-us"), ("eu", "changed-eu")):
        with engines[shard].begin() as conn:
            conn.exec_driver_sql(f"update customer set name = '{name}' where id = 1")
    assert us.name == "changed-us"  # the expired load asked the us database
    session.refresh(eu)
    assert eu.name == "changed-eu"


def test_get_without_token_asks_identity_chooser_shards_in_order(session, models) -> None:
    _seed(session, models)
    session.close()
    assert session.get(models.Customer, 4).name == "eve"
    assert session.get(models.Customer, 1).name == "ada"  # eu comes first in shards
    assert session.get(models.Customer, 99) is None
    assert session.get(models.Customer, 3, bind_arguments={"shard_id": "eu"}) is None


def test_get_prefers_an_object_already_in_the_identity_map(session, models, engines) -> None:
    _seed(session, models)
    session.close()
    us = session.scalars(select(models.Customer).where(models.Customer.region == "us")).all()
    statements: list[str] = []
    for engine in engines.values():
        listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    assert session.get(models.Customer, 3) in us
    assert statements == []


def test_set_shard_id_pins_a_query(session, models) -> None:
    _seed(session, models)
    stmt = select(models.Customer).options(set_shard_id("us")).order_by(models.Customer.id)
    assert [c.name for c in session.scalars(stmt)] == ["cyd", "dan"]
    opts = {"shard_id": "asia"}
    assert session.scalars(select(models.Customer), execution_options=opts).one().name == "eve"
    args = {"shard_id": "eu"}
    assert len(session.scalars(select(models.Customer), bind_arguments=args).all()) == 2


def test_query_fans_out_to_every_shard_and_tokens_say_where_rows_came_from(
    session, models
) -> None:
    _seed(session, models)
    session.close()
    found = session.scalars(select(models.Customer)).all()
    assert sorted((inspect(c).key[2], c.id) for c in found) == [
        ("asia", 4),
        ("eu", 1),
        ("eu", 2),
        ("us", 1),
        ("us", 3),
    ]


def test_where_on_the_sharding_key_narrows_the_shards(session, models, engines) -> None:
    _seed(session, models)
    used: list[str] = []
    for name, engine in engines.items():
        listen(engine, "before_cursor_execute", lambda *a, n=name: used.append(n))
    C = models.Customer
    assert {c.name for c in session.scalars(select(C).where(C.region == "us"))} == {"cyd", "dan"}
    assert used == ["us"]
    used.clear()
    session.scalars(select(C).where(C.region.in_(["asia", "eu"]), C.score > 0)).all()
    assert sorted(used) == ["asia", "eu"]


def test_order_by_is_respected_across_shards(session, models) -> None:
    _seed(session, models)
    C = models.Customer
    assert [c.name for c in session.scalars(select(C).order_by(C.score))] == [
        "bea",
        "dan",
        "ada",
        "eve",
        "cyd",
    ]
    assert session.execute(select(C.name, C.id).order_by(desc(C.id), C.name)).all() == [
        ("eve", 4),
        ("dan", 3),
        ("bea", 2),
        ("ada", 1),
        ("cyd", 1),
    ]


def test_limit_and_offset_apply_to_the_merged_order(session, models) -> None:
    _seed(session, models)
    C = models.Customer
    stmt = select(C.name).order_by(C.score.desc()).limit(2).offset(1)
    assert session.scalars(stmt).all() == ["eve", "ada"]
    assert len(session.scalars(select(C).limit(3)).all()) == 3
    assert session.scalars(select(C.name).order_by(C.name).offset(3)).all() == ["dan", "eve"]


def test_nulls_follow_the_statements_placement(session, models) -> None:
    _seed(session, models)
    session.add(models.Customer(id=7, region="us", name="nul", score=None))
    session.commit()
    C = models.Customer
    assert session.scalars(select(C.name).order_by(nulls_last(C.score)).limit(6)).all()[-1] == (
        "nul"
    )
    assert session.scalars(select(C.name).order_by(C.score).limit(1)).all() == ["nul"]


def test_distinct_drops_rows_repeated_across_shards(session, models) -> None:
    _seed(session, models)
    C = models.Customer
    assert sorted(session.scalars(select(C.id).distinct()).all()) == [1, 2, 3, 4]


def test_aggregates_and_group_by_across_shards_are_refused(session, models) -> None:
    _seed(session, models)
    C = models.Customer
    with pytest.raises(exc.InvalidRequestError, match="aggregate count"):
        session.execute(select(func.count()).select_from(C.__table__))
    with pytest.raises(exc.InvalidRequestError, match="GROUP BY"):
        session.execute(select(C.region).group_by(C.region))
    # on one shard they are plain SQL
    per_shard = select(func.count()).select_from(C.__table__).options(set_shard_id("eu"))
    assert session.scalar(per_shard) == 2


def test_shards_run_in_parallel_on_their_own_threads(session, models, engines) -> None:
    _seed(session, models)
    intervals: list[tuple[int, float, float]] = []
    lock = threading.Lock()

    def slow(conn: Any, cursor: Any, statement: str, *rest: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            start = time.monotonic()
            time.sleep(0.2)
            with lock:
                intervals.append((threading.get_ident(), start, time.monotonic()))

    for engine in engines.values():
        listen(engine, "before_cursor_execute", slow)
    assert len(session.scalars(select(models.Customer)).all()) == 5
    assert len(intervals) == 3
    assert len({ident for ident, _s, _e in intervals}) == 3
    assert threading.get_ident() not in {ident for ident, _s, _e in intervals}
    # every shard's statement was running while each other one was
    assert max(s for _i, s, _e in intervals) < min(e for _i, _s, e in intervals)


def test_relationship_loads_go_to_the_parents_shard(session, models, rows) -> None:
    C, Ord = models.Customer, models.Order
    eu = C(id=1, region="eu", name="ada")
    us = C(id=1, region="us", name="cyd")
    eu.orders.append(Ord(id=10, total=5))
    us.orders.append(Ord(id=10, total=7))
    session.add_all([eu, us])
    session.commit()
    assert rows("eu", "select id, customer_id, total from orders") == [(10, 1, 5)]
    assert rows("us", "select id, customer_id, total from orders") == [(10, 1, 7)]
    session.close()
    lazy = session.get(C, 1, identity_token="us")
    assert [o.total for o in lazy.orders] == [7]  # lazy load
    assert inspect(lazy.orders[0]).key[2] == "us"
    session.close()
    eager = session.scalars(select(C).options(selectinload(C.orders)).order_by(C.name)).all()
    assert [[o.total for o in c.orders] for c in eager] == [[5], [7]]
    assert [inspect(c.orders[0]).key[2] for c in eager] == ["eu", "us"]


def test_bulk_update_and_delete_fan_out_and_sum_rowcounts(session, models, rows) -> None:
    _seed(session, models)
    C = models.Customer
    result = session.execute(update(C).where(C.score > 15).values(score=0))
    assert isinstance(result, ShardedDMLResult)
    assert result.rowcount == 4
    assert session.execute(delete(C).where(C.region == "eu")).rowcount == 2
    session.commit()
    assert rows("eu", "select count(*) from customer") == [(0,)]
    assert rows("us", "select score from customer order by id") == [(0,), (0,)]


def test_insert_needs_one_shard(session, models, rows) -> None:
    C = models.Customer
    with pytest.raises(exc.InvalidRequestError, match="single shard"):
        session.execute(insert(C).values(id=5, region="eu", name="x"))
    session.execute(
        insert(C).values(id=5, region="eu", name="x"), bind_arguments={"shard_id": "asia"}
    )
    session.commit()
    assert rows("asia", "select id from customer") == [(5,)]


def test_text_statements_run_on_every_shard(session, models) -> None:
    _seed(session, models)
    assert sorted(session.scalars(text("select name from customer")).all()) == [
        "ada",
        "bea",
        "cyd",
        "dan",
        "eve",
    ]


def test_rollback_undoes_every_shard(session, models, rows) -> None:
    session.add_all(
        [
            models.Customer(id=1, region="eu", name="a"),
            models.Customer(id=2, region="us", name="b"),
        ]
    )
    session.flush()
    session.rollback()
    assert rows("eu", "select * from customer") == []
    assert rows("us", "select * from customer") == []


def test_a_failed_shard_raises_and_the_other_shards_are_still_usable(
    session, models, engines
) -> None:
    _seed(session, models)

    def broken(conn: Any, cursor: Any, statement: str, *rest: Any) -> None:
        raise RuntimeError("asia is down")

    listen(engines["asia"], "before_cursor_execute", broken)
    with pytest.raises(Exception, match="asia is down"):
        session.scalars(select(models.Customer)).all()


def test_unknown_shard_ids_are_named(session, models, engines) -> None:
    with pytest.raises(exc.InvalidRequestError, match="Unknown shard id 'mars'"):
        session.scalars(select(models.Customer).options(set_shard_id("mars"))).all()
    with pytest.raises(exc.InvalidRequestError, match="Unknown shard id 'mars'"):
        session.get(models.Customer, 1, identity_token="mars")
    bad = ShardedSession(shards=engines, shard_chooser=lambda m, i, clause=None: "mars")
    bad.add(models.Customer(id=1, region="eu", name="x"))
    with pytest.raises(exc.InvalidRequestError, match=r"'mars' \(from shard_chooser\)"):
        bad.flush()
    bad.close()


def test_choosers_returning_nothing_are_errors(engines, models) -> None:
    none = ShardedSession(shards=engines, shard_chooser=lambda m, i, clause=None: None)
    none.add(models.Customer(id=1, region="eu", name="x"))
    with pytest.raises(exc.InvalidRequestError, match="shard_chooser returned no shard id"):
        none.flush()
    none.close()
    empty = ShardedSession(
        shards=engines, shard_chooser=lambda m, i, clause=None: "eu", execute_chooser=lambda c: []
    )
    with pytest.raises(exc.InvalidRequestError, match="execute_chooser returned no shard ids"):
        empty.execute(select(models.Customer))
    single = ShardedSession(
        shards=engines,
        shard_chooser=lambda m, i, clause=None: "eu",
        execute_chooser=lambda c: "eu",
    )
    with pytest.raises(exc.InvalidRequestError, match="must return a list of shard ids"):
        single.execute(select(models.Customer))


def test_construction_errors(engines) -> None:
    with pytest.raises(exc.ArgumentError, match="shards="):
        ShardedSession(shards={}, shard_chooser=lambda *a, **k: "eu")
    with pytest.raises(exc.ArgumentError, match="shard_chooser"):
        ShardedSession(shards=engines)
    with pytest.raises(exc.ArgumentError, match="Engine or Connection"):
        ShardedSession(shards={"a": "sqlite://"}, shard_chooser=lambda *a, **k: "a")
    with pytest.raises(exc.ArgumentError, match="bind= and binds="):
        ShardedSession(shards=engines, shard_chooser=lambda *a, **k: "eu", bind=engines["eu"])


def test_hash_chooser_places_rows_by_a_stable_hash(engines, models, rows) -> None:
    chooser = HashChooser(["eu", "us", "asia"], key="id")
    s = ShardedSession(shards=engines, chooser=chooser)
    s.add_all([models.Customer(id=i, region="-", name=str(i)) for i in range(30)])
    s.commit()
    for i in range(30):
        shard = chooser.shard_for_value(i)
        assert rows(shard, f"select name from customer where id = {i}") == [(str(i),)]
    s.close()
    # the primary key is the sharding key: get() asks exactly one shard
    assert s.get(models.Customer, 17).name == "17"
    assert s.shard_of(s.get(models.Customer, 17)) == chooser.shard_for_value(17)
    s.close()


def test_connection_by_shard_id(session, models) -> None:
    conn = session.connection(bind_arguments={"shard_id": "us"})
    conn.exec_driver_sql("insert into customer (id, region, name) values (8, 'us', 'raw')")
    assert session.get(models.Customer, 8, identity_token="us").name == "raw"


def test_repr_names_shards_and_not_urls(session) -> None:
    assert repr(session).endswith("shards=['eu', 'us', 'asia']>")

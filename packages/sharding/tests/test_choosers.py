"""Built-in choosers: stable hashing, ranges, lookup tables, WHERE narrowing, bad input."""

from __future__ import annotations

import subprocess
import sys
from types import SimpleNamespace

import pytest

from accord import exc
from accord.inspection import inspect
from accord.sharding import HashChooser, LookupChooser, RangeChooser, stable_hash
from accord.sql import and_, bindparam, or_, select


def test_stable_hash_is_the_same_in_another_process() -> None:
    code = "from accord.sharding import stable_hash; print(stable_hash('eu'), stable_hash(42))"
    out = subprocess.run(
        [sys.executable, "-c", code],
        check=True,
        capture_output=True,
        text=True,
        env={"PYTHONHASHSEED": "123"},
    ).stdout.split()
    assert out == [str(stable_hash("eu")), str(stable_hash(42))]
    assert stable_hash(1) != stable_hash("1")
    assert stable_hash((1, "a")) == stable_hash((1, "a"))


def test_stable_hash_refuses_unhashable_kinds() -> None:
    with pytest.raises(exc.ArgumentError, match="can't hash a float"):
        stable_hash(1.5)


def test_hash_chooser_spreads_keys_over_every_shard() -> None:
    chooser = HashChooser(["a", "b", "c"], key="id")
    placed = [chooser.shard_for_value(i) for i in range(300)]
    assert set(placed) == {"a", "b", "c"}
    assert all(placed.count(s) > 60 for s in "abc")
    assert placed == [
        HashChooser(["a", "b", "c"], key="id").shard_for_value(i) for i in range(300)
    ]


def test_range_chooser_maps_half_open_ranges() -> None:
    chooser = RangeChooser([(100, 200, "b"), (None, 100, "a"), (200, None, "c")], key="id")
    assert [chooser.shard_for_value(v) for v in (-5, 99, 100, 199, 200, 10**9)] == [
        "a",
        "a",
        "b",
        "b",
        "c",
        "c",
    ]
    assert chooser.all_shards() == ["a", "b", "c"]
    gap = RangeChooser([(0, 10, "a"), (20, 30, "b")], key="id")
    with pytest.raises(exc.InvalidRequestError, match=r"No shard range holds id=15"):
        gap.shard_for_value(15)
    with pytest.raises(exc.InvalidRequestError, match=r"id=-1"):
        gap.shard_for_value(-1)


def test_range_chooser_rejects_overlaps_and_empty_ranges() -> None:
    with pytest.raises(exc.ArgumentError, match="overlap"):
        RangeChooser([(0, 10, "a"), (5, 20, "b")], key="id")
    with pytest.raises(exc.ArgumentError, match="Empty range"):
        RangeChooser([(10, 10, "a")], key="id")
    with pytest.raises(exc.ArgumentError, match="at least one"):
        RangeChooser([], key="id")


def test_lookup_chooser_uses_table_then_default() -> None:
    chooser = LookupChooser({"eu": "a", "us": "b"}, key="region")
    assert chooser.shard_for_value("us") == "b"
    with pytest.raises(exc.InvalidRequestError, match="region='mars' is not in the shard"):
        chooser.shard_for_value("mars")
    assert LookupChooser({"eu": "a"}, key="region", default="z").shard_for_value("x") == "z"
    assert LookupChooser({"eu": "a"}, key="region", default="z").all_shards() == ["a", "z"]


def test_execute_chooser_reads_equality_and_in_criteria(models) -> None:
    C = models.Customer
    chooser = LookupChooser({"eu": "a", "us": "b", "asia": "c"}, key="region")

    def shards(stmt: object) -> list[str]:
        return chooser.execute_chooser(SimpleNamespace(statement=stmt, lazy_loaded_from=None))

    assert shards(select(C)) == ["a", "b", "c"]
    assert shards(select(C).where(C.region == "us")) == ["b"]
    assert shards(select(C).where(C.region.in_(["asia", "eu"]))) == ["a", "c"]
    assert shards(select(C).where(C.region.in_(bindparam("r", ["us"])))) == ["b"]
    assert shards(select(C).where(C.name == "x", C.region == "eu")) == ["a"]
    assert shards(select(C).where(or_(C.region == "eu", C.region == "us"))) == ["a", "b"]
    assert shards(select(C).where(or_(C.region == "eu", C.name == "x"))) == ["a", "b", "c"]
    assert shards(select(C).where(and_(C.region.in_(["eu", "us"]), C.region == "us"))) == ["b"]
    assert shards(select(C).where(C.region != "eu")) == ["a", "b", "c"]
    assert shards(select(C).where(C.name == "eu")) == ["a", "b", "c"]


def test_shard_chooser_reads_instances_and_getters(models) -> None:
    chooser = LookupChooser(
        {"eu": "a", "us": "b"}, key="region", getters={models.Order: lambda o: o.customer.region}
    )
    c = models.Customer(id=1, region="us", name="x")
    assert chooser.shard_chooser(inspect(models.Customer), c) == "b"
    o = models.Order(id=1, total=1, customer=c)
    assert chooser.shard_chooser(inspect(models.Order), o) == "b"
    with pytest.raises(exc.InvalidRequestError, match="sharding key 'region' is None"):
        chooser.shard_chooser(inspect(models.Customer), models.Customer(id=2, name="n"))
    stmt = select(models.Customer).where(models.Customer.region == "eu")
    assert chooser.shard_chooser(inspect(models.Customer), None, clause=stmt) == "a"
    with pytest.raises(exc.InvalidRequestError, match="Can't choose a single shard"):
        chooser.shard_chooser(inspect(models.Customer), None, clause=select(models.Customer))


def test_identity_chooser_uses_the_key_when_it_is_the_primary_key(models) -> None:
    mapper = inspect(models.Customer)
    by_id = HashChooser(["a", "b"], key="id")
    assert by_id.identity_chooser(mapper, (5,)) == [by_id.shard_for_value(5)]
    by_region = LookupChooser({"eu": "a", "us": "b"}, key="region")
    assert by_region.identity_chooser(mapper, (5,)) == ["a", "b"]


def test_chooser_argument_errors() -> None:
    with pytest.raises(exc.ArgumentError, match="attribute name"):
        HashChooser(["a"], key="")
    with pytest.raises(exc.ArgumentError, match="repeat"):
        HashChooser(["a", "a"], key="id")
    with pytest.raises(exc.ArgumentError, match="at least one"):
        HashChooser([], key="id")
    with pytest.raises(exc.ArgumentError, match="non-empty"):
        LookupChooser({}, key="id")

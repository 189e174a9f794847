"""The merge helpers: ORDER BY terms, NULL placement, LIMIT/OFFSET, parallel runs."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from accord import exc
from accord.sharding import OrderKey, limit_offset, merge_rows, order_keys, run_parallel
from accord.sql import column, desc, nulls_first, nulls_last, select


def test_order_keys_read_direction_and_null_placement() -> None:
    a, b, c = column("a"), column("b"), column("c")
    keys = order_keys([a, desc(b), nulls_first(desc(c))])
    assert [
        (k.expression is e, k.descending, k.nulls_first)
        for k, e in zip(keys, (a, b, c), strict=True)
    ] == [
        (True, False, None),
        (True, True, None),
        (True, True, True),
    ]
    assert order_keys([nulls_last(a)])[0].nulls_first is False


def test_merge_rows_merges_sorted_streams() -> None:
    keys = [OrderKey(column("x"))]
    merged = list(merge_rows([[("a", 1), ("b", 4)], [("c", 2), ("d", 3)]], keys, 1))
    assert [r[0] for r in merged] == ["a", "c", "d", "b"]
    down = [OrderKey(column("x"), descending=True)]
    merged = list(merge_rows([[("a", 4), ("b", 1)], [("c", 3)]], down, 1))
    assert [r[0] for r in merged] == ["a", "c", "b"]


def test_merge_rows_places_nulls() -> None:
    streams = [[("n", None), ("a", 1)], [("b", 2)]]
    default = list(merge_rows(streams, [OrderKey(column("x"))], 1))
    assert [r[0] for r in default] == ["n", "a", "b"]  # NULL smallest
    last = list(
        merge_rows([[("a", 1), ("n", None)], [("b", 2)]], [OrderKey(column("x"), False, False)], 1)
    )
    assert [r[0] for r in last] == ["a", "b", "n"]


def test_merge_rows_without_order_concatenates() -> None:
    assert list(merge_rows([[(1,)], [(2,), (3,)]], [], 0)) == [(1,), (2,), (3,)]


def test_merge_of_incomparable_values_is_an_error() -> None:
    with pytest.raises(exc.InvalidRequestError, match="do not compare"):
        list(merge_rows([[("a", 1)], [("b", "x")]], [OrderKey(column("x"))], 1))


def test_limit_offset_reads_plain_integers() -> None:
    t = select(column("a"))
    assert limit_offset(t) == (None, 0)
    assert limit_offset(t.limit(5).offset(2)) == (5, 2)
    with pytest.raises(exc.InvalidRequestError, match="plain integer"):
        limit_offset(t.limit(column("n")))


def test_run_parallel_keeps_order_and_raises_first_error_after_all_finish() -> None:
    done: list[int] = []
    barrier = threading.Barrier(3, timeout=5)

    def task(i: int):  # type: ignore[no-untyped-def]
        def run() -> int:
            barrier.wait()  # only passes when all three run at once
            done.append(i)
            if i == 1:
                raise ValueError("one failed")
            return i

        return run

    with ThreadPoolExecutor(3) as pool:
        with pytest.raises(ValueError, match="one failed"):
            run_parallel([task(i) for i in range(3)], pool)
        assert sorted(done) == [0, 1, 2]
        barrier.reset()
        assert run_parallel([task(0), task(2), task(4)], pool) == [0, 2, 4]

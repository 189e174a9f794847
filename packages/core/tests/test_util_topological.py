"""Dependency sorting used by DDL ordering and the unit of work."""

from __future__ import annotations

import pytest

from accord import exc
from accord.util import memoized_property
from accord.util.topological import CycleFoundError, find_cycles, sort, sort_as_subsets


def test_parents_come_first_and_order_is_stable() -> None:
    edges = [("a", "c"), ("b", "c"), ("c", "d")]
    assert list(sort(edges, ["d", "c", "b", "a", "e"])) == ["b", "a", "e", "c", "d"]


def test_subsets_group_independent_items() -> None:
    edges = [("a", "b"), ("a", "c"), ("b", "d")]
    assert list(sort_as_subsets(edges, ["a", "b", "c", "d"])) == [["a"], ["b", "c"], ["d"]]


def test_self_reference_is_not_a_cycle() -> None:
    assert list(sort([("a", "a"), ("a", "b")], ["b", "a"])) == ["a", "b"]


def test_cycle_raises_with_the_cycle() -> None:
    edges = [("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")]
    with pytest.raises(CycleFoundError) as info:
        list(sort(edges, ["a", "b", "c", "d"]))
    assert info.value.cycles == {"a", "b", "c"}
    assert ("c", "a") in info.value.edges
    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, exc.CircularDependencyError)


def test_find_cycles() -> None:
    assert find_cycles([(1, 2), (2, 1), (2, 3)], [1, 2, 3]) == {1, 2}
    assert find_cycles([(1, 2), (2, 3)], [1, 2, 3]) == set()


def test_memoized_property_computes_once() -> None:
    calls = []

    class Thing:
        @memoized_property
        def value(self) -> int:
            calls.append(1)
            return 42

    t = Thing()
    assert t.value == 42
    assert t.value == 42
    assert len(calls) == 1
    Thing.value.reset(t)
    assert t.value == 42
    assert len(calls) == 2

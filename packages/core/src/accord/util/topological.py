"""Topological sorting of dependency graphs (DDL order, unit-of-work flush order).

A cycle raises ``CycleFoundError``, an ``accord.exc.CircularDependencyError`` (and a
``ValueError``) carrying the nodes on cycles and their edges; callers may re-raise it
with a message in their own terms (``sql.ddl.sort_tables`` names the tables).
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Iterable, Iterator, Sequence
from typing import TypeVar

from accord import exc

__all__ = [
    "CycleFoundError",
    "find_cycles",
    "sort",
    "sort_as_subsets",
]

_T = TypeVar("_T", bound=Hashable)


class CycleFoundError(exc.CircularDependencyError, ValueError):
    """The graph has a cycle; ``cycles`` holds the nodes on cycles, ``edges`` their edges."""

    def __init__(
        self, message: str, cycles: set[object], edges: set[tuple[object, object]]
    ) -> None:
        super().__init__(message, cycles=cycles, edges=edges)


def sort_as_subsets(tuples: Iterable[tuple[_T, _T]], allitems: Sequence[_T]) -> Iterator[list[_T]]:
    """Yield groups of items whose dependencies are all in earlier groups.

    ``tuples`` are ``(parent, child)`` edges: the parent sorts before the child. Items keep
    their ``allitems`` order within a group, so the result is deterministic.
    """
    edges: dict[_T, set[_T]] = {}
    for parent, child in tuples:
        if parent != child:
            edges.setdefault(child, set()).add(parent)
    todo = list(allitems)
    pending = set(todo)
    while todo:
        output = [item for item in todo if not (edges.get(item, set()) & pending)]
        if not output:
            cycles = find_cycles(
                [(p, c) for c, ps in edges.items() for p in ps if c in pending and p in pending],
                todo,
            )
            cyc_edges = {
                (p, c) for c, ps in edges.items() for p in ps if p in cycles and c in cycles
            }
            raise CycleFoundError(
                "Circular dependency detected. Cycles: "
                + ", ".join(sorted(repr(c) for c in cycles)),
                set(cycles),
                set(cyc_edges),
            )
        pending.difference_update(output)
        todo = [item for item in todo if item in pending]
        yield output


def sort(tuples: Iterable[tuple[_T, _T]], allitems: Sequence[_T]) -> Iterator[_T]:
    """Items in dependency order: each parent before its children (stable for ties)."""
    for group in sort_as_subsets(tuples, allitems):
        yield from group


def find_cycles(tuples: Iterable[tuple[_T, _T]], allitems: Collection[_T]) -> set[_T]:
    """Every item that lies on some cycle of the graph."""
    children: dict[_T, set[_T]] = {}
    for parent, child in tuples:
        children.setdefault(parent, set()).add(child)
    on_cycle: set[_T] = set()
    for start in allitems:
        # Depth-first search for a path from ``start`` back to itself.
        stack: list[tuple[_T, list[_T]]] = [(start, [start])]
        visited: set[_T] = set()
        while stack:
            node, path = stack.pop()
            for nxt in children.get(node, ()):
                if nxt == start:
                    on_cycle.update(path)
                elif nxt not in visited:
                    visited.add(nxt)
                    stack.append((nxt, [*path, nxt]))
    return on_cycle

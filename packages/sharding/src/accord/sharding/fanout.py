"""Parallel per-shard execution and the merge of per-shard rows (ORDER BY, LIMIT, DISTINCT).

A statement fanned out to several shards runs on every shard at once, each in a worker
thread on that shard's own connection of the Session's transaction; the rows then come
back to the calling thread and are merged: sorted streams are merged by the ORDER BY
values (each shard is asked for ``limit + offset`` rows), then OFFSET and LIMIT apply to
the merged stream, and DISTINCT drops rows repeated across shards.
"""

from __future__ import annotations

import heapq
import itertools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from accord import exc
from accord.sql import BindParameter, asc, column, desc, nulls_first, nulls_last

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence
    from concurrent.futures import ThreadPoolExecutor

__all__ = [
    "OrderKey",
    "ShardedDMLResult",
    "SortKey",
    "limit_offset",
    "merge_rows",
    "order_keys",
    "run_parallel",
]

_T = TypeVar("_T")

_PROBE = column("x")
_ASC = asc(_PROBE).modifier  # type: ignore[attr-defined]
_DESC = desc(_PROBE).modifier  # type: ignore[attr-defined]
_NULLS_FIRST = nulls_first(_PROBE).modifier  # type: ignore[attr-defined]
_NULLS_LAST = nulls_last(_PROBE).modifier  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class OrderKey:
    """One ORDER BY term: the expression, its direction and where NULLs go.

    ``nulls_first`` is None when the statement leaves NULL placement to the database;
    the merge then treats NULL as smaller than any value (sqlite's and MySQL's rule).
    """

    expression: Any
    descending: bool = False
    nulls_first: bool | None = None

    @property
    def nulls_sort_first(self) -> bool:
        """Whether NULLs come first in this term's merged order."""
        if self.nulls_first is not None:
            return self.nulls_first
        return not self.descending  # NULL is smallest: first ascending, last descending


def order_keys(clauses: Iterable[Any]) -> list[OrderKey]:
    """Split ORDER BY clauses into ``OrderKey`` terms (ASC/DESC, NULLS FIRST/LAST)."""
    out = []
    for clause in clauses:
        descending = False
        nulls: bool | None = None
        expr = clause
        while getattr(expr, "modifier", None) in (_ASC, _DESC, _NULLS_FIRST, _NULLS_LAST):
            modifier = expr.modifier
            if modifier is _DESC:
                descending = True
            elif modifier is _NULLS_FIRST:
                nulls = True
            elif modifier is _NULLS_LAST:
                nulls = False
            expr = expr.element
        out.append(OrderKey(expr, descending, nulls))
    return out


class SortKey:
    """A row's ORDER BY values compared term by term as the statement orders them."""

    __slots__ = ("keys", "values")

    def __init__(self, values: Sequence[Any], keys: Sequence[OrderKey]) -> None:
        self.values = values
        self.keys = keys

    def __lt__(self, other: SortKey) -> bool:
        for key, a, b in zip(self.keys, self.values, other.values, strict=True):
            if a == b or (a is None and b is None):
                continue
            if a is None or b is None:
                return (a is None) == key.nulls_sort_first
            try:
                less = bool(a < b)
            except TypeError:
                raise exc.InvalidRequestError(
                    f"Can't merge shard results ordered by {key.expression!r}: values "
                    f"{a!r} and {b!r} do not compare in Python"
                ) from None
            return less != key.descending
        return False


def merge_rows(
    per_shard: Sequence[Sequence[Any]],
    keys: Sequence[OrderKey],
    sort_at: int,
) -> Iterable[Any]:
    """Rows of every shard, in ORDER BY order when ``keys`` are given.

    Each shard's rows are already sorted by its database; their ORDER BY values sit at
    positions ``sort_at`` onwards. Without keys the shards' rows follow one another.
    """
    if not keys:
        return itertools.chain.from_iterable(per_shard)
    end = sort_at + len(keys)
    return heapq.merge(*per_shard, key=lambda row: SortKey(row[sort_at:end], keys))


def limit_offset(statement: Any) -> tuple[int | None, int]:
    """The statement's LIMIT (or None) and OFFSET (0 when absent) as plain integers."""

    def value(expr: Any, what: str) -> int | None:
        if expr is None:
            return None
        if isinstance(expr, BindParameter):
            v = expr.effective_value
            if v is None:
                return None
            return int(v)
        raise exc.InvalidRequestError(
            f"{what} across shards must be a plain integer, not the SQL expression {expr!r}"
        )

    limit = value(getattr(statement, "limit_expression", None), "LIMIT")
    offset = value(getattr(statement, "offset_expression", None), "OFFSET")
    return limit, offset or 0


def run_parallel(
    tasks: Sequence[Callable[[], _T]], executor: ThreadPoolExecutor | None
) -> list[_T]:
    """Run ``tasks`` at once on ``executor`` (one inline when alone); results in order.

    Every task is waited for before anything is raised, so no shard is still working on
    its connection when the caller sees an error; the first failing task's error (in
    task order) is raised.
    """
    if len(tasks) == 1 or executor is None:
        return [task() for task in tasks]
    futures = [executor.submit(task) for task in tasks]
    results: list[_T] = []
    first_error: BaseException | None = None
    for future in futures:
        try:
            results.append(future.result())
        except BaseException as err:  # every future is awaited before raising
            if first_error is None:
                first_error = err
    if first_error is not None:
        raise first_error
    return results


class ShardedDMLResult:
    """The result of an UPDATE / DELETE run on several shards: the summed ``rowcount``.

    ``results`` maps each shard id to that shard's own result.
    """

    returns_rows = False

    def __init__(self, results: dict[Any, Any]) -> None:
        self.results = results
        self.rowcount = sum(max(getattr(r, "rowcount", 0) or 0, 0) for r in results.values())

    def close(self) -> None:
        """Close every shard's result."""
        for result in self.results.values():
            close = getattr(result, "close", None)
            if close is not None:
                close()

    def __repr__(self) -> str:
        return f"<ShardedDMLResult rowcount={self.rowcount} shards={list(self.results)!r}>"

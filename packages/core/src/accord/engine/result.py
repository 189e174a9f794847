"""Result objects: ``Result``, ``ScalarResult``, ``MappingResult`` and ``CursorResult``."""

from __future__ import annotations

import gc
from itertools import islice
from operator import itemgetter
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from accord.engine.row import ResultMetaData, Row, RowMapping, result_tuple
from accord.exc import (
    InvalidRequestError,
    MultipleResultsFound,
    NoResultFound,
    ResourceClosedError,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence


__all__ = [
    "CursorResult",
    "FrozenResult",
    "IteratorResult",
    "MappingResult",
    "Result",
    "ResultMetaData",
    "Row",
    "RowMapping",
    "ScalarResult",
    "TupleResult",
    "result_tuple",
]

_T = TypeVar("_T")
_TP = TypeVar("_TP", bound=tuple[Any, ...])
_R = TypeVar("_R")

_CHUNK = 1000  # rows fetched per driver call while iterating, unless yield_per() says

_NO_ROWS_MSG = (
    "This result object does not return rows. It has been closed automatically "
    "(it came from a statement such as INSERT, UPDATE or DELETE without RETURNING)."
)


def _map_rows(fn: Callable[[Sequence[Any]], _R], raws: Sequence[Sequence[Any]]) -> list[_R]:
    """``list(map(fn, raws))``, with the cyclic GC paused for large batches.

    Rows are tuples of plain values and can never form reference cycles, yet each one
    is tracked by the collector; building 100,000 of them would otherwise trigger many
    collections that traverse them all (a third of the fetch time).
    """
    if len(raws) < 2000 or not gc.isenabled():
        return list(map(fn, raws))
    gc.disable()
    try:
        return list(map(fn, raws))
    finally:
        gc.enable()


class _Source:
    """The raw-row supply shared by a result and every view made from it.

    Holds the closed/exhausted state, so ``result.scalars()`` and ``result`` agree.
    ``fetchone``/``fetchmany``/``fetchall`` return raw tuples from a DBAPI cursor or an
    iterator; after exhaustion they return nothing, after ``close()`` they raise.
    """

    __slots__ = ("_closed", "_cursor", "_iter", "_no_rows", "_on_close")

    def __init__(
        self,
        cursor: Any = None,
        iterator: Iterator[Sequence[Any]] | None = None,
        no_rows: bool = False,
        on_close: Callable[[], None] | None = None,
    ) -> None:
        self._cursor = cursor
        self._iter = iterator
        self._no_rows = no_rows
        self._closed = False
        self._on_close = on_close

    def _check(self) -> bool:
        """True when rows may still come; raises when the result is closed for good."""
        if self._no_rows:
            raise ResourceClosedError(_NO_ROWS_MSG)
        if self._closed:
            raise ResourceClosedError("This result object is closed.")
        return self._cursor is not None or self._iter is not None

    def fetchone(self) -> Sequence[Any] | None:
        if not self._check():
            return None
        if self._cursor is not None:
            row = self._cursor.fetchone()
        else:
            assert self._iter is not None
            row = next(self._iter, None)
        if row is None:
            self.soft_close()
        return row  # type: ignore[no-any-return]  # DBAPI rows are untyped

    def fetchmany(self, size: int) -> list[Sequence[Any]]:
        if not self._check():
            return []
        if self._cursor is not None:
            rows = self._cursor.fetchmany(size)
        else:
            assert self._iter is not None
            rows = list(islice(self._iter, size))
        if len(rows) < size:
            self.soft_close()
        return rows  # type: ignore[no-any-return]

    def fetchall(self) -> list[Sequence[Any]]:
        if not self._check():
            return []
        if self._cursor is not None:
            rows = self._cursor.fetchall()
        else:
            assert self._iter is not None
            rows = list(self._iter)
        self.soft_close()
        return rows  # type: ignore[no-any-return]

    def soft_close(self) -> None:
        """Release the cursor; later fetches return nothing."""
        cursor, self._cursor, self._iter = self._cursor, None, None
        if cursor is not None:
            cursor.close()
        if self._on_close is not None:
            on_close, self._on_close = self._on_close, None
            on_close()

    def close(self) -> None:
        """Release the cursor; later fetches raise ``ResourceClosedError``."""
        self.soft_close()
        self._closed = True


class _ResultBase(Generic[_R]):
    """Fetching, uniqueness and partitioning shared by every kind of result."""

    _metadata: ResultMetaData
    _source: _Source
    _fn: Callable[[Sequence[Any]], _R]
    _unique: Callable[[_R], Any] | bool
    _yield_per: int | None

    def _init_view(
        self,
        metadata: ResultMetaData,
        source: _Source,
        fn: Callable[[Sequence[Any]], _R],
        unique: Callable[[Any], Any] | bool = False,
        yield_per: int | None = None,
    ) -> None:
        self._metadata = metadata
        self._source = source
        self._fn = fn
        self._unique = unique
        self._seen: set[Any] = set()
        self._yield_per = yield_per

    def _unique_key(self, value: _R) -> Any:
        return value

    def _dedupe(self, values: list[_R]) -> list[_R]:
        strategy = self._unique
        key = strategy if callable(strategy) else self._unique_key
        seen = self._seen
        out = []
        for value in values:
            k = key(value)
            if k not in seen:
                seen.add(k)
                out.append(value)
        return out

    # -- raw fetching with transformation -------------------------------------------------

    def _onerow(self) -> _R | None:
        source = self._source
        while True:
            raw = source.fetchone()
            if raw is None:
                return None
            value = self._fn(raw)
            if not self._unique:
                return value
            if self._dedupe([value]):
                return value

    def _manyrows(self, size: int | None) -> list[_R]:
        if size is None:
            size = self._yield_per or _CHUNK
        fn = self._fn
        if not self._unique:
            return _map_rows(fn, self._source.fetchmany(size))
        out: list[_R] = []
        while len(out) < size:
            raw = self._source.fetchmany(size - len(out))
            if not raw:
                break
            out.extend(self._dedupe(list(map(fn, raw))))
        return out

    def _allrows(self) -> list[_R]:
        rows = _map_rows(self._fn, self._source.fetchall())
        return self._dedupe(rows) if self._unique else rows

    def _raw_all(self) -> list[Sequence[Any]]:
        """Every remaining row as a plain sequence of processed values, for the ORM.

        A caller that only reads rows by position (the ORM building objects) skips making
        a ``Row`` per row: a fifth of a big load.  Views with their own row function
        (``columns()``, echo's row logging) or ``unique()`` give their usual rows.
        """
        md = self._metadata
        if self._fn is not md._make_row or self._unique:
            return self._allrows()  # type: ignore[return-value]  # rows are sequences
        raws = self._source.fetchall()
        process = md._process
        return raws if process is None else _map_rows(process, raws)

    def _only_one(self, raise_for_none: bool, raise_for_second: bool) -> _R | None:
        try:
            first = self._onerow()
            if first is None:
                if raise_for_none:
                    raise NoResultFound("No row was found when one was required")
                return None
            if raise_for_second and self._onerow() is not None:
                raise MultipleResultsFound(
                    "Multiple rows were found when exactly one was required"
                    if raise_for_none
                    else "Multiple rows were found when one or none was required"
                )
            return first
        finally:
            self._source.close()

    # -- public API shared by all result kinds ----------------------------------------------

    def __iter__(self) -> Iterator[_R]:
        while True:
            chunk = self._manyrows(None)
            if not chunk:
                return
            yield from chunk

    def __next__(self) -> _R:
        row = self._onerow()
        if row is None:
            raise StopIteration
        return row

    def partitions(self, size: int | None = None) -> Iterator[list[_R]]:
        """Yield lists of up to ``size`` rows (default: ``yield_per`` or a driver chunk)."""
        while True:
            chunk = self._manyrows(size)
            if not chunk:
                return
            yield chunk

    def fetchall(self) -> list[_R]:
        """Every remaining row, as a list."""
        return self._allrows()

    def fetchmany(self, size: int | None = None) -> list[_R]:
        """Up to ``size`` further rows (an empty list when exhausted)."""
        return self._manyrows(size)

    def all(self) -> list[_R]:
        """Every remaining row, as a list."""
        return self._allrows()

    def first(self) -> _R | None:
        """The first row or ``None``; the result is closed and the other rows discarded."""
        try:
            return self._onerow()
        finally:
            self._source.close()

    def one(self) -> _R:
        """Exactly one row, else ``NoResultFound`` / ``MultipleResultsFound``; closes."""
        return self._only_one(True, True)  # type: ignore[return-value]  # never None here

    def one_or_none(self) -> _R | None:
        """The only row or ``None``; ``MultipleResultsFound`` if there are more; closes."""
        return self._only_one(False, True)

    def close(self) -> None:
        """Release the cursor; further fetches raise ``ResourceClosedError``."""
        self._source.close()

    @property
    def closed(self) -> bool:
        """True once ``close()`` was called or a one-row method consumed the result."""
        return self._source._closed

    def keys(self) -> list[str]:
        """The column names of the rows."""
        return self._metadata.keys()


class Result(_ResultBase[Row], Generic[_TP]):
    """Rows from a statement: iterate, fetch, or turn into scalars or mappings.

    Views made by ``scalars()``, ``mappings()``, ``columns()`` and ``unique()`` read from
    the same underlying cursor.
    """

    def __init__(
        self,
        metadata: ResultMetaData,
        source: _Source,
        fn: Callable[[Sequence[Any]], Row] | None = None,
    ) -> None:
        self._init_view(metadata, source, fn or metadata._make_row)

    def _copy(self, **kw: Any) -> Result[Any]:
        new = Result.__new__(Result)
        new._init_view(
            kw.get("metadata", self._metadata),
            self._source,
            kw.get("fn", self._fn),
            kw.get("unique", self._unique),
            self._yield_per,
        )
        new._seen = self._seen
        return new

    def unique(self, strategy: Callable[[Any], Any] | None = None) -> Result[_TP]:
        """Drop rows equal to one already returned (``strategy`` computes the compared key)."""
        self._unique = strategy or True
        return self

    def yield_per(self, num: int) -> Result[_TP]:
        """Fetch ``num`` rows per driver call while iterating or partitioning."""
        self._yield_per = num
        return self

    def columns(self, *col_expressions: Any) -> Result[Any]:
        """A result whose rows hold only the given columns (names, positions or objects)."""
        metadata, indexes = self._metadata._reduce(col_expressions)
        make_row = metadata._make_row
        if len(indexes) == 1:
            i = indexes[0]

            def fn(raw: Sequence[Any]) -> Row:
                return make_row((raw[i],))

        else:
            getter = itemgetter(*indexes)

            def fn(raw: Sequence[Any]) -> Row:
                return make_row(getter(raw))

        return self._copy(metadata=metadata, fn=fn)

    def scalars(self, index: Any = 0) -> ScalarResult[Any]:
        """A view yielding one column (the first by default) of each row."""
        return ScalarResult(self, index)

    def mappings(self) -> MappingResult:
        """A view yielding each row as a ``RowMapping`` (dict-like)."""
        return MappingResult(self)

    def tuples(self) -> Result[_TP]:
        """This result, typed as yielding tuples (rows already behave as tuples)."""
        return self

    t = tuples

    def fetchone(self) -> Row | None:
        """The next row, or ``None`` when there are no more."""
        return self._onerow()

    def scalar(self) -> Any:
        """The first column of the first row, or ``None``; closes the result."""
        try:
            raw = self._source.fetchone()
        finally:
            self._source.close()
        if raw is None:
            return None
        return self._fn(raw)[0]

    def scalar_one(self) -> Any:
        """The first column of exactly one row; closes the result."""
        return self.one()[0]

    def scalar_one_or_none(self) -> Any:
        """The first column of the only row, or ``None``; closes the result."""
        row = self.one_or_none()
        return None if row is None else row[0]

    def merge(self, *others: Result[Any]) -> Result[Any]:
        """A result yielding this result's remaining rows, then those of each of ``others``.

        The results must have the same columns (e.g. one query run on several shards).
        """
        for other in others:
            if other.keys() != self.keys():
                raise InvalidRequestError(
                    f"Can't merge results with different columns: {self.keys()} and {other.keys()}"
                )

        def rows() -> Iterator[tuple[Any, ...]]:
            for result in (self, *others):
                for row in result:
                    yield tuple(row)

        return IteratorResult(self._metadata._without_processors(), rows())

    def freeze(self) -> FrozenResult:
        """Fetch every remaining row into a ``FrozenResult`` that can make fresh results."""
        return FrozenResult(self)

    def __enter__(self) -> Result[_TP]:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


TupleResult = Result


class ScalarResult(_ResultBase[_T]):
    """A view of a ``Result`` yielding one column value per row."""

    def __init__(self, parent: Result[Any], index: Any = 0) -> None:
        md = parent._metadata
        i = md._index_for(index)
        assert i is not None
        proc = md._processor_for(i)
        if parent._fn is not md._make_row:
            # columns() was applied: go through the parent's row function.
            pfn = parent._fn

            def fn(raw: Sequence[Any]) -> Any:
                return pfn(raw)[i]

        elif proc is None:
            fn = itemgetter(i)  # type: ignore[assignment]  # same call shape
        else:

            def fn(raw: Sequence[Any]) -> Any:
                value = raw[i]
                return None if value is None else proc(value)

        self._init_view(md, parent._source, fn, bool(parent._unique), parent._yield_per)

    def unique(self, strategy: Callable[[Any], Any] | None = None) -> ScalarResult[_T]:
        """Drop values equal to one already returned."""
        self._unique = strategy or True
        return self

    def yield_per(self, num: int) -> ScalarResult[_T]:
        """Fetch ``num`` rows per driver call while iterating."""
        self._yield_per = num
        return self


class MappingResult(_ResultBase[RowMapping]):
    """A view of a ``Result`` yielding each row as a ``RowMapping``."""

    def __init__(self, parent: Result[Any]) -> None:
        make_row = parent._fn

        def fn(raw: Sequence[Any]) -> RowMapping:
            return RowMapping(make_row(raw))

        self._init_view(
            parent._metadata, parent._source, fn, bool(parent._unique), parent._yield_per
        )

    def _unique_key(self, value: RowMapping) -> Any:
        return tuple(value._row)

    def unique(self, strategy: Callable[[Any], Any] | None = None) -> MappingResult:
        """Drop mappings equal to one already returned."""
        self._unique = strategy or True
        return self

    def columns(self, *col_expressions: Any) -> MappingResult:
        """A view holding only the given columns."""
        return MappingResult(Result(self._metadata, self._source).columns(*col_expressions))

    def fetchone(self) -> RowMapping | None:
        """The next mapping, or ``None``."""
        return self._onerow()


class IteratorResult(Result[_TP]):
    """A ``Result`` over rows held in Python (raw sequences, not ``Row`` objects)."""

    def __init__(self, metadata: ResultMetaData, iterator: Iterator[Sequence[Any]]) -> None:
        super().__init__(metadata, _Source(iterator=iterator))


class FrozenResult:
    """Rows fetched once and kept; calling it returns a new ``Result`` over them."""

    def __init__(self, result: Result[Any]) -> None:
        self.metadata = result._metadata
        self.data = [tuple(row) for row in result.all()]

    def rewrite_rows(self) -> list[list[Any]]:
        """The rows as mutable lists (for caches that adjust values)."""
        return [list(row) for row in self.data]

    def with_new_rows(self, rows: Sequence[Sequence[Any]]) -> FrozenResult:
        """A copy holding ``rows`` instead."""
        new = FrozenResult.__new__(FrozenResult)
        new.metadata = self.metadata
        new.data = [tuple(r) for r in rows]
        return new

    def __call__(self) -> Result[Any]:
        # Values were already processed when frozen: rebuild rows without processors.
        return IteratorResult(self.metadata._without_processors(), iter(self.data))


# The metadata of every result without rows (INSERT/UPDATE/DELETE without RETURNING):
# shared, since making one builds a Row class.
_NO_COLUMNS = ResultMetaData(())


class CursorResult(Result[_TP]):
    """The result of executing a statement: rows (if any) plus DML information."""

    context: Any

    def __init__(
        self,
        context: Any,
        metadata: ResultMetaData | None,
        cursor: Any,
        rowcount: int = -1,
        lastrowid: Any = None,
    ) -> None:
        self.context = context
        self._rowcount = rowcount
        self.lastrowid = lastrowid
        if metadata is None:
            if cursor is not None:
                cursor.close()
            super().__init__(_NO_COLUMNS, _Source(no_rows=True))
            self._returns_rows = False
        else:
            super().__init__(metadata, _Source(cursor=cursor))
            self._returns_rows = True

    @classmethod
    def _from_rows(
        cls,
        context: Any,
        metadata: ResultMetaData,
        rows: list[Sequence[Any]],
        rowcount: int = -1,
        lastrowid: Any = None,
    ) -> CursorResult[Any]:
        """A result over rows already fetched (RETURNING rows read by the context)."""
        new = cls(context, metadata, None, rowcount, lastrowid)
        new._source = _Source(iterator=iter(rows))
        return new

    @property
    def returns_rows(self) -> bool:
        """True when the statement produced rows (SELECT, or DML with RETURNING)."""
        return self._returns_rows

    @property
    def rowcount(self) -> int:
        """Rows matched by an UPDATE/DELETE or inserted by an INSERT, as the driver reports."""
        return self._rowcount

    @property
    def is_insert(self) -> bool:
        """True when the statement was a compiled INSERT."""
        return bool(self.context is not None and self.context.isinsert)

    @property
    def inserted_primary_key(self) -> Row | None:
        """The primary key of the row a single-row INSERT created, as a ``Row``."""
        ctx = self._dml_context("inserted_primary_key", insert_only=True)
        if ctx.executemany:
            raise InvalidRequestError(
                "This statement was an executemany; use inserted_primary_key_rows instead"
            )
        rows = ctx.inserted_primary_key_rows
        return rows[0] if rows else None

    @property
    def inserted_primary_key_rows(self) -> list[Row]:
        """The primary key of each inserted row, one ``Row`` per parameter set."""
        ctx = self._dml_context("inserted_primary_key_rows", insert_only=True)
        rows: list[Row] = ctx.inserted_primary_key_rows
        return rows

    @property
    def returned_defaults(self) -> Row | None:
        """Server-generated values fetched with ``return_defaults()``, or ``None``."""
        ctx = self._dml_context("returned_defaults")
        rows = ctx.returned_default_rows
        return rows[0] if rows else None

    @property
    def returned_defaults_rows(self) -> list[Row] | None:
        """``returned_defaults`` per parameter set for an executemany."""
        rows: list[Row] | None = self._dml_context("returned_defaults_rows").returned_default_rows
        return rows

    def postfetch_cols(self) -> list[Any]:
        """Columns with server-side defaults the statement did not return."""
        ctx = self._dml_context("postfetch_cols")
        return list(ctx.compiled.postfetch) if ctx.compiled is not None else []

    def prefetch_cols(self) -> list[Any]:
        """Columns whose Python-side defaults were evaluated for the statement."""
        ctx = self._dml_context("prefetch_cols")
        if ctx.compiled is None:
            return []
        return list(ctx.compiled.insert_prefetch) + list(ctx.compiled.update_prefetch)

    def last_inserted_params(self) -> dict[str, Any]:
        """The parameters (with evaluated defaults) of the INSERT's single parameter set."""
        ctx = self._dml_context("last_inserted_params", insert_only=True)
        params: dict[str, Any] = ctx.compiled_parameters[0]
        return params

    def _dml_context(self, attr: str, insert_only: bool = False) -> Any:
        ctx = self.context
        compiled = getattr(ctx, "compiled", None) if ctx is not None else None
        if compiled is None or not (compiled.isinsert or compiled.isupdate or compiled.isdelete):
            raise InvalidRequestError(
                f"{attr} is only available for an insert(), update() or delete() construct"
            )
        if insert_only and not compiled.isinsert:
            raise InvalidRequestError(f"{attr} is only available for an insert() construct")
        return ctx

    def close(self) -> None:
        """Release the cursor; further fetches raise ``ResourceClosedError``."""
        self._source.close()

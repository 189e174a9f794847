"""Engine helpers: parameter distilling and the compiled-statement LRU cache."""

from __future__ import annotations

import contextlib
import logging
import sys
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from accord.engine.default import ExecutionPlan
from accord.engine.result import CursorResult
from accord.event import dispatcher
from accord.exc import ArgumentError

if TYPE_CHECKING:
    from accord.engine.base import Connection, Engine
    from accord.engine.default import DefaultDialect
    from accord.exc import StatementError

__all__ = [
    "ConnectionDispatcher",
    "ExceptionContext",
    "LRUCache",
    "distill_params",
    "distill_raw_params",
    "ensure_echo_handler",
    "execute_one_by_one",
    "get_plan",
    "log_rows",
    "log_statement",
    "merge_options",
    "needs_one_by_one",
]

_logger = logging.getLogger("accord.engine")


def distill_params(params: Any) -> list[Mapping[str, Any]]:
    """``None`` -> [], a dict -> [dict], a list of dicts -> itself (executemany)."""
    if params is None:
        return []
    if isinstance(params, Mapping):
        return [params]
    if isinstance(params, list | tuple):
        if params and not isinstance(params[0], Mapping):
            raise ArgumentError(
                "List argument must consist only of dictionaries (one per parameter set)"
            )
        return list(params)
    raise ArgumentError(f"Parameters must be a dict or a list of dicts, not {type(params)!r}")


def distill_raw_params(params: Any) -> list[Any]:
    """Parameters of ``exec_driver_sql``: a tuple/dict, or a list of them (executemany)."""
    if params is None:
        return []
    if isinstance(params, list):
        if params and not isinstance(params[0], Mapping | tuple | list):
            return [tuple(params)]
        return params
    if isinstance(params, Mapping | tuple):
        return [params]
    raise ArgumentError(f"Driver parameters must be a tuple, dict or list, not {type(params)!r}")


class LRUCache:
    """A small thread-tolerant LRU mapping for compiled statements."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._data: OrderedDict[Any, Any] = OrderedDict()

    def get(self, key: Any) -> Any:
        value = self._data.get(key)
        if value is not None:
            # KeyError: evicted by another thread meanwhile.
            with contextlib.suppress(KeyError):
                self._data.move_to_end(key)
        return value

    def __setitem__(self, key: Any, value: Any) -> None:
        self._data[key] = value
        while len(self._data) > self.capacity:
            try:
                self._data.popitem(last=False)
            except KeyError:
                break

    def __len__(self) -> int:
        return len(self._data)

    def clear(self) -> None:
        self._data.clear()


def log_statement(
    log: Callable[..., None], statement: str, parameters: Any, ctx: Any, hide: bool
) -> None:
    """Log a statement and (unless ``hide``) its parameters, long lists shortened."""
    log("%s", statement)
    if hide:
        log("[SQL parameters hidden due to hide_parameters=True]")
    elif ctx.executemany:
        shown = parameters[:10] if isinstance(parameters, list) else parameters
        extra = f" ... {len(parameters) - 10} more" if len(parameters) > 10 else ""
        log("[executemany %d sets] %r%s", len(parameters), shown, extra)
    else:
        log("[parameters] %r", parameters)


def log_rows(log: Callable[..., None], result: CursorResult[Any]) -> None:
    """``echo="debug"``: log the column names now and each row as it is fetched."""
    log("Col %r", tuple(result.keys()))
    make_row = result._fn

    def logged(raw: Sequence[Any]) -> Any:
        row = make_row(raw)
        log("Row %r", row)
        return row

    result._fn = logged


def merge_options(
    opts: Mapping[str, Any], elem: Any, execution_options: Mapping[str, Any]
) -> Mapping[str, Any]:
    """Connection options, overridden by the statement's, then by the call's."""
    elem_opts = getattr(elem, "_execution_options", None)
    if elem_opts or execution_options:
        merged = dict(opts)
        if elem_opts:
            merged.update(elem_opts)
        if execution_options:
            merged.update(execution_options)
        return merged
    return opts


def needs_one_by_one(elem: Any, dialect: Any) -> bool:
    """True for DML with RETURNING run for many parameter sets on a driver that can't."""
    if not getattr(elem, "_returning", None):
        return False
    for kind in ("insert", "update", "delete"):
        if getattr(elem, f"is_{kind}", False):
            return not getattr(dialect, f"{kind}_executemany_returning", False)
    return False


def execute_one_by_one(
    conn: Connection,
    elem: Any,
    params: list[Mapping[str, Any]],
    execution_options: Mapping[str, Any],
) -> CursorResult[Any]:
    """Executemany with RETURNING where the driver lacks it: one execution per set.

    The returned rows come back in parameter order in a single result, whose
    ``inserted_primary_key_rows`` and ``rowcount`` cover every set.
    """
    results = [conn._execute_clauseelement(elem, [p], execution_options) for p in params]
    first = results[0]
    ctx = first.context
    rows: list[Sequence[Any]] = []
    pk_rows: list[Any] = []
    compiled_params: list[dict[str, Any]] = []
    rowcount = 0
    for res in results:
        rows.extend(res._source.fetchall())
        rowcount += max(res.rowcount, 0)
        if ctx.isinsert:
            pk_rows.extend(res.context.inserted_primary_key_rows)
        compiled_params.extend(res.context.compiled_parameters)
    ctx.executemany = True
    ctx.compiled_parameters = compiled_params
    ctx._pk_rows = pk_rows
    return CursorResult._from_rows(ctx, first._metadata, rows, rowcount)


def get_plan(
    elem: Any,
    dialect: DefaultDialect,
    keys: Sequence[str],
    for_executemany: bool,
    cache: Any,
) -> tuple[ExecutionPlan, Any]:
    """The cached (or freshly compiled) plan for ``elem`` and the bind values to use.

    The cache key is ``(cache_key.key, dialect, column_keys, for_executemany)``; on a hit
    the statement's own bind values are passed on as ``extracted_parameters``.
    """
    if cache is not None and dialect.supports_statement_cache:
        gen = getattr(elem, "_generate_cache_key", None)
        ck = gen() if gen is not None else None
        if ck is not None:
            key = (ck.key, dialect, tuple(keys), for_executemany)
            plan = cache.get(key)
            if plan is not None:
                return plan, ck.bindparams or None
            plan = ExecutionPlan(
                elem.compile(
                    dialect=dialect, column_keys=list(keys), for_executemany=for_executemany
                ),
                dialect,
            )
            cache[key] = plan
            return plan, None
    compiled = elem.compile(
        dialect=dialect, column_keys=list(keys), for_executemany=for_executemany
    )
    return ExecutionPlan(compiled, dialect), None


class ConnectionDispatcher:
    """``Connection.dispatch``: a connection's own dispatch, joined to its engine's.

    It is made on first access (e.g. by ``event.listen(conn, ...)``). Until then the
    connection fires events through its engine's dispatch (``conn._events``), so making
    a connection builds no listener collections.
    """

    def __init__(self, events: Any) -> None:
        self._class_level = dispatcher(events)

    def __set_name__(self, owner: type, name: str) -> None:
        self._class_level.__set_name__(owner, name)

    def __get__(self, obj: Any, owner: type | None = None) -> Any:
        if obj is None:
            return self._class_level.__get__(None, owner)
        own = obj.engine.dispatch._join()
        obj.__dict__["dispatch"] = own  # found first from now on
        obj._events = own
        return own


class ExceptionContext:
    """What a ``handle_error`` listener sees about a failed execution."""

    def __init__(self, **kw: Any) -> None:
        self.connection: Connection | None = kw.get("connection")
        self.engine: Engine | None = kw.get("engine")
        self.dialect: Any = kw.get("dialect")
        self.cursor: Any = kw.get("cursor")
        self.statement: str | None = kw.get("statement")
        self.parameters: Any = kw.get("parameters")
        self.original_exception: BaseException = kw["original_exception"]
        self.accord_exception: StatementError | None = kw.get("accord_exception")
        self.chained_exception: BaseException | None = None
        self.execution_context: Any = kw.get("execution_context")
        self.is_disconnect: bool = kw.get("is_disconnect", False)
        self.invalidate_pool_on_disconnect = True
        self.is_pre_ping = False


_handler_added = False


def ensure_echo_handler() -> None:
    """``echo=True``: give the ``accord.engine`` logger a stdout handler, once."""
    global _handler_added
    if _handler_added or _logger.handlers:
        return
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    _logger.addHandler(handler)
    _handler_added = True

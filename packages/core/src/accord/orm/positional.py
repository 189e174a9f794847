"""The flush's INSERTs as positional (``?``) statements, for drivers whose own style it is.

sqlite3 binds a named parameter by looking its name up in the row's dict (a string made
and hashed per value), and a multi-row statement's names by a linear scan (cost growing
with the square of their count); a ``?`` it binds by position.  The pysqlite dialect
compiles named parameters (so that a user's executemany dicts pass through unchanged);
for the flush's own INSERTs, whose values the ORM lays out itself, this module compiles
the same statements with ``?`` and sends tuples: an executemany of tuples is a fifth
faster than of dicts, and multi-row INSERTs can hold ten times as many rows.

Used only where nobody could tell: the driver's own paramstyle is ``qmark``, no engine
or dialect event listens to the execution and no echo logs it (both see the dialect's
named form), and the statement needs nothing but the values (no bind processors, no
Python-side defaults).
"""

from __future__ import annotations

import copy
import datetime
import decimal
import operator
import uuid
import weakref
from itertools import chain
from typing import TYPE_CHECKING, Any

from accord.sql import bindparam, insert

if TYPE_CHECKING:
    from collections.abc import Callable

    from accord.orm.mapper import Mapper
    from accord.orm.state import InstanceState

__all__ = [
    "PLAIN_TYPES",
    "insert_rows",
    "max_rows",
    "multirow_sql",
    "usable",
]

# values that are never SQL expressions (checked first: the common case is cheap)
PLAIN_TYPES = frozenset(
    {
        int,
        str,
        float,
        bool,
        bytes,
        type(None),
        decimal.Decimal,
        datetime.datetime,
        datetime.date,
        datetime.time,
        uuid.UUID,
    }
)

# Bind values per positional statement: 999 is the smallest limit of any sqlite build.
_MAX_BINDS = 999


def usable(conn: Any) -> bool:
    """Whether the flush may send ``conn`` positional statements (see the module docstring)."""
    dialect = conn.dialect
    if getattr(getattr(dialect, "dbapi", None), "paramstyle", None) != "qmark":
        return False
    if dialect.positional or dialect.dispatch.do_executemany or dialect.dispatch.do_execute:
        return False
    events = conn._events
    return not (
        events.before_execute
        or events.after_execute
        or events.before_cursor_execute
        or events.after_cursor_execute
        or events.handle_error
        or conn._echo  # the log shows statements as the dialect compiles them
    )


def _compiled(mapper: Mapper[Any], dialect: Any, key: Any, build: Callable[[], Any]) -> Any:
    """``build()``'s statement compiled with ``?`` placeholders, cached per mapper and dialect.

    Returns ``(sql, bind names in placeholder order)``, or None when the statement needs
    more than its values (bind processors, Python-side defaults).
    """
    by_dialect = mapper.__dict__.setdefault("_accord_positional_sql", weakref.WeakKeyDictionary())
    cache = by_dialect.get(dialect)
    if cache is None:
        cache = by_dialect[dialect] = {}
    if key in cache:
        return cache[key]
    qmark = copy.copy(dialect)  # the same dialect, compiling "?" placeholders
    qmark.paramstyle = "qmark"
    qmark.positional = True
    stmt, column_keys, many = build()
    compiled = stmt.compile(dialect=qmark, column_keys=column_keys, for_executemany=many)
    plain = (
        compiled.positional
        and not compiled._bind_processors
        and not compiled.insert_prefetch
        and compiled.positiontup is not None
    )
    entry = cache[key] = (compiled.string, tuple(compiled.positiontup)) if plain else None
    return entry


def _tuples_builder(
    mapper: Mapper[Any], keys: tuple[str, ...]
) -> Callable[[list[dict[str, Any]]], list[tuple[Any, ...]]]:
    """``dicts -> [(d[keys[0]], d[keys[1]], ...) for d in dicts]``, compiled once per mapper.

    The positional twin of ``persistence._params_builder``: a tuple display per row.
    """
    cache = mapper.__dict__.setdefault("_accord_tuples_builders", {})
    fn = cache.get(keys)
    if fn is None:
        lit = str.__repr__  # string literals only (see persistence._params_builder)
        items = "".join(f"d[{lit(key)}], " for key in keys)
        fn = cache[keys] = eval(f"lambda dicts: [({items}) for d in dicts]")
    builder: Callable[[list[dict[str, Any]]], list[tuple[Any, ...]]] = fn
    return builder


def insert_rows(
    uow: Any,
    mapper: Mapper[Any],
    table: Any,
    states: list[InstanceState],
    fast_keys: list[tuple[str, str]],
    conn: Any,
) -> bool:
    """INSERT alike rows with given keys as one executemany of tuples; False if not alike.

    Every object must have every column's value (``fast_keys``: attribute key, column
    key), the primary key included, all plain Python values; else nothing is sent and
    the caller's per-group paths run.
    """
    if not usable(conn):
        return False
    if not all(isinstance(k, str) and isinstance(c, str) for k, c in fast_keys):
        return False
    ckeys = tuple([ckey for _key, ckey in fast_keys])
    found = _compiled(mapper, conn.dialect, ckeys, lambda: (insert(table), list(ckeys), True))
    if found is None or sorted(found[1]) != sorted(ckeys):
        return False
    sql, order = found
    attr_of = dict([(ckey, key) for key, ckey in fast_keys])
    # made by the identity check when every insert is of this class: the same states,
    # unless something reordered them since
    dicts = uow.bulk_dicts
    if (
        dicts is None
        or len(states) != len(uow.inserts)
        or not all(map(operator.is_, states, uow.inserts))
    ):
        try:
            dicts = [state.obj().__dict__ for state in states]
        except AttributeError:  # an object was garbage collected
            return False
    try:
        rows = _tuples_builder(mapper, tuple([attr_of[c] for c in order]))(dicts)
    except KeyError:  # a column without a value: the per-group paths decide
        return False
    for c in mapper.primary_key:
        if c.key in order and None in [r[order.index(c.key)] for r in rows]:
            return False  # the database makes some keys
    if not PLAIN_TYPES.issuperset(set(map(type, chain.from_iterable(rows)))):
        return False
    # Whole pages of rows go as multi-row INSERTs, themselves one executemany: sqlite then
    # binds and steps once per page instead of once per row (40% faster than the same
    # rows one by one); the remainder goes row by row.
    per = max_rows(len(order))
    full = len(rows) - len(rows) % per if per > 1 else 0
    page = multirow_sql(mapper, table, ckeys, per, None, conn) if full else None
    if page is not None and page[2] == order:
        pages = [tuple(chain.from_iterable(rows[i : i + per])) for i in range(0, full, per)]
        conn.exec_driver_sql(page[0], pages)
        rows = rows[full:]
    if rows:
        conn.exec_driver_sql(sql, rows)
    return True


def multirow_sql(
    mapper: Mapper[Any],
    table: Any,
    keys: tuple[str, ...],
    n: int,
    pk_col: Any,
    conn: Any,
) -> tuple[str, Callable[[dict[str, Any]], tuple[Any, ...]], tuple[str, ...]] | None:
    """``INSERT ... VALUES (?, ...) x n [RETURNING pk_col]``, a getter of one row's values
    from its parameter dict, and the column keys in placeholder order.

    The placeholders go row by row, the same columns in each row, so a batch's parameters
    are its rows' getter tuples chained.  None when that layout does not hold or the
    statement needs more than its values.
    """

    def build() -> tuple[Any, list[str], bool]:
        rows = [{k: bindparam(f"{k}_{i}") for k in keys} for i in range(n)]
        stmt = insert(table).values(rows)
        return (stmt if pk_col is None else stmt.returning(pk_col)), [], False

    found = _compiled(mapper, conn.dialect, ("multirow", keys, n, pk_col is None), build)
    if found is None or len(found[1]) != n * len(keys):
        return None
    sql, order = found
    per_row = tuple(name.rsplit("_", 1)[0] for name in order[: len(keys)])
    expected = tuple(f"{k}_{i}" for i in range(n) for k in per_row)
    if order != expected or sorted(per_row) != sorted(keys):
        return None
    if len(per_row) == 1:
        only = per_row[0]

        def one(params: dict[str, Any]) -> tuple[Any, ...]:
            return (params[only],)

        return sql, one, per_row
    return sql, operator.itemgetter(*per_row), per_row


def max_rows(n_keys: int) -> int:
    """Rows per positional multi-row INSERT of ``n_keys`` columns."""
    return max(1, _MAX_BINDS // max(1, n_keys))

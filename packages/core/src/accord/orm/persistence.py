"""The SQL of a flush: INSERT, UPDATE and DELETE of one table's rows, grouped into executemany."""

from __future__ import annotations

import warnings
from itertools import chain
from typing import TYPE_CHECKING, Any

from accord import exc
from accord.orm import positional
from accord.orm.base import NO_VALUE, state_str
from accord.sql import and_, bindparam, delete, insert, update
from accord.sql.elements import ClauseElement

if TYPE_CHECKING:
    from collections.abc import Callable

    from accord.orm.mapper import Mapper
    from accord.orm.state import InstanceState

__all__ = [
    "FlushResults",
    "delete_rows",
    "insert_rows",
    "update_rows",
]


class FlushResults:
    """What a flush learnt, applied to the objects only once all of its SQL succeeded."""

    __slots__ = ("expire", "values")

    def __init__(self) -> None:
        # state -> {attribute key: value} to store as loaded (keys, defaults, versions)
        self.values: dict[InstanceState, dict[str, Any]] = {}
        # state -> attribute keys to expire (server-generated, SQL expressions)
        self.expire: dict[InstanceState, set[str]] = {}

    def set_value(self, state: InstanceState, key: str, value: Any) -> None:
        """Record a value the database (or a default) gave the object."""
        self.values.setdefault(state, {})[key] = value

    def expire_key(self, state: InstanceState, key: str) -> None:
        """Record an attribute to expire after the flush."""
        self.expire.setdefault(state, set()).add(key)


class _DefaultContext:
    """The execution-context stand-in a column default callable receives from a flush."""

    __slots__ = ("current_parameters",)

    def __init__(self, params: dict[str, Any]) -> None:
        self.current_parameters = params

    def get_current_parameters(self, isolate_multiinsert_groups: bool = True) -> dict[str, Any]:
        """The parameters of the row being inserted."""
        return self.current_parameters


# values that are never SQL expressions (checked first: the common case is cheap)
_PLAIN = positional.PLAIN_TYPES


# the (shared, never mutated) SQL-expression values of a fast-path row: none
_NO_SQL: dict[str, Any] = {}


def _is_sql(value: Any) -> bool:
    return isinstance(value, ClauseElement) or hasattr(value, "__clause_element__")


def _plan(mapper: Mapper[Any]) -> tuple[Any, ...]:
    """Per-mapper flush lookups, computed once: (key, column, prop) of writable columns."""
    plan = mapper.__dict__.get("_accord_flush_plan")
    if plan is None:
        cols = []
        for prop in mapper.column_attrs.values():
            if prop._is_sql_expression:
                continue
            for col in prop.columns:
                if getattr(col, "table", None) is mapper.local_table:
                    cols.append((prop.key, col))
                    break
        plan = tuple(cols)
        mapper.__dict__["_accord_flush_plan"] = plan
    return plan


def _row_key(mapper: Mapper[Any], state: InstanceState, dict_: dict[str, Any]) -> dict[str, Any]:
    """``{"_pk_<column>": value}``: the primary key of the row as loaded.

    A key attribute assigned while it was not loaded (expired, then set, e.g. by
    ``merge()``) has no committed value: the row is the one the identity names.
    """
    row_key: dict[str, Any] = {}
    for i, col in enumerate(mapper.primary_key):
        value = mapper._get_committed_state_attr_by_column(state, dict_, col)
        if value is NO_VALUE and state.key is not None:
            value = state.key[1][i]
        row_key[f"_pk_{col.key}"] = value
    return row_key


def insert_rows(
    uow: Any, mapper: Mapper[Any], table: Any, states: list[InstanceState], conn: Any
) -> None:
    """INSERT the rows of ``states``: one executemany per column set, single rows for keys."""
    results: FlushResults = uow.results
    dialect = conn.dialect
    eager = mapper.eager_defaults
    pk_cols = set(mapper.primary_key)
    version_col: Any = mapper.version_id_col
    gen = mapper.version_id_generator
    plan = _plan(mapper)
    # runs of consecutive rows with one (column keys, needs keys fetched): the rows keep
    # the order they were added in, as SQLAlchemy's; rows with SQL expressions run alone
    groups: list[tuple[tuple[Any, ...], list[tuple[InstanceState, dict[str, Any], Any]]]]
    groups = []

    def add_row(gkey: tuple[Any, ...], row: tuple[InstanceState, dict[str, Any], Any]) -> None:
        if groups and groups[-1][0] == gkey:
            groups[-1][1].append(row)
        else:
            groups.append((gkey, [row]))

    # columns needing no default logic are copied straight from the object's dict
    simple = [
        (key, col.key)
        for key, col in plan
        if col.default is None
        and col.server_default is None
        and col not in pk_cols
        and col is not version_col
    ]
    special = [(key, col, col.key) for key, col in plan if (key, col.key) not in simple]
    # The fast path: when the only columns needing more than a copy are primary keys
    # without defaults (the usual mapping), a row whose values are all plain Python values
    # needs one comprehension and a None check of its keys; anything else (SQL expressions,
    # defaults, version counters) takes the general loop below, row by row.
    pk_only = [
        (key, ckey)
        for key, col, ckey in special
        if col in pk_cols
        and col.default is None
        and col.server_default is None
        and col is not version_col
    ]
    fast_keys = simple + pk_only if len(pk_only) == len(special) else None

    def general_row(state: InstanceState) -> None:
        # any row: defaults, version counters, SQL expressions
        dict_ = state.dict
        sql_values: dict[str, Any] = {}
        fetch_pk = False
        params = {ckey: dict_[key] for key, ckey in simple if key in dict_}
        for value in params.values():
            if type(value) not in _PLAIN and _is_sql(value):
                # rare: SQL expressions go in the statement itself, the row alone
                for key, ckey in simple:
                    if ckey in params and _is_sql(params[ckey]):
                        sql_values[ckey] = params.pop(ckey)
                        results.expire_key(state, key)
                break
        for key, col, ckey in special:
            value = dict_.get(key, NO_VALUE)
            if col is version_col and value in (NO_VALUE, None) and gen:
                value = gen(None)  # type: ignore[operator]
                results.set_value(state, key, value)
            if value is NO_VALUE or value is None:
                default = col.default
                if default is not None and not getattr(default, "is_sequence", False):
                    if default.is_scalar:
                        value = default.arg
                        results.set_value(state, key, value)
                    elif default.is_callable:
                        value = default.arg(_DefaultContext(params))
                        results.set_value(state, key, value)
                    else:
                        results.expire_key(state, key)
                        continue
                elif col.server_default is not None:
                    results.expire_key(state, key)
                    continue
                elif col in pk_cols:
                    fetch_pk = True
                    continue
                elif value is NO_VALUE:
                    continue
            if type(value) not in _PLAIN and _is_sql(value):
                sql_values[ckey] = value
                results.expire_key(state, key)
            else:
                params[ckey] = value
        if fetch_pk:
            for key, col in plan:
                if col in pk_cols and col.key not in params:
                    results.expire_key(state, key)
        gkey = (tuple(params), fetch_pk, bool(sql_values), id(state) if sql_values else 0)
        add_row(gkey, (state, params, sql_values))

    dispatch = mapper.dispatch
    if (
        fast_keys
        and not (dispatch.before_insert or dispatch.after_insert)
        and positional.insert_rows(uow, mapper, table, states, fast_keys, conn)
    ):
        return
    bulk = _uniform_rows(mapper, states, fast_keys, pk_only) if fast_keys else None
    if bulk is not None:
        groups.append(bulk)
    elif fast_keys is None:
        for state in states:
            general_row(state)
    else:
        plain = _PLAIN
        # rows with every column present and their keys given: one group, key known upfront
        n_fast = len(fast_keys)
        full_gkey = (tuple([ckey for _key, ckey in fast_keys]), False, False, 0)
        for state in states:
            obj = state.obj()
            if obj is None:
                general_row(state)
                continue
            dict_ = obj.__dict__
            params = {ckey: dict_[key] for key, ckey in fast_keys if key in dict_}
            if not plain.issuperset(map(type, params.values())):
                general_row(state)
                continue
            fetch_pk = False
            for _key, ckey in pk_only:
                if params.get(ckey) is None:
                    # no key yet: the database makes it (a key it does not report back is
                    # expired below, rather than every row's expired first and then unset)
                    params.pop(ckey, None)
                    fetch_pk = True
            if not fetch_pk and len(params) == n_fast:
                add_row(full_gkey, (state, params, _NO_SQL))
            else:
                add_row((tuple(params), fetch_pk, False, 0), (state, params, _NO_SQL))

    for (_keys, fetch_pk, has_sql, _n), rows in groups:
        if dispatch.before_insert:
            for state, _p, _s in rows:
                dispatch.before_insert(mapper, conn, state.obj())
        # server-generated values to read back in the same statement
        fetch_cols = []
        exp_keys = results.expire
        first = rows[0][0]
        # "auto" (SQLAlchemy's default) fetches them whenever INSERT has RETURNING, also
        # for rows whose keys are given
        if dialect.insert_returning and (eager is True or eager == "auto"):
            fetch_cols = [
                col
                for key, col in plan
                if key in exp_keys.get(first, ()) and col not in pk_cols and not has_sql
            ]
        stmt = insert(table)
        if fetch_pk and not has_sql and len(rows) > 1 and dialect.insert_executemany_returning:
            _insert_executemany_returning(results, mapper, table, rows, conn, fetch_cols)
        elif fetch_pk and not fetch_cols and not has_sql and _multirow_keys_ok(table, dialect):
            _insert_multirow_returning(results, mapper, table, rows, conn)
        elif fetch_pk or fetch_cols or has_sql or len(rows) == 1:
            for state, params, sql_values in rows:
                s = stmt.values(**sql_values) if sql_values else stmt
                pks = [c for c in mapper.primary_key if c.key not in params]
                if fetch_cols or (pks and dialect.insert_returning and has_sql):
                    s = s.returning(*pks, *fetch_cols)
                    row = conn.execute(s, params).one()
                    for col, value in zip([*pks, *fetch_cols], row, strict=False):
                        _got(results, mapper, state, col, value)
                else:
                    result = conn.execute(s, params)
                    if pks:
                        pk_row = result.inserted_primary_key
                        for col, value in zip(mapper.primary_key, pk_row or (), strict=False):
                            if col.key not in params and value is not None:
                                _got(results, mapper, state, col, value)
                if fetch_pk:  # keys the database made but did not report stay expired
                    got = results.values.get(state, {})
                    for col in mapper.primary_key:
                        key = mapper._columntoproperty[col].key
                        if col.key not in params and key not in got:
                            results.expire_key(state, key)
        else:
            conn.execute(stmt, [p for _s, p, _v in rows])
        if dispatch.after_insert:
            for state, _p, _s in rows:
                dispatch.after_insert(mapper, conn, state.obj())


def _params_builder(
    mapper: Mapper[Any], keys: tuple[tuple[str, str], ...]
) -> Callable[[list[dict[str, Any]]], list[dict[str, Any]]]:
    """``dicts -> [{column key: d[attribute key], ...} for d in dicts]``, compiled once.

    A list comprehension around a dict display with constant keys builds a whole group's
    executemany parameters with no Python call per row (KeyError if a value is missing).
    """
    cache = mapper.__dict__.setdefault("_accord_params_builders", {})
    fn = cache.get(keys)
    if fn is None:
        # the source holds only string literals of the names (str.__repr__ of a str
        # subclass is still a plain literal, whatever the subclass's own __repr__ says)
        lit = str.__repr__
        items = ", ".join(f"{lit(ckey)}: d[{lit(key)}]" for key, ckey in keys)
        fn = cache[keys] = eval(f"lambda dicts: [{{{items}}} for d in dicts]")
    builder: Callable[[list[dict[str, Any]]], list[dict[str, Any]]] = fn
    return builder


def _uniform_rows(
    mapper: Mapper[Any],
    states: list[InstanceState],
    fast_keys: list[tuple[str, str]],
    pk_only: list[tuple[str, str]],
) -> tuple[tuple[Any, ...], list[tuple[InstanceState, dict[str, Any], dict[str, Any]]]] | None:
    """The INSERT rows of ``states`` as one group, when they are alike; else None.

    The usual flush of many new objects: every object has every column's value, all plain
    Python values, and either all keys given or none (the database makes them).  Then the
    whole group is built by one compiled comprehension and checked with a few C-level
    passes; any other mix returns None and the rows go through the per-row loop.
    """
    if not all(isinstance(k, str) and isinstance(c, str) for k, c in fast_keys):
        return None  # (names that are not strings can't be compiled into the builder)
    try:
        dicts = [state.obj().__dict__ for state in states]
    except AttributeError:  # an object was garbage collected
        return None
    try:
        rows = _params_builder(mapper, tuple(fast_keys))(dicts)
        pk_ckeys = [ckey for _key, ckey in pk_only]
        for ckey in pk_ckeys:
            if None in [r[ckey] for r in rows]:
                return None
        gkey: tuple[Any, ...] = (tuple([ckey for _key, ckey in fast_keys]), False, False, 0)
    except KeyError:
        pk_keys = [key for key, _ckey in pk_only]
        for key in pk_keys:
            if any([key in d for d in dicts]):
                return None
        keys = tuple([k for k in fast_keys if k not in pk_only])
        try:
            rows = _params_builder(mapper, keys)(dicts)
        except KeyError:
            return None
        gkey = (tuple([ckey for _key, ckey in keys]), True, False, 0)
    types = set(map(type, chain.from_iterable(map(dict.values, rows))))
    if not _PLAIN.issuperset(types):
        return None
    return gkey, [(state, params, _NO_SQL) for state, params in zip(states, rows, strict=True)]


def _multirow_keys_ok(table: Any, dialect: Any) -> bool:
    """Whether keys of a multi-row INSERT can be matched to its rows by sorting them.

    Where the dialect says so (``insert_multivalues_returning_ordered``: sqlite, MariaDB)
    an autoincrement table's new rows get keys ascending in VALUES order within one
    statement, so RETURNING's keys, sorted, follow the objects.  Other backends make no
    such promise here: they insert row by row.
    """
    return (
        dialect.insert_returning
        and getattr(dialect, "insert_multivalues_returning_ordered", False)
        and len(table.primary_key.columns) == 1
        and table.autoincrement_column is not None
    )


def _insert_multirow_returning(
    results: FlushResults,
    mapper: Mapper[Any],
    table: Any,
    rows: list[tuple[InstanceState, dict[str, Any], dict[str, Any]]],
    conn: Any,
) -> None:
    """INSERT many rows per statement, reading their generated keys back with RETURNING."""
    pk_col = table.autoincrement_column
    pk_key = mapper._columntoproperty[pk_col].key
    keys = tuple(rows[0][1])
    dialect = conn.dialect
    limit = getattr(dialect, "insertmanyvalues_max_parameters", 999)
    page = getattr(dialect, "insertmanyvalues_page_size", 1000)
    per = max(1, min(page, limit // max(1, len(keys))))
    use_qmark = positional.usable(conn) and all(isinstance(k, str) for k in keys)
    if use_qmark:
        per = min(page, positional.max_rows(len(keys)))
    if not keys:  # every column takes its default: no multi-row VALUES form, so
        per = 1  # one INSERT ... DEFAULT VALUES per row
    cache = mapper.__dict__.setdefault("_accord_multirow", {})
    values = results.values
    expire = results.expire
    for start in range(0, len(rows), per):
        batch = rows[start : start + per]
        n = len(batch)
        if n == 1:
            state, params, _sv = batch[0]
            pk = conn.execute(insert(table), params).inserted_primary_key
            _got(results, mapper, state, pk_col, pk[0] if pk else None)
            continue
        found = (
            positional.multirow_sql(mapper, table, keys, n, pk_col, conn) if use_qmark else None
        )
        if found is not None:
            sql, getter, _order = found
            args = tuple(chain.from_iterable(map(getter, [p for _s, p, _v in batch])))
            returned = conn.exec_driver_sql(sql, args)._raw_all()
            _store_keys(values, expire, pk_key, batch, sorted([r[0] for r in returned]))
            continue
        ckey = (keys, n)
        entry = cache.get(ckey)
        if entry is None:
            # one statement per (column set, row count), reused: compiled once; the bind
            # names are built once too, then zipped with each batch's values
            names = [(k, [f"{k}_{i}" for i in range(n)]) for k in keys]
            stmt = (
                insert(table)
                .values([{k: bindparam(f"{k}_{i}") for k in keys} for i in range(n)])
                .returning(pk_col)
            )
            entry = cache[ckey] = (stmt, names)
        stmt, names = entry
        flat: dict[str, Any] = {}
        for k, knames in names:
            flat.update(zip(knames, [p[k] for _s, p, _v in batch], strict=True))
        new_keys = sorted([r[0] for r in conn.execute(stmt, flat)._raw_all()])
        _store_keys(values, expire, pk_key, batch, new_keys)


def _store_keys(
    values: dict[InstanceState, dict[str, Any]],
    expire: dict[InstanceState, set[str]],
    pk_key: str,
    batch: list[tuple[InstanceState, dict[str, Any], dict[str, Any]]],
    new_keys: list[Any],
) -> None:
    """``_got`` for a batch's generated keys, inlined: a value to store, not one to expire."""
    if len(new_keys) != len(batch):
        raise exc.FlushError(f"INSERT returned {len(new_keys)} keys for {len(batch)} objects")
    for (state, _p, _v), value in zip(batch, new_keys, strict=True):
        got = values.get(state)
        if got is None:
            values[state] = {pk_key: value}
        else:
            got[pk_key] = value
        exp = expire.get(state)
        if exp is not None:
            exp.discard(pk_key)


def _insert_executemany_returning(
    results: FlushResults,
    mapper: Mapper[Any],
    table: Any,
    rows: list[tuple[InstanceState, dict[str, Any], dict[str, Any]]],
    conn: Any,
    fetch_cols: list[Any],
) -> None:
    """INSERT a group in one executemany and match its RETURNING rows to the objects.

    Dialects set ``insert_executemany_returning`` only where the driver returns one row
    per parameter set, in parameter order (psycopg's ``executemany(returning=True)``), so
    the n-th returned row belongs to the n-th object.
    """
    first_params = rows[0][1]
    cols = [c for c in mapper.primary_key if c.key not in first_params] + fetch_cols
    returned = conn.execute(insert(table).returning(*cols), [p for _s, p, _v in rows]).all()
    if len(returned) != len(rows):
        raise exc.FlushError(
            f"INSERT into {table.name!r} returned {len(returned)} rows for {len(rows)} objects"
        )
    for (state, _p, _v), row in zip(rows, returned, strict=True):
        for col, value in zip(cols, row, strict=True):
            _got(results, mapper, state, col, value)


def _got(
    results: FlushResults, mapper: Mapper[Any], state: InstanceState, col: Any, value: Any
) -> None:
    key = mapper._columntoproperty[col].key
    results.set_value(state, key, value)
    keys = results.expire.get(state)
    if keys is not None:
        keys.discard(key)


def update_rows(
    uow: Any, mapper: Mapper[Any], table: Any, states: list[InstanceState], conn: Any
) -> None:
    """UPDATE the changed columns of ``states``: one executemany per changed column set."""
    results: FlushResults = uow.results
    version_col: Any = mapper.version_id_col
    gen = mapper.version_id_generator
    plan = _plan(mapper)
    dispatch = mapper.dispatch
    if dispatch.before_update:
        for state in states:
            dispatch.before_update(mapper, conn, state.obj())
    groups: dict[tuple[Any, ...], list[tuple[InstanceState, dict[str, Any], dict[str, Any]]]]
    groups = {}
    for state in states:
        dict_ = state.dict
        committed = state.committed_state
        params: dict[str, Any] = {}
        sql_values: dict[str, Any] = {}
        for key, col in plan:
            if key not in committed or col is version_col:
                continue
            value = dict_.get(key, NO_VALUE)
            old = committed[key]
            if value is NO_VALUE:
                value = None  # the attribute was deleted: NULL
            elif old is not NO_VALUE and not _is_sql(value) and _same(old, value):
                continue
            if _is_sql(value):
                sql_values[col.key] = value
                results.expire_key(state, key)
            else:
                params[col.key] = value
        if not params and not sql_values:
            continue
        for key, col in plan:
            if col.onupdate is not None and col.key not in params and key not in committed:
                default = col.onupdate
                if default.is_scalar:
                    params[col.key] = default.arg
                    results.set_value(state, key, default.arg)
                elif default.is_callable:
                    value = default.arg(_DefaultContext(params))
                    params[col.key] = value
                    results.set_value(state, key, value)
                else:
                    results.expire_key(state, key)
            elif col.server_onupdate is not None and col.key not in params:
                results.expire_key(state, key)
        params.update(_row_key(mapper, state, dict_))
        if version_col is not None:
            vkey = mapper._columntoproperty[version_col].key
            old_version = mapper._get_committed_state_attr_by_column(state, dict_, version_col)
            params[f"_ver_{version_col.key}"] = old_version
            if gen:
                new = gen(old_version)  # type: ignore[operator]
                params[version_col.key] = new
                results.set_value(state, vkey, new)
            elif vkey in committed:
                params[version_col.key] = dict_.get(vkey)
        gkey = (tuple(sorted(params)), id(state) if sql_values else 0)
        groups.setdefault(gkey, []).append((state, params, sql_values))

    # one UPDATE statement per set of bound columns, kept on the mapper: built again for
    # every flush, its expressions and cache key cost more than the row's execution
    statements = mapper.__dict__.setdefault("_accord_update_stmts", {})
    for gkey, rows in groups.items():
        stmt = None if rows[0][2] else statements.get((table, gkey[0]))
        if stmt is None:
            crit = [c == bindparam(f"_pk_{c.key}") for c in mapper.primary_key]
            if version_col is not None:
                crit.append(version_col == bindparam(f"_ver_{version_col.key}"))
            first_params = rows[0][1]
            set_cols = {c.key: bindparam(c.key) for c in table.c if c.key in first_params}
            stmt = update(table).where(and_(*crit)).values(**set_cols)
            if rows[0][2]:  # SQL expressions: built for this row only
                stmt = stmt.values(**rows[0][2])
            else:
                if len(statements) >= 256:  # column sets are few; a runaway mix is not kept
                    statements.clear()
                statements[(table, gkey[0])] = stmt
        plist = [p for _s, p, _v in rows]
        fetch = _update_fetch_cols(mapper, conn.dialect, results, rows)
        if fetch:
            matched = _update_returning(results, mapper, stmt.returning(*fetch), rows, conn)
        else:
            matched = conn.execute(stmt, plist if len(plist) > 1 else plist[0]).rowcount
        if matched != len(plist):
            raise exc.StaleDataError(
                f"UPDATE statement on table {table.name!r} expected to update {len(plist)} "
                f"row(s); {matched} were matched"
            )
    if dispatch.after_update:
        for state in states:
            dispatch.after_update(mapper, conn, state.obj())


def _update_fetch_cols(mapper: Mapper[Any], dialect: Any, results: FlushResults, rows: Any) -> Any:
    """Columns an UPDATE changes on the server (``server_onupdate``, SQL expressions) read
    back with RETURNING: only with ``eager_defaults=True`` where UPDATE has RETURNING."""
    if mapper.eager_defaults is not True or not dialect.update_returning:
        return []
    keys: set[str] = set()
    for state, _p, _v in rows:
        keys.update(results.expire.get(state, ()))
    return [col for key, col in _plan(mapper) if key in keys] if keys else []


def _update_returning(
    results: FlushResults, mapper: Mapper[Any], stmt: Any, rows: Any, conn: Any
) -> int:
    """Run an UPDATE ... RETURNING per object (its row must come back to it); the count."""
    cols = list(stmt._returning)
    matched = 0
    for state, params, _v in rows:
        row = conn.execute(stmt, params).first()
        if row is not None:
            matched += 1
            for col, value in zip(cols, row, strict=False):
                _got(results, mapper, state, col, value)
    return matched


def _same(a: Any, b: Any) -> bool:
    try:
        return bool(a == b)
    except Exception:  # values that cannot be compared count as changed
        return False


def delete_rows(
    uow: Any, mapper: Mapper[Any], table: Any, states: list[InstanceState], conn: Any
) -> None:
    """DELETE the rows of ``states`` by primary key (and version), one executemany."""
    dispatch = mapper.dispatch
    if dispatch.before_delete:
        for state in states:
            dispatch.before_delete(mapper, conn, state.obj())
    version_col: Any = mapper.version_id_col
    crit = [c == bindparam(f"_pk_{c.key}") for c in mapper.primary_key]
    if version_col is not None:
        crit.append(version_col == bindparam(f"_ver_{version_col.key}"))
    plist = []
    for state in states:
        dict_ = state.dict
        params = _row_key(mapper, state, dict_)
        if version_col is not None:
            params[f"_ver_{version_col.key}"] = mapper._get_committed_state_attr_by_column(
                state, dict_, version_col
            )
        if any(v is NO_VALUE or v is None for v in params.values()):
            raise exc.FlushError(f"Can't delete {state_str(state)}: its primary key is not loaded")
        plist.append(params)
    result = conn.execute(delete(table).where(and_(*crit)), plist if len(plist) > 1 else plist[0])
    if result.rowcount != len(plist):
        msg = (
            f"DELETE statement on table {table.name!r} expected to delete {len(plist)} row(s); "
            f"{result.rowcount} were matched"
        )
        if version_col is not None:
            raise exc.StaleDataError(msg)
        if mapper.confirm_deleted_rows:
            warnings.warn(msg, stacklevel=2)
    if dispatch.after_delete:
        for state in states:
            dispatch.after_delete(mapper, conn, state.obj())

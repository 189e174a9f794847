"""ORM INSERT through ``Session.execute`` (bulk, RETURNING objects, upserts) and
``select(Entity).from_statement(...)``."""

from __future__ import annotations

from operator import itemgetter
from typing import TYPE_CHECKING, Any

from accord import exc
from accord.engine import IteratorResult
from accord.engine.row import NoSuchColumnError, _metadata_for_keys
from accord.orm.loading import _instance_maker, _load_columns, _mapper_of, _RowCount
from accord.sql import Insert
from accord.sql.fromstatement import FromStatement

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from accord.orm.mapper import Mapper
    from accord.orm.session import Session

__all__ = ["orm_execute"]


def orm_execute(
    session: Session,
    statement: Any,
    params: Any,
    opts: Mapping[str, Any],
    bind_arguments: Mapping[str, Any] | None,
) -> Any:
    """Run an ORM INSERT or a ``from_statement()``; None when ``statement`` is plain Core
    (an INSERT into a table no class maps)."""
    if isinstance(statement, FromStatement):
        return _from_statement(session, statement, params, opts, bind_arguments)
    assert isinstance(statement, Insert)
    mapper = _mapper_of(statement._raw_table) or _table_mapper(statement.table)
    if mapper is None:
        return None
    return _orm_insert(session, mapper, statement, params, opts, bind_arguments)


def _table_mapper(table: Any) -> Mapper[Any] | None:
    from accord.orm.query import _mapper_for_table

    return _mapper_for_table(table)


def _connection(
    session: Session,
    mapper: Mapper[Any] | None,
    statement: Any,
    opts: Mapping[str, Any],
    bind_arguments: Mapping[str, Any] | None,
) -> Any:
    if opts.get("autoflush", True):
        session._autoflush()
    bind = (bind_arguments or {}).get("bind")
    if bind is None:
        bind = session.get_bind(mapper, clause=statement)
    return session._connection_for(bind)


def _column_keys(mapper: Mapper[Any]) -> dict[str, str]:
    """Attribute key -> column key, for the attributes whose column is keyed otherwise."""
    cached = mapper.__dict__.get("_accord_insert_keys")
    if cached is None:
        table = mapper.local_table
        cached = {}
        for prop in mapper.column_attrs.values():
            col = prop.columns[0]
            if prop.key != col.key and table.c.contains_column(col):
                cached[prop.key] = col.key
        mapper.__dict__["_accord_insert_keys"] = cached
    return cached


def _rekey(renames: dict[str, str], row: Mapping[str, Any]) -> dict[str, Any]:
    return {renames.get(k, k): v for k, v in row.items()}


def _orm_insert(
    session: Session,
    mapper: Mapper[Any],
    statement: Insert,
    params: Any,
    opts: Mapping[str, Any],
    bind_arguments: Mapping[str, Any] | None,
) -> Any:
    renames = _column_keys(mapper)
    if renames and params:
        if isinstance(params, dict):
            params = _rekey(renames, params)
        elif isinstance(params, (list, tuple)):
            params = [_rekey(renames, p) for p in params]
    conn = _connection(session, mapper, statement, opts, bind_arguments)
    raw = statement._returning_raw
    if not raw:
        runs = _runs(params)
        if len(runs) == 1:
            return conn.execute(statement, runs[0])
        return _RowCount(sum(conn.execute(statement, run).rowcount for run in runs))
    # RETURNING: an entity's columns become objects, ORM attributes keep their keys
    flat: list[Any] = []
    makers: list[tuple[bool, Any]] = []
    keys: list[str] = []
    populate_existing = bool(opts.get("populate_existing", False))
    for entity in raw:
        emapper = _mapper_of(entity)
        if emapper is not None:
            make = _instance_maker(session, emapper, len(flat), populate_existing)[0]
            makers.append((True, make))
            flat.extend(_load_columns(emapper)[1])
            keys.append(emapper.class_.__name__)
        else:
            before = len(flat)
            single = statement.returning(entity)._returning[len(statement._returning) :]
            flat.extend(single)
            for col in single:
                makers.append((False, before))
                # an ORM attribute names its row column by the attribute key
                name = getattr(entity, "key", None) if len(single) == 1 else None
                keys.append(name or getattr(col, "key", None) or str(len(keys)))
                before += 1
    stmt = statement._generate()
    stmt._returning = ()
    stmt._returning_raw = ()
    stmt = stmt.returning(*flat)
    rows: list[Any] = []
    one_by_one = not conn.dialect.insert_executemany_returning
    for run in _runs(params):
        if isinstance(run, list) and len(run) > 1 and one_by_one:
            # one row per parameter set, so the RETURNING rows keep the parameters' order
            # (sqlite, MariaDB: their drivers return no rows from an executemany)
            rows.extend(r for p in run for r in conn.execute(stmt, p)._raw_all())
        else:
            rows.extend(conn.execute(stmt, run)._raw_all())
    return _result(keys, makers, rows)


def _runs(params: Any) -> list[Any]:
    """Parameter sets split where the keys change: an executemany takes one key set
    (consecutive runs, so RETURNING rows stay in parameter order)."""
    if not isinstance(params, (list, tuple)) or len(params) < 2:
        return [params]
    runs: list[list[Any]] = []
    last: Any = None
    for p in params:
        keys = p.keys()
        if runs and keys == last:
            runs[-1].append(p)
        else:
            runs.append([p])
            last = keys
    return runs


def _result(keys: list[str], makers: list[tuple[bool, Any]], rows: list[Any]) -> Any:
    getters: list[Callable[[Any], Any]] = [
        fn if is_entity else itemgetter(fn) for is_entity, fn in makers
    ]
    out = [tuple([g(row) for g in getters]) for row in rows]
    return IteratorResult(_metadata_for_keys(keys), iter(out))


def _from_statement(
    session: Session,
    statement: FromStatement,
    params: Any,
    opts: Mapping[str, Any],
    bind_arguments: Mapping[str, Any] | None,
) -> Any:
    entities = statement._raw_entities
    first = next((m for e in entities if (m := _mapper_of(e)) is not None), None)
    conn = _connection(session, first, statement.element, opts, bind_arguments)
    result = conn.execute(statement.element, params)
    names = list(result.keys())
    position: dict[str, int] = {}
    for i, name in enumerate(names):
        position.setdefault(name, i)
        position.setdefault(name.lower(), i)

    def find(name: str) -> int:
        at = position.get(name, position.get(name.lower()))
        if at is None:
            raise NoSuchColumnError(
                f"Could not locate column {name!r} in the rows of from_statement(); "
                f"the statement returns {names}"
            )
        return at

    picks: list[int] = []
    makers: list[tuple[bool, Any]] = []
    keys: list[str] = []
    populate_existing = bool(opts.get("populate_existing", False))
    for entity in entities:
        mapper = _mapper_of(entity)
        if mapper is not None:
            start = len(picks)
            picks.extend(find(col.name) for col in _load_columns(mapper)[1])
            makers.append((True, _instance_maker(session, mapper, start, populate_existing)[0]))
            keys.append(mapper.class_.__name__)
        else:
            name = getattr(entity, "name", None) or getattr(entity, "key", None)
            if not isinstance(name, str):
                raise exc.ArgumentError(
                    f"from_statement() matches columns by name; {entity!r} has none"
                )
            makers.append((False, len(picks)))
            picks.append(find(name))
            keys.append(name)
    rows = [tuple([row[i] for i in picks]) for row in result._raw_all()]
    return _result(keys, makers, rows)

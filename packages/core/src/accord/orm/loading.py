"""Loading: ORM SELECTs into objects through the identity map, get(), refresh, expired loads."""

from __future__ import annotations

import gc
import weakref
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from accord import exc
from accord.engine import IteratorResult
from accord.engine.row import ResultMetaData, _metadata_for_keys
from accord.orm.aliased import AliasedClass
from accord.orm.base import (
    _GC_BATCH_MIN,
    ATTR_WAS_SET,
    STATE_ATTR,
    _ConfigureHook,
    _promote_young,
    opt_manager_of_class,
    state_str,
)
from accord.orm.execute_state import ORMExecuteState
from accord.orm.state import InstanceState
from accord.orm.strategies import apply_criteria, eager_relationships, entity_plan
from accord.sql import Delete, Insert, Select, Update, and_, bindparam, select
from accord.sql.fromstatement import FromStatement

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping

    from accord.engine import FrozenResult
    from accord.orm.mapper import Mapper
    from accord.orm.session import Session
    from accord.orm.strategies import EntityPlan, LoadOptions

__all__ = [
    "execute",
    "get",
    "load_scalar_attributes",
    "merge_frozen_result",
    "refresh_state",
]

_NO_ARGS: Mapping[str, Any] = {}


def _mapper_of(entity: Any) -> Mapper[Any] | None:
    """The Mapper of a mapped class, Mapper or aliased class, else None."""
    if isinstance(entity, type):
        manager = opt_manager_of_class(entity)
        return manager.mapper if manager is not None else None
    if type(entity) is AliasedClass:
        return entity.__dict__["_aliased_insp"].mapper  # type: ignore[no-any-return]
    from accord.orm.mapper import Mapper

    return entity if isinstance(entity, Mapper) else None


def _alias_of(entity: Any) -> Any:
    """The AliasedInsp of an aliased class, else None."""
    return entity.__dict__["_aliased_insp"] if type(entity) is AliasedClass else None


def _load_columns(mapper: Mapper[Any]) -> tuple[tuple[str, ...], tuple[Any, ...]]:
    """Attribute keys and SQL expressions an entity SELECT loads (deferred ones left out)."""
    cached = mapper.__dict__.get("_accord_load_cols")
    if cached is None:
        keys = []
        exprs = []
        for prop in mapper.column_attrs.values():
            if prop.deferred:
                continue
            keys.append(prop.key)
            exprs.append(prop.expression)
        cached = (tuple(keys), tuple(exprs))
        mapper.__dict__["_accord_load_cols"] = cached
    return cached


def _row_dict_builder(
    mapper: Mapper[Any], keys: tuple[str, ...]
) -> Callable[[InstanceState, Any], dict[str, Any]]:
    """``(state, row) -> {STATE_ATTR: state, keys[0]: row[0], ...}``, compiled once per mapper.

    A dict display with constant keys makes a loaded object's whole ``__dict__`` in one
    step, a third faster than filling the object's own dict with ``update(zip(...))``.
    """
    cached = mapper.__dict__.get("_accord_row_dict")
    if cached is None or cached[0] != keys:
        # other key sets (loader options such as load_only) keep their own builders
        others = mapper.__dict__.setdefault("_accord_row_dicts", {})
        fn = others.get(keys)
        if fn is not None:
            return fn  # type: ignore[no-any-return]
        # the source holds only string literals of the attribute names and row indexes
        lit = str.__repr__
        items = "".join(f", {lit(k)}: row[{i}]" for i, k in enumerate(keys))
        fn = eval(f"lambda state, row: {{{lit(STATE_ATTR)}: state{items}}}")
        if cached is None or keys == _load_columns(mapper)[0]:
            cached = mapper.__dict__["_accord_row_dict"] = (keys, fn)
        else:
            if len(others) > 64:  # option combinations are few; a runaway set is not kept
                others.clear()
            others[keys] = fn
            return fn  # type: ignore[no-any-return]
    builder: Callable[[InstanceState, Any], dict[str, Any]] = cached[1]
    return builder


def _instance_maker(
    session: Session,
    mapper: Mapper[Any],
    start: int,
    populate_existing: bool,
    plan: EntityPlan | None = None,
    token: Any = None,
) -> tuple[Callable[[Any], Any], Callable[[list[Any]], list[tuple[Any]]]]:
    """Functions row -> object and rows -> [(object,)] for an entity whose columns begin at
    ``start``; ``plan`` (loader options) chooses the columns and prepares new objects,
    ``token`` is the identity token of the loaded objects' keys."""
    keys = _load_columns(mapper)[0] if plan is None else plan.keys
    setup_state = plan.setup_state if plan is not None else None
    idmap = session.identity_map
    states = idmap._dict
    wr = idmap._wr
    manager = mapper.class_manager
    ident_cls = mapper._identity_class
    sid = session.hash_key
    values_of = itemgetter(*range(start, start + len(keys)))
    key_set = frozenset(keys)
    pk_pos = [start + keys.index(k) for k in mapper._pk_keys]
    single = len(keys) == 1
    single_pk = len(pk_pos) == 1
    pk_of = itemgetter(*pk_pos)
    load_event = manager.dispatch.load
    loaded_as_persistent = session.dispatch.loaded_as_persistent

    def existing(state: InstanceState, obj: Any, row: Any) -> Any:
        dict_ = state.dict
        if populate_existing:
            values = (values_of(row),) if single else values_of(row)
            dict_.update(zip(keys, values, strict=False))
            state._commit_all(dict_, idmap)
            if manager.dispatch.refresh:
                manager.dispatch.refresh(state, None, None)
        elif not key_set.issubset(dict_):
            # an identity-map hit fills in the attributes that were expired, left out by
            # loader options, or never loaded (a column a flushed INSERT did not set), as
            # SQLAlchemy; never one the application deleted: its committed value is kept
            values = (values_of(row),) if single else values_of(row)
            expired = state.expired_attributes
            committed = state.committed_state
            fill = [
                (k, v)
                for k, v in zip(keys, values, strict=False)
                if k not in dict_ and (k in expired or k not in committed)
            ]
            if fill:
                dict_.update(fill)
                state._commit(dict_, [k for k, _v in fill])
        return obj

    cls: Any = mapper.class_
    cls_new = cls.__new__
    whole_row = start == 0  # the entity's columns are the row (zip stops at the last key)
    end = start + len(keys)

    def make(row: Any) -> Any:
        pk = (row[pk_pos[0]],) if single_pk else pk_of(row)
        if None in pk:
            return None
        key = (ident_cls, pk, token)
        state = states.get(key)
        if state is not None:
            obj = state.obj()
            if obj is not None:
                return existing(state, obj, row)
        # built without __init__, events or history: the values go straight into __dict__
        obj = cls_new(cls)
        dict_ = obj.__dict__
        state = dict_[STATE_ATTR] = InstanceState(obj, manager, key, sid, wr)
        dict_.update(zip(keys, row if whole_row else row[start:end], strict=False))
        states[key] = state
        if setup_state is not None:
            setup_state(state)
        if load_event:
            load_event(state, None)
        if loaded_as_persistent:
            loaded_as_persistent(session, obj)
        return obj

    # (a class with its own __new__ may put values in the new object's dict: keep them)
    own_new = cls_new is not object.__new__
    if load_event or loaded_as_persistent or not whole_row or not single_pk or own_new:
        return make, lambda rows: [(make(row),) for row in rows]
    pk_at = pk_pos[0]
    row_dict = _row_dict_builder(mapper, keys)
    no_setup = setup_state is None

    def make_all(rows: list[Any]) -> list[tuple[Any]]:
        # make() over a whole result with no listeners to tell, the loop inlined: a fresh
        # object costs __new__, one InstanceState and one dict display, nothing per attribute
        out: list[tuple[Any]] = []
        append = out.append
        get = states.get
        state_cls = InstanceState
        new_state = object.__new__
        ref = weakref.ref
        for row in rows:
            pk_value = row[pk_at]
            if pk_value is None:
                append((None,))
                continue
            key = (ident_cls, (pk_value,), token)
            state = get(key)
            if state is not None:
                obj = state.obj()
                if obj is not None:
                    append((existing(state, obj, row),))
                    continue
            obj = cls_new(cls)
            # InstanceState.__init__ inlined: calling the class costs more than the stores
            state = new_state(state_cls)
            state.manager = manager
            state.obj = ref(obj)
            state.committed_state = {}
            state.key = key
            state.session_id = sid
            state.modified = False
            state._instance_dict = wr
            obj.__dict__ = row_dict(state, row)
            states[key] = state
            if no_setup:
                append((obj,))
                continue
            setup_state(state)  # type: ignore[misc]
            append((obj,))
        return out

    return make, make_all


class _RowCount:
    """The result of an ORM bulk UPDATE by primary key: its matched row count."""

    __slots__ = ("rowcount",)

    def __init__(self, rowcount: int) -> None:
        self.rowcount = rowcount

    def __repr__(self) -> str:
        return f"<bulk UPDATE result: {self.rowcount} rows>"


def _is_orm_select(statement: Any) -> bool:
    raw = getattr(statement, "_raw_entities", None)
    return raw is not None and any(_mapper_of(e) is not None for e in raw)


def execute(
    session: Session,
    statement: Any,
    params: Any,
    options: Mapping[str, Any],
    bind_arguments: Mapping[str, Any] | None = None,
    _skip: int = 0,
) -> Any:
    """``Session.execute``: ORM SELECTs give objects; other statements run as in Core."""
    if _ConfigureHook.pending:
        _ConfigureHook.run()
    listeners = session.dispatch.do_orm_execute
    if len(listeners) > _skip:
        state = ORMExecuteState(session, statement, params, options, bind_arguments)
        for index in range(_skip, len(listeners)):
            state._index = index
            result = listeners[index](state)
            if result is not None:
                return result
        statement, params = state.statement, state.parameters
        options = state.local_execution_options
    get_opts = getattr(statement, "get_execution_options", None)
    opts = dict(get_opts()) if get_opts is not None else {}
    opts.update(options)
    is_select = isinstance(statement, Select)
    if is_select and opts.get("autoflush", True):
        session._autoflush()
    if isinstance(statement, (Update, Delete)):
        from accord.orm.query import (
            _mapper_for_table,
            bulk_update_by_primary_key,
            bulk_update_delete,
        )

        if _mapper_for_table(statement.table) is not None:
            if not isinstance(params, list):
                return bulk_update_delete(session, statement, params, opts)
            if isinstance(statement, Update):
                return _RowCount(bulk_update_by_primary_key(session, statement, params, opts))
    if isinstance(statement, (Insert, FromStatement)):
        from accord.orm.bulk_persistence import orm_execute

        result = orm_execute(session, statement, params, opts, bind_arguments)
        if result is not None:
            return result
    if not (is_select and _is_orm_select(statement)):
        if is_select and statement._with_options:
            statement = _core_select_options(statement)
        mapper = None
        for e in getattr(statement, "_raw_entities", ()) or ():
            mapper = _mapper_of(getattr(e, "class_", e))
            if mapper is not None:
                break
        table = getattr(statement, "table", None)
        if mapper is None and table is not None:
            mapper = _mapper_of(table)
        bind = (bind_arguments or _NO_ARGS).get("bind")
        if bind is None:  # the statement's tables can pick the bind too (Session binds=)
            bind = session.get_bind(mapper, clause=statement)
        conn = session._connection_for(bind)
        return conn.execute(statement, params, execution_options=options or None)
    return _execute_orm_select(
        session, statement, params, opts, (bind_arguments or _NO_ARGS).get("bind")
    )


def _core_select_options(statement: Any) -> Any:
    """A SELECT of columns (no entity) with ORM options: criteria apply, loaders cannot."""
    from accord.orm.strategies import apply_criteria

    load_opts = _orm_options(statement)
    assert load_opts is not None
    if load_opts.loads:
        raise exc.ArgumentError(
            f"Loader options {list(load_opts.loads)!r} need an entity in the SELECT list; "
            "this statement selects only columns"
        )
    statement = apply_criteria(statement, load_opts.criteria)
    statement = statement._generate()
    statement._with_options = ()
    return statement


def _orm_options(statement: Any) -> LoadOptions | None:
    """The statement's ORM options, sorted once per statement object."""
    if not statement._with_options:
        return None
    memo = statement.__dict__.get("_memo_orm_options")
    if memo is None:
        from accord.orm.strategies import split_options

        memo = statement.__dict__["_memo_orm_options"] = split_options(statement._with_options)
    return memo  # type: ignore[no-any-return]


def _execute_orm_select(
    session: Session, statement: Any, params: Any, opts: Mapping[str, Any], bind: Any = None
) -> Any:
    populate_existing = bool(opts.get("populate_existing", False))
    token = opts.get("identity_token")
    yield_per = opts.get("yield_per")
    load_opts = _orm_options(statement)
    if load_opts is not None:
        statement = apply_criteria(statement, load_opts.criteria)
        if load_opts.loads:
            load_opts.check_roots(
                [
                    (m, _alias_of(e))
                    for e in statement._raw_entities
                    if (m := _mapper_of(e)) is not None
                ]
            )
    flat: list[Any] = []
    # per result column: ("entity", maker) or ("column", position)
    plan: list[tuple[bool, Any]] = []
    keys: list[str] = []
    first_mapper = None
    make_all: Callable[[list[Any]], list[tuple[Any]]] | None = None
    post_loads: list[tuple[int, EntityPlan]] = []
    gatherers: list[Any] = []
    unique_required = False
    for entity in statement._raw_entities:
        mapper = _mapper_of(entity)
        if mapper is not None:
            first_mapper = first_mapper or mapper
            start = len(flat)
            entity_load = None
            alias = _alias_of(entity)
            if load_opts is not None:
                node = load_opts.node_for(mapper, alias, len(plan))
                entity_load = entity_plan(mapper, node, load_opts.criteria, populate_existing)
            elif eager_relationships(mapper):
                entity_load = entity_plan(mapper, None, (), populate_existing)
            if entity_load is not None and entity_load.joined and not flat:
                statement, alias = _limited_parents(statement, entity_load, alias)
            exprs = _load_columns(mapper)[1] if entity_load is None else entity_load.exprs
            flat.extend(exprs if alias is None else [alias.adapt(e) for e in exprs])
            if entity_load is not None and entity_load.post_load:
                post_loads.append((len(plan), entity_load))
            makers = _instance_maker(session, mapper, start, populate_existing, entity_load, token)
            if entity_load is not None and entity_load.joined:
                statement, makers, gatherer, repeats = _with_joins(
                    session, statement, entity_load, makers[0], flat, opts, load_opts, alias
                )
                gatherers.append(gatherer)
                unique_required = unique_required or repeats
            plan.append((True, makers[0]))
            make_all = makers[1] if make_all is None else make_all
            keys.append(mapper.class_.__name__ if alias is None else alias.name)
        else:
            plan.append((False, len(flat)))
            flat.append(entity)
            keys.append(
                getattr(entity, "key", None) or getattr(entity, "name", None) or str(len(keys))
            )
    stmt = statement.with_only_columns(*flat, maintain_column_froms=True)
    if stmt._with_options:
        stmt._with_options = ()  # applied above; the SQL does not depend on them
    if bind is None:
        bind = session.get_bind(first_mapper, clause=statement)
    conn = session._connection_for(bind)
    # before the new states go in: a sweep afterwards would only scan them, all alive
    session.identity_map._maybe_sweep()
    md = _metadata_for_keys(keys)  # cached: a new one would build a Row class (~10 us)
    one_entity = make_all if len(plan) == 1 else None
    getters = [fn if is_ent else itemgetter(fn) for is_ent, fn in plan]

    def build(rows: list[Any]) -> list[Any]:
        # The fetch and the object building share one pause of the cyclic GC: rows, objects
        # and states are many small containers that collection passes would traverse
        # repeatedly. Big results' objects then go straight to the oldest generation.
        if one_entity is not None:  # one entity: objects built in bulk
            out: list[Any] = one_entity(rows)
        else:
            out = [tuple([g(row) for g in getters]) for row in rows]
        for gatherer in gatherers:
            gatherer.finish(session)
        for index, entity_load in post_loads:
            objs = [r[index] for r in out if r[index] is not None]
            for fn in entity_load.post_load:
                fn(session, objs)
        return out

    if yield_per:
        return _streamed(conn, stmt, params, md, build, int(yield_per))
    gc_was = gc.isenabled()
    if gc_was:
        gc.disable()
    rows: list[Any] = []
    try:
        rows = conn.execute(stmt, params)._raw_all()  # positions are all the ORM reads
        out = build(rows)
    finally:
        if gc_was:
            # the new objects skip the pass the pause deferred; eager loads below this
            # SELECT count too (gen-0 count: containers made since the last pass)
            if len(rows) >= _GC_BATCH_MIN or gc.get_count()[0] >= _GC_BATCH_MIN:
                _promote_young()
            gc.enable()
    if unique_required:
        if _dedupes(opts):
            # loaders, get() and the legacy Query: each object once, as SQLAlchemy does
            out = list({tuple(map(id, r)): r for r in out}.values())
        else:
            from accord.orm.joined import unique_required_result

            return unique_required_result(md, out)
    return IteratorResult(md, iter(out))


def _limited_parents(statement: Any, entity_load: EntityPlan, alias: Any) -> tuple[Any, Any]:
    """LIMIT / OFFSET with a joined collection: the limited parent SELECT becomes a subquery
    the joins hang from, so the limit counts parents, not joined rows (as SQLAlchemy does)."""
    from accord.orm.aliased import aliased
    from accord.orm.joined import JoinedLoad
    from accord.sql.visitors import adapt_to_selectable

    limited = statement._limit_clause is not None or statement._offset_clause is not None
    if not limited or alias is not None or len(statement._raw_entities) != 1:
        return statement, alias
    if not any(JoinedLoad(prop).uselist for prop, _s, _c, _e in entity_load.joined):
        return statement, alias
    inner = statement.with_only_columns(*entity_load.exprs, maintain_column_froms=True)
    inner._with_options = ()
    sub = inner.subquery()
    entity = aliased(entity_load.mapper.class_, sub)
    outer = select(entity).order_by(
        *[adapt_to_selectable(o, sub) for o in statement._order_by_clauses]
    )
    outer._with_options = statement._with_options
    return outer, entity.__dict__["_aliased_insp"]


def _dedupes(opts: Mapping[str, Any]) -> bool:
    """True for ORM-internal SELECTs (relationship loads, get()) and the legacy Query,
    whose rows come back unique without ``unique()``."""
    return bool(
        opts.get("_accord_dedupe")
        or opts.get("_accord_relationship_load")
        or opts.get("_accord_lazy_loaded_from") is not None
    )


def _with_joins(
    session: Session,
    statement: Any,
    entity_load: EntityPlan,
    make: Callable[[Any], Any],
    flat: list[Any],
    opts: Mapping[str, Any],
    load_opts: LoadOptions | None,
    alias: Any = None,
) -> tuple[Any, Any, Any, bool]:
    """The entity's joined eager loads: joins and columns added, a maker reading the
    related objects of each row, the Gatherer setting them, and whether rows repeat."""
    from accord.orm.joined import Gatherer, check_joined, setup_joined

    populate_existing = bool(opts.get("populate_existing", False))
    criteria = tuple(c for c in load_opts.criteria if c.propagate_to_loaders) if load_opts else ()
    statement, loads = setup_joined(
        session,
        statement,
        entity_load,
        entity_load.mapper.local_table if alias is None else alias.selectable,
        flat,
        populate_existing,
        opts.get("identity_token"),
        criteria,
    )
    repeats = check_joined(statement, loads, opts.get("yield_per"))
    gatherer = Gatherer(populate_existing)
    read_row = gatherer.row

    def make_with_joins(row: Any) -> Any:
        obj = make(row)
        if obj is not None:
            read_row(row, obj, loads)
        return obj

    return (
        statement,
        (make_with_joins, lambda rows: [(make_with_joins(r),) for r in rows]),
        gatherer,
        repeats,
    )


def _streamed(
    conn: Any,
    stmt: Any,
    params: Any,
    md: ResultMetaData,
    build: Callable[[list[Any]], list[Any]],
    size: int,
) -> Any:
    """``yield_per``: rows fetched (on a server-side cursor where the dialect has them) and
    turned into objects ``size`` at a time, as the result is consumed."""
    cursor_result = conn.execute(
        stmt, params, execution_options={"yield_per": size, "stream_results": True}
    )

    def batches() -> Iterator[Any]:
        while True:
            rows = cursor_result.fetchmany(size)
            if not rows:
                return
            gc_was = gc.isenabled()
            if gc_was:
                gc.disable()
            try:
                out = build(rows)
            finally:
                if gc_was:
                    gc.enable()
            yield from out

    result: IteratorResult[Any] = IteratorResult(md, batches())
    result.yield_per(size)
    return result


def merge_frozen_result(
    session: Session, statement: Any, frozen_result: FrozenResult, load: bool = True
) -> FrozenResult:
    """A copy of a ``FrozenResult`` whose mapped objects are merged into ``session``.

    For result caches: rows frozen in one Session (``result.freeze()``) hold that Session's
    objects; merged, each becomes the object of the same identity in ``session`` (with
    ``load=False`` no SELECT is emitted: the cached values are taken as they are).
    ``statement`` is the statement the rows came from, accepted as SQLAlchemy's is.
    """
    with session.no_autoflush:  # merging must not flush half-merged objects
        rows = [
            [
                session.merge(value, load=load)
                if opt_manager_of_class(type(value)) is not None
                else value
                for value in row
            ]
            for row in frozen_result.data
        ]
    return frozen_result.with_new_rows(rows)


def _pk_criteria(mapper: Mapper[Any], ident: tuple[Any, ...]) -> Any:
    return and_(*[col == value for col, value in zip(mapper.primary_key, ident, strict=False)])


def get(
    session: Session,
    entity: Any,
    ident: Any,
    populate_existing: bool,
    with_for_update: Any,
    identity_token: Any,
    options: Any = None,
    execution_options: Mapping[str, Any] | None = None,
) -> Any:
    """``Session.get``: the identity map first, then a SELECT by primary key."""
    if _ConfigureHook.pending:
        _ConfigureHook.run()
    mapper = _mapper_of(entity)
    if mapper is None:
        raise exc.UnmappedClassError(f"Class {entity!r} is not mapped")
    npk = len(mapper.primary_key)
    if isinstance(ident, dict):
        try:
            ident = tuple(ident[k] for k in mapper._pk_keys)
        except KeyError as err:
            raise exc.InvalidRequestError(
                f"Incorrect names of values in identifier formulation; expected the keys "
                f"{list(mapper._pk_keys)}, missing {err}"
            ) from None
    elif not isinstance(ident, (tuple, list)):
        ident = (ident,)
    ident = tuple(ident)
    if len(ident) != npk:
        raise exc.InvalidRequestError(
            f"Incorrect number of values in identifier formulation: {mapper.class_.__name__} "
            f"has {npk} primary key column(s), {len(ident)} value(s) given"
        )
    key = (mapper._identity_class, ident, identity_token)
    if not populate_existing and not with_for_update:
        state = session.identity_map.fast_get_state(key)
        if state is not None:
            obj = state.obj()
            if obj is not None:
                if state._deleted:
                    return None
                if state.expired:
                    try:
                        load_scalar_attributes(state, frozenset(state.expired_attributes), 0)
                    except exc.ObjectDeletedError:
                        session._mark_deleted(state)  # its row is gone
                        return None
                return obj
    if not (populate_existing or with_for_update or options or execution_options):
        plan = _get_plan(mapper)
        if plan is not None and not session.dispatch.do_orm_execute:
            return _get_by_plan(session, mapper, plan, ident, identity_token)
    stmt = select(mapper.class_).where(_pk_criteria(mapper, ident))
    if with_for_update:
        stmt = stmt.with_for_update(
            **(with_for_update if isinstance(with_for_update, dict) else {})
        )
    if options:
        stmt = stmt.options(*options)
    opts = dict(execution_options or {})
    if populate_existing:
        opts["populate_existing"] = True
    if identity_token is not None:
        opts["identity_token"] = identity_token
    opts["_accord_dedupe"] = True
    return execute(session, stmt, None, opts).scalars().first()


def _get_plan(mapper: Mapper[Any]) -> tuple[Any, tuple[str, ...]] | None:
    """The SELECT by primary key that a plain ``get()`` miss runs, built once per mapper.

    ``(statement, bind parameter names)``, or None when loading the class takes more than
    its own row (relationships mapped with an eager ``lazy=``): those go the general way.
    """
    if eager_relationships(mapper):
        return None
    keys = _load_columns(mapper)
    cached = mapper.__dict__.get("_accord_get_plan")
    if cached is None or cached[0] is not keys:
        names = tuple(f"pk_{i}" for i in range(len(mapper.primary_key)))
        stmt = select(*keys[1]).where(_pk_criteria(mapper, tuple(map(bindparam, names))))
        cached = mapper.__dict__["_accord_get_plan"] = (keys, (stmt, names))
    plan: tuple[Any, tuple[str, ...]] = cached[1]
    return plan


def _get_by_plan(
    session: Session,
    mapper: Mapper[Any],
    plan: tuple[Any, tuple[str, ...]],
    ident: tuple[Any, ...],
    token: Any,
) -> Any:
    """A ``get()`` miss without options or listeners: the cached SELECT, one row, one object.

    Does what ``execute()`` would for ``select(Class).where(<primary key>)`` (autoflush,
    ``get_bind()``, the identity map, load events) without rebuilding the statement and
    its loading plan on every call.
    """
    stmt, names = plan
    session._autoflush()
    conn = session._connection_for(session.get_bind(mapper, clause=stmt))
    rows = conn.execute(stmt, dict(zip(names, ident, strict=True)))._raw_all()
    if not rows:
        return None
    session.identity_map._maybe_sweep()
    make = _instance_maker(session, mapper, 0, False, None, token)[0]
    return make(rows[0])


def _load_row(state: InstanceState, keys: list[str], for_update: Any = None) -> Any:
    session = state.session
    if session is None:
        raise exc.DetachedInstanceError(
            f"Instance {state_str(state)} is not bound to a Session; attribute(s) "
            f"{', '.join(repr(k) for k in keys)} cannot be loaded"
        )
    mapper = state.manager.mapper
    assert state.key is not None
    exprs = [mapper._props[k].expression for k in keys]
    stmt = select(*exprs).where(_pk_criteria(mapper, state.key[1]))
    if for_update:
        stmt = stmt.with_for_update(**(for_update if isinstance(for_update, dict) else {}))
    session._autoflush()
    # instance=: a get_bind() override can route by the object (sharding: to its shard)
    conn = session._connection_for(session.get_bind(mapper, instance=state.obj()))
    row = conn.execute(stmt).first()
    if row is None:
        raise exc.ObjectDeletedError(
            f"Instance {state_str(state)} has been deleted, or its row is otherwise not present"
        )
    return row


def load_scalar_attributes(state: InstanceState, keys: frozenset[str], passive: int) -> Any:
    """The scalar loader hook: load expired / deferred attributes ``keys`` of ``state``."""
    mapper = state.manager.mapper
    if mapper._deferred_keys:
        expired = state.expired_attributes
        for k in keys:
            prop = mapper._props.get(k)
            if getattr(prop, "raiseload", False) and k not in expired:
                raise exc.InvalidRequestError(
                    f"'{mapper.class_.__name__}.{k}' is not available due to raiseload=True"
                )
    key_list = sorted(keys)
    row = _load_row(state, key_list)
    dict_ = state.dict
    for k, v in zip(key_list, row, strict=False):
        if k not in dict_:
            dict_[k] = v
    state._commit(dict_, key_list)
    return ATTR_WAS_SET


def refresh_state(
    session: Session, state: InstanceState, names: list[str] | None, for_update: Any
) -> None:
    """``Session.refresh``: reload attributes now, discarding pending changes on them."""
    mapper = state.manager.mapper
    if names is None:
        dict_ = state.dict
        keys = [p.key for p in mapper.column_attrs.values() if not p.deferred or p.key in dict_]
    else:
        for n in names:
            if n not in mapper._props:
                raise exc.InvalidRequestError(
                    f"No such attribute {n!r} on {mapper.class_.__name__}"
                )
        keys = list(names)
    try:
        row = _load_row(state, keys, for_update)
    except exc.ObjectDeletedError:
        raise exc.ObjectDeletedError(
            f"Could not refresh instance {state_str(state)}: its row is not present"
        ) from None
    dict_ = state.dict
    dict_.update(zip(keys, row, strict=False))
    if names is None:
        state._commit_all(dict_, session.identity_map)
    else:
        for k in keys:
            state.committed_state.pop(k, None)
        state._commit(dict_, keys)
        if state.modified and not state.committed_state:
            state._commit_all(dict_, session.identity_map)
    if state.manager.dispatch.refresh:
        state.manager.dispatch.refresh(state, None, names)

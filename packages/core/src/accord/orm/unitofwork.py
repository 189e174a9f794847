"""The unit of work: what a flush writes, in which order, and the object states afterwards."""

from __future__ import annotations

from itertools import repeat
from typing import TYPE_CHECKING, Any

from accord import exc
from accord.orm import persistence
from accord.orm.base import _gc_batch, instance_state, state_str
from accord.util import topological

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from accord.orm.session import Session
    from accord.orm.state import InstanceState

__all__ = [
    "UOWTransaction",
    "flush_session",
    "sort_tables",
]


class UOWTransaction:
    """The context of one flush (the ``flush_context`` of flush events)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.results = persistence.FlushResults()
        self.inserts: list[InstanceState] = []
        self.updates: list[InstanceState] = []
        self.deletes: list[InstanceState] = []
        # the identity keys of ``inserts`` known before the flush (None: the flush makes it)
        self.keys: list[Any] = []
        # when every insert is of one class (``_bulk_identities``): their ``__dict__``s, in
        # order, for the INSERT to read; and, when their keys were given, key -> state
        # (a dict keeps its keys' hashes: the identity map takes it without rehashing)
        self.bulk_dicts: list[dict[str, Any]] | None = None
        self.key_map: dict[Any, InstanceState] | None = None


def sort_tables(tables: Sequence[Any]) -> list[Any]:
    """Tables in foreign-key order: a referenced table before the tables referencing it."""
    present = set(tables)
    edges = []
    for table in tables:
        for fk in getattr(table, "foreign_keys", ()):
            parent = fk.column.table
            if parent in present and parent is not table:
                edges.append((parent, table))
    return list(topological.sort(edges, list(tables)))


def updates_first(table: Any) -> bool:
    """Whether a table's UPDATEs go before its INSERTs in a flush, as in SQLAlchemy.

    Updating first frees unique values (a one-to-one's foreign key set to NULL) before a
    new row takes them. A self-referential table keeps INSERTs first: an updated row may
    refer to a row inserted in the same flush.
    """
    return not any(fk.column.table is table for fk in getattr(table, "foreign_keys", ()))


def _ensure_loaded(state: InstanceState, keys: Sequence[str]) -> None:
    # expired primary key / version values are needed for the WHERE clause: load them now
    dict_ = state.dict
    if any(k not in dict_ and k not in state.committed_state for k in keys):
        obj = state.obj()
        for k in keys:
            getattr(obj, k)


def flush_session(session: Session, uow: UOWTransaction, objects: Sequence[Any] | None) -> None:
    """Flush ``session`` (or only ``objects``): run the SQL, then update object states.

    ``Session.flush`` has made ``uow`` and fired ``before_flush`` with it.
    """
    dispatch = session.dispatch
    only: set[InstanceState] | None = None
    if objects is not None:
        only = {instance_state(o) for o in objects}
    deleted = [s for s in session._deleted if only is None or s in only]
    deleted_set = set(deleted)
    new = list(session._new) if only is None else [s for s in session._new if s in only]
    dirty = [
        s
        for s in session.identity_map._modified
        if s not in deleted_set and (only is None or s in only) and s.obj() is not None
    ]
    if not (new or dirty or deleted):
        return
    trans = session._autobegin_t()
    trans._assert_active()
    # A flush makes many small dicts and tuples (identity keys, parameter rows) that all
    # live on: collection passes over them would find nothing to free and only slow the
    # flush down, so the collector is paused from here until the states are final.
    with _gc_batch(len(new) + len(dirty)):
        _flush(session, uow, new, dirty, deleted, deleted_set)
    if dispatch.after_flush_postexec:
        dispatch.after_flush_postexec(session, uow)


def _flush(
    session: Session,
    uow: UOWTransaction,
    new: list[InstanceState],
    dirty: list[InstanceState],
    deleted: list[InstanceState],
    deleted_set: set[InstanceState],
) -> None:
    uow.keys = _check_identities(session, new, deleted_set, uow)
    uow.inserts, uow.updates, uow.deletes = new, dirty, deleted

    # group by mapper; mappers ordered by their tables' foreign keys
    by_mapper: dict[Any, tuple[list[InstanceState], list[InstanceState], list[InstanceState]]]
    by_mapper = {}
    if uow.bulk_dicts is not None and not dirty and not deleted:
        # _bulk_identities found every insert of one class: nothing to group
        by_mapper[new[0].manager.mapper] = (new, [], [])
    for kind, states in enumerate(() if by_mapper else (new, dirty, deleted)):
        last_manager = None
        append: Any = None
        for state in states:
            manager = state.manager
            if manager is not last_manager:  # runs of one class: one lookup per run
                last_manager = manager
                entry = by_mapper.get(manager.mapper)
                if entry is None:
                    entry = by_mapper[manager.mapper] = ([], [], [])
                append = entry[kind].append
            append(state)
    if any(m._relationships for m in by_mapper):
        # relationship changes: foreign keys to copy, association rows, row order
        from accord.orm.dependency import flush_related, has_relationship_work

        if has_relationship_work(by_mapper):
            flush_related(session, uow, new, dirty, deleted)
            return
    order = sort_tables(list({m.local_table: None for m in by_mapper}))
    mappers_in_order = sorted(by_mapper, key=lambda m: order.index(m.local_table))
    for mapper in mappers_in_order:
        needs = list(mapper._pk_keys)
        if mapper.version_id_col is not None:
            needs.append(mapper._columntoproperty[mapper.version_id_col].key)
        for state in by_mapper[mapper][1] + by_mapper[mapper][2]:
            _ensure_loaded(state, needs)
    _execute(session, uow, mappers_in_order, by_mapper, new, dirty, deleted)


def _execute(
    session: Session,
    uow: UOWTransaction,
    mappers_in_order: list[Any],
    by_mapper: dict[Any, Any],
    new: list[InstanceState],
    dirty: list[InstanceState],
    deleted: list[InstanceState],
) -> None:
    dispatch = session.dispatch
    try:
        for mapper in mappers_in_order:
            ins, upd, _dl = by_mapper[mapper]
            conn = session._connection_for(session.get_bind(mapper))
            first = upd and updates_first(mapper.local_table)
            if first:
                persistence.update_rows(uow, mapper, mapper.local_table, upd, conn)
            if ins:
                persistence.insert_rows(uow, mapper, mapper.local_table, ins, conn)
            if upd and not first:
                persistence.update_rows(uow, mapper, mapper.local_table, upd, conn)
        for mapper in reversed(mappers_in_order):
            dl = by_mapper[mapper][2]
            if dl:
                conn = session._connection_for(session.get_bind(mapper))
                persistence.delete_rows(uow, mapper, mapper.local_table, dl, conn)
        if dispatch.after_flush:
            dispatch.after_flush(session, uow)
    except BaseException as err:
        # The flush is atomic: undo its SQL, leave the objects as they were, and refuse
        # further use of the transaction until rollback().
        current = session._transaction
        if current is not None and current.is_active:
            current._deactivate(err)
        raise
    _finalize(session, uow, new, dirty, deleted)


def _check_identities(
    session: Session, new: list[InstanceState], deleted: set[Any], uow: UOWTransaction
) -> list[Any]:
    """Two objects with one identity can't both be written: ``FlushError``.

    Returns, aligned with ``new``, the identity key of each new object whose primary key is
    already known (None for the others): ``_finalize`` zips it with ``new`` rather than
    building and probing a state -> key dict.
    """
    keys = _bulk_identities(session, new, deleted, uow)
    if keys is not None:
        return keys
    seen: dict[Any, InstanceState] = {}
    claim = seen.setdefault  # one probe both finds a duplicate and records the key
    in_map_get = session.identity_map._dict.get
    keys = []
    append = keys.append
    last_manager = None
    ident_cls: type = object
    pk_keys: tuple[str, ...] = ()
    for state in new:
        manager = state.manager
        if manager is not last_manager:  # runs of one class: look the mapper up once
            last_manager = manager
            ident_cls, pk_keys = manager.mapper._identity_class, manager.mapper._pk_keys
        dict_ = state.obj().__dict__
        pk = (dict_.get(pk_keys[0]),) if len(pk_keys) == 1 else tuple(map(dict_.get, pk_keys))
        if None in pk:
            append(None)
            continue
        key = (ident_cls, pk, None)
        other = claim(key, state)
        if other is state:
            existing = in_map_get(key)
            if existing is None or existing.obj() is None or existing in deleted:
                append(key)
                continue
            other = existing
        raise exc.FlushError(
            f"New instance {state_str(state)} with identity key {key!r} conflicts with "
            f"{'persistent' if other.key is not None else 'pending'} instance "
            f"{state_str(other)}"
        )
    return keys


def _bulk_identities(
    session: Session, new: list[InstanceState], deleted: set[Any], uow: UOWTransaction
) -> list[Any] | None:
    """``_check_identities`` for the usual flush of many objects of one class, in C-level passes.

    Objects of one class with a single-column key that are either all given their keys or
    none (the database makes them): keys are built by comprehensions and checked for
    duplicates by one dict; anything else (a duplicate to report, mixed classes or keys)
    returns None and takes the per-object loop.
    """
    if len(new) < 2:
        return None
    manager = new[0].manager
    if not all([s.manager is manager for s in new]):
        return None
    mapper = manager.mapper
    if len(mapper._pk_keys) != 1:
        return None
    pk_key = mapper._pk_keys[0]
    # pending objects are held by Session._new: obj() is alive
    dicts = [s.obj().__dict__ for s in new]
    ident_cls = mapper._identity_class
    if dicts[0].get(pk_key) is None:  # the database makes the keys: all of them, or mixed
        if [d.get(pk_key) for d in dicts].count(None) != len(dicts):
            return None
        uow.bulk_dicts = dicts
        return [None] * len(dicts)
    keys = [(ident_cls, (d.get(pk_key),), None) for d in dicts]
    key_map = dict(zip(keys, new, strict=True))
    if len(key_map) != len(keys) or (ident_cls, (None,), None) in key_map:
        return None  # a duplicate (the loop names it), or some keys still to be made
    in_map = session.identity_map._dict
    if in_map:
        for key in key_map.keys() & in_map.keys():
            existing = in_map[key]
            if existing.obj() is not None and existing not in deleted:
                return None  # a conflict with the map: the loop names it
    uow.bulk_dicts = dicts
    uow.key_map = key_map
    return keys


def _generated_keys(
    new: list[InstanceState], dicts: list[dict[str, Any]], values: dict[InstanceState, Any]
) -> tuple[list[Any], dict[Any, InstanceState]] | None:
    """Store the keys the database made for ``new`` (one class) and give their identities.

    Only when the flush learnt each object's key and nothing else (one value each) and the
    keys are distinct; else None and nothing is changed (the per-object loop runs).
    """
    try:
        gots = [values[s] for s in new]
    except KeyError:
        return None
    if sum(map(len, gots)) != len(gots):
        return None
    mapper = new[0].manager.mapper
    pk_key = mapper._pk_keys[0]
    try:
        pks = [g[pk_key] for g in gots]
    except KeyError:
        return None
    ident_cls = mapper._identity_class
    keys = [(ident_cls, (pk,), None) for pk in pks]
    key_map = dict(zip(keys, new, strict=True))
    if len(key_map) != len(keys) or None in pks:
        return None
    for d, pk in zip(dicts, pks, strict=True):
        d[pk_key] = pk
    return keys, key_map


def _finalize_known(
    idmap: Any,
    new: list[InstanceState],
    keys: list[Any],
    key_map: dict[Any, InstanceState] | None,
) -> None:
    """``_finalize`` of new objects whose keys were known and that got no value back.

    The usual flush of many objects with given keys: into an empty identity map they go
    in one C-level ``update``; each state then only takes its key and drops its pending
    changes (the common case of ``_commit_all``, inlined).
    """
    states_by_key = idmap._dict
    wr = idmap._wr
    if states_by_key:
        claim = states_by_key.setdefault  # one probe: store the state unless the key is taken
        for state, key in zip(new, keys, strict=True):
            state.key = key
            if claim(key, state) is not state:
                idmap.replace(state)  # (a dead or deleted state held the key)
                idmap._modified.discard(state)  # its changes are about to be committed
    else:
        states_by_key.update(key_map if key_map is not None else zip(keys, new, strict=True))
    for state, key in zip(new, keys, strict=True):
        state.key = key
        state._instance_dict = wr
        if state.expired or state.expired_attributes or state.callables:
            state._commit_all(state.dict, idmap)
            continue
        if state.committed_state:
            state.committed_state = {}
        state.modified = False
        if state._strong_obj is not None:
            state._strong_obj = None


def _finalize(
    session: Session,
    uow: UOWTransaction,
    new: list[InstanceState],
    dirty: list[InstanceState],
    deleted: list[InstanceState],
) -> None:
    """After the SQL succeeded: keys, committed values, identity map, lifecycle events."""
    results = uow.results
    idmap = session.identity_map
    idmap._maybe_sweep()  # before the new states go in: they are all alive
    modified = idmap._modified
    trans = session._transaction
    assert trans is not None
    dispatch = session.dispatch
    values = results.values
    expire = results.expire
    states_by_key = idmap._dict
    wr = idmap._wr
    pop_new = session._new.pop
    trans_new = trans._new
    to_persistent = dispatch.pending_to_persistent
    known_keys = uow.keys
    claim = states_by_key.setdefault  # one probe: store the state unless the key is taken
    last_manager = None
    ident_cls: type = object
    pk_keys: tuple[str, ...] = ()
    # Flushing every pending object with nobody listening (the usual commit): the objects
    # move to the transaction's bookkeeping in two C-level dict operations, not two per object.
    new_map = session._new
    bulk = not to_persistent and len(new) == len(new_map) and list(new_map) == new
    objs: Iterable[Any] = repeat(None)
    if bulk:
        objs = list(new_map.values())
        trans_new.update(dict.fromkeys(new_map))  # states only: see trans_new below
        new_map.clear()
        if not values and not expire and known_keys and None not in known_keys:
            # the flush learnt nothing about these objects and their keys were known
            _finalize_known(idmap, new, known_keys, uow.key_map)
            new = []  # done: the loop below has nothing left to do
        elif not expire and uow.bulk_dicts is not None and known_keys and known_keys[0] is None:
            # objects of one class whose keys the database made, and learnt nothing else
            found = _generated_keys(new, uow.bulk_dicts, values)
            if found is not None:
                _finalize_known(idmap, new, found[0], found[1])
                new = []
    for state, key, obj in zip(new, known_keys, objs, strict=False):  # objs may be repeat()
        if not bulk:
            obj = pop_new(state, None)
        dict_ = obj.__dict__ if obj is not None else state.dict
        got = values.get(state) if values else None
        if got:
            dict_.update(got)
            key = None  # the flush may have produced the key
        if key is None:
            manager = state.manager
            if manager is not last_manager:  # runs of one class: look the mapper up once
                last_manager = manager
                ident_cls, pk_keys = manager.mapper._identity_class, manager.mapper._pk_keys
            pk = (dict_.get(pk_keys[0]),) if len(pk_keys) == 1 else tuple(map(dict_.get, pk_keys))
            key = (ident_cls, pk, None)
        state.key = key
        if claim(key, state) is state:
            state._instance_dict = wr
        else:
            idmap.replace(state)  # (a dead or deleted state held the key)
            modified.discard(state)  # its changes are about to be committed
        if state.expired or state.expired_attributes or state.callables:
            state._commit_all(dict_, idmap)
        else:  # the common case of _commit_all, inlined: a freshly inserted object
            if state.committed_state:
                state.committed_state = {}
            state.modified = False
            if state._strong_obj is not None:
                state._strong_obj = None
        exp = expire.get(state) if expire else None
        if exp:
            state._expire_attributes(dict_, exp)
        if not bulk:
            # the transaction remembers the state, not the object: once flushed, an
            # unmodified object is held weakly, as the identity map holds it
            trans_new[state] = None
            if obj is not None and to_persistent:
                to_persistent(session, obj)
    for state in dirty:
        dict_ = state.dict
        got = values.get(state)
        if got:
            dict_.update(got)
        state._commit_all(dict_, idmap)
        exp = expire.get(state)
        if exp:
            state._expire_attributes(dict_, exp)
    for state in deleted:
        session._mark_deleted(state)

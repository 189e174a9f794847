"""Flushing relationship changes: foreign keys, association rows, orphans, row order.

The unit of work hands a flush here when a mapper taking part has relationships.  Before
any SQL, ``_Plan`` reads each object's relationship history and records *sync rules*
(copy a referenced column's value, known only once its row is inserted, into a foreign
key attribute; or set it to NULL), association rows to insert or delete, orphans, and
dependencies between mappers and between rows of one table.  The SQL then runs mapper by
mapper in dependency order (rows of a self-referential table level by level), the rules
applied just before a mapper's rows are written; ``post_update`` foreign keys and
association rows are written after every INSERT / UPDATE, and DELETEs go in reverse.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

from accord import exc
from accord.orm.base import (
    NO_VALUE,
    PASSIVE_NO_INITIALIZE,
    PASSIVE_OFF,
    instance_state,
    state_str,
)
from accord.orm.related_attributes import has_parent, related_objects
from accord.orm.relationships import MANYTOMANY, MANYTOONE, ONETOMANY
from accord.sql import and_, bindparam, delete, insert, update
from accord.util import topological

if TYPE_CHECKING:
    from accord.orm.mapper import Mapper
    from accord.orm.relationships import RelationshipProperty
    from accord.orm.session import Session
    from accord.orm.state import InstanceState

__all__ = [
    "flush_related",
    "has_relationship_work",
]

_ByMapper = dict[Any, tuple[list[Any], list[Any], list[Any]]]


def _history(prop: RelationshipProperty, state: InstanceState, passive: int) -> Any:
    return state.manager[prop.key].impl.get_history(state, state.dict, passive)


def _objs(values: Any) -> list[Any]:
    return [v for v in values if v is not None and v is not NO_VALUE]


class _Plan:
    """What one flush must do beyond writing each object's own columns."""

    def __init__(self, session: Session, uow: Any) -> None:
        self.session = session
        self.uow = uow
        # child state -> {attribute key: (source state, source attribute key) or None}
        self.sync: dict[InstanceState, dict[str, tuple[InstanceState, str] | None]] = {}
        # post_update: (child state, {attribute key: (source state, key) or None})
        self.post: dict[InstanceState, dict[str, tuple[InstanceState, str] | None]] = {}
        # association rows: secondary table -> canonical key -> {column: (state, key)}
        self.assoc_insert: dict[Any, dict[Any, dict[Any, tuple[InstanceState, str]]]] = {}
        self.assoc_delete: dict[Any, dict[Any, dict[Any, tuple[InstanceState, str]]]] = {}
        self.assoc_delete_all: list[tuple[Any, Any, InstanceState, str]] = []
        self.mapper_edges: set[tuple[Any, Any]] = set()
        # same-table row order: (row written first, row written after)
        self.row_edges: set[tuple[InstanceState, InstanceState]] = set()
        self.delete_edges: set[tuple[InstanceState, InstanceState]] = set()
        self.extra_dirty: dict[InstanceState, None] = {}
        self.extra_deleted: dict[InstanceState, None] = {}
        self.expunge: list[InstanceState] = []
        self._key_cache: dict[RelationshipProperty, list[tuple[str, str]]] = {}

    # -- recording ---------------------------------------------------------------------

    def _keys(self, prop: RelationshipProperty) -> list[tuple[str, str]]:
        """(source attribute key, foreign key attribute key) pairs of a relationship."""
        keys = self._key_cache.get(prop)
        if keys is None:
            if prop.direction is MANYTOONE:
                source, child = prop.mapper, prop.parent
            else:
                source, child = prop.parent, prop.mapper
            keys = []
            for ref, fk in prop.synchronize_pairs:
                fk_prop = child._columntoproperty.get(fk)
                if fk_prop is not None:
                    keys.append((source._columntoproperty[ref].key, fk_prop.key))
            self._key_cache[prop] = keys
        return keys

    def _rule(
        self,
        child: InstanceState,
        prop: RelationshipProperty,
        source: InstanceState | None,
        post: bool,
    ) -> None:
        """Foreign key attributes of ``child`` take ``source``'s referenced values (or NULL)."""
        target = self.post if post else self.sync
        rules = target.get(child)
        if rules is None:
            rules = target[child] = {}
        if source is None:
            for _src_key, fk_key in self._keys(prop):
                rules.setdefault(fk_key, None)  # a set from elsewhere wins
        else:
            for src_key, fk_key in self._keys(prop):
                rules[fk_key] = (source, src_key)
            if not post and source.manager is child.manager and source is not child:
                self.row_edges.add((source, child))
        if not post and child.key is not None and child not in self.uow_deleted:
            self.extra_dirty[child] = None

    def _assoc(
        self, table: dict[Any, Any], prop: RelationshipProperty, parent: InstanceState, child: Any
    ) -> None:
        cstate = instance_state(child)
        cols: dict[Any, tuple[InstanceState, str]] = {}
        for ref, sec in prop.synchronize_pairs:
            cols[sec] = (parent, prop.parent._columntoproperty[ref].key)
        for ref, sec in prop.secondary_synchronize_pairs:
            cols[sec] = (cstate, prop.mapper._columntoproperty[ref].key)
        key = tuple(sorted((c.key, id(s)) for c, (s, _k) in cols.items()))
        table.setdefault(prop.secondary, {})[key] = cols

    # -- reading the objects -------------------------------------------------------------

    def prepare(
        self,
        new: list[InstanceState],
        dirty: list[InstanceState],
        deleted: list[InstanceState],
    ) -> None:
        """Read relationship histories of everything in the flush."""
        self.uow_deleted = set(deleted)
        saved = new + dirty
        last = None
        orphan_props: list[RelationshipProperty] = []
        for state in saved:
            if state.manager is not last:  # runs of one class: look things up once
                last = state.manager
                orphan_props = _orphan_props(last.mapper)
            if orphan_props:
                self._check_orphan(state, orphan_props)
        self.uow_deleted.update(self.extra_deleted)
        last = None
        props: list[RelationshipProperty] = []
        deleted_set = self.uow_deleted
        for state in saved:
            if state.manager is not last:
                last = state.manager
                props = _written(last.mapper)
            if state in deleted_set:
                continue
            for prop in props:
                self._saved(prop, state)
        for state in list(self.uow_deleted):
            for prop in _written(state.manager.mapper):
                self._deleted(prop, state)

    def _check_orphan(self, state: InstanceState, props: list[RelationshipProperty]) -> None:
        """delete-orphan: a persistent orphan is deleted, a pending one not written."""
        if state.key is None:
            # a pending object taken out of its parent's collection never reaches the
            # database (one never attached to a parent is saved as it is)
            parents = state._parents or {}
            if any(parents.get(p) is False for p in props) and not any(
                parents.get(p) for p in props
            ):
                self.expunge.append(state)
            return
        if any(has_parent(state, p, True) for p in props):
            return
        obj = state.obj()
        if state not in self.uow_deleted:
            self.extra_deleted[state] = None
            self.session._deleted[state] = obj

    def _saved(self, prop: RelationshipProperty, state: InstanceState) -> None:
        key = prop.key
        committed = state.committed_state
        direction = prop.direction
        queued = None
        if key not in committed:
            if direction is MANYTOONE and state.key is None:
                # a pending object given its target as loaded (set_committed_value)
                value = state.dict.get(key)
                if value is not None:
                    self._m2o(prop, state, value)
            pending = state._pending_coll
            if direction is MANYTOONE or not pending or key not in pending:
                return  # unchanged: nothing to write
            # as SQLAlchemy: backref changes queued on the unloaded collection are written
            # too (they stand even if the other side's attribute was expired since)
            queued = pending[key]
        if direction is MANYTOONE:
            value = state.dict.get(key)
            if value is not committed[key]:
                self._m2o(prop, state, value)
            return
        if queued is not None:
            added, deleted = queued
        else:
            hist = _history(prop, state, PASSIVE_NO_INITIALIZE)
            added, deleted = hist.added, hist.deleted
        if direction is ONETOMANY:
            for child in _objs(added):
                cstate = instance_state(child)
                if cstate in self.uow_deleted:
                    continue
                if not self.session._contains_state(cstate):
                    # as SQLAlchemy: a member outside the Session (e.g. deleted by an
                    # ORM-enabled DELETE) is not written
                    continue
                self._rule(cstate, prop, state, prop.post_update)
                if not prop.post_update:
                    self.mapper_edges.add((prop.parent, prop.mapper))
            for child in _objs(deleted):
                cstate = instance_state(child)
                if cstate in self.uow_deleted or has_parent(cstate, prop, False):
                    continue
                if prop.cascade.delete_orphan and cstate.key is not None:
                    self.extra_deleted[cstate] = None
                    self.uow_deleted.add(cstate)
                    self.session._deleted[cstate] = child
                    continue
                if prop.passive_deletes != "all":
                    self._rule(cstate, prop, None, prop.post_update)
        else:
            for child in _objs(added):
                self._assoc(self.assoc_insert, prop, state, child)
            for child in _objs(deleted):
                self._assoc(self.assoc_delete, prop, state, child)

    def _m2o(self, prop: RelationshipProperty, state: InstanceState, target: Any) -> None:
        if target is None:
            self._rule(state, prop, None, prop.post_update)
            return
        tstate = instance_state(target)
        if not self.session._contains_state(tstate):
            # as SQLAlchemy: a target outside the Session (transient, detached, or its
            # DELETE already flushed) has no row to refer to; the key is left as it is
            warnings.warn(
                f"Object of type {type(target).__name__} not in session, add operation "
                f"along '{prop}' won't proceed",
                stacklevel=2,
            )
            return
        self._rule(state, prop, tstate, prop.post_update)
        if not prop.post_update:
            self.mapper_edges.add((prop.mapper, prop.parent))

    def _deleted(self, prop: RelationshipProperty, state: InstanceState) -> None:
        direction = prop.direction
        if direction is MANYTOMANY:
            if prop.passive_deletes != "all":
                for ref, sec in prop.synchronize_pairs:
                    self.assoc_delete_all.append(
                        (prop.secondary, sec, state, prop.parent._columntoproperty[ref].key)
                    )
            return
        if direction is MANYTOONE:
            if prop.post_update:  # the row may be referred to by the one it refers to
                self._rule(state, prop, None, True)
            target = state.dict.get(prop.key)
            if target is None and prop.key in state.committed_state:
                target = state.committed_state[prop.key]
            if target not in (None, NO_VALUE):
                tstate = instance_state(target)
                if tstate in self.uow_deleted and tstate.manager.mapper is prop.parent:
                    self.delete_edges.add((state, tstate))
            return
        # one-to-many: children that stay lose their foreign key, unless the database does it
        passive = PASSIVE_NO_INITIALIZE if prop.passive_deletes else PASSIVE_OFF
        children = related_objects(prop, state, passive)
        hist = _history(prop, state, PASSIVE_NO_INITIALIZE)
        for child in _objs([*children, *hist.deleted]):
            cstate = instance_state(child)
            if cstate in self.uow_deleted:
                if cstate.manager.mapper is prop.parent:
                    self.delete_edges.add((cstate, state))
                continue
            if prop.passive_deletes == "all":
                continue
            self._rule(cstate, prop, None, prop.post_update)

    # -- ordering ------------------------------------------------------------------------

    def mapper_order(self, mappers: list[Any]) -> list[Any]:
        """Mappers in dependency order (relationships, then table foreign keys)."""
        present = set(mappers)
        skip_fk_cols: set[Any] = set()
        for m in mappers:
            for prop in m._relationships.values():
                if prop.post_update or prop.viewonly:
                    skip_fk_cols.update(fk for _r, fk in prop.synchronize_pairs)
        by_table: dict[Any, list[Any]] = {}
        for m in mappers:
            by_table.setdefault(m.local_table, []).append(m)
        edges = {
            (a, b) for a, b in self.mapper_edges if a in present and b in present and a is not b
        }
        for m in mappers:
            for col in getattr(m.local_table, "c", ()):
                if col in skip_fk_cols:
                    continue
                for fk in col.foreign_keys:
                    try:
                        ref_table = fk.column.table
                    except exc.InvalidRequestError:
                        continue
                    for parent in by_table.get(ref_table, ()):
                        if parent is not m:
                            edges.add((parent, m))
        try:
            return list(topological.sort(edges, mappers))
        except topological.CycleFoundError as err:
            names = ", ".join(sorted(m.class_.__name__ for m in err.cycles))
            raise exc.CircularDependencyError(
                f"Circular dependency between mappers {names}: their rows refer to each other; "
                "set post_update=True on one of the relationships",
                cycles=err.cycles,
                edges=err.edges,
            ) from None

    def levels(
        self, states: list[InstanceState], edges: set[tuple[InstanceState, InstanceState]]
    ) -> list[list[InstanceState]]:
        """``states`` in groups, each group's dependencies in earlier groups."""
        present = set(states)
        mine = [(a, b) for a, b in edges if a in present and b in present]
        if not mine:
            return [states]
        try:
            return list(topological.sort_as_subsets(mine, states))
        except topological.CycleFoundError as err:
            rows = ", ".join(sorted(state_str(s) for s in err.cycles))
            raise exc.CircularDependencyError(
                f"Circular dependency between rows of one table: {rows} refer to each other "
                "through a self-referential relationship; set post_update=True on it, or "
                "flush once before closing the cycle",
                cycles=err.cycles,
                edges=err.edges,
            ) from None

    # -- applying ------------------------------------------------------------------------

    def value(self, state: InstanceState, key: str) -> Any:
        """A value of ``state`` as it stands in this flush (generated keys included)."""
        got = self.uow.results.values.get(state)
        if got is not None and key in got:
            return got[key]
        dict_ = state.dict
        if key not in dict_ and state.key is not None:
            getattr(state.obj(), key)  # expired: load it
        return dict_.get(key)

    def apply_sync(self, states: list[InstanceState]) -> None:
        """Write the foreign key values recorded for ``states`` into their attributes."""
        sync = self.sync
        for state in states:
            rules = sync.get(state)
            if not rules:
                continue
            dict_ = state.dict
            manager = state.manager
            for key, src in rules.items():
                value = None if src is None else self.value(src[0], src[1])
                old = dict_.get(key, NO_VALUE)
                if old is not NO_VALUE and old == value and old is not None:
                    continue
                if old is None and value is None:
                    continue
                if key not in state.committed_state:
                    state._modified_event(dict_, manager[key].impl, old)
                dict_[key] = value

    def run_post_updates(self, conn_for: Any, deleting: bool) -> None:
        """UPDATE the ``post_update`` foreign keys (after inserts; or NULL before deletes)."""
        groups: dict[Any, list[dict[str, Any]]] = {}
        for state, rules in self.post.items():
            if (state in self.uow_deleted) != deleting:
                continue
            mapper = state.manager.mapper
            params = {}
            for key, src in rules.items():
                value = None if src is None else self.value(src[0], src[1])
                col = mapper.columns[key]
                params[col.key] = value
                state.dict[key] = value
                state.committed_state.pop(key, None)
            for col in mapper.primary_key:
                params[f"_pk_{col.key}"] = self.value(state, mapper._columntoproperty[col].key)
            groups.setdefault((mapper, tuple(sorted(params))), []).append(params)
        for (mapper, names), plist in groups.items():
            table = mapper.local_table
            crit = [c == bindparam(f"_pk_{c.key}") for c in mapper.primary_key]
            values = {n: bindparam(n) for n in names if not n.startswith("_pk_")}
            stmt = update(table).where(and_(*crit)).values(**values)
            conn_for(mapper).execute(stmt, plist if len(plist) > 1 else plist[0])

    def run_associations(self, conn_for: Any, mapper: Any) -> None:
        """DELETE then INSERT association rows: one executemany per table and column set."""
        conn = conn_for(mapper)
        for table, rows in self.assoc_delete.items():
            inserted = self.assoc_insert.get(table, {})
            plist = [self._assoc_params(cols) for k, cols in rows.items() if k not in inserted]
            for group in _by_keys(plist):
                crit = [table.c[name] == bindparam(f"_a_{name}") for name in sorted(group[0])]
                stmt = delete(table).where(and_(*crit))
                prefixed = [{f"_a_{k}": v for k, v in p.items()} for p in group]
                conn.execute(stmt, prefixed if len(prefixed) > 1 else prefixed[0])
        by_col: dict[tuple[Any, Any], list[dict[str, Any]]] = {}
        for table, sec, state, key in self.assoc_delete_all:
            by_col.setdefault((table, sec), []).append({"_v": self.value(state, key)})
        for (table, sec), plist in by_col.items():
            stmt = delete(table).where(sec == bindparam("_v"))
            conn.execute(stmt, plist if len(plist) > 1 else plist[0])
        for table, rows in self.assoc_insert.items():
            deleted = self.assoc_delete.get(table, {})
            plist = [self._assoc_params(cols) for k, cols in rows.items() if k not in deleted]
            for group in _by_keys(plist):
                conn.execute(insert(table), group)

    def _assoc_params(self, cols: dict[Any, tuple[InstanceState, str]]) -> dict[str, Any]:
        return {col.key: self.value(state, key) for col, (state, key) in cols.items()}

    def finish(self) -> None:
        """After the SQL: write-only collections forget their queued changes."""
        from accord.orm.writeonly import WriteOnlyAttributeImpl

        last = None
        impls: list[Any] = []
        for states in (self.uow.inserts, self.uow.updates):
            for state in states:
                if state.manager is not last:
                    last = state.manager
                    impls = [
                        last[k].impl
                        for k in last._related_keys
                        if isinstance(last[k].impl, WriteOnlyAttributeImpl)
                    ]
                for impl in impls:
                    impl._reset(state.dict)


_NONE = (None, NO_VALUE)


def _by_keys(plist: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for p in plist:
        groups.setdefault(tuple(sorted(p)), []).append(p)
    return list(groups.values())


def has_relationship_work(by_mapper: _ByMapper) -> bool:
    """Whether a flush has relationship changes to write (else the plain path runs).

    True when an object of a mapper with relationships is deleted, a relationship of a
    new or changed object was changed (or a new object was given a related object as
    loaded, or a change was queued on an unloaded collection), or an object under a
    ``delete-orphan`` relationship was taken from a parent.
    """
    for mapper, (ins, upd, dl) in by_mapper.items():
        props = _written(mapper)
        if dl and props:
            return True
        orphans = _orphan_props(mapper)
        if not props and not orphans:
            continue
        keys = frozenset(p.key for p in props)
        m2o = [p.key for p in props if p.direction is MANYTOONE]
        disjoint = keys.isdisjoint
        for states in (ins, upd):
            for state in states:
                if orphans and state._parents is not None:
                    return True
                if not disjoint(state.committed_state):
                    return True
                if state._pending_coll:  # backref changes queued on an unloaded collection
                    return True
                if m2o and state.key is None:
                    dict_ = state.dict
                    if any(dict_.get(k) is not None for k in m2o):
                        return True
    return False


def _written(mapper: Mapper[Any]) -> list[RelationshipProperty]:
    """The relationships of ``mapper`` a flush writes (configured, not viewonly)."""
    return [p for p in mapper._relationships.values() if p._configured and not p.viewonly]


def _orphan_props(mapper: Mapper[Any]) -> list[RelationshipProperty]:
    """delete-orphan relationships of other mappers whose target is ``mapper``."""
    cached = mapper.__dict__.get("_accord_orphan_props")
    if cached is None:
        from accord.orm.mapper import _all_mappers

        cached = [
            p
            for m in list(_all_mappers)
            for p in m._relationships.values()
            if p._configured and p.cascade.delete_orphan and p.mapper is mapper
        ]
        mapper.__dict__["_accord_orphan_props"] = cached
    out: list[RelationshipProperty] = cached
    return out


def flush_related(
    session: Session,
    uow: Any,
    new: list[InstanceState],
    dirty: list[InstanceState],
    deleted: list[InstanceState],
) -> None:
    """Flush objects some of whose mappers have relationships (see the module doc)."""
    from accord.orm import persistence, unitofwork

    plan = _Plan(session, uow)
    plan.prepare(new, dirty, deleted)
    if plan.expunge:
        for state in plan.expunge:
            session._expunge_state(state, pending=True)
        gone = set(plan.expunge)
        uow.keys = [k for s, k in zip(new, uow.keys, strict=True) if s not in gone]
        new = [s for s in new if s not in gone]
    dirty_set = set(dirty)
    for state in plan.extra_deleted:
        if state in dirty_set:
            dirty_set.discard(state)
    dirty = [s for s in dirty if s in dirty_set]
    deleted = deleted + [s for s in plan.extra_deleted if s not in set(deleted)]
    deleted_set = set(deleted)
    new_set = set(new)
    dirty += [
        s
        for s in plan.extra_dirty
        if s not in dirty_set and s not in new_set and s not in deleted_set
    ]
    uow.inserts, uow.updates, uow.deletes = new, dirty, deleted
    by_mapper: _ByMapper = {}
    for kind, states in enumerate((new, dirty, deleted)):
        for state in states:
            entry = by_mapper.get(state.manager.mapper)
            if entry is None:
                entry = by_mapper[state.manager.mapper] = ([], [], [])
            entry[kind].append(state)
    order = plan.mapper_order(list(by_mapper))
    for mapper in order:
        needs = list(mapper._pk_keys)
        if mapper.version_id_col is not None:
            needs.append(mapper._columntoproperty[mapper.version_id_col].key)
        for state in by_mapper[mapper][1] + by_mapper[mapper][2]:
            unitofwork._ensure_loaded(state, needs)

    def conn_for(mapper: Any) -> Any:
        return session._connection_for(session.get_bind(mapper))

    try:
        for mapper in order:
            ins, upd, _dl = by_mapper[mapper]
            conn = conn_for(mapper)
            first = upd and unitofwork.updates_first(mapper.local_table)
            if first:
                plan.apply_sync(upd)
                persistence.update_rows(uow, mapper, mapper.local_table, upd, conn)
            for level in plan.levels(ins, plan.row_edges) if ins else ():
                plan.apply_sync(level)
                persistence.insert_rows(uow, mapper, mapper.local_table, level, conn)
            if upd and not first:
                plan.apply_sync(upd)
                persistence.update_rows(uow, mapper, mapper.local_table, upd, conn)
        if plan.post:
            plan.run_post_updates(conn_for, deleting=False)
            plan.run_post_updates(conn_for, deleting=True)
        if plan.assoc_insert or plan.assoc_delete or plan.assoc_delete_all:
            plan.run_associations(conn_for, order[0] if order else None)
        for mapper in reversed(order):
            dl = by_mapper[mapper][2]
            if dl:
                conn = conn_for(mapper)
                for level in plan.levels(dl, plan.delete_edges):
                    persistence.delete_rows(uow, mapper, mapper.local_table, level, conn)
        if session.dispatch.after_flush:
            session.dispatch.after_flush(session, uow)
    except BaseException as err:
        current = session._transaction
        if current is not None and current.is_active:
            current._deactivate(err)
        raise
    unitofwork._finalize(session, uow, new, dirty, deleted)
    plan.finish()

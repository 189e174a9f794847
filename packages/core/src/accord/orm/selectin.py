"""Relationship loaders run after a batch of parents loads: ``selectin`` and ``immediate``.

``selectin`` sends ``SELECT target ... WHERE <remote key> IN (<parent keys>)`` per batch of
at most ``BATCH`` parents and fills every parent's attribute from the rows; a many-to-one
whose targets are already in the identity map takes them from there and selects only the
missing ones.  ``immediate`` runs the lazy loader of each parent right away.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from accord.orm.base import NO_VALUE, STATE_ATTR
from accord.orm.relationship_join import load_criterion, local_values
from accord.sql import select

if TYPE_CHECKING:
    from accord.orm.relationships import RelationshipProperty
    from accord.orm.session import Session
    from accord.orm.state import InstanceState
    from accord.orm.strategies import _Node
    from accord.orm.strategy_options import LoaderCriteriaOption

__all__ = [
    "BATCH",
    "ImmediateLoader",
    "SelectInLoader",
    "child_options",
]

BATCH = 500  # parents per IN list (SQLAlchemy's size: short statements, few round trips)


def child_options(
    prop: RelationshipProperty,
    node: _Node | None,
    criteria: tuple[LoaderCriteriaOption, ...],
) -> tuple[Any, ...]:
    """The options for a SELECT of ``prop``'s target: the options below ``prop`` in the
    path, as a ``Load`` of the target, and the criteria carried to relationship loads."""
    from accord.orm.strategy_options import Load

    out: list[Any] = []
    if node is not None and node.elements:
        load = Load(prop.mapper)
        load.elements = node.elements
        out.append(load)
    out.extend(criteria)
    return tuple(out)


class SelectInLoader:
    """Fills ``prop`` on a batch of parents with one SELECT ... IN per ``BATCH`` of them."""

    __slots__ = ("criteria", "node", "options", "populate_existing", "prop")

    def __init__(
        self,
        prop: RelationshipProperty,
        node: _Node | None,
        criteria: tuple[LoaderCriteriaOption, ...],
        populate_existing: bool,
    ) -> None:
        self.prop = prop
        self.node = node
        self.criteria = criteria
        self.options = child_options(prop, node, criteria)
        self.populate_existing = populate_existing

    def __call__(self, session: Session, objs: list[Any]) -> None:
        key = self.prop.key
        seen: set[int] = set()
        states: list[InstanceState] = []
        overwrite = self.populate_existing
        for obj in objs:
            state = obj.__dict__[STATE_ATTR]
            if id(state) in seen:
                continue
            seen.add(id(state))
            if overwrite or key not in state.dict:
                states.append(state)
        if not states:
            return
        key0 = states[0].key
        self_token = key0[2] if key0 is not None else None
        if self.prop._use_get:  # a plain many-to-one: remote columns are the target key
            self._many_to_one(session, states, self_token)
        else:
            for i in range(0, len(states), BATCH):
                self._batch(session, states[i : i + BATCH], self_token)

    def _execute(self, session: Session, stmt: Any, params: Any, token: Any) -> Any:
        opts: dict[str, Any] = {"autoflush": False, "_accord_relationship_load": True}
        if token is not None:
            opts["identity_token"] = token  # the related objects share the parents' token
        if self.populate_existing:
            opts["populate_existing"] = True
        if self.options:
            stmt = stmt.options(*self.options)
        return session.execute(stmt, params or None, execution_options=opts)

    def _batch(self, session: Session, states: list[InstanceState], token: Any) -> None:
        prop = self.prop
        crit, params = load_criterion(prop, states)
        pairs = _pairs(prop)
        impl = prop.class_attribute.impl
        if crit is None:
            for state in states:
                impl.set_committed_value(state, state.dict, [] if prop.uselist else None)
            return
        target = prop.mapper
        remote_keys = _remote_keys(prop, self.node)
        if remote_keys is None:
            # the remote key columns are not attributes the rows fill in: select them too
            stmt = select(target.class_, *[r for _l, r in pairs]).where(crit)
        else:
            stmt = select(target.class_).where(crit)
        if prop.order_by:
            stmt = stmt.order_by(*prop.order_by)
        groups: dict[Any, list[Any]] = {}
        rows = self._execute(session, stmt, params, token).all()
        # rows grouped by the remote key: a plain value for a one-column key, else a tuple
        single = len(pairs) == 1
        if remote_keys is None:
            for row in rows:
                groups.setdefault(row[1] if single else tuple(row[1:]), []).append(row[0])
        elif single:
            k = remote_keys[0]
            for (child,) in rows:
                groups.setdefault(child.__dict__.get(k, NO_VALUE), []).append(child)
        else:
            for (child,) in rows:
                d = child.__dict__
                value = tuple([d.get(k, NO_VALUE) for k in remote_keys])
                groups.setdefault(value, []).append(child)
        local_keys = [prop.parent._columntoproperty[local].key for local, _r in pairs]
        first_key = local_keys[0]
        for state in states:
            d = state.dict
            if single and first_key in d:  # the common case, without a call per parent
                value = d[first_key]
                self._set(impl, state, groups.get(value, ()) if value is not None else ())
                continue
            values = local_values(prop, state)
            if values is None:
                found: Any = ()
            else:
                found = groups.get(values[0] if single else values, ())
            self._set(impl, state, found)

    def _set(self, impl: Any, state: InstanceState, found: Any) -> None:
        if self.prop.uselist:
            impl.set_committed_value(state, state.dict, list(found))
        else:
            impl.set_committed_value(state, state.dict, found[0] if found else None)

    def _many_to_one(self, session: Session, states: list[InstanceState], token: Any) -> None:
        prop = self.prop
        target = prop.mapper
        impl = prop.class_attribute.impl
        by_col = [r for _l, r in prop.local_remote_pairs]
        order = [by_col.index(c) for c in target.primary_key]
        idmap = session.identity_map
        ident_cls = target._identity_class
        waiting: dict[tuple[Any, ...], list[InstanceState]] = {}
        for state in states:
            values = local_values(prop, state)
            if values is None:
                impl.set_committed_value(state, state.dict, None)
                continue
            ident = tuple(values[i] for i in order)
            if not self.populate_existing:
                found = idmap.fast_get_state((ident_cls, ident, token))
                obj = found.obj() if found is not None else None
                if obj is not None and not found._deleted:  # type: ignore[union-attr]
                    impl.set_committed_value(state, state.dict, obj)
                    continue
            waiting.setdefault(ident, []).append(state)
        if not waiting:
            return
        pk_keys = target._pk_keys
        idents = list(waiting)
        pk = target.primary_key
        for i in range(0, len(idents), BATCH):
            chunk = idents[i : i + BATCH]
            if len(pk) == 1:
                crit = pk[0].in_([v[0] for v in chunk])
            else:
                from accord.sql import tuple_

                crit = tuple_(*pk).in_(chunk)
            loaded = {}
            stmt = select(target.class_).where(crit)
            for obj in self._execute(session, stmt, None, token).scalars():
                d = obj.__dict__
                loaded[tuple(d.get(k) for k in pk_keys)] = obj
            for ident in chunk:
                obj = loaded.get(ident)
                for state in waiting[ident]:
                    impl.set_committed_value(state, state.dict, obj)


def _pairs(prop: RelationshipProperty) -> list[tuple[Any, Any]]:
    from accord.orm.relationship_join import _local_pairs

    return _local_pairs(prop)


def _remote_keys(prop: RelationshipProperty, node: _Node | None) -> list[str] | None:
    """Attribute keys of the target holding the remote columns, if every target row loads
    them (not for a many-to-many, whose remote columns are the association table's)."""
    from accord.orm.relationships import MANYTOMANY
    from accord.orm.strategies import column_plan

    if prop.direction is MANYTOMANY:
        return None
    target = prop.mapper
    loaded = set(column_plan(node, target).keys)
    keys = []
    for _local, remote in _pairs(prop):
        p = target._columntoproperty.get(remote)
        if p is None or p.key not in loaded:
            return None
        keys.append(p.key)
    return keys


class ImmediateLoader:
    """Loads ``prop`` of each new parent right away, one lazy load per parent."""

    __slots__ = ("prop",)

    def __init__(self, prop: RelationshipProperty) -> None:
        self.prop = prop

    def __call__(self, session: Session, objs: list[Any]) -> None:
        key = self.prop.key
        impl = self.prop.class_attribute.impl
        for obj in objs:
            state = obj.__dict__[STATE_ATTR]
            if key not in state.dict:
                impl.get(state, state.dict)

"""Joined eager loading (``lazy="joined"`` / ``joinedload``) and ``contains_eager``.

The parent SELECT gets a LEFT OUTER JOIN (INNER with ``innerjoin=True``) to an anonymous
alias of the target table (and of the ``secondary`` table for a many-to-many) and the
target's columns; every row then gives a parent and, at a known offset, a related object.
Collections are gathered over all rows (each member once) and set when the rows are done.
``contains_eager`` reads the related columns from joins the statement already has.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from accord import exc
from accord.engine import IteratorResult, ScalarResult
from accord.orm.base import STATE_ATTR
from accord.sql.visitors import adapt_to_selectable, replacement_traverse

if TYPE_CHECKING:
    from collections.abc import Callable

    from accord.orm.relationships import RelationshipProperty
    from accord.orm.session import Session
    from accord.orm.strategies import EntityPlan
    from accord.orm.strategy_options import LoaderCriteriaOption

__all__ = [
    "JoinedLoad",
    "setup_joined",
]


def _swap_columns(expr: Any, table: Any, to: Any, only: Any = None, but: Any = None) -> Any:
    """``expr`` with the columns of ``table`` (those in ``only`` / not in ``but``, if
    given) taken from the alias ``to``."""

    only_ids = {id(c) for c in only} if only is not None else None
    but_ids = {id(c) for c in but} if but is not None else set()

    def replace(e: Any) -> Any:
        if getattr(e, "table", None) is not table or id(e) in but_ids:
            return None
        if only_ids is not None and id(e) not in only_ids:
            return None
        return to.corresponding_column(e)

    return replacement_traverse(expr, replace)


class JoinedLoad:
    """One joined relationship of a loading entity: where its columns start, how its
    objects are made, and the collections gathered while the rows are read."""

    __slots__ = ("children", "key", "make", "plan", "prop", "uselist")

    def __init__(self, prop: RelationshipProperty) -> None:
        self.prop = prop
        self.key = prop.key
        self.uselist = prop.uselist
        self.make: Callable[[Any], Any] = lambda row: None
        self.plan: EntityPlan | None = None
        self.children: list[JoinedLoad] = []

    def has_collections(self) -> bool:
        """True when this load or one below it fills a collection (rows repeat parents)."""
        return self.uselist or any(c.has_collections() for c in self.children)


def _onclauses(
    prop: RelationshipProperty, parent_from: Any, target: Any, secondary: Any
) -> list[tuple[Any, Any, Any]]:
    """``(left, right, onclause)`` steps joining ``parent_from`` to the target alias."""
    from accord.orm.relationships import MANYTOMANY

    parent_table = prop.parent.local_table
    target_table = prop.mapper.local_table
    if prop.direction is MANYTOMANY:
        pj = _swap_columns(prop.primaryjoin, prop.secondary, secondary)
        if parent_from is not parent_table:
            pj = _swap_columns(pj, parent_table, parent_from)
        sj = _swap_columns(prop.secondaryjoin, prop.secondary, secondary)
        sj = _swap_columns(sj, target_table, target)
        return [(parent_from, secondary, pj), (secondary, target, sj)]
    on = prop.primaryjoin
    # local columns come from the parent (itself an alias when nested), remote ones from
    # the target alias: a self-referential join has both sides on one table
    remote = prop.remote_side
    if parent_from is not parent_table:
        on = _swap_columns(on, parent_table, parent_from, but=remote)
    on = _swap_columns(on, target_table, target, only=remote)
    return [(parent_from, target, on)]


def setup_joined(
    session: Session,
    statement: Any,
    plan: EntityPlan,
    parent_from: Any,
    flat: list[Any],
    populate_existing: bool,
    token: Any,
    criteria: tuple[LoaderCriteriaOption, ...],
    outer: bool = False,
) -> tuple[Any, list[JoinedLoad]]:
    """Add the joins and columns of ``plan``'s joined relationships to ``statement`` and
    ``flat``; returns the statement and a JoinedLoad per relationship."""
    from accord.orm.loading import _instance_maker
    from accord.orm.strategies import entity_plan

    loads: list[JoinedLoad] = []
    for prop, strategy, child_node, chosen in plan.joined:
        target_mapper = prop.mapper
        jl = JoinedLoad(prop)
        child_plan = entity_plan(target_mapper, child_node, criteria, populate_existing)
        if strategy == "contains_eager":
            given = chosen.opt("alias") if chosen is not None else None
            target = _from_of(given) if given is not None else target_mapper.local_table
        else:
            if chosen is not None and chosen.opt("innerjoin") is not None:
                inner = bool(chosen.opt("innerjoin"))
            else:
                inner = bool(prop.innerjoin)
            is_outer = outer or not inner
            target = target_mapper.local_table.alias()
            secondary = prop.secondary.alias() if prop.secondary is not None else None
            for left, right, on in _onclauses(prop, parent_from, target, secondary):
                if right is target:
                    extra = [
                        adapt_to_selectable(c.criterion_for(target_mapper), target)
                        for c in criteria
                        if c.applies_to(target_mapper)
                    ]
                    if extra:
                        from accord.sql import and_

                        on = and_(on, *extra)
                statement = statement.join_from(left, right, on, isouter=is_outer)
            if prop.order_by:
                # the collection's order, after the statement's own ORDER BY
                statement = statement.order_by(
                    *[_swap_columns(c, target_mapper.local_table, target) for c in prop.order_by]
                )
        if child_plan is not None:
            exprs = child_plan.exprs
        else:
            from accord.orm.loading import _load_columns

            exprs = _load_columns(target_mapper)[1]
        start = len(flat)
        if target is target_mapper.local_table:
            flat.extend(exprs)
        else:
            flat.extend(adapt_to_selectable(e, target) for e in exprs)
        jl.make = _instance_maker(
            session, target_mapper, start, populate_existing, child_plan, token
        )[0]
        jl.plan = child_plan
        if child_plan is not None and child_plan.joined:
            statement, jl.children = setup_joined(
                session,
                statement,
                child_plan,
                target,
                flat,
                populate_existing,
                token,
                criteria,
                outer=outer or (strategy != "contains_eager" and not inner),
            )
        loads.append(jl)
    return statement, loads


def _from_of(alias: Any) -> Any:
    insp = getattr(alias, "_aliased_insp", None)
    if insp is not None:
        return insp.selectable
    return alias


class Gatherer:
    """Collects related objects per parent over the rows, then sets them in one go."""

    __slots__ = ("_found", "_pending", "overwrite")

    def __init__(self, overwrite: bool) -> None:
        self.overwrite = overwrite
        # (state id, key) -> [state, JoinedLoad, members (dict by id) or scalar]
        self._pending: dict[tuple[int, str], list[Any]] = {}
        self._found: dict[int, tuple[Any, EntityPlan]] = {}

    def row(self, row: Any, parent: Any, loads: list[JoinedLoad]) -> None:
        """Read the related objects of one row for ``parent``."""
        state = parent.__dict__[STATE_ATTR]
        pending = self._pending
        for jl in loads:
            child = jl.make(row)
            slot = pending.get((id(state), jl.key))
            if slot is None:
                if not self.overwrite and jl.key in state.dict:
                    slot = [state, jl, None, False]
                else:
                    slot = [state, jl, {} if jl.uselist else None, True]
                pending[(id(state), jl.key)] = slot
            if child is None:
                continue
            if slot[3]:
                if jl.uselist:
                    slot[2].setdefault(id(child), child)
                else:
                    slot[2] = child
            if jl.plan is not None and jl.plan.post_load:
                self._found.setdefault(id(child), (child, jl.plan))
            if jl.children:
                self.row(row, child, jl.children)

    def finish(self, session: Session) -> None:
        """Set every gathered collection / scalar, then run the loaders below them."""
        for state, jl, value, fill in self._pending.values():
            if not fill:
                continue
            impl = jl.prop.class_attribute.impl
            if jl.uselist:
                impl.set_committed_value(state, state.dict, list(value.values()))
            else:
                impl.set_committed_value(state, state.dict, value)
        by_plan: dict[int, tuple[EntityPlan, list[Any]]] = {}
        for child, plan in self._found.values():
            by_plan.setdefault(id(plan), (plan, []))[1].append(child)
        for plan, objs in by_plan.values():
            for fn in plan.post_load:
                fn(session, objs)
        self._pending = {}
        self._found = {}


def check_joined(statement: Any, loads: list[JoinedLoad], yield_per: Any) -> bool:
    """True when the rows repeat parents (a joined collection); refuses what cannot work."""
    collections = any(jl.has_collections() for jl in loads)
    if collections and yield_per:
        raise exc.InvalidRequestError(
            "yield_per cannot be used with joined eager loading of a collection (the rows "
            "of one parent may span partitions); use selectinload() instead"
        )
    if collections and (
        statement._limit_clause is not None or statement._offset_clause is not None
    ):
        raise exc.InvalidRequestError(
            "LIMIT / OFFSET with joined eager loading of a collection would limit the joined "
            "rows, not the parents; use selectinload() for this collection"
        )
    return collections


class _UniqueGate:
    """Iterates the built rows only once ``unique()`` was asked for on the result."""

    __slots__ = ("_it", "ok")

    def __init__(self, rows: list[Any]) -> None:
        self._it = iter(rows)
        self.ok = False

    def __iter__(self) -> _UniqueGate:
        return self

    def __next__(self) -> Any:
        if not self.ok:
            raise exc.InvalidRequestError(
                "The unique() method must be invoked on this Result, as it contains results "
                "that include joined eager loads against collections"
            )
        return next(self._it)


class _GatedScalars(ScalarResult):  # type: ignore[type-arg]
    """``scalars()`` of a gated result: ``unique()`` here opens the gate too."""

    _gate: _UniqueGate

    def unique(self, strategy: Any = None) -> Any:
        """Drop repeated objects (and allow fetching)."""
        self._gate.ok = True
        return super().unique(strategy)


class _GatedResult(IteratorResult):  # type: ignore[type-arg]
    """The result of a joined eager load of a collection: ``unique()`` is required."""

    _gate: _UniqueGate

    def unique(self, strategy: Any = None) -> Any:
        """Drop repeated rows (and allow fetching)."""
        self._gate.ok = True
        return super().unique(strategy)

    def scalars(self, index: Any = 0) -> Any:
        """A ScalarResult view that also accepts ``unique()``."""
        view = _GatedScalars(self, index)
        view._gate = self._gate
        return view


def unique_required_result(metadata: Any, rows: list[Any]) -> Any:
    """A Result over ``rows`` that refuses to give rows until ``unique()`` is called."""
    gate = _UniqueGate(rows)
    result = _GatedResult(metadata, gate)
    result._gate = gate
    return result

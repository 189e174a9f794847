"""Loader strategies at load time: loader options and criteria turned into load plans.

A statement's ``Load`` options are split per root entity into a tree of ``_Node`` objects
(one per relationship path); a node and a mapper give a ``ColumnPlan``: which column
attributes the SELECT fetches and which ones raise on access.  ``with_loader_criteria``
options add WHERE / ON criteria to the statement (``apply_criteria``).
"""

from __future__ import annotations

from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from accord import exc
from accord.orm.strategy_options import Load, LoaderCriteriaOption, UserDefinedOption, _Element

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping, Sequence

    from accord.orm.mapper import Mapper
    from accord.orm.state import InstanceState

__all__ = [
    "ColumnPlan",
    "EntityPlan",
    "LoadOptions",
    "PropagatedOptions",
    "apply_criteria",
    "column_plan",
    "eager_relationships",
    "entity_plan",
    "lazy_strategy",
    "split_options",
]

_EMPTY_NODE_ELEMENTS: tuple[_Element, ...] = ()


class _Node:
    """The loader instructions that apply at one point of a loading path."""

    __slots__ = (
        "_children",
        "_plans",
        "col_wild",
        "cols",
        "elements",
        "groups",
        "rel_wild",
        "rels",
    )

    def __init__(self, elements: tuple[_Element, ...]) -> None:
        self.elements = elements
        self.cols: dict[str, str] = {}
        self.col_wild: str | None = None
        self.groups: set[str] = set()
        self.rels: dict[str, _Element] = {}
        self.rel_wild: _Element | None = None
        deeper: dict[str, list[_Element]] = {}
        for e in elements:
            if e.path:
                head = e.path[0]
                deeper.setdefault(head, []).append(
                    _Element(e.path[1:], e.kind, e.target, e.strategy, e.opts)
                )
            elif e.kind == "col":
                if e.target == "*":
                    self.col_wild = e.strategy
                else:
                    self.cols[e.target] = e.strategy
            elif e.kind == "group":
                self.groups.add(e.target)
            elif e.target == "*":
                self.rel_wild = e
            else:
                prev = self.rels.get(e.target)
                # defaultload() only opens a path: it never overrides a chosen strategy
                if prev is None or e.strategy != "default":
                    self.rels[e.target] = e
        self._children = {k: tuple(v) for k, v in deeper.items()}
        self._plans: dict[Mapper[Any], ColumnPlan] = {}

    def child(self, key: str) -> _Node | None:
        """The node below relationship ``key`` (None when no option reaches there)."""
        elements = self._children.get(key)
        return _Node(elements) if elements else None

    def rel_strategy(self, key: str) -> _Element | None:
        """The option choosing how relationship ``key`` loads here, if any."""
        e = self.rels.get(key)
        if e is not None and e.strategy != "default":
            return e
        return self.rel_wild if e is None or e.strategy == "default" else e


def _raiser(mapper: Mapper[Any], key: str) -> Callable[[InstanceState, int], Any]:
    name = f"{mapper.class_.__name__}.{key}"

    def raise_on_load(state: InstanceState, passive: int) -> Any:
        raise exc.InvalidRequestError(f"'{name}' is not available due to raiseload=True")

    return raise_on_load


class ColumnPlan:
    """Which column attributes an entity's SELECT fetches, and which raise on access."""

    __slots__ = ("exprs", "is_default", "keys", "raise_callables")

    def __init__(
        self,
        keys: tuple[str, ...],
        exprs: tuple[Any, ...],
        raise_callables: Mapping[str, Any] | None,
        is_default: bool,
    ) -> None:
        self.keys = keys
        self.exprs = exprs
        self.raise_callables = raise_callables
        self.is_default = is_default


def column_plan(node: _Node | None, mapper: Mapper[Any]) -> ColumnPlan:
    """The ColumnPlan of ``mapper`` under ``node``'s column options (cached on the node)."""
    if node is not None:
        cached = node._plans.get(mapper)
        if cached is not None:
            return cached
    cols = node.cols if node is not None else {}
    wild = node.col_wild if node is not None else None
    groups = node.groups if node is not None else set()
    # statements are rebuilt per request: equal column options share one plan
    shared_key = (mapper, tuple(cols.items()), wild, frozenset(groups))
    shared = _SHARED_PLANS.get(shared_key)
    if shared is not None:
        if node is not None:
            node._plans[mapper] = shared
        return shared
    pk = set(mapper._pk_keys)
    keys: list[str] = []
    exprs: list[Any] = []
    raising: dict[str, Any] = {}
    for prop in mapper.column_attrs.values():
        key = prop.key
        strategy = cols.get(key)
        if strategy is None and prop.group is not None and prop.group in groups:
            strategy = "undefer"
        if strategy is None and key not in pk:
            strategy = wild
        if key in pk or strategy == "undefer" or (strategy is None and not prop.deferred):
            keys.append(key)
            exprs.append(prop.expression)
        elif strategy == "defer_raise":
            raising[key] = _raiser(mapper, key)
    default_keys = tuple(p.key for p in mapper.column_attrs.values() if not p.deferred)
    plan = ColumnPlan(
        tuple(keys),
        tuple(exprs),
        MappingProxyType(raising) if raising else None,
        tuple(keys) == default_keys and not raising,
    )
    if node is not None:
        node._plans[mapper] = plan
    if len(_SHARED_PLANS) > 512:  # option combinations are few; a runaway set is not kept
        _SHARED_PLANS.clear()
    _SHARED_PLANS[shared_key] = plan
    return plan


_SHARED_PLANS: dict[Any, ColumnPlan] = {}


class LoadOptions:
    """A statement's ORM options, sorted: loader chains, criteria and user options."""

    __slots__ = ("criteria", "loads", "user_defined")

    def __init__(
        self,
        loads: tuple[Load, ...],
        criteria: tuple[LoaderCriteriaOption, ...],
        user_defined: tuple[UserDefinedOption, ...],
    ) -> None:
        self.loads = loads
        self.criteria = criteria
        self.user_defined = user_defined

    def node_for(self, mapper: Mapper[Any], alias: Any, index: int) -> _Node | None:
        """The root node of the entity at ``index`` of the statement (None: no options)."""
        elements: list[_Element] = []
        for load in self.loads:
            root = load._root
            if root is None or ((root.isa(mapper) or mapper.isa(root)) and load._alias is alias):
                elements.extend(load.elements)
        return _Node(tuple(elements)) if elements else None

    def check_roots(self, entities: Sequence[tuple[Mapper[Any], Any]]) -> None:
        """Every bound loader chain must start at one of the statement's entities."""
        for load in self.loads:
            if load._root is None:
                continue
            if not any(
                (load._root.isa(m) or m.isa(load._root)) and load._alias is a for m, a in entities
            ):
                names = ", ".join(m.class_.__name__ for m, _a in entities) or "none"
                raise exc.ArgumentError(
                    f"Loader option for {load._root.class_.__name__}"
                    + (" (aliased)" if load._alias is not None else "")
                    + f" does not apply to any entity of this statement (entities: {names}); "
                    "give the full path from one of them"
                )


def split_options(options: Iterable[Any]) -> LoadOptions:
    """Sort ``Select.options()`` values; anything else raises ``ArgumentError``."""
    loads: list[Load] = []
    criteria: list[LoaderCriteriaOption] = []
    user: list[UserDefinedOption] = []
    for opt in options:
        if isinstance(opt, Load):
            loads.append(opt)
        elif isinstance(opt, LoaderCriteriaOption):
            criteria.append(opt)
        elif isinstance(opt, UserDefinedOption):
            user.append(opt)
        else:
            raise exc.ArgumentError(
                f"Unknown statement option {opt!r}: options() takes loader options such as "
                "selectinload(), defer(), load_only() or with_loader_criteria()"
            )
    return LoadOptions(tuple(loads), tuple(criteria), tuple(user))


# -- with_loader_criteria ----------------------------------------------------------------------


def _mapper_of_table(table: Any) -> Mapper[Any] | None:
    from accord.orm.query import _mapper_for_table

    return _mapper_for_table(table)


def _criteria_for(
    criteria: Sequence[LoaderCriteriaOption], mapper: Mapper[Any], alias: Any, loader: bool
) -> list[Any]:
    return [
        c.criterion_for(mapper, alias)
        for c in criteria
        if (loader or not c.loader_only) and c.applies_to(mapper, alias)
    ]


def _from_entity(target: Any) -> tuple[Mapper[Any], Any] | None:
    """``(mapper, alias)`` for a FROM object or entity argument that is a mapped entity."""
    from accord.orm.loading import _mapper_of

    insp = getattr(target, "_aliased_insp", None)
    if insp is not None:
        return insp.mapper, insp
    mapper = _mapper_of(target)
    if mapper is not None:
        return mapper, None
    mapper = _mapper_of_table(target)
    if mapper is not None:
        return mapper, None
    aliased = _aliased_by_selectable(target)
    if aliased is not None:
        return aliased.mapper, aliased
    return None


def _aliased_by_selectable(selectable: Any) -> Any:
    from accord.orm.aliased import aliased_insp_for

    return aliased_insp_for(selectable)


def apply_criteria(statement: Any, criteria: Sequence[LoaderCriteriaOption]) -> Any:
    """``statement`` with each entity's loader criteria in its WHERE clause (entities
    selected or in FROM) or in the ON clause of the join that brings it in."""
    from accord.sql.fromclause import _coerce_from, _join_condition

    if not criteria:
        return statement
    statement = _criteria_in_subqueries(statement, criteria)
    where: list[Any] = []
    seen: set[int] = set()

    def add_for(obj: Any, out: list[Any]) -> None:
        found = _from_entity(obj)
        if found is None:
            return
        mapper, alias = found
        sel = alias.selectable if alias is not None else mapper.local_table
        if id(sel) in seen:
            return
        seen.add(id(sel))
        out.extend(_criteria_for(criteria, mapper, alias, loader=False))

    joined: set[int] = set()
    for target, _on, _from, _outer, _full in statement._setup_joins:
        joined.add(id(_coerce_from(target)))
    for frm in list(statement._from_obj) + list(statement.columns_clause_froms):
        if id(frm) not in joined:
            add_for(frm, where)
    new_joins = []
    changed = False
    known = list(statement._from_obj) + list(statement.columns_clause_froms)
    for target, onclause, from_, isouter, full in statement._setup_joins:
        extra: list[Any] = []
        right = _coerce_from(target)
        add_for(target, extra)
        if extra and not isouter and not full:
            where.extend(extra)
        elif extra:
            if onclause is None:
                left = _coerce_from(from_) if from_ is not None else None
                candidates = [left] if left is not None else known
                for cand in candidates:
                    try:
                        onclause = _join_condition(cand, right)
                        break
                    except exc.ArgumentError:
                        continue
                else:
                    raise exc.InvalidRequestError(
                        "with_loader_criteria(): cannot place criteria in the ON clause of an "
                        "outer join without a join condition; give the ON clause"
                    )
            from accord.sql import and_

            on = (
                onclause.__clause_element__()
                if hasattr(onclause, "__clause_element__")
                else onclause
            )
            onclause = and_(on, *extra)
            changed = True
        new_joins.append((target, onclause, from_, isouter, full))
        known.append(right)
    if changed:
        statement = statement._generate()
        statement._setup_joins = tuple(new_joins)
    if where:
        statement = statement.where(*where)
    return statement


class PropagatedOptions:
    """What a loaded object keeps of its statement's options (``state.load_options``): the
    options node at its place in the loading path and the criteria for its lazy loads."""

    __slots__ = ("criteria", "node")

    def __init__(self, node: _Node | None, criteria: tuple[LoaderCriteriaOption, ...]) -> None:
        self.node = node
        self.criteria = criteria

    def __repr__(self) -> str:
        return f"<PropagatedOptions {self.node and self.node.elements!r} {self.criteria!r}>"


class EntityPlan:
    """How one entity of a statement loads: the columns fetched, what is set on each new
    object (``setup_state``) and what runs over each batch of loaded objects."""

    __slots__ = ("exprs", "joined", "keys", "mapper", "node", "post_load", "setup_state")

    def __init__(
        self,
        mapper: Mapper[Any],
        node: _Node | None,
        columns: ColumnPlan,
        setup_state: Callable[[InstanceState], None] | None,
        post_load: list[Callable[[Any, list[Any]], None]],
    ) -> None:
        self.mapper = mapper
        self.node = node
        self.keys = columns.keys
        self.exprs = columns.exprs
        self.setup_state = setup_state
        self.post_load = post_load
        self.joined: list[tuple[Any, str, _Node | None, _Element | None]] = []


# relationship strategies that load when the parents load (the rest load on access)
EAGER = frozenset({"selectin", "subquery", "immediate", "joined", "contains_eager"})


def eager_relationships(mapper: Mapper[Any]) -> tuple[Any, ...]:
    """The mapper's relationships with an eager ``lazy=`` (cached per relationship count)."""
    rels = mapper._relationships
    cached = mapper.__dict__.get("_accord_eager_rels")
    if cached is None or cached[0] != len(rels):
        eager = tuple(p for p in rels.values() if p.lazy in EAGER)
        cached = mapper.__dict__["_accord_eager_rels"] = (len(rels), eager)
    return cached[1]


def entity_plan(
    mapper: Mapper[Any],
    node: _Node | None,
    criteria: tuple[LoaderCriteriaOption, ...],
    populate_existing: bool = False,
) -> EntityPlan | None:
    """The EntityPlan of ``mapper`` under ``node`` (None: load as the mapper says)."""
    from accord.orm.selectin import ImmediateLoader, SelectInLoader

    columns = column_plan(node, mapper)
    propagate = tuple(c for c in criteria if c.propagate_to_loaders)
    carried = (PropagatedOptions(node, propagate),) if node is not None or propagate else ()
    raising = columns.raise_callables
    post_load: list[Callable[[Any, list[Any]], None]] = []
    joined: list[tuple[Any, str, _Node | None, _Element | None]] = []
    rels = mapper._relationships if node is not None else None
    for prop in rels.values() if rels is not None else eager_relationships(mapper):
        chosen = node.rel_strategy(prop.key) if node is not None else None
        strategy = chosen.strategy if chosen is not None else prop.lazy
        if strategy not in EAGER:
            continue
        child = node.child(prop.key) if node is not None else None
        depth = chosen.opt("recursion_depth") if chosen is not None else None
        if depth and prop.mapper.isa(mapper):
            # selectinload(Node.children, recursion_depth=n): the same option one level down
            again = _Element((), "rel", prop.key, strategy, (("recursion_depth", depth - 1),))
            if depth - 1 != 0:
                child = _Node((*(child.elements if child is not None else ()), again))
        if strategy in ("selectin", "subquery"):
            post_load.append(SelectInLoader(prop, child, propagate, populate_existing))
        elif strategy == "immediate":
            post_load.append(ImmediateLoader(prop))
        else:
            joined.append((prop, strategy, child, chosen))
    setup: Callable[[InstanceState], None] | None = None
    if raising is not None:

        def setup(state: InstanceState) -> None:
            state.callables = raising  # shared and read-only: states replace, never mutate
            state.load_options = carried

    elif carried:

        def setup(state: InstanceState) -> None:
            state.load_options = carried

    if setup is None and columns.is_default and not post_load and not joined:
        return None
    plan = EntityPlan(mapper, node, columns, setup, post_load)
    plan.joined = joined
    return plan


def lazy_strategy(prop: Any, state: InstanceState) -> tuple[str, tuple[Any, ...]]:
    """How ``prop`` loads on access for this object, and the options for that SELECT:
    the loader options and criteria its own load carried (``state.load_options``)."""
    from accord.orm.selectin import child_options

    for carried in state.load_options:
        if isinstance(carried, PropagatedOptions):
            node = carried.node
            chosen = node.rel_strategy(prop.key) if node is not None else None
            strategy = prop.lazy if chosen is None else chosen.strategy
            child = node.child(prop.key) if node is not None else None
            return strategy, child_options(prop, child, carried.criteria)
    return prop.lazy, ()


def _criteria_in_subqueries(statement: Any, criteria: Sequence[LoaderCriteriaOption]) -> Any:
    """Apply the criteria inside SELECTs used as FROM subqueries (``Query.count()``, an
    entity query wrapped in ``subquery()``); the outer columns follow the new subquery."""
    from accord.sql.fromclause import Subquery
    from accord.sql.selectable import Select
    from accord.sql.visitors import replacement_traverse

    froms = list(statement._from_obj)
    froms += [f for f in statement.columns_clause_froms if f not in froms]
    for sub in froms:
        if not isinstance(sub, Subquery) or not isinstance(sub.element, Select):
            continue
        inner = apply_criteria(sub.element, criteria)
        if inner is sub.element:
            continue
        new_sub = Subquery(inner, None if sub._is_anon else sub.name)

        def replace(e: Any, sub: Any = sub, new_sub: Any = new_sub) -> Any:
            if e is sub:
                return new_sub
            if getattr(e, "table", None) is sub:
                return new_sub.corresponding_column(e)
            return None

        new = statement._generate()
        new._from_obj = tuple(new_sub if f is sub else f for f in statement._from_obj)
        for name in (
            "_raw_columns",
            "_where_criteria",
            "_order_by_clauses",
            "_group_by_clauses",
            "_having_criteria",
        ):
            setattr(new, name, tuple(replacement_traverse(e, replace) for e in getattr(new, name)))
        new._raw_entities = tuple(replacement_traverse(e, replace) for e in new._raw_entities)
        statement = new
    return statement

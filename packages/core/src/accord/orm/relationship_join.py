"""Configuring a relationship: its target, join condition, direction and column pairs.

Also the criterion helper shared by the lazy loader and eager loaders:
``load_criterion(prop, states)`` gives the WHERE clause (and its parameters) that selects
the related rows of some parent objects.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from accord import exc
from accord.orm.base import NO_VALUE, PASSIVE_NO_RESULT, PASSIVE_OFF, opt_manager_of_class
from accord.sql import Column, and_, bindparam, or_, tuple_
from accord.sql import operators as sql_operators
from accord.sql.elements import BinaryExpression, BooleanClauseList, ColumnElement
from accord.sql.visitors import replacement_traverse

if TYPE_CHECKING:
    from accord.orm.mapper import Mapper
    from accord.orm.relationships import RelationshipProperty
    from accord.orm.state import InstanceState

__all__ = [
    "configure_relationship",
    "load_criterion",
    "local_values",
    "resolve_argument",
]


def _namespace(prop: RelationshipProperty) -> dict[str, Any]:
    """Names a string argument may use: the registry's classes, tables, ``accord.sql``."""
    import accord.sql as sql

    ns: dict[str, Any] = {n: getattr(sql, n) for n in sql.__all__}
    reg = getattr(prop.parent, "registry", None)
    if reg is not None:
        ns.update({t.name: t for t in reg.metadata.tables.values()})
        ns.update(dict(reg._class_registry.items()))
    module = sys.modules.get(prop.parent.class_.__module__)
    if module is not None:
        for name, value in vars(module).items():
            if isinstance(value, type) and opt_manager_of_class(value) is not None:
                ns.setdefault(name, value)
    return ns


def resolve_argument(prop: RelationshipProperty, value: Any, what: str) -> Any:
    """A string is evaluated among the registry's classes and tables; a lambda is called."""
    if isinstance(value, str):
        ns = _namespace(prop)
        if what == "secondary" and value in ns and not isinstance(ns[value], type):
            return ns[value]
        try:
            return eval(value, ns)  # the application's own mapping expression
        except Exception as err:
            raise exc.InvalidRequestError(
                f"When initializing mapper {prop.parent!r}, expression {value!r} for "
                f"{what} of relationship {prop} failed to locate a name ({err}). If this is a "
                "class name, make sure the class is defined (and mapped) in this registry."
            ) from None
    is_lambda = getattr(value, "__name__", "") == "<lambda>"
    if is_lambda and callable(value) and not isinstance(value, (type, ColumnElement)):
        return value()
    return value


def _target_mapper(prop: RelationshipProperty, value: Any) -> Mapper[Any]:
    from accord.orm.mapper import Mapper

    if isinstance(value, Mapper):
        return value
    manager = opt_manager_of_class(value) if isinstance(value, type) else None
    if manager is None or manager.mapper is None:
        raise exc.ArgumentError(
            f"relationship {prop} expects a mapped class or Mapper as its target, got {value!r}"
        )
    return manager.mapper


def _column(value: Any) -> Any:
    ce = getattr(value, "__clause_element__", None)
    if ce is not None and not isinstance(value, ColumnElement):
        value = ce()
    return value


def _columns(prop: RelationshipProperty, value: Any, what: str) -> frozenset[Any]:
    if value is None:
        return frozenset()
    value = resolve_argument(prop, value, what)
    if not isinstance(value, (list, tuple, set, frozenset)):
        value = [value]
    out = []
    for v in value:
        v = _column(resolve_argument(prop, v, what))
        if not isinstance(v, Column):
            raise exc.ArgumentError(f"{what} of relationship {prop}: Column expected, got {v!r}")
        out.append(v)
    return frozenset(out)


def _eq_pairs(expr: Any) -> list[tuple[Any, Any]]:
    """The (column, column) pairs compared with ``=`` in a join condition."""
    out: list[tuple[Any, Any]] = []
    if isinstance(expr, BooleanClauseList):
        for c in expr.clauses:
            out.extend(_eq_pairs(c))
    elif isinstance(expr, BinaryExpression) and expr.operator is sql_operators.eq:
        left, right = expr.left, expr.right
        if isinstance(left, Column) and isinstance(right, Column):
            out.append((left, right))
    return out


def _is_plain_join(expr: Any, pairs: list[tuple[Any, Any]]) -> bool:
    """Whether a join condition says only ``column = column`` for each pair, ANDed."""
    if isinstance(expr, BooleanClauseList) and expr.operator is sql_operators.and_:
        terms = list(expr.clauses)
    else:
        terms = [expr]
    found = set()
    for term in terms:
        if not (
            isinstance(term, BinaryExpression)
            and term.operator is sql_operators.eq
            and isinstance(term.left, Column)
            and isinstance(term.right, Column)
        ):
            return False
        found.add(frozenset((term.left, term.right)))
    return found == {frozenset(p) for p in pairs}


def _fk_pairs(child: Any, parent: Any, restrict: frozenset[Any]) -> dict[Any, list[Any]]:
    """Foreign keys of ``child`` referring to ``parent``: constraint -> [(ref, fk col)]."""
    found: dict[Any, list[Any]] = {}
    for col in child.c:
        if restrict and col not in restrict:
            continue
        for fk in sorted(col.foreign_keys, key=lambda f: f.target_fullname):
            try:
                ref = fk.column
            except exc.InvalidRequestError:
                continue
            if ref.table is parent:
                found.setdefault(fk.constraint or id(fk), []).append((ref, col))
    return found


def _describe(pairs: list[tuple[Any, Any]]) -> str:
    return ", ".join(
        f"{fk.table.name}.{fk.name} -> {ref.table.name}.{ref.name}" for ref, fk in pairs
    )


def _one_path(
    prop: RelationshipProperty, found: dict[Any, list[Any]], between: str
) -> list[tuple[Any, Any]]:
    if len(found) > 1:
        paths = "; ".join(f"'{_describe(p)}'" for p in found.values())
        raise exc.ArgumentError(
            f"Could not determine join condition between parent/child tables on relationship "
            f"{prop} ({between}): there are multiple foreign key paths linking the tables: "
            f"{paths}. Specify the 'foreign_keys' argument with the columns to use."
        )
    return next(iter(found.values()))


def _pairs_from_join(
    prop: RelationshipProperty, expr: Any, fks: frozenset[Any]
) -> list[tuple[Any, Any]]:
    """(referenced, foreign key) pairs of a given join condition."""
    out = []
    for a, b in _eq_pairs(expr):
        if fks:
            if b in fks and a not in fks:
                out.append((a, b))
            elif a in fks and b not in fks:
                out.append((b, a))
        elif b.references(a):
            out.append((a, b))
        elif a.references(b):
            out.append((b, a))
    if not out:
        raise exc.ArgumentError(
            f"Could not locate any foreign key columns in the join condition {expr} of "
            f"relationship {prop}; give foreign_keys= (or ForeignKey objects on the columns)"
        )
    return out


def configure_relationship(prop: RelationshipProperty) -> None:
    """Fill in the target mapper, joins, direction, column pairs, uselist and ordering."""
    from accord.orm.relationships import MANYTOMANY, MANYTOONE, ONETOMANY

    argument = prop.argument
    annotated_collection = None
    if prop._annotation is not None:
        if argument is None:
            argument = prop._annotation[0]
        annotated_collection = prop._annotation[1]
    if argument is None:
        raise exc.ArgumentError(f"relationship {prop} needs a target class")
    prop.mapper = _target_mapper(prop, resolve_argument(prop, argument, "argument"))
    if prop.secondary is not None:
        prop.secondary = resolve_argument(prop, prop.secondary, "secondary")
        if isinstance(prop.secondary, str):
            raise exc.ArgumentError(f"secondary table {prop.secondary!r} of {prop} not found")
    fks = _columns(prop, prop._given_foreign_keys, "foreign_keys")
    remote = _columns(prop, prop._given_remote_side, "remote_side")
    parent_t: Any = prop.parent.local_table
    target_t: Any = prop.mapper.local_table
    pj = prop._given_primaryjoin
    pj = _column(resolve_argument(prop, pj, "primaryjoin")) if pj is not None else None
    sj = prop._given_secondaryjoin
    sj = _column(resolve_argument(prop, sj, "secondaryjoin")) if sj is not None else None

    if prop.secondary is not None:
        sec = prop.secondary
        if pj is None:
            found = _fk_pairs(sec, parent_t, fks)
            pairs = _one_path(prop, found, f"{parent_t.name} / {sec.name}") if found else []
            if not pairs:
                raise exc.ArgumentError(
                    f"Could not determine join condition between {parent_t.name!r} and "
                    f"secondary table {sec.name!r} of relationship {prop}: no foreign keys "
                    "link them; give primaryjoin="
                )
            if parent_t is target_t and sj is None:
                raise exc.ArgumentError(
                    f"Self-referential many-to-many relationship {prop} needs primaryjoin= and "
                    "secondaryjoin="
                )
        else:
            pairs = _pairs_from_join(prop, pj, fks)
        if sj is None:
            found = _fk_pairs(sec, target_t, fks)
            spairs = _one_path(prop, found, f"{target_t.name} / {sec.name}") if found else []
            if not spairs:
                raise exc.ArgumentError(
                    f"Could not determine join condition between {target_t.name!r} and "
                    f"secondary table {sec.name!r} of relationship {prop}; give secondaryjoin="
                )
        else:
            spairs = _pairs_from_join(prop, sj, fks)
        prop.primaryjoin = pj if pj is not None else and_(*[r == f for r, f in pairs])
        prop.secondaryjoin = sj if sj is not None else and_(*[r == f for r, f in spairs])
        prop.direction = MANYTOMANY
        prop.synchronize_pairs = list(pairs)
        prop.secondary_synchronize_pairs = list(spairs)
        prop.local_remote_pairs = list(pairs) + list(spairs)
        prop.local_columns = frozenset(r for r, _f in pairs)
        prop.remote_side = frozenset(f for _r, f in pairs + spairs)
    else:
        if pj is not None:
            pairs = _pairs_from_join(prop, pj, fks)
            fk_tables = {f.table for _r, f in pairs}
            if parent_t is target_t:
                direction = MANYTOONE if remote and remote <= {r for r, _f in pairs} else ONETOMANY
            elif fk_tables == {target_t}:
                direction = ONETOMANY
            elif fk_tables == {parent_t}:
                direction = MANYTOONE
            else:
                raise exc.ArgumentError(
                    f"Can't determine the direction of relationship {prop}: foreign key "
                    f"columns {_describe(pairs)} are on both sides"
                )
        elif parent_t is target_t:
            found = _fk_pairs(parent_t, parent_t, fks)
            if not found:
                raise exc.ArgumentError(
                    f"Could not determine join condition between parent/child tables on "
                    f"relationship {prop}: table {parent_t.name!r} has no foreign key to itself"
                )
            pairs = _one_path(prop, found, f"{parent_t.name} to itself")
            direction = MANYTOONE if remote and remote <= {r for r, _f in pairs} else ONETOMANY
        else:
            o2m = _fk_pairs(target_t, parent_t, fks)
            m2o = _fk_pairs(parent_t, target_t, fks)
            if o2m and m2o:
                paths = "; ".join(f"'{_describe(p)}'" for p in [*o2m.values(), *m2o.values()])
                raise exc.ArgumentError(
                    f"Could not determine join condition between parent/child tables on "
                    f"relationship {prop}: there are multiple foreign key paths linking the "
                    f"tables: {paths}. Specify the 'foreign_keys' argument."
                )
            if not (o2m or m2o):
                raise exc.ArgumentError(
                    f"Could not determine join condition between parent/child tables on "
                    f"relationship {prop} - there are no foreign keys linking these tables "
                    f"({parent_t.name!r}, {target_t.name!r}). Ensure that referencing columns "
                    "are associated with a ForeignKey, or specify primaryjoin / foreign_keys."
                )
            between = f"{parent_t.name} / {target_t.name}"
            if o2m:
                pairs, direction = _one_path(prop, o2m, between), ONETOMANY
            else:
                pairs, direction = _one_path(prop, m2o, between), MANYTOONE
        prop.direction = direction
        prop.primaryjoin = pj if pj is not None else and_(*[r == f for r, f in pairs])
        prop.synchronize_pairs = list(pairs)
        if direction is ONETOMANY:
            prop.local_remote_pairs = list(pairs)
        else:
            prop.local_remote_pairs = [(f, r) for r, f in pairs]
        prop.local_columns = frozenset(lc for lc, _r in prop.local_remote_pairs)
        prop.remote_side = frozenset(rc for _l, rc in prop.local_remote_pairs)
        # a many-to-one whose join is nothing but foreign key = the target's primary key can
        # be answered from the identity map (a given primaryjoin may add other criteria)
        target_pk = prop.mapper.primary_key
        prop._use_get = (
            direction is MANYTOONE
            and len(pairs) == len(target_pk)
            and {r for _l, r in prop.local_remote_pairs} == set(target_pk)
            and (pj is None or _is_plain_join(pj, pairs))
        )
    if prop._given_uselist is not None:
        prop.uselist = prop._given_uselist
    elif prop._annotation is not None:
        prop.uselist = annotated_collection is not None
    else:
        prop.uselist = prop.direction is not MANYTOONE
    coll = prop._given_collection_class
    if coll is None:
        coll = annotated_collection
    prop.collection_class = (coll or list) if prop.uselist else None
    if prop.lazy == "write_only" and not prop.uselist:
        raise exc.ArgumentError(f"lazy='write_only' relationship {prop} must be a collection")
    prop.order_by = _order_by(prop)
    if prop.cascade.delete_orphan and prop.direction is not ONETOMANY and not prop.single_parent:
        raise exc.ArgumentError(
            f"On relationship {prop}, delete-orphan cascade is normally configured only on the "
            f"'one' side of a one-to-many relationship; set single_parent=True to use it on a "
            f"{prop.direction.name.lower()} relationship"
        )


def _order_by(prop: RelationshipProperty) -> Any:
    value = prop._given_order_by
    if value is None or value is False:
        return False
    value = resolve_argument(prop, value, "order_by")
    if not isinstance(value, (list, tuple)):
        value = [value]
    return [_column(resolve_argument(prop, v, "order_by")) for v in value]


# ---------------------------------------------------------------------------------------
# criteria for loading related rows
# ---------------------------------------------------------------------------------------


def _local_pairs(prop: RelationshipProperty) -> list[tuple[Any, Any]]:
    """(column of the parent's table, column it is compared with) in the primary join."""
    from accord.orm.relationships import MANYTOMANY

    if prop.direction is MANYTOMANY:
        return list(prop.synchronize_pairs)
    return list(prop.local_remote_pairs)


def local_values(
    prop: RelationshipProperty, state: InstanceState, passive: int = PASSIVE_OFF
) -> tuple[Any, ...] | None:
    """The parent's values of the relationship's local columns; None if one is unknown."""
    mapper = prop.parent
    dict_ = state.dict
    out = []
    for local, _remote in _local_pairs(prop):
        key = mapper._columntoproperty[local].key
        value = dict_.get(key, NO_VALUE)
        if value is NO_VALUE:
            value = state.manager[key].impl.get(state, dict_, passive)
        if value is None or value is NO_VALUE or value is PASSIVE_NO_RESULT:
            return None
        out.append(value)
    return tuple(out)


def load_criterion(
    prop: RelationshipProperty, states: list[InstanceState], passive: int = PASSIVE_OFF
) -> tuple[Any, dict[str, Any]]:
    """The WHERE clause and parameters selecting the targets related to ``states``.

    Select ``prop.mapper``'s entity (for many-to-many the ``secondary`` table comes in
    through this criterion) and add ``prop.order_by``.  With one state the clause is the
    relationship's ``primaryjoin`` with the parent's columns as bound parameters named
    ``<key>_<n>``; with several it is ``remote IN (...)`` (or an OR of those clauses).  The
    remote columns (``[r for _l, r in _local_pairs(prop)]``) identify, in each result row,
    which parent it belongs to; ``local_values(prop, state)`` gives each parent's values.
    States whose local values are unknown (None) are left out; with none left the
    criterion is None.
    """
    pairs = _local_pairs(prop)
    values = []
    for state in states:
        v = local_values(prop, state, passive)
        if v is not None:
            values.append(v)
    if not values:
        return None, {}
    from accord.orm.relationships import MANYTOMANY

    extra = prop.secondaryjoin if prop.direction is MANYTOMANY else None
    if len(values) == 1 or prop._given_primaryjoin is not None:
        clauses = []
        params: dict[str, Any] = {}
        for n, vals in enumerate(values):
            names = {}
            for i, (local, _remote) in enumerate(pairs):
                name = f"{prop.key}_{n}_{i}" if len(values) > 1 else f"{prop.key}_{i}"
                names[id(local)] = bindparam(name, type_=local.type)
                params[name] = vals[i]

            def swap(e: Any, names: dict[int, Any] = names) -> Any:
                return names.get(id(e))

            clauses.append(replacement_traverse(prop.primaryjoin, swap))
        crit = clauses[0] if len(clauses) == 1 else or_(*clauses)
        return (and_(crit, extra) if extra is not None else crit), params
    remotes = [r for _l, r in pairs]
    if len(remotes) == 1:
        crit = remotes[0].in_(list(dict.fromkeys(v[0] for v in values)))
    else:
        crit = tuple_(*remotes).in_(list(dict.fromkeys(values)))
    return (and_(crit, extra) if extra is not None else crit), {}

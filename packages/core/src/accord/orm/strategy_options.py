"""Loader options: ``Load`` paths, relationship and column loader options, user options.

Options are plain values: ``select(A).options(selectinload(A.bs).defer(B.note))`` stores
them on the statement, where they take part in its cache key (``_cache_key``).  What they
do happens at load time (``accord.orm.strategies``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from accord import exc

if TYPE_CHECKING:
    from collections.abc import Iterable

    from accord.orm.mapper import Mapper

__all__ = [
    "Load",
    "LoaderCriteriaOption",
    "LoaderOption",
    "ORMOption",
    "UserDefinedOption",
    "contains_eager",
    "defaultload",
    "defer",
    "immediateload",
    "joinedload",
    "lazyload",
    "load_only",
    "noload",
    "raiseload",
    "selectinload",
    "subqueryload",
    "undefer",
    "undefer_group",
    "with_loader_criteria",
]

# Relationship loader strategies an option can choose ("default" keeps the mapped lazy=).
RELATIONSHIP_STRATEGIES = frozenset(
    {
        "default",
        "select",
        "selectin",
        "joined",
        "subquery",
        "immediate",
        "noload",
        "raise",
        "raise_on_sql",
        "contains_eager",
    }
)


class ORMOption:
    """Base of everything ``Select.options()`` accepts from the ORM."""

    __slots__ = ()

    #: carried onto loaded objects, so their later lazy loads apply it too
    propagate_to_loaders = True

    @property
    def _cache_key(self) -> Any:
        """A hashable value standing for this option in the statement's cache key."""
        raise NotImplementedError


class UserDefinedOption(ORMOption):
    """An option with a ``payload`` for the application's own ``do_orm_execute`` listeners.

    accord does nothing with it; listeners find it in
    ``ORMExecuteState.user_defined_options`` (the result-caching recipe uses one).
    """

    __slots__ = ("payload",)

    propagate_to_loaders = False

    def __init__(self, payload: Any = None) -> None:
        self.payload = payload

    @property
    def _cache_key(self) -> Any:
        """Options of the same class with equal payloads share a key (unhashable: identity)."""
        try:
            hash(self.payload)
        except TypeError:
            return (type(self), id(self))
        return (type(self), self.payload)


class _Element:
    """One instruction of a ``Load``: at ``path``, load ``target`` with ``strategy``.

    ``path`` is a tuple of relationship keys from the root entity; ``kind`` is ``"rel"``
    (a relationship or ``"*"``), ``"col"`` (a column attribute or ``"*"``) or ``"group"``
    (an ``undefer_group`` name); ``opts`` holds keyword settings as sorted pairs.
    """

    __slots__ = ("kind", "opts", "path", "strategy", "target")

    def __init__(
        self,
        path: tuple[str, ...],
        kind: str,
        target: str,
        strategy: str,
        opts: tuple[tuple[str, Any], ...] = (),
    ) -> None:
        self.path = path
        self.kind = kind
        self.target = target
        self.strategy = strategy
        self.opts = opts

    def _key(self) -> tuple[Any, ...]:
        return (self.path, self.kind, self.target, self.strategy, self.opts)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Element) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        where = ".".join(self.path) or "<root>"
        return f"<{self.strategy} {self.kind} {where}:{self.target}>"

    def opt(self, name: str, default: Any = None) -> Any:
        """The keyword setting ``name``."""
        for k, v in self.opts:
            if k == name:
                return v
        return default


def _entity_of(entity: Any) -> tuple[Mapper[Any], Any]:
    """``(mapper, alias or None)`` of a mapped class, Mapper or aliased entity."""
    from accord.orm.base import opt_manager_of_class
    from accord.orm.mapper import Mapper

    if isinstance(entity, Mapper):
        return entity, None
    insp = getattr(entity, "_aliased_insp", None)
    if insp is not None:
        return insp.mapper, insp
    if isinstance(entity, type):
        manager = opt_manager_of_class(entity)
        if manager is not None and manager.mapper is not None:
            return manager.mapper, None
    raise exc.ArgumentError(f"Mapped class or aliased entity expected, got {entity!r}")


def _attr_info(attr: Any) -> tuple[Mapper[Any], Any, str, Any]:
    """``(parent mapper, alias or None, key, property)`` of a mapped attribute argument."""
    from accord.orm.attributes import QueryableAttribute
    from accord.orm.mapper import configure_mappers

    configure_mappers()  # relationship targets are known once mappers are configured
    if isinstance(attr, QueryableAttribute):
        return attr.parent, None, attr.key, attr.prop
    if getattr(attr, "is_attribute", False) and hasattr(attr, "prop"):
        # an aliased class's attribute, or a relationship comparator (of_type())
        return attr.parent, getattr(attr, "_aliased_insp", None), attr.key, attr.prop
    if isinstance(attr, str):
        raise exc.ArgumentError(
            f"Loader options take mapped attributes such as User.name, not strings "
            f"({attr!r}); only the wildcard '*' is accepted as a string"
        )
    raise exc.ArgumentError(f"Mapped attribute expected in a loader option, got {attr!r}")


class LoaderOption(ORMOption):
    """Base of the loader options (``Load`` and what the loader functions return)."""

    __slots__ = ()


class Load(LoaderOption):
    """A chain of loader instructions starting at one entity.

    ``Load(User).selectinload(User.addresses).load_only(Address.email)``; the module
    functions (``selectinload(User.addresses)`` ...) return a Load whose entity is the
    attribute's class, so they chain the same way.  Each method returns a new Load.
    """

    __slots__ = ("_alias", "_end_mapper", "_path", "_root", "elements")

    def __init__(self, entity: Any) -> None:
        mapper, alias = _entity_of(entity)
        self._root: Mapper[Any] | None = mapper
        self._alias: Any = alias
        self._path: tuple[str, ...] = ()
        self._end_mapper: Mapper[Any] | None = mapper
        self.elements: tuple[_Element, ...] = ()

    @classmethod
    def _unbound(cls) -> Load:
        new = cls.__new__(cls)
        new._root = None
        new._alias = None
        new._path = ()
        new._end_mapper = None
        new.elements = ()
        return new

    def _copy(self) -> Load:
        new = Load.__new__(Load)
        new._root = self._root
        new._alias = self._alias
        new._path = self._path
        new._end_mapper = self._end_mapper
        new.elements = self.elements
        return new

    @property
    def _cache_key(self) -> Any:
        """The root entity and every element (aliases by identity)."""
        alias_key = id(self._alias) if self._alias is not None else None
        return ("load", self._root, alias_key, tuple(e._key() for e in self.elements))

    def __repr__(self) -> str:
        root = self._root.class_.__name__ if self._root is not None else "*"
        return f"Load({root}, {list(self.elements)!r})"

    # -- building ------------------------------------------------------------------------

    def _check_attr(self, attr: Any) -> tuple[str, Any]:
        """The key and property of ``attr`` once checked against the end of the path."""
        parent, alias, key, prop = _attr_info(attr)
        if self._end_mapper is None:
            # the first attribute of an unbound chain names its root entity
            self._root = self._end_mapper = parent
            self._alias = alias
        elif not parent.isa(self._end_mapper) and not self._end_mapper.isa(parent):
            where = ".".join(self._path)
            raise exc.ArgumentError(
                f"Attribute {parent.class_.__name__}.{key} does not apply to "
                f"{self._end_mapper.class_.__name__}"
                + (f" (reached by the path {where!r})" if where else "")
                + " in this loader option"
            )
        elif not self._path and alias is not None and self._alias is None:
            self._alias = alias
        return key, prop

    def _rel(self, attr: Any, strategy: str, **opts: Any) -> Load:
        new = self._copy()
        clean = tuple(sorted((k, v) for k, v in opts.items() if v is not None))
        if isinstance(attr, str):
            if attr != "*":
                _attr_info(attr)  # raises the error for strings
            # a wildcard covers every relationship at this point; the path does not extend
            new.elements = (*self.elements, _Element(self._path, "rel", "*", strategy, clean))
            return new
        key, prop = new._check_attr(attr)
        if not getattr(prop, "is_relationship", False):
            raise exc.ArgumentError(
                f"{strategy}load option: {attr!r} is not a relationship attribute"
                if strategy != "default"
                else f"defaultload option: {attr!r} is not a relationship attribute"
            )
        new.elements = (*self.elements, _Element(self._path, "rel", key, strategy, clean))
        new._path = (*self._path, key)
        new._end_mapper = prop.mapper
        return new

    def _col(self, attr: Any, kind: str, strategy: str) -> Load:
        new = self._copy()
        if isinstance(attr, str) and attr == "*":
            new.elements = (*self.elements, _Element(self._path, kind, "*", strategy))
            return new
        key, prop = new._check_attr(attr)
        if not getattr(prop, "is_column_property", False):
            raise exc.ArgumentError(
                f"Column loader option: {attr!r} is not a column attribute (use a "
                "relationship loader option such as lazyload() or noload() for relationships)"
            )
        new.elements = (*self.elements, _Element(self._path, kind, key, strategy))
        return new

    def options(self, *opts: Load) -> Load:
        """Apply ``opts`` (chains starting at this path's end entity) below this path."""
        new = self._copy()
        elements = list(self.elements)
        for opt in opts:
            if not isinstance(opt, Load):
                raise exc.ArgumentError(f"Load.options() takes loader options, got {opt!r}")
            if (
                opt._root is not None
                and self._end_mapper is not None
                and not opt._root.isa(self._end_mapper)
            ):
                raise exc.ArgumentError(
                    f"Loader option for {opt._root.class_.__name__} does not apply "
                    f"below {self._end_mapper.class_.__name__} in Load.options()"
                )
            for e in opt.elements:
                elements.append(
                    _Element(self._path + e.path, e.kind, e.target, e.strategy, e.opts)
                )
        new.elements = tuple(elements)
        return new

    def joinedload(self, attr: Any, innerjoin: bool | None = None) -> Load:
        """Load the relationship in the same SELECT through a LEFT OUTER JOIN (or INNER)."""
        return self._rel(attr, "joined", innerjoin=innerjoin)

    def selectinload(self, attr: Any, recursion_depth: int | None = None) -> Load:
        """Load the relationship with a second SELECT ... WHERE key IN (parents' keys)."""
        return self._rel(attr, "selectin", recursion_depth=recursion_depth)

    def subqueryload(self, attr: Any) -> Load:
        """Load the relationship with a second SELECT joined to the first one as subquery."""
        return self._rel(attr, "subquery")

    def immediateload(self, attr: Any) -> Load:
        """Load the relationship with a SELECT per object, right after the objects load."""
        return self._rel(attr, "immediate")

    def lazyload(self, attr: Any) -> Load:
        """Load the relationship with a SELECT on first access."""
        return self._rel(attr, "select")

    def noload(self, attr: Any) -> Load:
        """Never load the relationship: it stays empty (None / empty collection)."""
        return self._rel(attr, "noload")

    def raiseload(self, attr: Any, sql_only: bool = False) -> Load:
        """Raise on access instead of loading (``sql_only``: only when SQL would be needed)."""
        return self._rel(attr, "raise_on_sql" if sql_only else "raise")

    def defaultload(self, attr: Any) -> Load:
        """Keep the relationship's own loading, to set options further down the path."""
        return self._rel(attr, "default")

    def contains_eager(self, attr: Any, alias: Any = None) -> Load:
        """Fill the relationship from columns the statement already selects (its joins)."""
        return self._rel(attr, "contains_eager", alias=alias)

    def defer(self, attr: Any, raiseload: bool = False) -> Load:
        """Leave a column out of the SELECT; it loads on access (raises with ``raiseload``)."""
        return self._col(attr, "col", "defer_raise" if raiseload else "defer")

    def undefer(self, attr: Any) -> Load:
        """Load a deferred column with the object."""
        return self._col(attr, "col", "undefer")

    def undefer_group(self, name: str) -> Load:
        """Load every deferred column of the group ``name`` with the object."""
        new = self._copy()
        new.elements = (*self.elements, _Element(self._path, "group", name, "undefer"))
        return new

    def load_only(self, *attrs: Any, raiseload: bool = False) -> Load:
        """Load only these columns (and the primary key); the others are deferred."""
        if not attrs:
            raise exc.ArgumentError("load_only() needs at least one column attribute")
        new = self._copy()
        elements = list(self.elements)
        for attr in attrs:
            key, prop = new._check_attr(attr)
            if not getattr(prop, "is_column_property", False):
                raise exc.ArgumentError(f"load_only(): {attr!r} is not a column attribute")
            elements.append(_Element(self._path, "col", key, "undefer"))
        wild = "defer_raise" if raiseload else "defer"
        elements.append(_Element(self._path, "col", "*", wild))
        new.elements = tuple(elements)
        return new


def _chain(keys: Iterable[Any], method: str, kw: dict[str, Any]) -> Load:
    """``fn(A.b, B.c)``: default loading along the way, ``method`` for the last key."""
    keys = tuple(keys)
    if not keys:
        raise exc.ArgumentError(f"{method}() needs a relationship attribute")
    load = Load._unbound()
    for key in keys[:-1]:
        load = load.defaultload(key)
    result: Load = getattr(load, method)(keys[-1], **kw)
    return result


def joinedload(*keys: Any, innerjoin: bool | None = None) -> Load:
    """Eager-load through a LEFT OUTER JOIN (``innerjoin=True``: an INNER JOIN)."""
    return _chain(keys, "joinedload", {"innerjoin": innerjoin})


def selectinload(*keys: Any, recursion_depth: int | None = None) -> Load:
    """Eager-load with a SELECT ... WHERE parent key IN (...), in batches of 500 keys."""
    return _chain(keys, "selectinload", {"recursion_depth": recursion_depth})


def subqueryload(*keys: Any) -> Load:
    """Eager-load with a SELECT joined to the original statement as a subquery."""
    return _chain(keys, "subqueryload", {})


def immediateload(*keys: Any) -> Load:
    """Load with one SELECT per object right after loading."""
    return _chain(keys, "immediateload", {})


def lazyload(*keys: Any) -> Load:
    """Load on first access (one SELECT per object)."""
    return _chain(keys, "lazyload", {})


def noload(*keys: Any) -> Load:
    """Never load: the attribute reads as None / an empty collection."""
    return _chain(keys, "noload", {})


def raiseload(*keys: Any, sql_only: bool = False) -> Load:
    """Raise ``InvalidRequestError`` on access instead of loading."""
    return _chain(keys, "raiseload", {"sql_only": sql_only})


def defaultload(*keys: Any) -> Load:
    """Keep the mapped loading of each relationship on the path (to chain options below)."""
    return _chain(keys, "defaultload", {})


def contains_eager(*keys: Any, alias: Any = None) -> Load:
    """The statement's own joined columns fill the relationship."""
    return _chain(keys, "contains_eager", {"alias": alias})


def defer(key: Any, *, raiseload: bool = False) -> Load:
    """Do not load this column with the object (``raiseload=True``: raise on access)."""
    return Load._unbound().defer(key, raiseload=raiseload)


def undefer(key: Any) -> Load:
    """Load this deferred column with the object."""
    return Load._unbound().undefer(key)


def undefer_group(name: str) -> Load:
    """Load the deferred columns of group ``name`` with every entity of the statement."""
    return Load._unbound().undefer_group(name)


def load_only(*attrs: Any, raiseload: bool = False) -> Load:
    """Load only these columns of their entity (plus its primary key)."""
    return Load._unbound().load_only(*attrs, raiseload=raiseload)


class LoaderCriteriaOption(ORMOption):
    """What ``with_loader_criteria()`` returns: extra WHERE criteria for one entity (or
    every mapped subclass of a base class) wherever a statement or its loaders select it."""

    __slots__ = (
        "_key",
        "entity",
        "include_aliases",
        "loader_only",
        "propagate_to_loaders",
        "where_criteria",
    )

    def __init__(
        self,
        entity_or_base: Any,
        where_criteria: Any,
        loader_only: bool = False,
        include_aliases: bool = False,
        propagate_to_loaders: bool = True,
        track_closure_variables: bool = True,
    ) -> None:
        from accord.orm.base import opt_manager_of_class
        from accord.orm.mapper import Mapper

        if isinstance(entity_or_base, Mapper):
            entity_or_base = entity_or_base.class_
        if getattr(entity_or_base, "_aliased_insp", None) is not None:
            raise exc.ArgumentError(
                "with_loader_criteria() takes a mapped class or base class, not an aliased "
                "entity; pass include_aliases=True to reach aliases of the class"
            )
        if not isinstance(entity_or_base, type):
            raise exc.ArgumentError(
                f"with_loader_criteria() needs a class (mapped, or a base of mapped classes), "
                f"got {entity_or_base!r}"
            )
        self.entity: type = entity_or_base
        self.where_criteria = where_criteria
        self.loader_only = loader_only
        self.include_aliases = include_aliases
        self.propagate_to_loaders = propagate_to_loaders
        if callable(where_criteria) and not hasattr(where_criteria, "__clause_element__"):
            # a lambda is called with each entity it applies to; its code stands for it
            self._key: Any = ("fn", getattr(where_criteria, "__code__", where_criteria))
        else:
            manager = opt_manager_of_class(entity_or_base)
            if manager is None or manager.mapper is None:
                raise exc.ArgumentError(
                    f"with_loader_criteria() for the unmapped class {entity_or_base.__name__} "
                    "needs a lambda taking each mapped class, e.g. lambda cls: cls.x == 1"
                )
            crit = _clause(where_criteria)
            ck = crit._generate_cache_key()
            self._key = ("expr", ck.key if ck is not None else id(crit))

    @property
    def _cache_key(self) -> Any:
        """The class, the criteria's shape (or the lambda's code) and the flags."""
        return (
            "loader_criteria",
            self.entity,
            self._key,
            self.loader_only,
            self.include_aliases,
            self.propagate_to_loaders,
        )

    def applies_to(self, mapper: Mapper[Any], alias: Any = None) -> bool:
        """True for the entity's mapper (or a subclass's), and its aliases if included."""
        if alias is not None and not self.include_aliases:
            return False
        return issubclass(mapper.class_, self.entity)

    def criterion_for(self, mapper: Mapper[Any], alias: Any = None) -> Any:
        """The WHERE criterion for ``mapper``'s table, or for ``alias`` when given."""
        from accord.sql.visitors import adapt_to_selectable

        crit = self.where_criteria
        if callable(crit) and not hasattr(crit, "__clause_element__"):
            target = alias.entity if alias is not None else mapper.class_
            return _clause(crit(target))
        crit = _clause(crit)
        if alias is not None:
            return adapt_to_selectable(crit, alias.selectable)
        return crit

    def __repr__(self) -> str:
        return f"<with_loader_criteria {self.entity.__name__}>"


def _clause(value: Any) -> Any:
    from accord.sql.coercions import coerce_where

    return coerce_where(value)


def with_loader_criteria(
    entity_or_base: Any,
    where_criteria: Any,
    loader_only: bool = False,
    include_aliases: bool = False,
    propagate_to_loaders: bool = True,
    track_closure_variables: bool = True,
) -> LoaderCriteriaOption:
    """Add ``where_criteria`` to every SELECT of the entity (or of every mapped subclass of
    a base class) in the statement, including its relationship loads.

    ``where_criteria`` is an expression, or a callable taking the mapped class (needed for
    a base class), e.g. ``lambda cls: cls.deleted.is_(False)``.  ``include_aliases``:
    apply to ``aliased()`` forms too; ``loader_only``: only to relationship loads;
    ``propagate_to_loaders=False``: not to lazy loads of the loaded objects.
    """
    return LoaderCriteriaOption(
        entity_or_base,
        where_criteria,
        loader_only,
        include_aliases,
        propagate_to_loaders,
        track_closure_variables,
    )

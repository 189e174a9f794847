"""``relationship()``: links between mapped classes, resolved when the mappers are configured.

A ``RelationshipProperty`` is built in the class body (or ``properties=``) with its target
given as a class, a Mapper, a class name or a lambda.  ``configure_mappers()`` (run on the
first use of a mapped class) resolves the target, works out the join condition and the
direction from the tables' foreign keys (``relationship_join``), adds ``backref``
properties on the other side and installs the attribute implementations
(``related_attributes``) that keep both sides in sync in Python.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Any

from accord import exc
from accord.orm.base import _DeclarativeMapped
from accord.orm.properties import MapperProperty

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from accord.orm.attributes import AttributeImpl, InstrumentedAttribute
    from accord.orm.mapper import Mapper

__all__ = [
    "CascadeOptions",
    "RelationshipDirection",
    "RelationshipProperty",
    "backref",
    "relationship",
]


class RelationshipDirection(enum.Enum):
    """Which side holds the foreign key: the target (one-to-many), this class, or neither."""

    ONETOMANY = 1
    """The target's rows refer to this class's rows (a collection by default)."""
    MANYTOONE = 2
    """This class's rows refer to the target's rows (a scalar by default)."""
    MANYTOMANY = 3
    """Rows of a ``secondary`` (association) table refer to both."""


ONETOMANY = RelationshipDirection.ONETOMANY
MANYTOONE = RelationshipDirection.MANYTOONE
MANYTOMANY = RelationshipDirection.MANYTOMANY

_CASCADE_TOKENS = frozenset(
    {"save-update", "merge", "delete", "delete-orphan", "expunge", "refresh-expire", "all", "none"}
)
_ALL = ("save-update", "merge", "refresh-expire", "expunge", "delete")


class CascadeOptions(frozenset[str]):
    """The parsed ``cascade=`` string: a set of tokens plus one boolean per cascade."""

    save_update: bool
    delete: bool
    delete_orphan: bool
    merge: bool
    expunge: bool
    refresh_expire: bool

    def __new__(cls, value: str | Iterable[str] = "save-update, merge") -> CascadeOptions:
        """Parse ``"all, delete-orphan"``; ArgumentError names an unknown token."""
        if isinstance(value, str):
            tokens = [t.strip() for t in value.split(",") if t.strip()]
        elif isinstance(value, (list, tuple, set, frozenset)):
            tokens = [str(t).strip() for t in value]
        else:
            raise exc.ArgumentError(
                f"cascade= takes a comma-separated string such as 'all, delete-orphan', "
                f"not {value!r}"
            )
        bad = [t for t in tokens if t not in _CASCADE_TOKENS]
        if bad:
            raise exc.ArgumentError(
                f"Invalid cascade option(s): {', '.join(repr(t) for t in bad)}; valid options "
                f"are {', '.join(sorted(_CASCADE_TOKENS))}"
            )
        values = set(tokens)
        if "all" in values:
            values.discard("all")
            values.update(_ALL)
        values.discard("none")
        self = super().__new__(cls, values)
        self.save_update = "save-update" in values
        self.delete = "delete" in values
        self.delete_orphan = "delete-orphan" in values
        self.merge = "merge" in values
        self.expunge = "expunge" in values
        self.refresh_expire = "refresh-expire" in values
        if self.delete_orphan and not self.delete:
            raise exc.ArgumentError(
                "The 'delete-orphan' cascade option requires 'delete' as well "
                "(cascade='all, delete-orphan' or 'save-update, delete, delete-orphan')"
            )
        return self

    def __repr__(self) -> str:
        return f"CascadeOptions({','.join(sorted(self))!r})"


_LAZY = frozenset(
    {"select", "selectin", "joined", "raise", "raise_on_sql", "noload", "write_only", "immediate"}
)


def backref(name: str, **kwargs: Any) -> tuple[str, dict[str, Any]]:
    """A ``backref=`` with options for the property made on the other side."""
    return (name, kwargs)


class RelationshipProperty(_DeclarativeMapped[Any], MapperProperty):
    """A mapped attribute whose value is related objects (one, or a collection).

    After ``configure_mappers()``: ``mapper`` / ``entity`` (the target), ``direction``,
    ``primaryjoin`` / ``secondaryjoin``, ``local_remote_pairs``, ``synchronize_pairs`` and
    ``secondary_synchronize_pairs`` (``(referenced column, foreign key column)`` pairs),
    ``local_columns``, ``remote_side``, ``uselist``, ``collection_class``, ``cascade``
    and ``_reverse_property`` (the other side's properties).
    """

    is_relationship = True
    is_column_property = False

    def __init__(
        self,
        argument: Any = None,
        secondary: Any = None,
        *,
        uselist: bool | None = None,
        back_populates: str | None = None,
        backref: str | tuple[str, dict[str, Any]] | None = None,
        foreign_keys: Any = None,
        primaryjoin: Any = None,
        secondaryjoin: Any = None,
        remote_side: Any = None,
        order_by: Any = None,
        collection_class: Any = None,
        viewonly: bool = False,
        passive_deletes: bool | str = False,
        post_update: bool = False,
        cascade: str = "save-update, merge",
        lazy: str = "select",
        innerjoin: bool = False,
        single_parent: bool = False,
        info: dict[Any, Any] | None = None,
        doc: str | None = None,
    ) -> None:
        if lazy is True:  # type: ignore[comparison-overlap]  # legacy spellings
            lazy = "select"
        elif lazy is False:  # type: ignore[comparison-overlap]
            lazy = "joined"
        elif lazy is None:
            lazy = "noload"
        if lazy == "dynamic":
            raise exc.ArgumentError(
                "lazy='dynamic' is not supported; use lazy='write_only' (a WriteOnlyCollection)"
            )
        if lazy not in _LAZY:
            raise exc.ArgumentError(
                f"Invalid lazy={lazy!r}; valid values are {', '.join(sorted(_LAZY))}"
            )
        if passive_deletes not in (True, False, "all"):
            raise exc.ArgumentError(
                f"Invalid passive_deletes={passive_deletes!r}; use True, False or 'all'"
            )
        if backref is not None and back_populates is not None:
            raise exc.ArgumentError("relationship() takes backref or back_populates, not both")
        self.argument = argument
        self.secondary: Any = secondary
        self._given_uselist = uselist
        self.uselist: bool = bool(uselist) if uselist is not None else True
        self.back_populates = back_populates
        self.backref = backref
        self._given_foreign_keys = foreign_keys
        self._given_primaryjoin = primaryjoin
        self._given_secondaryjoin = secondaryjoin
        self._given_remote_side = remote_side
        self._given_order_by = order_by
        self._given_collection_class = collection_class
        self.viewonly = viewonly
        self.passive_deletes = passive_deletes
        self.post_update = post_update
        self.cascade = CascadeOptions("none" if viewonly else cascade)
        self._cascade_given = cascade != "save-update, merge"
        self.lazy = lazy
        self.innerjoin = innerjoin
        self.single_parent = single_parent
        self.info: dict[Any, Any] = info if info is not None else {}
        self.doc = doc
        self.key = ""
        self.parent: Mapper[Any] = None  # type: ignore[assignment]  # set by the Mapper
        self.mapper: Mapper[Any] = None  # type: ignore[assignment]  # set when configured
        self.direction: RelationshipDirection = ONETOMANY
        self.primaryjoin: Any = None
        self.secondaryjoin: Any = None
        self.local_remote_pairs: list[tuple[Any, Any]] = []
        self.synchronize_pairs: list[tuple[Any, Any]] = []
        self.secondary_synchronize_pairs: list[tuple[Any, Any]] = []
        self.local_columns: frozenset[Any] = frozenset()
        self.remote_side: frozenset[Any] = frozenset()
        self.order_by: Any = False
        self.collection_class: Any = None
        self._reverse_property: set[RelationshipProperty] = set()
        self._use_get = False  # a many-to-one the identity map can answer (set when configured)
        self._configured = False
        self._attr: InstrumentedAttribute[Any] | None = None
        # set by declarative from a Mapped[...] annotation: (target, collection class or None)
        self._annotation: tuple[Any, Any] | None = None
        self._dependency_processor: Any = None

    # -- MapperProperty ---------------------------------------------------------------

    @property
    def entity(self) -> type:
        """The target class (after configuration)."""
        return self.mapper.class_

    @property
    def target(self) -> Any:
        """The target's table."""
        return self.mapper.local_table

    @property
    def expression(self) -> Any:
        """The join condition (``primaryjoin``) this relationship stands for in SQL."""
        _configure_if_needed()
        return self.primaryjoin

    @property
    def class_attribute(self) -> InstrumentedAttribute[Any]:
        """The ``InstrumentedAttribute`` on the parent class."""
        assert self._attr is not None
        return self._attr

    @property
    def impl(self) -> AttributeImpl:
        """The attribute implementation (after configuration)."""
        impl: AttributeImpl = self.class_attribute.impl
        return impl

    def _create_impl(self, class_: type, attr: InstrumentedAttribute[Any]) -> AttributeImpl:
        self._attr = attr
        if self._configured:
            from accord.orm.related_attributes import make_impl

            impl: AttributeImpl = make_impl(self, class_, attr)
            return impl
        from accord.orm.related_attributes import UnconfiguredImpl

        return UnconfiguredImpl(class_, self.key, attr.dispatch)

    @property
    def attribute_class(self) -> type:
        """The descriptor class the Mapper installs for this property."""
        from accord.orm.related_attributes import RelationshipAttribute

        return RelationshipAttribute

    def cascade_iterator(self, type_: str, state: Any, passive: int) -> list[Any]:
        """The related objects of ``state`` that the cascade ``type_`` reaches."""
        from accord.orm.related_attributes import related_objects

        if type_ not in self.cascade:
            return []
        return related_objects(self, state, passive)

    def __repr__(self) -> str:
        owner = self.parent.class_.__name__ + "." if self.parent is not None else ""
        return f"<RelationshipProperty {owner}{self.key}>"

    def __str__(self) -> str:
        owner = self.parent.class_.__name__ + "." if self.parent is not None else ""
        return f"{owner}{self.key}"

    # -- configuration ----------------------------------------------------------------

    def _resolve_arg(self, value: Any, what: str) -> Any:
        """A string is evaluated among the registry's classes; a callable is called."""
        from accord.orm.relationship_join import resolve_argument

        return resolve_argument(self, value, what)

    def _configure(self) -> None:
        """Resolve the target, the join and the direction; set up the attribute impl."""
        if self._configured:
            return
        from accord.orm.relationship_join import configure_relationship

        configure_relationship(self)
        self._configured = True
        if self.cascade.delete_orphan:  # the flush's per-mapper list of such relationships
            self.mapper.__dict__.pop("_accord_orphan_props", None)
        if self._attr is not None:
            from accord.orm.related_attributes import make_impl

            self._attr.impl = make_impl(self, self.parent.class_, self._attr)
            self.parent.class_manager._refresh_keys()
        self._setup_reverse()

    def _setup_reverse(self) -> None:
        mapper = self.mapper
        if self.back_populates:
            other = mapper._props.get(self.back_populates)
            if not isinstance(other, RelationshipProperty):
                raise exc.InvalidRequestError(
                    f"back_populates on relationship {self} names {self.back_populates!r}, "
                    f"which is not a relationship of {mapper.class_.__name__}"
                )
            if other.back_populates is not None and other.back_populates != self.key:
                raise exc.ArgumentError(
                    f"relationship {self} back_populates {other}, but {other} back_populates "
                    f"{other.back_populates!r}"
                )
            self._add_reverse(other)
        elif self.backref is not None:
            name, kw = (self.backref, {}) if isinstance(self.backref, str) else self.backref
            kw = dict(kw)
            if name in mapper._props:
                raise exc.ArgumentError(
                    f"Error creating backref {name!r} on relationship {self}: property of that "
                    f"name exists on mapper {mapper!r}"
                )
            if self.secondary is not None:
                kw.setdefault("primaryjoin", self.secondaryjoin)
                kw.setdefault("secondaryjoin", self.primaryjoin)
                kw.setdefault("secondary", self.secondary)
            else:
                kw.setdefault("primaryjoin", self.primaryjoin)
                kw.setdefault("foreign_keys", [fk for _r, fk in self.synchronize_pairs])
                if self.direction is ONETOMANY:
                    kw.setdefault("uselist", False)
                    kw.setdefault("remote_side", [r for r, _f in self.synchronize_pairs])
                elif self.direction is MANYTOONE and self.parent is self.mapper:
                    kw.setdefault("remote_side", [f for _r, f in self.synchronize_pairs])
            kw.setdefault("viewonly", self.viewonly)
            kw.setdefault("passive_deletes", False)
            secondary = kw.pop("secondary", None)
            other = RelationshipProperty(
                self.parent.class_, secondary, back_populates=self.key, **kw
            )
            self.back_populates = name
            mapper._add_late_property(name, other)
            self._add_reverse(other)
            other._configure()

    def _add_reverse(self, other: RelationshipProperty) -> None:
        self._reverse_property.add(other)
        other._reverse_property.add(self)
        if other.back_populates is None:
            other.back_populates = self.key
        if self._attr is not None and other._attr is not None:
            from accord.orm.related_attributes import link_backrefs

            link_backrefs(self, other)


def relationship(
    argument: Any = None,
    secondary: Any = None,
    *,
    uselist: bool | None = None,
    back_populates: str | None = None,
    backref: str | tuple[str, dict[str, Any]] | None = None,
    foreign_keys: Any = None,
    primaryjoin: Any = None,
    secondaryjoin: Any = None,
    remote_side: Any = None,
    order_by: Any = None,
    collection_class: type | Callable[[], Any] | None = None,
    viewonly: bool = False,
    passive_deletes: bool | str = False,
    post_update: bool = False,
    cascade: str = "save-update, merge",
    lazy: str = "select",
    innerjoin: bool = False,
    single_parent: bool = False,
    info: dict[Any, Any] | None = None,
    doc: str | None = None,
) -> RelationshipProperty:
    """Declare a relationship to another mapped class (see ``RelationshipProperty``)."""
    return RelationshipProperty(
        argument,
        secondary,
        uselist=uselist,
        back_populates=back_populates,
        backref=backref,
        foreign_keys=foreign_keys,
        primaryjoin=primaryjoin,
        secondaryjoin=secondaryjoin,
        remote_side=remote_side,
        order_by=order_by,
        collection_class=collection_class,
        viewonly=viewonly,
        passive_deletes=passive_deletes,
        post_update=post_update,
        cascade=cascade,
        lazy=lazy,
        innerjoin=innerjoin,
        single_parent=single_parent,
        info=info,
        doc=doc,
    )


def _configure_if_needed() -> None:
    from accord.orm.mapper import configure_mappers

    configure_mappers()

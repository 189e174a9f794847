"""FROM objects and SELECT: tables, aliases, subqueries, joins, Select, exists()."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from accord import exc
from accord.sql import operators
from accord.sql import types as sqltypes
from accord.sql.coercions import coerce_column_like, coerce_expression, coerce_where
from accord.sql.elements import (
    BindParameter,
    ClauseElement,
    ColumnElement,
    Executable,
    Label,
    UnaryExpression,
    and_,
)
from accord.sql.fromclause import (
    ColumnCollection,
    FromClause,
    Join,
    Subquery,
    _coerce_from,
    _join_condition,
)
from accord.sql.textual import ColumnClause, TextClause

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from accord.sql.cache_key import KeyContext
    from accord.sql.operators import OperatorType

__all__ = [
    "Exists",
    "LABEL_STYLE_DISAMBIGUATE_ONLY",
    "LABEL_STYLE_NONE",
    "LABEL_STYLE_TABLENAME_PLUS_COL",
    "ScalarSelect",
    "Select",
    "TextualSelect",
    "exists",
    "select",
]

LABEL_STYLE_NONE = "none"
LABEL_STYLE_DISAMBIGUATE_ONLY = "disambiguate_only"
LABEL_STYLE_TABLENAME_PLUS_COL = "tablename_plus_col"


class _ColumnEntry:
    """One entry of a select list: the element, the name it is known by, label or not."""

    __slots__ = ("element", "key", "label", "name")

    def __init__(self, element: ColumnElement, name: str, key: str, label: bool) -> None:
        self.element = element
        self.name = name
        self.key = key
        self.label = label


class ReturnsRows(ClauseElement):
    """Base of statements producing rows (SELECT and textual SELECT)."""

    _is_select = True
    is_select = True

    def _column_entries(self) -> list[_ColumnEntry]:
        raise NotImplementedError

    def subquery(self, name: str | None = None) -> Subquery:
        """This SELECT as a FROM object."""
        return Subquery(self, name)  # type: ignore[arg-type]

    def alias(self, name: str | None = None, flat: bool = False) -> Subquery:
        """Same as ``subquery(name)``."""
        return self.subquery(name)

    def scalar_subquery(self) -> ScalarSelect:
        """This one-column SELECT as a column expression ``(SELECT ...)``."""
        return ScalarSelect(self)

    def exists(self) -> Exists:
        """``EXISTS (this SELECT)``."""
        return Exists(self)

    def label(self, name: str | None) -> Label:
        """``(SELECT ...) AS name``."""
        return self.scalar_subquery().label(name)

    @property
    def selected_columns(self) -> ColumnCollection:
        """The columns this SELECT returns, keyed by their result names."""
        return ColumnCollection((e.key, e.element) for e in self._column_entries())


class Select(Executable, ReturnsRows):
    """A SELECT statement, built generatively."""

    __visit_name__ = "select"
    _where_criteria: tuple[ColumnElement, ...] = ()
    _having_criteria: tuple[ColumnElement, ...] = ()
    _order_by_clauses: tuple[ColumnElement, ...] = ()
    _group_by_clauses: tuple[ColumnElement, ...] = ()
    _from_obj: tuple[FromClause, ...] = ()
    _setup_joins: tuple[tuple[Any, Any, Any, bool, bool], ...] = ()
    _limit_clause: ColumnElement | None = None
    _offset_clause: ColumnElement | None = None
    _distinct: bool = False
    _distinct_on: tuple[ColumnElement, ...] = ()
    _for_update_arg: dict[str, Any] | None = None
    _correlate: tuple[FromClause, ...] = ()
    _auto_correlate: bool = True
    _label_style: str = LABEL_STYLE_DISAMBIGUATE_ONLY
    _with_options: tuple[Any, ...] = ()
    _prefixes: tuple[str, ...] = ()
    _suffixes: tuple[str, ...] = ()
    _propagate_attrs: dict[str, Any] = {}

    def __init__(self, *entities: Any) -> None:
        if len(entities) == 1 and isinstance(entities[0], (list, tuple)):
            entities = tuple(entities[0])
        self._raw_entities = entities
        self._raw_columns = tuple(_coerce_select_item(e) for e in entities)

    # -- generative API ---------------------------------------------------------------

    def where(self, *whereclause: Any) -> Select:
        """Add WHERE criteria, joined by AND."""
        new: Select = self._generate()
        new._where_criteria = self._where_criteria + tuple(
            coerce_where(w) for w in whereclause if w is not None
        )
        return new

    filter = where

    def filter_by(self, **kwargs: Any) -> Select:
        """WHERE criteria ``column == value`` on the last joined (or first) FROM."""
        target = self._filter_by_target()
        return self.where(*[target.c[k] == v for k, v in kwargs.items()])

    def _filter_by_target(self) -> FromClause:
        if self._setup_joins:
            return _coerce_from(self._setup_joins[-1][0])
        froms = self.get_final_froms()
        if not froms:
            raise exc.InvalidRequestError("filter_by() needs a FROM object to filter")
        return froms[0]

    def having(self, *having: Any) -> Select:
        """Add HAVING criteria, joined by AND."""
        new: Select = self._generate()
        new._having_criteria = self._having_criteria + tuple(coerce_where(h) for h in having)
        return new

    def order_by(self, *clauses: Any) -> Select:
        """Add ORDER BY expressions; ``order_by(None)`` removes them."""
        new: Select = self._generate()
        if len(clauses) == 1 and clauses[0] is None:
            new._order_by_clauses = ()
        else:
            new._order_by_clauses = self._order_by_clauses + tuple(
                coerce_column_like(c) for c in clauses if c is not None
            )
        return new

    def group_by(self, *clauses: Any) -> Select:
        """Add GROUP BY expressions; ``group_by(None)`` removes them."""
        new: Select = self._generate()
        if len(clauses) == 1 and clauses[0] is None:
            new._group_by_clauses = ()
        else:
            new._group_by_clauses = self._group_by_clauses + tuple(
                coerce_column_like(c) for c in clauses if c is not None
            )
        return new

    @property
    def limit_expression(self) -> ColumnElement | None:
        """The LIMIT value as an expression (a bind), or None; for dialect compilers."""
        return self._limit_clause

    @property
    def offset_expression(self) -> ColumnElement | None:
        """The OFFSET value as an expression (a bind), or None; for dialect compilers."""
        return self._offset_clause

    @property
    def order_by_clauses(self) -> tuple[ColumnElement, ...]:
        """The ORDER BY terms, in order (``desc()`` / ``nulls_first()`` wrappers kept)."""
        return self._order_by_clauses

    @property
    def group_by_clauses(self) -> tuple[ColumnElement, ...]:
        """The GROUP BY expressions, in order."""
        return self._group_by_clauses

    @property
    def is_distinct(self) -> bool:
        """True for SELECT DISTINCT (with or without DISTINCT ON expressions)."""
        return self._distinct

    @property
    def for_update_options(self) -> Mapping[str, Any] | None:
        """``with_for_update()``'s options (nowait, read, of, skip_locked, key_share) or None."""
        return self._for_update_arg

    def limit(self, limit: Any) -> Select:
        """LIMIT (bound as a parameter); None removes it."""
        new: Select = self._generate()
        new._limit_clause = _offset_or_limit(limit)
        return new

    def offset(self, offset: Any) -> Select:
        """OFFSET (bound as a parameter); None removes it."""
        new: Select = self._generate()
        new._offset_clause = _offset_or_limit(offset)
        return new

    def slice(self, start: int, stop: int) -> Select:
        """LIMIT/OFFSET from a Python slice's start and stop."""
        return self.offset(start or None).limit(stop - start)

    def distinct(self, *expr: Any) -> Select:
        """SELECT DISTINCT (expressions give DISTINCT ON where the backend has it)."""
        new: Select = self._generate()
        new._distinct = True
        if expr:
            new._distinct_on = self._distinct_on + tuple(coerce_expression(e) for e in expr)
        return new

    def with_for_update(
        self,
        *,
        nowait: bool = False,
        read: bool = False,
        of: Any = None,
        skip_locked: bool = False,
        key_share: bool = False,
    ) -> Select:
        """SELECT ... FOR UPDATE (renders nothing on backends without row locks)."""
        new: Select = self._generate()
        if of is not None and not isinstance(of, (list, tuple)):
            of = [of]
        new._for_update_arg = {
            "nowait": nowait,
            "read": read,
            "of": tuple(of) if of else None,
            "skip_locked": skip_locked,
            "key_share": key_share,
        }
        return new

    def select_from(self, *froms: Any) -> Select:
        """Add explicit FROM objects."""
        new: Select = self._generate()
        new._from_obj = self._from_obj + tuple(_coerce_from(f) for f in froms)
        return new

    def join(
        self, target: Any, onclause: Any = None, *, isouter: bool = False, full: bool = False
    ) -> Select:
        """JOIN ``target`` from the leftmost FROM that relates to it."""
        new: Select = self._generate()
        steps = _relationship_steps(target, onclause)
        if steps is not None:
            new._setup_joins = self._setup_joins + tuple(
                (right, on, left, isouter, full) for left, right, on in steps
            )
            return new
        new._setup_joins = (*self._setup_joins, (target, onclause, None, isouter, full))
        return new

    def outerjoin(self, target: Any, onclause: Any = None, *, full: bool = False) -> Select:
        """LEFT OUTER JOIN ``target``."""
        return self.join(target, onclause, isouter=True, full=full)

    def join_from(
        self,
        from_: Any,
        target: Any,
        onclause: Any = None,
        *,
        isouter: bool = False,
        full: bool = False,
    ) -> Select:
        """JOIN ``target`` from the given left side ``from_``."""
        new: Select = self._generate()
        steps = _relationship_steps(target, onclause)
        if steps is not None:
            first = [(from_, steps[0][1], steps[0][2]), *steps[1:]]
            new._setup_joins = self._setup_joins + tuple(
                (right, on, left, isouter, full) for left, right, on in first
            )
            return new
        new._setup_joins = (*self._setup_joins, (target, onclause, from_, isouter, full))
        return new

    def outerjoin_from(
        self, from_: Any, target: Any, onclause: Any = None, *, full: bool = False
    ) -> Select:
        """LEFT OUTER JOIN ``target`` from ``from_``."""
        return self.join_from(from_, target, onclause, isouter=True, full=full)

    def correlate(self, *fromclauses: Any) -> Select:
        """Correlate these FROM objects to an enclosing SELECT; ``correlate(None)`` disables."""
        new: Select = self._generate()
        if len(fromclauses) == 1 and fromclauses[0] is None:
            new._auto_correlate = False
            new._correlate = ()
        else:
            new._auto_correlate = False
            new._correlate = self._correlate + tuple(_coerce_from(f) for f in fromclauses)
        return new

    def add_columns(self, *entities: Any) -> Select:
        """Add result columns."""
        new: Select = self._generate()
        new._raw_entities = self._raw_entities + entities
        new._raw_columns = self._raw_columns + tuple(_coerce_select_item(e) for e in entities)
        return new

    def from_statement(self, statement: Any) -> Any:
        """This SELECT's entities loaded from the rows of ``statement`` (``text()``, ...)."""
        from accord.sql.fromstatement import FromStatement

        return FromStatement(self._raw_entities, statement)

    def with_only_columns(self, *entities: Any, maintain_column_froms: bool = False) -> Select:
        """Replace the result columns (FROM list kept only if ``maintain_column_froms``)."""
        new: Select = self._generate()
        if maintain_column_froms:
            new._from_obj = self._from_obj + tuple(self.columns_clause_froms)
        if len(entities) == 1 and isinstance(entities[0], (list, tuple)):
            entities = tuple(entities[0])
        new._raw_entities = entities
        new._raw_columns = tuple(_coerce_select_item(e) for e in entities)
        return new

    def set_label_style(self, style: str) -> Select:
        """How result columns are labelled (``LABEL_STYLE_*``)."""
        new: Select = self._generate()
        new._label_style = style
        return new

    def options(self, *options: Any) -> Select:
        """Attach ORM loader options (carried here, interpreted by the ORM)."""
        new: Select = self._generate()
        new._with_options = self._with_options + options
        return new

    def prefix_with(self, *prefixes: str) -> Select:
        """Text placed right after SELECT."""
        new: Select = self._generate()
        new._prefixes = self._prefixes + prefixes
        return new

    def suffix_with(self, *suffixes: str) -> Select:
        """Text placed at the end of the statement."""
        new: Select = self._generate()
        new._suffixes = self._suffixes + suffixes
        return new

    def union(self, *other: Any) -> Any:
        """``self UNION other ...``."""
        from accord.sql.compound import union

        return union(self, *other)

    def union_all(self, *other: Any) -> Any:
        """``self UNION ALL other ...``."""
        from accord.sql.compound import union_all

        return union_all(self, *other)

    # -- introspection ----------------------------------------------------------------

    @property
    def whereclause(self) -> ColumnElement | None:
        """The WHERE criteria as one expression, or None."""
        return and_(*self._where_criteria) if self._where_criteria else None

    @property
    def columns_clause_froms(self) -> list[FromClause]:
        """FROM objects implied by the result columns."""
        return _dedupe([f for c in self._raw_columns for f in c._from_objects])

    @property
    def column_descriptions(self) -> list[dict[str, Any]]:
        """A dict per result column: name, type, expr, entity (None in Core)."""
        return [
            {
                "name": e.key,
                "type": e.element.type,
                "expr": e.element,
                "entity": None,
                "aliased": False,
            }
            for e in self._column_entries()
        ]

    def get_final_froms(self) -> list[FromClause]:
        """The FROM list as rendered: explicit, implied, with joins applied."""
        memo = self.__dict__.get("_memo_froms")
        if memo is None:
            memo = self.__dict__["_memo_froms"] = self._compute_froms()
        return memo

    @property
    def froms(self) -> list[FromClause]:
        """Same as ``get_final_froms()``."""
        return self.get_final_froms()

    def _compute_froms(self) -> list[FromClause]:
        froms: list[FromClause] = list(self._from_obj)
        for col in self._raw_columns:
            froms.extend(col._from_objects)
        for crit in self._where_criteria + self._having_criteria:
            froms.extend(crit._from_objects)
        froms = _dedupe(froms)
        for target, onclause, from_, isouter, full in self._setup_joins:
            froms = self._apply_join(froms, target, onclause, from_, isouter, full)
        hidden: set[int] = set()
        for f in froms:
            hidden.update(id(h) for h in f._hide_froms)
        return [f for f in froms if id(f) not in hidden]

    def _apply_join(
        self,
        froms: list[FromClause],
        target: Any,
        onclause: Any,
        from_: Any,
        isouter: bool,
        full: bool,
    ) -> list[FromClause]:
        right = _coerce_from(target)
        if onclause is not None and hasattr(onclause, "__clause_element__"):
            onclause = onclause.__clause_element__()
        hidden: set[int] = set()
        for f in froms:
            hidden.update(id(h) for h in f._hide_froms)
        candidates = [f for f in froms if id(f) not in hidden and f is not right]
        if from_ is not None:
            left = _coerce_from(from_)
        elif not candidates:
            raise exc.InvalidRequestError(
                "No FROM clause to join from; use select_from() or join_from()"
            )
        elif onclause is not None:
            ofroms = {id(x) for x in coerce_where(onclause)._from_objects}
            left = next(
                (c for c in candidates if any(id(t) in ofroms for t in c._deep_tables())),
                candidates[0],
            )
        else:
            left = candidates[0]
            for c in candidates:
                try:
                    _join_condition(c, right)
                except exc.ArgumentError:
                    continue
                left = c
                break
        # Replace the left side (or the join that holds it) with the new join.
        container = next(
            (f for f in froms if f is left or any(t is left for t in f._deep_tables())),
            None,
        )
        join_left = container if container is not None else left
        j = Join(join_left, right, onclause, isouter=isouter, full=full)
        out: list[FromClause] = []
        placed = False
        for f in froms:
            if f is join_left and not placed:
                out.append(j)
                placed = True
            elif f is not right:
                out.append(f)
        if not placed:
            out.insert(0, j)
        return out

    def _column_entries(self) -> list[_ColumnEntry]:
        memo = self.__dict__.get("_memo_entries")
        if memo is None:
            memo = self.__dict__["_memo_entries"] = _name_columns(
                self._expanded_columns(), self._label_style
            )
        return memo

    def _expanded_columns(self) -> list[ColumnElement]:
        out: list[ColumnElement] = []
        for c in self._raw_columns:
            if isinstance(c, FromClause):
                out.extend(c.c)
            else:
                out.append(c)
        return out

    @property
    def exported_columns(self) -> ColumnCollection:
        """Same as ``selected_columns``."""
        return self.selected_columns

    def _gen_cache_key(self, ctx: KeyContext) -> Any:
        # Only non-default parts are added, each behind a tag: most SELECTs use few clauses,
        # and this runs on every execution of a freshly built statement.
        key: list[Any] = ["select", tuple([c._gen_cache_key(ctx) for c in self._raw_columns])]
        if self._from_obj:
            key += ("from", tuple([f._gen_cache_key(ctx) for f in self._from_obj]))
        if self._setup_joins:
            key += ("joins", tuple([_join_key(j, ctx) for j in self._setup_joins]))
        if self._where_criteria:
            key += ("where", tuple([w._gen_cache_key(ctx) for w in self._where_criteria]))
        if self._group_by_clauses:
            key += ("group", tuple([g._gen_cache_key(ctx) for g in self._group_by_clauses]))
        if self._having_criteria:
            key += ("having", tuple([h._gen_cache_key(ctx) for h in self._having_criteria]))
        if self._order_by_clauses:
            key += ("order", tuple([o._gen_cache_key(ctx) for o in self._order_by_clauses]))
        if self._limit_clause is not None:
            key += ("limit", self._limit_clause._gen_cache_key(ctx))
        if self._offset_clause is not None:
            key += ("offset", self._offset_clause._gen_cache_key(ctx))
        if self._distinct:
            key += ("distinct", tuple([d._gen_cache_key(ctx) for d in self._distinct_on]))
        if self._for_update_arg is not None:
            arg = self._for_update_arg
            of = tuple([o._gen_cache_key(ctx) for o in arg["of"] or ()])
            key += ("for_update", tuple(sorted((k, v) for k, v in arg.items() if k != "of")), of)
        if self._correlate or not self._auto_correlate:
            key += ("correlate", self._auto_correlate)
            key.append(tuple([c._gen_cache_key(ctx) for c in self._correlate]))
        if self._label_style != LABEL_STYLE_DISAMBIGUATE_ONLY:
            key += ("label_style", self._label_style)
        if self._prefixes or self._suffixes:
            key += ("fixes", self._prefixes, self._suffixes)
        if self._with_options:
            key += ("options", tuple([getattr(o, "_cache_key", o) for o in self._with_options]))
        return tuple(key)


def _relationship_steps(target: Any, onclause: Any) -> list[tuple[Any, Any, Any]] | None:
    """``join(A.bs)`` / ``join(B, A.bs)``: an ORM relationship (any object with a
    ``_join_steps(target)`` method) expands into ``(left, right, onclause)`` joins."""
    if onclause is not None:
        steps = getattr(onclause, "_join_steps", None)
        return steps(target) if steps is not None else None
    steps = getattr(target, "_join_steps", None)
    return steps() if steps is not None else None


def _join_key(join: tuple[Any, Any, Any, bool, bool], ctx: KeyContext) -> Any:
    target, onclause, from_, isouter, full = join
    return (
        _coerce_from(target)._gen_cache_key(ctx),
        coerce_where(_ce(onclause))._gen_cache_key(ctx) if onclause is not None else None,
        _coerce_from(from_)._gen_cache_key(ctx) if from_ is not None else None,
        isouter,
        full,
    )


def _ce(obj: Any) -> Any:
    ce = getattr(obj, "__clause_element__", None)
    return ce() if ce is not None else obj


def select(*entities: Any) -> Select:
    """``SELECT`` the given columns, tables or entities."""
    return Select(*entities)


def _coerce_select_item(obj: Any) -> Any:
    obj = _ce(obj)
    if isinstance(obj, FromClause):
        return obj
    if isinstance(obj, str):
        raise exc.ArgumentError(
            f"Textual column expression {obj!r} should be explicitly declared with "
            f"text({obj!r}) or literal_column({obj!r})"
        )
    table_ = getattr(obj, "__table__", None)
    if isinstance(table_, FromClause):
        return table_
    if isinstance(obj, TextClause):
        from accord.sql.textual import _TextExpression

        return _TextExpression(obj)
    return coerce_expression(obj)


def _offset_or_limit(value: Any) -> ColumnElement | None:
    if value is None:
        return None
    if isinstance(value, ClauseElement):
        return coerce_expression(value)
    try:
        value = int(value)
    except (TypeError, ValueError):
        raise exc.ArgumentError(f"Invalid value for LIMIT/OFFSET: {value!r}") from None
    return BindParameter(None, value, type_=sqltypes.INTEGERTYPE, unique=True)


def _dedupe(items: Iterable[Any]) -> list[Any]:
    seen: set[int] = set()
    out = []
    for i in items:
        if id(i) not in seen:
            seen.add(id(i))
            out.append(i)
    return out


def _name_columns(columns: list[ColumnElement], style: str) -> list[_ColumnEntry]:
    """Give each select-list entry a unique name, labelling only where needed."""
    from accord.sql.functions import FunctionElement

    entries: list[_ColumnEntry] = []
    used: set[str] = set()
    anon = 0
    for col in columns:
        label = False
        if isinstance(col, Label):
            if col._is_anon_label:
                anon += 1
                name = f"anon_{anon}"
            else:
                name = col.name
            label = True
        elif isinstance(col, ColumnClause):
            name = col.name
            table_ = col.table
            if style == LABEL_STYLE_TABLENAME_PLUS_COL and table_ is not None:
                tname = getattr(table_, "name", None)
                if tname:
                    name = f"{tname}_{col.name}"
                    label = True
        elif isinstance(col, FunctionElement):
            name = f"{col.name}_1"
            label = True
        else:
            anon += 1
            name = f"anon_{anon}"
            label = True
        if name in used and style != LABEL_STYLE_NONE:
            base = name.rsplit("_", 1)[0] if isinstance(col, FunctionElement) else name
            n = 1
            while f"{base}_{n}" in used:
                n += 1
            name = f"{base}_{n}"
            label = True
        used.add(name)
        key = name
        if isinstance(col, ColumnClause) and not label:
            key = col.key or name
        entry = _ColumnEntry(col, name, key, label)
        entries.append(entry)
    return entries


class ScalarSelect(ColumnElement):
    """A one-column SELECT used as a value: ``(SELECT ...)``."""

    __visit_name__ = "scalar_select"

    def __init__(self, element: ReturnsRows) -> None:
        self.element = element
        entries = element._column_entries()
        self.type = entries[0].element.type if entries else sqltypes.NULLTYPE

    def where(self, *crit: Any) -> ScalarSelect:
        """A copy whose inner SELECT has more WHERE criteria."""
        return ScalarSelect(self.element.where(*crit))  # type: ignore[attr-defined]

    def self_group(self, against: OperatorType | None = None) -> ClauseElement:
        """Renders its own parentheses."""
        return self

    @property
    def _from_objects(self) -> list[Any]:
        return []

    def _gen_cache_key(self, ctx: KeyContext) -> Any:
        return ("scalar_select", self.element._gen_cache_key(ctx))


class Exists(UnaryExpression):
    """``EXISTS (SELECT ...)``."""

    __visit_name__ = "exists"

    def __init__(self, __argument: Any = None) -> None:
        if __argument is None:
            sel = Select(_star())
        elif isinstance(__argument, ReturnsRows):
            sel = __argument  # type: ignore[assignment]
        elif isinstance(__argument, ScalarSelect):
            sel = __argument.element  # type: ignore[assignment]
        else:
            sel = Select(__argument)
        super().__init__(sel, operator=operators.exists, type_=sqltypes.BOOLEANTYPE)

    @property
    def _from_objects(self) -> list[Any]:
        return []

    def _regroup(self, fn: Any) -> Exists:
        new: Exists = self._generate()
        new.element = fn(self.element)
        return new

    def where(self, *clause: Any) -> Exists:
        """Add WHERE criteria to the inner SELECT."""
        return self._regroup(lambda s: s.where(*clause))

    def select_from(self, *froms: Any) -> Exists:
        """Add FROM objects to the inner SELECT."""
        return self._regroup(lambda s: s.select_from(*froms))

    def correlate(self, *froms: Any) -> Exists:
        """Correlation of the inner SELECT."""
        return self._regroup(lambda s: s.correlate(*froms))

    def select(self) -> Select:
        """``SELECT EXISTS (...)``."""
        return Select(self)

    def _gen_cache_key(self, ctx: KeyContext) -> Any:
        return ("exists", self.element._gen_cache_key(ctx))


def _star() -> ColumnClause:
    return ColumnClause("*", is_literal=True)


def exists(__argument: Any = None) -> Exists:
    """``EXISTS (SELECT ...)``; ``exists().where(...)`` selects ``*``."""
    return Exists(__argument)


class TextualSelect(Executable, ReturnsRows):
    """``text()`` with declared result columns, usable like a SELECT."""

    __visit_name__ = "textual_select"
    _is_text = True

    def __init__(self, text: TextClause, columns: list[ColumnElement]) -> None:
        self.element = text
        self.column_args = columns

    def _column_entries(self) -> list[_ColumnEntry]:
        return [_ColumnEntry(c, c.key or "", c.key or "", False) for c in self.column_args]

    def _gen_cache_key(self, ctx: KeyContext) -> Any:
        return (
            "textual_select",
            self.element._gen_cache_key(ctx),
            tuple(c._gen_cache_key(ctx) for c in self.column_args),
        )


def __getattr__(name: str) -> Any:
    # FROM objects live in fromclause; they stay importable from here.
    if name in ("Alias", "TableClause", "alias", "join", "outerjoin", "table"):
        from accord.sql import fromclause

        return getattr(fromclause, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

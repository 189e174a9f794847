"""SQL compilation: Compiled, SQLCompiler, identifier quoting and the default string dialect."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, NamedTuple

from accord import exc
from accord.sql import elements as el
from accord.sql import expressions as ex
from accord.sql import operators
from accord.sql import textual as tx
from accord.sql.compound import CompoundCompilerMixin
from accord.sql.crud import CrudMixin
from accord.sql.fromclause import Alias, FromClause, Join, Subquery
from accord.sql.like_compiler import LikeCompilerMixin
from accord.sql.operators import (
    _SPECIAL_BINARY,
    NO_PAREN_FUNCTIONS,
    OPERATORS,
    UNARY_PREFIX,
    UNARY_SUFFIX,
)
from accord.sql.preparer import RESERVED_WORDS, IdentifierPreparer, _preparer_of
from accord.sql.types import String

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from accord.sql.cache_key import CacheKey
    from accord.sql.selectable import Select

__all__ = [
    "Compiled",
    "IdentifierPreparer",
    "RESERVED_WORDS",
    "ResultColumn",
    "SQLCompiler",
]


_BIND_MARK_RE = re.compile("\x00([^\x00]+)\x00")


class ResultColumn(NamedTuple):
    """One column of a statement's result: lookup key, rendered name, objects, SQL type."""

    keyname: str
    name: str
    objects: tuple[Any, ...]
    type: Any


class Compiled:
    """The result of compiling an element for a dialect: SQL text plus how to run it."""

    isinsert = False
    isupdate = False
    isdelete = False
    isddl = False
    is_text = False
    is_sql = False
    positional = False
    positiontup: list[str] | None = None
    for_executemany = False
    effective_returning: list[Any] | None = None
    returning: list[Any] | None = None
    implicit_returning: list[Any] | None = None
    postfetch_lastrowid = False
    # True when "%" in ``string`` is doubled: the engine then always passes parameters.
    percent_escaped = False
    _result_columns: list[ResultColumn] = []
    _bind_processors: dict[str, Callable[[Any], Any]] = {}

    def __init__(self, dialect: Any, statement: Any, **kw: Any) -> None:
        self.dialect = dialect
        self.statement = statement
        self.string = ""
        self.binds: dict[str, el.BindParameter] = {}
        self.insert_prefetch: list[Any] = []
        self.update_prefetch: list[Any] = []
        self.postfetch: list[Any] = []
        self._cache_key: CacheKey | None = kw.get("cache_key")

    @property
    def cache_key(self) -> CacheKey | None:
        """The cache key of the compiled statement (computed on first use)."""
        if self._cache_key is None and self.statement is not None:
            gen = getattr(self.statement, "_generate_cache_key", None)
            self._cache_key = gen() if gen is not None else None
        return self._cache_key

    @property
    def sql_compiler(self) -> Compiled:
        """The compiler for embedded SQL expressions."""
        return self

    def construct_params(
        self,
        params: Mapping[str, Any] | None = None,
        extracted_parameters: Any = None,
        **kw: Any,
    ) -> dict[str, Any]:
        """Bind values for one execution (none for DDL)."""
        return {}

    @property
    def escaped_bind_names(self) -> dict[str, str]:
        """Bind names changed for the SQL text (none outside statement compilers)."""
        return {}

    @property
    def params(self) -> dict[str, Any]:
        """The statement's own bind values."""
        return self.construct_params()

    def __str__(self) -> str:
        return self.string

    def process(self, obj: Any, **kw: Any) -> str:
        """Render a sub-element."""
        return obj._compiler_dispatch(self, **kw)  # type: ignore[no-any-return]


def _marker(name: str) -> str:
    return f"\x00{name}\x00"


class SQLCompiler(LikeCompilerMixin, CrudMixin, CompoundCompilerMixin, Compiled):
    """Compiles statements and expressions; dialects subclass it to override ``visit_*``."""

    is_sql = True
    operators = OPERATORS
    ansi_bind_rules = False

    def __init__(
        self,
        dialect: Any,
        statement: Any,
        cache_key: CacheKey | None = None,
        column_keys: Sequence[str] | None = None,
        for_executemany: bool = False,
        compile_kwargs: Mapping[str, Any] | None = None,
        escape_percent: bool | None = None,
        **kw: Any,
    ) -> None:
        super().__init__(dialect, statement, cache_key=cache_key)
        style = getattr(dialect, "paramstyle", "named")
        # One rule for format/pyformat drivers: text run with parameters has "%" doubled
        # (the engine always passes a parameter container for it); DDL, run without
        # parameters, passes escape_percent=False and keeps "%" as written.
        if escape_percent is None:
            escape_percent = style in ("format", "pyformat")
        self.percent_escaped = escape_percent
        self.preparer: IdentifierPreparer = _preparer_of(dialect)
        self.column_keys = list(column_keys) if column_keys is not None else None
        self.for_executemany = for_executemany
        self.positional = bool(getattr(dialect, "positional", False))
        self._result_columns = []
        self._bind_names: dict[int, str] = {}
        self._anon_counts: dict[str, int] = {}
        self._alias_names: dict[int, str] = {}
        self._alias_count = 0
        self._dml_bind_names: set[str] = set()
        self.stack: list[dict[str, Any]] = []
        ckw = dict(compile_kwargs or {})
        self.literal_binds = bool(ckw.pop("literal_binds", False))
        self.is_text = bool(getattr(statement, "_is_text", False))
        raw = self.process(statement, **ckw) if statement is not None else ""
        self.string = self.finalize(raw)
        self._prepare_params()

    # -- finishing ------------------------------------------------------------------------

    def finalize(self, raw: str) -> str:
        """The SQL text: bind markers in ``raw`` become placeholders, ``%`` is escaped."""
        style = getattr(self.dialect, "paramstyle", "named")
        parts = _BIND_MARK_RE.split(raw)
        # parts alternate: text, bind name, text, ...
        double_percent = self.percent_escaped
        out: list[str] = []
        positiontup: list[str] = []
        for i, part in enumerate(parts):
            if i % 2 == 0:
                out.append(part.replace("%", "%%") if double_percent else part)
                continue
            name = part
            if style == "qmark":
                out.append("?")
                positiontup.append(name)
            elif style == "format":
                out.append("%s")
                positiontup.append(name)
            elif style == "numeric":
                positiontup.append(name)
                out.append(f":{len(positiontup)}")
            elif style == "numeric_dollar":
                positiontup.append(name)
                out.append(f"${len(positiontup)}")
            elif style == "pyformat":
                out.append(f"%({self._escaped(name)})s")
            else:
                out.append(f":{self._escaped(name)}")
        if self.positional or style in ("qmark", "format", "numeric", "numeric_dollar"):
            self.positional = True
            self.positiontup = positiontup
        return "".join(out)

    _finalize = finalize  # the former private name, kept for dialects not yet switched

    _escaped_names: dict[str, str] | None = None

    def _escaped(self, name: str) -> str:
        if re.fullmatch(r"\w+", name):
            return name
        esc = re.sub(r"\W", "_", name)
        if self._escaped_names is None:
            self._escaped_names = {}
        self._escaped_names[name] = esc
        return esc

    @property
    def escaped_bind_names(self) -> dict[str, str]:
        """Bind names changed for the SQL text (names with spaces and the like)."""
        return dict(self._escaped_names or {})

    def _prepare_params(self) -> None:
        static: dict[str, Any] = {}
        dynamic: list[tuple[str, el.BindParameter]] = []
        required: list[str] = []
        for name, bp in self.binds.items():
            if bp.callable is not None:
                dynamic.append((name, bp))
            elif bp.required:
                required.append(name)
            elif name in self._prefetch_names:
                continue
            else:
                static[name] = bp.value
        self._static_values = static
        self._dynamic_binds = dynamic
        self._required_names = tuple(required)
        procs: dict[str, Callable[[Any], Any]] = {}
        dialect = self.dialect
        for name, bp in self.binds.items():
            proc = bp.type._cached_bind_processor(dialect)
            if proc is not None:
                procs[name] = proc
        self._bind_processors = procs
        self._extracted_names: list[str | None] | None = None

    _prefetch_names: frozenset[str] = frozenset()

    def _names_for_key(self) -> list[str | None]:
        names = self._extracted_names
        if names is None:
            key = self.cache_key
            bps = key.bindparams if key is not None else []
            names = [self._bind_names.get(id(bp)) for bp in bps]
            self._extracted_names = names
        return names

    def construct_params(
        self,
        params: Mapping[str, Any] | None = None,
        extracted_parameters: Sequence[el.BindParameter] | None = None,
        _group_number: int | None = None,
        _check: bool = True,
        **kw: Any,
    ) -> dict[str, Any]:
        """Bind name -> value: own values, then ``extracted_parameters``, then ``params``."""
        pd = dict(self._static_values)
        for name, bp in self._dynamic_binds:
            pd[name] = bp.callable()
        if extracted_parameters is not None:
            for opt_name, ext in zip(self._names_for_key(), extracted_parameters, strict=False):
                if opt_name is not None:
                    pd[opt_name] = ext.callable() if ext.callable is not None else ext.value
        if params:
            binds = self.binds
            for k, v in params.items():
                if k in binds:
                    pd[k] = v
        if _check:
            for name in self._required_names:
                if name not in pd:
                    where = (
                        f", in parameter group {_group_number}"
                        if _group_number is not None
                        else ""
                    )
                    raise exc.InvalidRequestError(
                        f"A value is required for bind parameter {name!r}{where}"
                    )
        if self._escaped_names:
            esc = self._escaped_names
            pd = {esc.get(k, k): v for k, v in pd.items()}
        return pd

    # -- helpers ----------------------------------------------------------------------

    def _bind_name(self, bp: el.BindParameter) -> str:
        name = self._bind_names.get(id(bp))
        if name is not None:
            return name
        if bp._is_anon:
            base = bp._orig_key
            n = self._anon_counts.get(base, 0)
            while True:
                n += 1
                name = f"{base}_{n}"
                if name not in self.binds:
                    break
            self._anon_counts[base] = n
        else:
            name = bp.key
            assert name is not None
            existing = self.binds.get(name)
            if existing is not None and existing is not bp:
                if name in self._dml_bind_names:
                    raise exc.CompileError(
                        f"bindparam() name '{name}' is reserved for automatic usage in the "
                        "VALUES or SET clause of this insert/update statement. Please use a "
                        "name other than column name when using bindparam() with insert() "
                        "or update() (for example, 'b_" + name + "')."
                    )
                if existing.unique or bp.unique:
                    raise exc.CompileError(f"Bind parameter '{name}' conflicts with unique bind")
        self._bind_names[id(bp)] = name
        self.binds[name] = bp
        return name

    def _alias_name(self, alias: Alias) -> str:
        if not alias._is_anon:
            return self.preparer.quote(alias.name)
        name = self._alias_names.get(id(alias))
        if name is None:
            self._alias_count += 1
            name = self._alias_names[id(alias)] = f"anon_{self._alias_count}"
        return name

    def render_literal_value(self, value: Any, type_: Any) -> str:
        """``value`` as a SQL literal of ``type_`` (``literal_binds`` mode)."""
        if value is None:
            return "NULL"
        proc = type_._cached_literal_processor(self.dialect)
        if proc is None:
            from accord.sql.types import _type_for_value

            proc = _type_for_value(value)._cached_literal_processor(self.dialect)
        if proc is None:
            raise exc.CompileError(
                f"No literal value renderer is available for literal value {value!r} "
                f"with datatype {type_!r}"
            )
        return proc(value)  # type: ignore[no-any-return]

    # -- expressions ------------------------------------------------------------------

    def visit_bindparam(self, bp: el.BindParameter, literal_binds: bool = False, **kw: Any) -> str:
        """A bind placeholder (or, in literal_binds mode, the rendered value)."""
        if literal_binds or self.literal_binds:
            if bp.required and bp.callable is None and bp.value is None:
                raise exc.CompileError(
                    f"Bind parameter '{bp.key}' without a renderable value not allowed here"
                )
            return self.render_literal_value(bp.effective_value, bp.type)
        return _marker(self._bind_name(bp))

    def visit_column(
        self, column: Any, include_table: bool = True, add_to_result_map: Any = None, **kw: Any
    ) -> str:
        """A column, qualified by its table or alias name."""
        if column.is_literal:
            name = str(column.name)
        else:
            name = self.preparer.quote(column.name)
        table = column.table
        if table is None or not include_table or not getattr(table, "named_with_column", False):
            return name
        if isinstance(table, Alias):
            return self._alias_name(table) + "." + name
        return self.preparer.format_table(table) + "." + name

    def visit_null(self, expr: Any, **kw: Any) -> str:
        """``NULL``."""
        return "NULL"

    def visit_true(self, expr: Any, **kw: Any) -> str:
        """``true`` or ``1``."""
        return "true" if getattr(self.dialect, "supports_native_boolean", True) else "1"

    def visit_false(self, expr: Any, **kw: Any) -> str:
        """``false`` or ``0``."""
        return "false" if getattr(self.dialect, "supports_native_boolean", True) else "0"

    def visit_grouping(self, grouping: el.Grouping, **kw: Any) -> str:
        """``(element)``."""
        return "(" + grouping.element._compiler_dispatch(self, **kw) + ")"

    def visit_clauselist(self, clauselist: el.ClauseList, **kw: Any) -> str:
        """Elements joined by the list's operator."""
        sep = self.operators.get(clauselist.operator, ", ")
        text = sep.join(
            s for s in (c._compiler_dispatch(self, **kw) for c in clauselist.clauses) if s
        )
        if clauselist._is_in_list:
            return "(" + text + ")"
        return text

    def visit_boolean_clauselist(self, clauselist: el.ClauseList, **kw: Any) -> str:
        """Criteria joined by AND / OR, each rendered by ``render_condition``."""
        sep = self.operators.get(clauselist.operator, " AND ")
        parts = (self.render_condition(c, **kw) for c in clauselist.clauses)
        return sep.join(s for s in parts if s)

    def render_condition(self, element: Any, **kw: Any) -> str:
        """``element`` where SQL wants a condition (WHERE, HAVING, ON, CASE WHEN, AND/OR/NOT)."""
        # The hook for dialects without boolean values: Oracle turns a bare boolean
        # column or function into ``x = 1`` here; everyone else renders it as it is.
        return element._compiler_dispatch(self, **kw)  # type: ignore[no-any-return]

    def visit_tuple(self, clauselist: el.ClauseList, **kw: Any) -> str:
        """``(a, b)``."""
        return "(" + ", ".join(c._compiler_dispatch(self, **kw) for c in clauselist.clauses) + ")"

    def visit_binary(self, binary: el.BinaryExpression, **kw: Any) -> str:
        """``left OP right`` (with special forms for LIKE variants, IN and BETWEEN)."""
        op = binary.operator
        special = _SPECIAL_BINARY.get(op)
        if special is not None:
            return getattr(self, special)(binary, op, **kw)  # type: ignore[no-any-return]
        if isinstance(op, ex._custom_op):
            opstring = f" {op.opstring} "
        else:
            opstring = self.operators.get(op)  # type: ignore[assignment]
            if opstring is None:
                raise exc.UnsupportedCompilationError(self, type(binary), f"operator {op!r}")
        if op in (operators.in_op, operators.not_in_op):
            right = binary.right
            if isinstance(right, el.ClauseList) and right._is_in_list and not right.clauses:
                return self.visit_empty_set_op_expr(binary, op, **kw)
        if op in (operators.between_op, operators.not_between_op):
            lo, hi = binary.right.clauses  # type: ignore[attr-defined]
            sym = " SYMMETRIC" if binary.modifiers.get("symmetric") else ""
            return (  # type: ignore[no-any-return]
                binary.left._compiler_dispatch(self, **kw)
                + opstring.rstrip()
                + sym
                + " "
                + lo._compiler_dispatch(self, **kw)
                + " AND "
                + hi._compiler_dispatch(self, **kw)
            )
        text = (
            binary.left._compiler_dispatch(self, **kw)
            + opstring
            + binary.right._compiler_dispatch(self, **kw)
        )
        escape = binary.modifiers.get("escape")
        if escape is not None:
            text += " ESCAPE " + self.render_literal_value(escape, _STRING)
        return text

    def visit_empty_set_op_expr(self, binary: Any, op: Any, **kw: Any) -> str:
        """An IN against an empty list: always false (NOT IN: always true)."""
        return "1 != 1" if op is operators.in_op else "1 = 1"

    def visit_unary(self, unary: el.UnaryExpression, **kw: Any) -> str:
        """Prefix operator or suffix modifier."""
        if unary.operator is operators.inv:
            text = self.render_condition(unary.element, **kw)
        else:
            text = unary.element._compiler_dispatch(self, **kw)
        if unary.operator is not None:
            prefix = UNARY_PREFIX.get(unary.operator)
            if prefix is None:
                raise exc.UnsupportedCompilationError(self, type(unary), repr(unary.operator))
            text = prefix + text
        if unary.modifier is not None:
            text += UNARY_SUFFIX[unary.modifier]
        return text

    def visit_exists(self, exists: Any, **kw: Any) -> str:
        """``EXISTS (SELECT ...)``."""
        kw.pop("asfrom", None)
        return "EXISTS (" + exists.element._compiler_dispatch(self, **kw) + ")"  # type: ignore[no-any-return]

    def visit_label(
        self,
        label: el.Label,
        within_columns_clause: bool = False,
        render_label_as_label: Any = None,
        **kw: Any,
    ) -> str:
        """``expr AS name`` in a select list; the name alone in ORDER BY; else the expr."""
        if render_label_as_label is not None and id(label) in render_label_as_label:
            return self.preparer.format_label_name(render_label_as_label[id(label)])
        return label.element._compiler_dispatch(self, **kw)

    def visit_cast(self, cast: ex.Cast, **kw: Any) -> str:
        """``CAST(x AS type)``."""
        return (  # type: ignore[no-any-return]
            "CAST("
            + cast.clause._compiler_dispatch(self, **kw)
            + " AS "
            + self.dialect.type_compiler.process(cast.typeclause)
            + ")"
        )

    def visit_type_coerce(self, tc: Any, **kw: Any) -> str:
        """The coerced expression, unchanged in SQL."""
        return tc.clause._compiler_dispatch(self, **kw)  # type: ignore[no-any-return]

    def visit_collation(self, element: Any, **kw: Any) -> str:
        """A collation name."""
        return self.preparer.quote(element.collation)

    def visit_case(self, case: ex.Case, **kw: Any) -> str:
        """``CASE ... END``."""
        text = "CASE "
        if case.value is not None:
            text += case.value._compiler_dispatch(self, **kw) + " "
        # With a value, the WHENs are values to compare to it, not conditions.
        when = self.process if case.value is not None else self.render_condition
        for cond, result in case.whens:
            text += (
                "WHEN " + when(cond, **kw) + " THEN " + result._compiler_dispatch(self, **kw) + " "
            )
        if case.else_ is not None:
            text += "ELSE " + case.else_._compiler_dispatch(self, **kw) + " "
        return text + "END"

    def visit_over(self, over: ex.Over, **kw: Any) -> str:
        """``f(...) OVER (PARTITION BY ... ORDER BY ...)``."""
        parts = []
        if over.partition_by:
            parts.append(
                "PARTITION BY "
                + ", ".join(c._compiler_dispatch(self, **kw) for c in over.partition_by)
            )
        if over.order_by:
            parts.append(
                "ORDER BY " + ", ".join(c._compiler_dispatch(self, **kw) for c in over.order_by)
            )
        return over.element._compiler_dispatch(self, **kw) + " OVER (" + " ".join(parts) + ")"  # type: ignore[no-any-return]

    def visit_function(self, func: Any, **kw: Any) -> str:
        """``name(args)``; a dialect may define ``visit_<name>_func`` for one function."""
        special = getattr(self, f"visit_{func.name.lower()}_func", None)
        if special is not None:
            return special(func, **kw)  # type: ignore[no-any-return]
        if not func._has_args:
            return NO_PAREN_FUNCTIONS.get(func.name.lower(), func.name.upper())  # type: ignore[no-any-return]
        name = func.name
        if self.preparer._requires_quotes(name) and name.lower() != name:
            name = self.preparer.quote(name)
        if func.packagenames:
            name = ".".join([*func.packagenames, name])
        return name + "(" + func.clause_expr._compiler_dispatch(self, **kw) + ")"  # type: ignore[no-any-return]

    def visit_now_func(self, func: Any, **kw: Any) -> str:
        """``now()``."""
        return "now()"

    def visit_next_value(self, nv: Any, **kw: Any) -> str:
        """The next value of a sequence (``nextval('name')``)."""
        if not getattr(self.dialect, "supports_sequences", True):
            raise exc.CompileError(
                f"Dialect '{self.dialect.name}' does not support sequence increments."
            )
        return f"nextval('{self.preparer.format_sequence(nv.sequence)}')"

    def visit_textclause(self, textclause: tx.TextClause, **kw: Any) -> str:
        """Literal SQL with ``:name`` binds replaced by placeholders."""
        binds = textclause._bindparams

        def repl(m: re.Match[str]) -> str:
            name = m.group(1)
            bp = binds.get(name)
            if bp is None:
                return m.group(0)
            return bp._compiler_dispatch(self, **kw)

        text = tx._BIND_RE.sub(repl, textclause.text)
        return text.replace("\\:", ":")

    def visit_text_expression(self, expr: Any, **kw: Any) -> str:
        """text() used as an expression."""
        return expr.clause._compiler_dispatch(self, **kw)  # type: ignore[no-any-return]

    def visit_textual_select(self, ts: Any, **kw: Any) -> str:
        """text().columns(...): the text; its declared columns form the result."""
        toplevel = not self.stack
        if toplevel:
            for entry in ts._column_entries():
                self._result_columns.append(
                    ResultColumn(entry.key, entry.name, (entry.element,), entry.element.type)
                )
        text = ts.element._compiler_dispatch(self, **kw)
        if kw.get("asfrom") or (self.stack and not toplevel):
            return text  # type: ignore[no-any-return]
        return text  # type: ignore[no-any-return]

    def visit_in_select(self, element: Any, **kw: Any) -> str:
        """``(SELECT ...)`` on the right of IN."""
        kw.pop("asfrom", None)
        return "(" + element.element._compiler_dispatch(self, **kw) + ")"  # type: ignore[no-any-return]

    def visit_scalar_select(self, element: Any, **kw: Any) -> str:
        """``(SELECT ...)`` as a value."""
        kw.pop("asfrom", None)
        kw.pop("within_columns_clause", None)
        return "(" + element.element._compiler_dispatch(self, **kw) + ")"  # type: ignore[no-any-return]

    def visit_column_element(self, element: Any, **kw: Any) -> str:
        """Elements without a rendering are an error."""
        raise exc.UnsupportedCompilationError(self, type(element))

    # -- FROM objects -----------------------------------------------------------------

    def visit_table(self, table: Any, asfrom: bool = False, **kw: Any) -> str:
        """A table name (with schema)."""
        return self.preparer.format_table(table)

    def visit_alias(self, alias: Alias, asfrom: bool = False, **kw: Any) -> str:
        """``table AS name`` in FROM; just the name elsewhere."""
        if not asfrom:
            return self._alias_name(alias)
        inner = alias.element._compiler_dispatch(self, asfrom=True, **kw)
        return inner + self.alias_keyword + self._alias_name(alias)

    alias_keyword = " AS "

    def visit_subquery(self, subquery: Subquery, asfrom: bool = False, **kw: Any) -> str:
        """``(SELECT ...) AS name`` in FROM."""
        if not asfrom:
            return self._alias_name(subquery)
        kw.pop("within_columns_clause", None)
        inner = subquery.element._compiler_dispatch(self, asfrom=True, **kw)
        return "(" + inner + ")" + self.alias_keyword + self._alias_name(subquery)

    def visit_join(self, join: Join, asfrom: bool = True, **kw: Any) -> str:
        """``a JOIN b ON ...``."""
        if join.full:
            kind = " FULL OUTER JOIN "
        elif join.isouter:
            kind = " LEFT OUTER JOIN "
        else:
            kind = " JOIN "
        return (
            join.left._compiler_dispatch(self, asfrom=True, **kw)
            + kind
            + join.right._compiler_dispatch(self, asfrom=True, **kw)
            + " ON "
            + self.render_condition(join.onclause, **kw)
        )

    # -- SELECT -----------------------------------------------------------------------

    def _correlated_froms(self, select: Select, asfrom: bool) -> list[FromClause]:
        froms = select.get_final_froms()
        if not self.stack or asfrom:
            return froms
        enclosing: set[int] = set()
        for entry in self.stack:
            for f in entry["froms"]:
                enclosing.update(id(t) for t in f._deep_tables())
        if select._auto_correlate:
            kept = [f for f in froms if id(f) not in enclosing]
            return kept if kept else froms
        if select._correlate:
            drop = {id(f) for f in select._correlate} & enclosing
            return [f for f in froms if id(f) not in drop]
        return froms

    def visit_select(self, select: Select, asfrom: bool = False, **kw: Any) -> str:
        """A SELECT statement."""
        kw.pop("within_columns_clause", None)
        kw.pop("render_label_as_label", None)
        toplevel = not self.stack
        froms = self._correlated_froms(select, asfrom)
        self.stack.append({"froms": froms, "select": select})
        entries = select._column_entries()
        text = "SELECT "
        if select._prefixes:
            text += " ".join(select._prefixes) + " "
        text += self.get_select_precolumns(select, **kw)
        columns = []
        for entry in entries:
            col = entry.element
            inner = (col.element if isinstance(col, el.Label) else col)._compiler_dispatch(
                self, within_columns_clause=True, **kw
            )
            if entry.label:
                inner += " AS " + self.preparer.format_label_name(entry.name)
            columns.append(inner)
            if toplevel:
                objects: tuple[Any, ...] = (col,)
                if isinstance(col, el.Label):
                    objects = (col, col.element)
                self._result_columns.append(ResultColumn(entry.key, entry.name, objects, col.type))
        text += ", ".join(columns)
        if froms:
            text += " \nFROM " + ", ".join(
                f._compiler_dispatch(self, asfrom=True, **kw) for f in froms
            )
        else:
            text += self.default_from()
        if select._where_criteria:
            where = self.render_condition(el.and_(*select._where_criteria), **kw)
            if where:
                text += " \nWHERE " + where
        if select._group_by_clauses:
            text += " GROUP BY " + ", ".join(
                c._compiler_dispatch(self, **kw) for c in select._group_by_clauses
            )
        if select._having_criteria:
            text += " \nHAVING " + self.render_condition(el.and_(*select._having_criteria), **kw)
        if select._order_by_clauses:
            labels = {id(e.element): e.name for e in entries if isinstance(e.element, el.Label)}
            text += " ORDER BY " + ", ".join(
                c._compiler_dispatch(self, render_label_as_label=labels, **kw)
                for c in select._order_by_clauses
            )
        if select._limit_clause is not None or select._offset_clause is not None:
            text += self.limit_clause(select, **kw)
        if select._for_update_arg is not None:
            text += self.for_update_clause(select, **kw)
        if select._suffixes:
            text += " " + " ".join(select._suffixes)
        self.stack.pop()
        return text

    def get_select_precolumns(self, select: Select, **kw: Any) -> str:
        """``DISTINCT `` and the like, placed before the columns."""
        return "DISTINCT " if select._distinct else ""

    def default_from(self) -> str:
        """FROM text for a SELECT without tables (Oracle says ``FROM DUAL``)."""
        return ""

    def limit_clause(self, select: Select, **kw: Any) -> str:
        """``LIMIT n OFFSET m`` (``LIMIT -1`` when only an offset is given)."""
        text = ""
        limit, offset = select.limit_expression, select.offset_expression
        if limit is not None:
            text += "\n LIMIT " + self.process(limit, **kw)
        if offset is not None:
            if limit is None:
                text += "\n LIMIT -1"
            text += " OFFSET " + self.process(offset, **kw)
        return text

    def for_update_clause(self, select: Select, **kw: Any) -> str:
        """``FOR <mode> [OF ...] [NOWAIT | SKIP LOCKED]`` from ``select.for_update_options``."""
        arg = select.for_update_options or {}
        text = " FOR " + self.for_update_mode(arg)
        if arg.get("of"):
            text += " OF " + self.for_update_of(arg["of"], **kw)
        if arg.get("nowait"):
            text += " NOWAIT"
        if arg.get("skip_locked"):
            text += " SKIP LOCKED"
        return text

    def for_update_mode(self, options: Mapping[str, Any]) -> str:
        """``UPDATE``, or ``SHARE`` for ``read=True``; ``key_share`` is left to dialects."""
        return "SHARE" if options.get("read") else "UPDATE"

    def for_update_of(self, targets: Sequence[Any], **kw: Any) -> str:
        """The ``OF`` list: the tables of the given tables or columns."""
        return ", ".join(self.preparer.format_table(getattr(o, "table", o)) for o in targets)


_STRING = String()


def __getattr__(name: str) -> Any:
    # DDLCompiler, GenericTypeCompiler and the string dialect live in modules that import
    # this one; they are reachable from here, where dialect authors look for them.
    if name in ("DDLCompiler", "GenericTypeCompiler"):
        from accord.sql import ddl_compiler

        return getattr(ddl_compiler, name)
    if name in ("StrSQLCompiler", "default_dialect"):
        from accord.sql import strdialect

        return getattr(strdialect, name)
    raise AttributeError(name)

"""``DefaultDialect`` (capability flags, shared driver hooks) and ``DefaultExecutionContext``."""

from __future__ import annotations

import importlib
from operator import is_not, itemgetter
from typing import TYPE_CHECKING, Any, ClassVar

from accord.engine.events import DialectEvents
from accord.engine.pool.base import DBAPICalls
from accord.engine.result import CursorResult
from accord.engine.row import ResultMetaData, Row
from accord.event import dispatcher
from accord.exc import InvalidRequestError

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from accord.engine.base import Connection
    from accord.engine.url import URL

__all__ = ["DefaultDialect", "DefaultExecutionContext", "ExecutionPlan"]

_EMPTY: Mapping[str, Any] = {}


class DefaultDialect(DBAPICalls):
    """Defaults for every dialect: capability flags and DBAPI-generic driver hooks.

    A concrete dialect combines a compile-side class (compilers, reserved words, type
    names) with this class and sets ``name``, ``driver`` and ``import_dbapi()``.
    """

    dispatch = dispatcher(DialectEvents)

    name: str = "default"
    driver: str = ""
    paramstyle: str = "named"
    positional: bool = False
    default_paramstyle: ClassVar[str] = "named"

    # Compilers: filled in by the compile-side dialect class; resolved lazily otherwise.
    statement_compiler: ClassVar[Any] = None
    ddl_compiler: ClassVar[Any] = None
    type_compiler_cls: Any = None
    preparer: Any = None
    colspecs: ClassVar[dict[type, type]] = {}

    supports_statement_cache: bool = True
    supports_returning: bool = False
    insert_returning: bool = False
    update_returning: bool = False
    delete_returning: bool = False
    insert_executemany_returning: bool = False
    supports_multivalues_insert: bool = True
    # A multi-row INSERT ... RETURNING gives an autoincrement table's new rows keys that
    # ascend in VALUES order (sqlite rowids, MariaDB auto-increment), so the ORM can match
    # the returned keys to its objects by sorting them and batch such INSERTs.
    insert_multivalues_returning_ordered: bool = False
    # Rows per multi-row INSERT the ORM sends, and bind parameters per statement at most.
    insertmanyvalues_page_size: int = 1000
    insertmanyvalues_max_parameters: int = 32700
    supports_savepoints: bool = True
    supports_two_phase: bool = False
    supports_native_boolean: bool = False
    supports_native_decimal: bool = False
    supports_native_uuid: bool = False
    supports_sequences: bool = False
    supports_server_side_cursors: bool = False
    supports_default_values: bool = True
    supports_empty_insert: bool = True
    supports_identity_columns: bool = False
    supports_comments: bool = False
    sequences_optional: bool = False
    implicit_returning: bool = True
    postfetch_lastrowid: bool = True
    default_schema_name: str | None = None
    max_identifier_length: int = 9999
    default_isolation_level: str | None = None
    server_version_info: tuple[Any, ...] | None = None
    execution_ctx_cls: type[DefaultExecutionContext]
    isolation_levels: ClassVar[frozenset[str]] = frozenset()
    """The names ``isolation_level=`` accepts, upper case with spaces (empty: unchecked)."""
    _isolation_lookup: ClassVar[frozenset[str]] = frozenset()  # former name, still honoured

    def __init_subclass__(cls, **kw: Any) -> None:
        super().__init_subclass__(**kw)
        # A dialect (or compile-side mixin) still naming the former private attribute
        # keeps working: the nearest definition of either name wins, both stay in step.
        for klass in cls.__mro__:
            if "isolation_levels" in klass.__dict__ or "_isolation_lookup" in klass.__dict__:
                levels = klass.__dict__.get(
                    "isolation_levels", klass.__dict__.get("_isolation_lookup")
                )
                cls.isolation_levels = cls._isolation_lookup = levels
                break

    def __init__(
        self,
        paramstyle: str | None = None,
        isolation_level: str | None = None,
        dbapi: Any = None,
        **kw: Any,
    ) -> None:
        if paramstyle is not None:
            self.paramstyle = paramstyle
        self.positional = self.paramstyle in ("qmark", "numeric", "format")
        self.isolation_level = isolation_level
        self.dbapi = dbapi
        self._type_memos: dict[int, tuple[Any, Any]] = {}
        self._resolve_compilers()
        for key, value in kw.items():
            # Dialect-specific keyword options from create_engine(), e.g. driver flags.
            if not hasattr(self, key):
                raise TypeError(f"Unknown argument {key!r} for dialect {self.name}")
            setattr(self, key, value)

    def _resolve_compilers(self) -> None:
        # The generic compilers, for dialects whose compile-side class names none.
        for attr, name in (
            ("statement_compiler", "SQLCompiler"),
            ("ddl_compiler", "DDLCompiler"),
            ("type_compiler_cls", "GenericTypeCompiler"),
            ("preparer", "IdentifierPreparer"),
        ):
            if getattr(self, attr, None) is None:
                try:
                    compiler = importlib.import_module("accord.sql.compiler")
                    setattr(self, attr, getattr(compiler, name))
                except (ImportError, AttributeError):  # pragma: no cover - partial builds
                    pass
        if getattr(self, "type_compiler", None) is None and self.type_compiler_cls is not None:
            self.type_compiler = self.type_compiler_cls(self)
            self.type_compiler_instance = self.type_compiler
        if getattr(self, "identifier_preparer", None) is None and self.preparer is not None:
            self.identifier_preparer = self.preparer(self)

    # -- construction -----------------------------------------------------------------------

    @classmethod
    def import_dbapi(cls) -> Any:
        """The driver module; concrete dialects override this."""
        raise NotImplementedError(f"Dialect {cls.__name__} names no DBAPI driver")

    @classmethod
    def get_pool_class(cls, url: URL) -> Any:
        """The pool class ``create_engine`` uses when ``poolclass`` is not given."""
        from accord.engine.pool import QueuePool

        return QueuePool

    def create_connect_args(self, url: URL) -> tuple[list[Any], dict[str, Any]]:
        """Arguments for the driver's ``connect()`` from the URL's parts and query."""
        opts: dict[str, Any] = dict(url.translate_connect_args())
        opts.update(url.query)
        return [], opts

    def connect(self, *cargs: Any, **cparams: Any) -> Any:
        """Open a DBAPI connection through ``self.dbapi.connect``."""
        return self.dbapi.connect(*cargs, **cparams)

    def on_connect(self) -> Callable[[Any], None] | None:
        """A callable run on each new DBAPI connection (isolation level etc.), or ``None``."""
        level = self.isolation_level
        if level is None:
            return None

        def set_level(dbapi_connection: Any) -> None:
            self.set_isolation_level(dbapi_connection, level)

        return set_level

    def initialize(self, dbapi_connection: Any) -> None:
        """Called once with the first DBAPI connection: learn the default isolation level."""
        try:
            self.default_isolation_level = self.get_default_isolation_level(dbapi_connection)
        except NotImplementedError:
            self.default_isolation_level = None

    def get_default_isolation_level(self, dbapi_connection: Any) -> str | None:
        """The level a fresh connection has (``get_isolation_level`` by default)."""
        return self.get_isolation_level(dbapi_connection)

    # -- execution --------------------------------------------------------------------------

    def do_execute(self, cursor: Any, statement: str, parameters: Any, context: Any) -> None:
        """Run ``statement`` with one parameter set."""
        cursor.execute(statement, parameters)

    def do_executemany(self, cursor: Any, statement: str, parameters: Any, context: Any) -> None:
        """Run ``statement`` once per parameter set."""
        cursor.executemany(statement, parameters)

    def do_execute_no_params(self, cursor: Any, statement: str, context: Any) -> None:
        """Run ``statement`` without parameters."""
        cursor.execute(statement)

    # -- transactions -----------------------------------------------------------------------

    def do_begin(self, dbapi_connection: Any) -> None:
        """DBAPI drivers begin implicitly; nothing to emit by default."""

    def _quote(self, name: str) -> str:
        preparer = getattr(self, "identifier_preparer", None)
        return str(preparer.quote(name)) if preparer is not None else name

    def do_savepoint(self, connection: Connection, name: str) -> None:
        """Emit ``SAVEPOINT name``."""
        connection.exec_driver_sql(f"SAVEPOINT {self._quote(name)}")

    def do_rollback_to_savepoint(self, connection: Connection, name: str) -> None:
        """Emit ``ROLLBACK TO SAVEPOINT name``."""
        connection.exec_driver_sql(f"ROLLBACK TO SAVEPOINT {self._quote(name)}")

    def do_release_savepoint(self, connection: Connection, name: str) -> None:
        """Emit ``RELEASE SAVEPOINT name``."""
        connection.exec_driver_sql(f"RELEASE SAVEPOINT {self._quote(name)}")

    def _no_twophase(self) -> NotImplementedError:
        return NotImplementedError(
            f"The {self.name} dialect does not support two-phase transactions"
        )

    def do_begin_twophase(self, connection: Connection, xid: Any) -> None:
        """Begin a two-phase transaction (unsupported by default)."""
        raise self._no_twophase()

    def do_prepare_twophase(self, connection: Connection, xid: Any) -> None:
        """Prepare a two-phase transaction (unsupported by default)."""
        raise self._no_twophase()

    def do_commit_twophase(
        self, connection: Connection, xid: Any, is_prepared: bool = True, recover: bool = False
    ) -> None:
        """Commit a two-phase transaction (unsupported by default)."""
        raise self._no_twophase()

    def do_rollback_twophase(
        self, connection: Connection, xid: Any, is_prepared: bool = True, recover: bool = False
    ) -> None:
        """Roll back a two-phase transaction (unsupported by default)."""
        raise self._no_twophase()

    def do_recover_twophase(self, connection: Connection) -> list[Any]:
        """Prepared xids awaiting a decision (unsupported by default)."""
        raise self._no_twophase()

    # -- connection state -------------------------------------------------------------------

    def is_disconnect(self, e: BaseException, connection: Any, cursor: Any) -> bool:
        """True when ``e`` means the connection is gone (never, by default)."""
        return False

    def get_isolation_level(self, dbapi_connection: Any) -> str:
        """The connection's isolation level; dialects override."""
        raise NotImplementedError(f"The {self.name} dialect cannot report isolation levels")

    def get_isolation_level_values(self, dbapi_connection: Any) -> list[str]:
        """The level names ``set_isolation_level`` accepts."""
        return sorted(self.isolation_levels)

    def set_isolation_level(self, dbapi_connection: Any, level: str) -> None:
        """Change the connection's isolation level; dialects override."""
        raise NotImplementedError(f"The {self.name} dialect cannot set isolation levels")

    def check_isolation_level(self, level: str) -> str:
        """``level`` normalised (``read_committed`` -> ``READ COMMITTED``), or ArgumentError."""
        normal = level.replace("_", " ").upper()
        if self.isolation_levels and normal not in self.isolation_levels:
            from accord.exc import ArgumentError

            raise ArgumentError(
                f"Invalid isolation level {level!r} for dialect {self.name}; valid levels: "
                f"{', '.join(sorted(self.isolation_levels))}"
            )
        return normal

    _check_isolation_level = check_isolation_level  # former name, kept for unswitched dialects

    def reset_isolation_level(self, dbapi_connection: Any) -> None:
        """Put the connection back to the engine's (or the server's default) level."""
        level = self.isolation_level or self.default_isolation_level
        if level is not None:
            self.set_isolation_level(dbapi_connection, level)

    def get_driver_connection(self, connection: Any) -> Any:
        """The driver-level connection (the DBAPI connection itself by default)."""
        return connection

    def has_table(
        self, connection: Connection, table_name: str, schema: str | None = None
    ) -> bool:
        """True when the table exists; dialects override."""
        raise NotImplementedError(f"The {self.name} dialect cannot check for tables")

    def type_descriptor(self, typeobj: Any) -> Any:
        """The dialect's implementation of ``typeobj`` (through ``colspecs``), cached."""
        hit = self._type_memos.get(id(typeobj))
        if hit is not None and hit[0] is typeobj:
            return hit[1]
        impl = typeobj.dialect_impl(self) if hasattr(typeobj, "dialect_impl") else typeobj
        self._type_memos[id(typeobj)] = (typeobj, impl)
        return impl

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name}+{self.driver}>"


class ExecutionPlan:
    """What the engine precomputes once per compiled statement (kept in the cache with it)."""

    __slots__ = (
        "bind_procs",
        "compiled",
        "getter",
        "passthrough",
        "pk_metadata",
        "positiontup",
        "prefetch",
        "result_metadata",
        "returning_metadata",
        "update_prefetch",
    )

    def __init__(self, compiled: Any, dialect: DefaultDialect) -> None:
        self.compiled = compiled
        self.bind_procs: list[tuple[str, Callable[[Any], Any]]] = list(
            (getattr(compiled, "_bind_processors", None) or {}).items()
        )
        self.prefetch: list[Any] = list(getattr(compiled, "insert_prefetch", ()) or ())
        self.update_prefetch: list[Any] = list(getattr(compiled, "update_prefetch", ()) or ())
        positiontup = getattr(compiled, "positiontup", None)
        self.positiontup: list[str] | None = (
            list(positiontup) if compiled.positional and positiontup is not None else None
        )
        self.getter: Callable[[Mapping[str, Any]], tuple[Any, ...]] | None = None
        if self.positiontup:
            if len(self.positiontup) == 1:
                only = self.positiontup[0]

                def one(params: Mapping[str, Any]) -> tuple[Any, ...]:
                    return (params[only],)

                self.getter = one
            else:
                self.getter = itemgetter(*self.positiontup)
        # None = not yet decided (needs a first parameter set), True/False afterwards.
        self.passthrough: bool | None = None
        self.result_metadata = _metadata_from_compiled(compiled, dialect)
        # Built on first use by the context (INSERT primary keys, return_defaults rows).
        self.pk_metadata: ResultMetaData | None = None
        self.returning_metadata: ResultMetaData | None = None


def _process_columns(
    params_list: list[Mapping[str, Any]], procs: list[tuple[str, Callable[[Any], Any]]]
) -> None:
    """Apply bind processors column by column, copying only the dicts whose value changed.

    Most processors return most values unchanged (a float to a Float column): the
    column is mapped through the processor and compared by identity at C speed, and
    the caller's dicts are left alone unless a value really was converted.
    """
    for key, proc in procs:
        try:
            before = list(map(itemgetter(key), params_list))
        except KeyError:
            continue  # a set without this key: the driver reports the missing value
        after = list(map(proc, before))
        if not any(map(is_not, before, after)):
            continue
        for n, (old, new) in enumerate(zip(before, after, strict=True)):
            if old is not new:
                copy = dict(params_list[n])
                copy[key] = new
                params_list[n] = copy


def _metadata_from_compiled(compiled: Any, dialect: Any) -> ResultMetaData | None:
    columns = getattr(compiled, "_result_columns", None)
    if not columns:
        return None
    keys: list[str] = []
    objects: list[list[Any]] = []
    procs: list[Any] = []
    for rc in columns:
        keyname, name, objs, type_ = rc[0], rc[1], rc[2], rc[3]
        keys.append(keyname)
        objects.append([name, *objs])
        proc = None
        if type_ is not None and hasattr(type_, "_cached_result_processor"):
            proc = type_._cached_result_processor(dialect, None)
        procs.append(proc)
    return ResultMetaData(keys, objects, procs)


# Result metadata of driver-SQL results by column names: building one (and its Row
# class) costs more than running a small query, and the same few shapes recur.
_BY_NAMES: dict[tuple[str, ...], ResultMetaData] = {}
_BY_NAMES_MAX = 256


def _metadata_from_cursor(cursor: Any) -> ResultMetaData | None:
    description = cursor.description
    if description is None:
        return None
    names = tuple(d[0] for d in description)
    md = _BY_NAMES.get(names)
    if md is None:
        if len(_BY_NAMES) >= _BY_NAMES_MAX:
            _BY_NAMES.clear()
        md = _BY_NAMES[names] = ResultMetaData(names)
    return md


class DefaultExecutionContext:
    """The state of one execution: from a compiled (or plain string) statement to a result."""

    compiled: Any = None
    plan: ExecutionPlan | None = None
    isinsert = isupdate = isdelete = isddl = is_text = False
    executemany = False
    invoked_statement: Any = None
    current_parameters: dict[str, Any] | None = None
    _lastrowid: Any = None
    _returned_rows: list[Sequence[Any]] | None = None
    _is_returning = False
    _return_defaults = False
    _pk_rows: list[Row] | None = None  # set when one-by-one executions were merged
    _passthrough = False  # the caller's dicts went to the driver unchecked
    # The statement has "%" doubled: it runs with (possibly empty) parameters, never bare.
    percent_escaped = False

    def __init__(
        self,
        dialect: DefaultDialect,
        connection: Connection,
        dbapi_connection: Any,
        execution_options: Mapping[str, Any],
    ) -> None:
        self.dialect = dialect
        self.root_connection = connection
        self._dbapi_connection = dbapi_connection
        self.execution_options = execution_options
        self.cursor: Any = None
        self.compiled_parameters: list[dict[str, Any]] = []
        self.parameters: list[Any] = []
        self.statement = ""

    # -- construction paths -----------------------------------------------------------------

    def _init_compiled(
        self,
        plan: ExecutionPlan,
        parameters: Sequence[Mapping[str, Any]],
        invoked_statement: Any,
        extracted_parameters: Any,
    ) -> None:
        compiled = plan.compiled
        self.plan = plan
        self.compiled = compiled
        self.invoked_statement = invoked_statement
        self.statement = compiled.string
        self.percent_escaped = compiled.percent_escaped
        self.isinsert = bool(compiled.isinsert)
        self.isupdate = bool(compiled.isupdate)
        self.isdelete = bool(compiled.isdelete)
        self.is_text = bool(getattr(compiled, "is_text", False))
        self.executemany = len(parameters) > 1
        returning = getattr(compiled, "effective_returning", None)
        if returning:
            # Rows go to the caller only for an explicit returning(); implicit RETURNING
            # (primary keys) and return_defaults() rows are consumed here.
            stmt = compiled.statement
            self._is_returning = bool(getattr(stmt, "_returning", None))
            self._return_defaults = not self._is_returning
        construct = compiled.construct_params
        if not parameters:
            parameters = [_EMPTY]

        if (
            plan.passthrough is not False
            and self.executemany
            and extracted_parameters is None
            and not plan.prefetch
            and not plan.update_prefetch
            and plan.getter is None
        ):
            # Named paramstyle with plain dicts whose keys are the bind names: the
            # driver can take the caller's dicts as they are (the executemany hot path).
            if plan.passthrough is None:
                first = parameters[0]
                built = construct(first)
                plan.passthrough = all(k in first and first[k] is v for k, v in built.items())
            if plan.passthrough:
                self._passthrough = True
                params_list = list(parameters)
                if plan.bind_procs:
                    _process_columns(params_list, plan.bind_procs)
                self.compiled_parameters = params_list  # type: ignore[assignment]
                self.parameters = params_list
                return

        if self.executemany:
            compiled_params = [
                construct(p, extracted_parameters=extracted_parameters, _group_number=n)
                for n, p in enumerate(parameters)
            ]
        else:
            compiled_params = [construct(parameters[0], extracted_parameters=extracted_parameters)]
        if plan.prefetch or plan.update_prefetch:
            self._process_defaults(compiled_params, plan)
        procs = plan.bind_procs
        if procs:
            for params in compiled_params:
                for key, proc in procs:
                    if key in params:
                        params[key] = proc(params[key])
        self.compiled_parameters = compiled_params
        getter = plan.getter
        if getter is not None:
            self.parameters = [getter(p) for p in compiled_params]
        elif plan.positiontup is not None:
            self.parameters = [() for _ in compiled_params]
        else:
            self.parameters = compiled_params

    def _explain_error(self, error: BaseException) -> BaseException:
        """For a driver error after a pass-through executemany, name a missing key.

        The fast path does not check every parameter set; when the driver fails, look
        for a set lacking a bind value and say which, as the slow path would have.
        """
        if not self._passthrough or self.compiled is None:
            return error
        required = list(self.compiled.construct_params(self.compiled_parameters[0]))
        for n, params in enumerate(self.compiled_parameters):
            for name in required:
                if name not in params:
                    better = InvalidRequestError(
                        f"A value is required for bind parameter {name!r}, in parameter group {n}"
                    )
                    better.__cause__ = error
                    return better
        return error

    def _process_defaults(
        self, compiled_params: list[dict[str, Any]], plan: ExecutionPlan
    ) -> None:
        for params in compiled_params:
            self.current_parameters = params
            for col in plan.prefetch:
                params[col.key] = self._exec_default(col, col.default)
            for col in plan.update_prefetch:
                params[col.key] = self._exec_default(col, col.onupdate)
        self.current_parameters = None

    def _exec_default(self, column: Any, default: Any) -> Any:
        if default is None:
            return None
        if getattr(default, "is_sequence", False):
            raise InvalidRequestError(
                f"Column {column} has a Sequence default, which the {self.dialect.name} "
                "dialect does not pre-execute"
            )
        if getattr(default, "is_callable", False):
            return default.arg(self)
        return default.arg

    def get_current_parameters(self, isolate_multiinsert_groups: bool = True) -> dict[str, Any]:
        """The parameter set a Python-side default is being computed for."""
        if self.current_parameters is None:
            raise InvalidRequestError(
                "get_current_parameters() can only be called inside a column default function"
            )
        return self.current_parameters

    @property
    def dbapi_connection(self) -> Any:
        """The DBAPI connection this execution runs on."""
        return self._dbapi_connection

    def create_cursor(self) -> Any:
        """The DBAPI cursor this execution runs on; dialects override (server-side cursors)."""
        return self._dbapi_connection.cursor()

    def _init_statement(self, statement: str, parameters: Sequence[Any]) -> None:
        self.statement = statement
        self.is_text = True
        if not parameters:
            self.parameters = []
        else:
            self.executemany = len(parameters) > 1
            self.parameters = list(parameters)

    def _init_ddl(self, compiled: Any) -> None:
        self.compiled = compiled
        self.isddl = True
        self.statement = compiled.string
        self.parameters = []

    # -- after execution ---------------------------------------------------------------------

    def _setup_result(self) -> CursorResult[Any]:
        cursor = self.cursor
        rowcount = cursor.rowcount
        plan = self.plan
        if self.isinsert:
            # Not every driver's cursor has lastrowid (psycopg 3 has none).
            self._lastrowid = getattr(cursor, "lastrowid", None)
        if plan is not None and cursor.description is not None:
            metadata = plan.result_metadata
            if metadata is None or len(metadata._keys) != len(cursor.description):
                metadata = _metadata_from_cursor(cursor)
            if self._is_returning or self._return_defaults:
                # DML rows are read now: primary keys and defaults come from them.
                rows = cursor.fetchall()
                rowcount = cursor.rowcount  # sqlite3 counts RETURNING rows as fetched
                cursor.close()
                self._returned_rows = rows
                if self._return_defaults:
                    return CursorResult(self, None, None, rowcount, self._lastrowid)
                assert metadata is not None
                return CursorResult._from_rows(self, metadata, rows, rowcount, self._lastrowid)
        elif cursor.description is not None:
            metadata = _metadata_from_cursor(cursor)
        else:
            return CursorResult(self, None, cursor, rowcount, self._lastrowid)
        result: CursorResult[Any] = CursorResult(self, metadata, cursor, rowcount)
        yield_per = self.execution_options.get("yield_per")
        if yield_per:
            result.yield_per(yield_per)
        return result

    @property
    def inserted_primary_key_rows(self) -> list[Row]:
        """Primary key of each inserted row: from parameters, RETURNING or ``lastrowid``."""
        if self._pk_rows is not None:
            return self._pk_rows
        compiled = self.compiled
        table = getattr(compiled.statement, "table", None)
        pk_cols = list(getattr(table, "primary_key", ()) or ())
        plan = self.plan
        md = plan.pk_metadata if plan is not None else None
        if md is None:
            md = ResultMetaData([c.key for c in pk_cols], [[c] for c in pk_cols])
            if plan is not None:
                plan.pk_metadata = md
        returned = self._returned_index(pk_cols)
        out = []
        for n, params in enumerate(self.compiled_parameters):
            values = []
            for col in pk_cols:
                value = params.get(col.key)
                if value is None and returned is not None and col in returned:
                    value = self._returned_rows[n][returned[col]]  # type: ignore[index]
                elif (
                    value is None
                    and not self.executemany
                    and compiled.postfetch_lastrowid
                    and len(pk_cols) == 1
                ):
                    value = self._lastrowid
                values.append(value)
            out.append(md._make_row(values))
        return out

    def _returned_index(self, cols: list[Any]) -> dict[Any, int] | None:
        if self._returned_rows is None:
            return None
        returning = list(getattr(self.compiled, "effective_returning", None) or ())
        index: dict[Any, int] = {}
        for col in cols:
            for i, rcol in enumerate(returning):
                if rcol is col:
                    index[col] = i
        return index

    @property
    def returned_default_rows(self) -> list[Row] | None:
        """Rows of server defaults read back by ``return_defaults()``, if any."""
        if self._returned_rows is None or not getattr(
            self.compiled.statement, "_return_defaults", False
        ):
            return None
        plan = self.plan
        md = plan.returning_metadata if plan is not None else None
        if md is None:
            returning = list(self.compiled.effective_returning)
            md = ResultMetaData([c.key for c in returning], [[c] for c in returning])
            if plan is not None:
                plan.returning_metadata = md
        return [md._make_row(r) for r in self._returned_rows]

"""The built-in string dialect behind ``str(statement)`` (named parameters, generic types)."""

from __future__ import annotations

from typing import Any

from accord.sql.compiler import SQLCompiler
from accord.sql.ddl_compiler import DDLCompiler, GenericTypeCompiler
from accord.sql.preparer import IdentifierPreparer

__all__ = ["StrSQLCompiler", "default_dialect"]


class StrSQLCompiler(SQLCompiler):
    """The compiler behind ``str(statement)``: renders what it can for any backend."""

    def visit_column_element(self, element: Any, **kw: Any) -> str:
        """Unknown elements render as their class name instead of failing."""
        return f"<{type(element).__name__}>"


class _StrDialect:
    """The dialect used when none is given: named parameters, generic types."""

    name = "default"
    driver = "str"
    paramstyle = "named"
    positional = False
    statement_compiler: type[SQLCompiler] = StrSQLCompiler
    ddl_compiler: type[DDLCompiler] = DDLCompiler
    type_compiler_cls: type[GenericTypeCompiler] = GenericTypeCompiler
    preparer: type[IdentifierPreparer] = IdentifierPreparer
    colspecs: dict[type, type] = {}
    supports_returning = True
    insert_returning = True
    update_returning = True
    delete_returning = True
    insert_executemany_returning = True
    supports_multivalues_insert = True
    supports_native_boolean = True
    supports_native_decimal = True
    supports_native_uuid = True
    supports_sequences = True
    sequences_optional = True
    supports_default_values = True
    supports_empty_insert = True
    supports_identity_columns = True
    supports_comments = False
    postfetch_lastrowid = True
    implicit_returning = False
    default_schema_name = None
    max_identifier_length = 9999

    def __init__(self) -> None:
        self.identifier_preparer = self.preparer(self)
        self.type_compiler = self.type_compiler_cls(self)
        self.type_compiler_instance = self.type_compiler


_DEFAULT: list[_StrDialect] = []


def default_dialect() -> Any:
    """The shared default string dialect (used by ``str(stmt)``)."""
    if not _DEFAULT:
        _DEFAULT.append(_StrDialect())
    return _DEFAULT[0]

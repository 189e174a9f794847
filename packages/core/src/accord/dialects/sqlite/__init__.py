"""The sqlite dialect (stdlib ``sqlite3``): the dialect classes and sqlite's ``insert()``."""

from __future__ import annotations

from .base import (
    SQLiteCompiler,
    SQLiteDDLCompiler,
    SQLiteDialect,
    SQLiteIdentifierPreparer,
    SQLiteTypeCompiler,
)
from .dml import Insert, OnConflictDoNothing, OnConflictDoUpdate, insert
from .pysqlite import SQLiteDialect_pysqlite

dialect = SQLiteDialect_pysqlite

__all__ = [
    "Insert",
    "OnConflictDoNothing",
    "OnConflictDoUpdate",
    "SQLiteCompiler",
    "SQLiteDDLCompiler",
    "SQLiteDialect",
    "SQLiteDialect_pysqlite",
    "SQLiteIdentifierPreparer",
    "SQLiteTypeCompiler",
    "dialect",
    "insert",
]

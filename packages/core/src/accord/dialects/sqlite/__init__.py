"""The sqlite dialect (stdlib ``sqlite3``): ``SQLiteDialect_pysqlite`` and sqlite DML."""

from __future__ import annotations

from .pysqlite import SQLiteDialect_pysqlite

dialect = SQLiteDialect_pysqlite

__all__ = ["SQLiteDialect_pysqlite", "dialect"]

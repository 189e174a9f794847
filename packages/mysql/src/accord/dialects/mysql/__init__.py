"""The MySQL / MariaDB dialect for accord, through PyMySQL; ``insert()`` with upsert."""

from __future__ import annotations

from .base import MySQLCompiler, MySQLDDLCompiler, MySQLDialect, MySQLTypeCompiler
from .dml import Insert, insert
from .pymysql import MariaDBDialect_pymysql, MySQLDialect_pymysql
from .types import (
    DATETIME,
    DOUBLE,
    LONGBLOB,
    LONGTEXT,
    MEDIUMBLOB,
    MEDIUMINT,
    MEDIUMTEXT,
    TIME,
    TIMESTAMP,
    TINYINT,
)

dialect = MySQLDialect_pymysql

__all__ = [
    "DATETIME",
    "DOUBLE",
    "Insert",
    "LONGBLOB",
    "LONGTEXT",
    "MEDIUMBLOB",
    "MEDIUMINT",
    "MEDIUMTEXT",
    "MariaDBDialect_pymysql",
    "MySQLCompiler",
    "MySQLDDLCompiler",
    "MySQLDialect",
    "MySQLDialect_pymysql",
    "MySQLTypeCompiler",
    "TIME",
    "TIMESTAMP",
    "TINYINT",
    "dialect",
    "insert",
]

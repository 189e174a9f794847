"""The Oracle dialect (python-oracledb, thin mode): ``OracleDialect_oracledb`` and Oracle types."""

from __future__ import annotations

from .base import (
    OracleCompiler,
    OracleDDLCompiler,
    OracleDialect,
    OracleIdentifierPreparer,
    OracleTypeCompiler,
)
from .oracledb import OracleDialect_oracledb
from .types import (
    BINARY_DOUBLE,
    BINARY_FLOAT,
    BLOB,
    CLOB,
    DATE,
    INTERVAL,
    NCLOB,
    NUMBER,
    NVARCHAR2,
    RAW,
    TIMESTAMP,
    VARCHAR2,
)

dialect = OracleDialect_oracledb

__all__ = [
    "BINARY_DOUBLE",
    "BINARY_FLOAT",
    "BLOB",
    "CLOB",
    "DATE",
    "INTERVAL",
    "NCLOB",
    "NUMBER",
    "NVARCHAR2",
    "OracleCompiler",
    "OracleDDLCompiler",
    "OracleDialect",
    "OracleDialect_oracledb",
    "OracleIdentifierPreparer",
    "OracleTypeCompiler",
    "RAW",
    "TIMESTAMP",
    "VARCHAR2",
    "dialect",
]

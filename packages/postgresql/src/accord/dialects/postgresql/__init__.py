"""The PostgreSQL dialect (psycopg 3): ``PGDialect_psycopg``, PostgreSQL types and upsert."""

from __future__ import annotations

from .base import PGCompiler, PGDDLCompiler, PGDialect, PGIdentifierPreparer, PGTypeCompiler
from .dml import Insert, insert
from .psycopg import PGDialect_psycopg
from .types import BYTEA, DOUBLE_PRECISION, JSON, JSONB, REAL, TIMESTAMP, TIMESTAMPTZ, UUID

dialect = PGDialect_psycopg

__all__ = [
    "BYTEA",
    "DOUBLE_PRECISION",
    "Insert",
    "JSON",
    "JSONB",
    "PGCompiler",
    "PGDDLCompiler",
    "PGDialect",
    "PGDialect_psycopg",
    "PGIdentifierPreparer",
    "PGTypeCompiler",
    "REAL",
    "TIMESTAMP",
    "TIMESTAMPTZ",
    "UUID",
    "dialect",
    "insert",
]

"""The PostgreSQL dialect for accord (psycopg 3); built by a later issue."""

from __future__ import annotations

__all__: list[str] = []

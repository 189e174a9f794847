"""The Oracle dialect for accord (python-oracledb); built by a later issue."""

from __future__ import annotations

__all__: list[str] = []

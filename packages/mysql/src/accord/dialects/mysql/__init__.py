"""The MySQL / MariaDB dialect for accord (PyMySQL); built by a later issue."""

from __future__ import annotations

__all__: list[str] = []
